"""`subsidy risk` in words: the console table (en/zh) and the CSVs of --out.

    risk_enterprises.csv  per enterprise: gap at the expected values, expected/P50/P90/P99 gap
                          under the plan, re-optimised (reopt_…) and under the robust plan (robust_…)
    risk_funds.csv        per fund: expected budget, what the plan spends, draws overdrawn, share,
                          expected and P90 overdraft
    risk_summary.csv      total and weighted gap: expected, P50, P90, P99 per way of deciding
                          (plan, reopt, robust)
    risk_draws.csv        one row per draw (total and weighted gap, funds overdrawn)

Headers are English (the CSV contract) unless --lang zh.
"""

from __future__ import annotations

from pathlib import Path

from subsidy.analysis.risk import Risk, draws_table, enterprise_table, fund_table, summary_table
from subsidy.output.result_csv import csv_bytes
from subsidy.scenario.files import write_files_atomically
from subsidy.scenario.labels import Lang, Phrases, money, table

RISK_FILES = ("risk_enterprises.csv", "risk_funds.csv", "risk_summary.csv", "risk_draws.csv")

RISK = Phrases({
    "ranges_note": {"en": "note: {n} amount(s) are given as ranges; this uses their expected values (subsidy risk draws them)",
                    "zh": "注意：有 {n} 个金额以区间给出；此处按预期值计算（subsidy risk 可对其抽样）"},
    "title": {"en": "{name}: risk over {draws:,} draws (seed {seed}), amounts in {unit}",
              "zh": "{name}：风险分析，抽样 {draws:,} 次（种子 {seed}），金额单位 {unit}"},
    "ranges": {"en": "Amounts drawn (triangular low~expected~high):", "zh": "抽样的金额（三角分布 低~预期~高）："},
    "plan_note": {"en": "plan: the allocation solved on the expected values, kept; reopt: solved again on each draw's amounts "
                        "(the gap if the bureau could wait for the facts)",
                  "zh": "方案：按预期值求得的分配保持不变；重新优化：按每次抽样的金额重新求解（若能等实际数确定后再分配的缺口）"},
    "robust_note": {"en": "robust: the public allocation minimising the expected weighted gap over these draws (money fixed before "
                          "the draw); against the plan on expected values its P90 total gap is {less} {unit} lower ({plan} → {robust}), "
                          "its P90 weighted gap {wless} lower ({wplan} → {wrobust})",
                    "zh": "稳健方案：使各次抽样加权缺口期望最小的公共资金分配（资金在抽样前确定）；与按预期值的方案相比，"
                          "P90 缺口合计低 {less} {unit}（{plan} → {robust}），P90 加权缺口低 {wless}（{wplan} → {wrobust}）"},
    "summary": {"en": "Programme", "zh": "总体"},
    "enterprises": {"en": "Enterprises", "zh": "企业"},
    "funds": {"en": "Funds (overdrawn: a drawn budget below what the plan spends from it)",
              "zh": "资金（超支：抽样预算低于方案安排的支出）"},
    "wrote": {"en": "wrote {files} into {out}", "zh": "已写入 {out}：{files}"},
})

HEADERS = Phrases({
    "enterprise": {"en": "enterprise", "zh": "企业"}, "name": {"en": "name", "zh": "名称"},
    "gap_at_expected": {"en": "gap at expected", "zh": "预期值下缺口"},
    "expected_gap": {"en": "expected gap", "zh": "缺口期望"}, "p50_gap": {"en": "P50", "zh": "P50"},
    "p90_gap": {"en": "P90", "zh": "P90"}, "p99_gap": {"en": "P99", "zh": "P99"},
    "reopt_expected_gap": {"en": "reopt expected", "zh": "重新优化 期望"}, "reopt_p50_gap": {"en": "reopt P50", "zh": "重新优化 P50"},
    "reopt_p90_gap": {"en": "reopt P90", "zh": "重新优化 P90"}, "reopt_p99_gap": {"en": "reopt P99", "zh": "重新优化 P99"},
    "fund": {"en": "fund", "zh": "资金"}, "budget_expected": {"en": "budget (expected)", "zh": "预算（预期）"},
    "plan_used": {"en": "plan spends", "zh": "方案支出"}, "overdrawn_draws": {"en": "draws overdrawn", "zh": "超支次数"},
    "overdrawn_share": {"en": "chance overdrawn", "zh": "超支概率"}, "expected_overdraft": {"en": "expected overdraft", "zh": "超支期望"},
    "p90_overdraft": {"en": "P90 overdraft", "zh": "超支 P90"},
    "decided": {"en": "decided", "zh": "决策方式"}, "measure": {"en": "measure", "zh": "指标"},
    "expected": {"en": "expected", "zh": "期望"}, "p50": {"en": "P50", "zh": "P50"}, "p90": {"en": "P90", "zh": "P90"},
    "p99": {"en": "P99", "zh": "P99"}, "draw": {"en": "draw", "zh": "抽样序号"}, "total_gap": {"en": "total gap", "zh": "缺口合计"},
    "weighted_gap": {"en": "weighted gap", "zh": "加权缺口"}, "reopt_total_gap": {"en": "reopt total gap", "zh": "重新优化 缺口合计"},
    "reopt_weighted_gap": {"en": "reopt weighted gap", "zh": "重新优化 加权缺口"},
    "overdrawn_funds": {"en": "funds overdrawn", "zh": "超支资金数"},
    "robust_expected_gap": {"en": "robust expected", "zh": "稳健 期望"}, "robust_p50_gap": {"en": "robust P50", "zh": "稳健 P50"},
    "robust_p90_gap": {"en": "robust P90", "zh": "稳健 P90"}, "robust_p99_gap": {"en": "robust P99", "zh": "稳健 P99"},
    "robust_used": {"en": "robust plan spends", "zh": "稳健方案支出"},
    "plan": {"en": "plan", "zh": "方案"}, "reopt": {"en": "reopt", "zh": "重新优化"}, "robust": {"en": "robust", "zh": "稳健方案"},
})


def _word(key: str, lang: Lang) -> str:
    return HEADERS(key, lang) if key in HEADERS else key


def _lines(frame, lang: Lang, words: tuple[str, ...] = ()) -> str:
    rows = [[_word(v, lang) if k in words else (money(v) if not isinstance(v, (str, int, float)) else v)
             for k, v in zip(frame.columns, row)] for row in frame.itertuples(index=False)]
    rows = [[f"{v:.1%}" if isinstance(v, float) else v for v in row] for row in rows]
    return table([_word(c, lang) for c in frame.columns], rows, numeric_from=2 if "name" in frame.columns or "measure" in frame.columns else 1)


def render_risk(r: Risk, lang: Lang = "en", rows: int = 20) -> str:
    """The console report: what was drawn, the programme's spread, the enterprises with the
    largest P90 gap (all of them with --out), and each fund's chance of being overdrawn."""
    s = r.scenario
    out = [RISK("title", lang, name=s.name, draws=r.draws, seed=r.seed, unit=s.unit), RISK("ranges", lang)]
    out += [f"  {a.path}: {a.text}" for a in s.ranges]
    summary = summary_table(r)
    out += ["", RISK("summary", lang), _lines(summary, lang, ("decided", "measure")), RISK("plan_note", lang)]
    if r.robust is not None:
        p90 = {(d, m): v for d, m, v in zip(summary.decided, summary.measure, summary.p90)}
        plan, robust = p90["plan", "total_gap"], p90["robust", "total_gap"]
        wplan, wrobust = p90["plan", "weighted_gap"], p90["robust", "weighted_gap"]
        out.append(RISK("robust_note", lang, less=money(plan - robust), unit=s.unit, plan=money(plan), robust=money(robust),
                        wless=money(wplan - wrobust), wplan=money(wplan), wrobust=money(wrobust)))
    ents = enterprise_table(r).sort_values(["p90_gap", "enterprise"], ascending=[False, True], kind="stable")
    if rows:
        ents = ents.head(rows)
    out += ["", RISK("enterprises", lang), _lines(ents, lang), "", RISK("funds", lang), _lines(fund_table(r), lang)]
    return "\n".join(out)


def risk_csvs(r: Risk, lang: Lang = "en") -> dict[str, bytes]:
    """The four CSVs (module docstring), English headers unless `lang` is zh."""
    frames = dict(zip(RISK_FILES, (enterprise_table(r), fund_table(r), summary_table(r), draws_table(r))))
    out = {}
    for name, frame in frames.items():
        if lang == "zh":
            frame = frame.rename(columns={c: _word(c, "zh") for c in frame.columns})
        out[name] = csv_bytes(frame, lang)
    return out


def write_risk(r: Risk, out_dir: str | Path, lang: Lang = "en") -> list[Path]:
    """All four CSVs into `out_dir`, or none (atomic)."""
    return write_files_atomically(out_dir, risk_csvs(r, lang))
