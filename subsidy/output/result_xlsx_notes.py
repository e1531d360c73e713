"""The result workbook's 说明 (the rules in plain words, every assumption and every figure's
source) and 技术说明 (method, solver, stage values, shadow prices: what the filed tables leave out
on purpose). Split from result_xlsx.py, which lays out the numeric tables."""

from __future__ import annotations

from decimal import Decimal

from subsidy.allocate.result import Result
from subsidy.output.phrases import WORKBOOK as W
from subsidy.scenario.labels import Lang, money


def _plain(value: Decimal) -> str:
    """An amount in a sentence: no trailing zeros (300, 0.5), thousands separated."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rules_in_words(result: Result, lang: Lang) -> list[tuple[str, str, str, str]]:
    """(kind, about, rule in words, source) for every principle, category, fund and assumption,
    then every enterprise's and cost line's source."""
    sc = result.scenario
    unit = sc.unit
    sep = W("list_sep", lang)
    table = sc.category_table
    used = {c for e in sc.enterprises for c in e.costs}

    def label(c: str) -> str:
        cat = table.get(c)
        return ((cat.label_zh if lang == "zh" else cat.label_en) or c) if cat else c

    rows: list[tuple[str, str, str, str]] = []
    policy = W("k_policy", lang)
    rules = sorted({e.own_funds_rule for e in sc.enterprises}, key=["statutory", "proportional", "free"].index)
    for rule in rules:
        rows.append((policy, "", W(f"own_{rule}", lang), ""))
    rows.append((policy, "", W("priority", lang), ""))
    rows.append((policy, "", W("fair" if sc.policy.fairness else "unfair", lang), ""))
    for c, share in sc.policy.minimum_coverage.items():
        rows.append((policy, label(c), W("coverage_rule", lang, label=label(c), share=share), ""))
    rows.append((policy, "", W("exact", lang, unit=unit), ""))
    rows.append((policy, "", W("blank", lang), ""))
    for c, cat in table.items():
        if c not in used:
            continue
        text = (W("category_rule", lang, label=label(c), weight=cat.weight, klass=cat.own_funds_class + 1)
                if cat.weight > 0 else W("category_never", lang, label=label(c)))
        rows.append((W("k_category", lang), label(c), text, ""))
    ents = {e.id: e.name for e in sc.enterprises}
    for f in sc.funds:
        scope = ""
        if f.scope.regions:
            scope += W("scope_regions", lang, items=sep.join(f.scope.regions))
        if f.scope.industries:
            scope += W("scope_industries", lang, items=sep.join(f.scope.industries))
        if f.scope.enterprises:
            scope += W("scope_enterprises", lang, items=sep.join(ents.get(e, e) for e in f.scope.enterprises))
        caps = ""
        if f.caps.per_enterprise is not None:
            caps += W("cap_enterprise", lang, amount=_plain(f.caps.per_enterprise), unit=unit)
        for industry, rate in f.caps.per_capacity.items():
            cunit = next((e.capacity.unit for e in sc.enterprises if e.industry == industry and e.capacity), "")
            caps += W("cap_capacity", lang, industry=industry, rate=_plain(Decimal(rate)), unit=unit, cunit=cunit)
        if f.caps.share_of_need is not None:
            caps += W("cap_share", lang, share=f.caps.share_of_need)
        text = W("fund_rule", lang, budget=money(f.budget), unit=unit, cats=sep.join(label(c) for c in f.categories), scope=scope, caps=caps)
        rows.append((W("k_fund", lang), f.name, text, f.source))
    for a in sc.assumptions:
        value = "" if a.value is None else f"{a.value}{' ' + a.unit if a.unit else ''}"
        rows.append((W("k_assumption", lang), a.id, W("assumption", lang, text=a.text, value=value) if value else a.text, a.source))
    for e in sc.enterprises:
        rows.append((W("k_enterprise", lang), e.name, "", e.source))
        for c in e.costs:
            if c in e.cost_sources:
                rows.append((W("k_cost", lang), f"{e.name} {label(c)}", "", e.cost_sources[c]))
    return rows


def notes(sheet, result: Result, lang: Lang, lines, h: int) -> None:
    """`rules_in_words` as a filed table on `sheet` (result_xlsx.Sheet), its header on row `h`."""
    look = sheet.look
    sheet.heading(W("title", lang, name=result.scenario.name, table=W("notes", lang)), lines, 5)
    sheet.headers(h, [W(k, lang) for k in ("no", "kind", "subject", "text", "source")])
    for n, row in enumerate(rules_in_words(result, lang)):
        i = h + 1 + n
        sheet.put(i, 0, n + 1, look.text)
        for j, value in enumerate(row, start=1):
            sheet.put(i, j, value, look.wrap)
    sheet.finish(h, 0, 5, lang, wrap={0: 6, 1: 12, 2: 28, 3: 70, 4: 50})


def technical(sheet, result: Result, lang: Lang) -> None:
    """Label and value, one per row; headers on row 1 (nothing here is filed)."""
    look = sheet.look
    s = result.summary
    sheet.headers(0, [W("item", lang), W("value", lang)])
    rows: list[tuple[str, object]] = [
        (W("t_method", lang), s["method"]), (W("t_note", lang), s["method_note"]),
        (W("t_solver", lang), s["solver_version"]), (W("t_stage1", lang), s["objective_weighted_gap"]),
        (W("t_stage2", lang), s["max_gap_share"]), (W("t_sha", lang), s["scenario_sha256"] or ""),
        (W("t_version", lang), s["tool_version"]),
    ]
    names = {f.id: f.name for f in result.scenario.funds}
    for r in zip(result.table("funds").columns["fund"], result.table("funds").columns["shadow_price"]):
        rows.append((W("t_price", lang, fund=names[r[0]] if lang == "zh" else r[0], unit=result.scenario.unit), r[1]))
    for n, (label, value) in enumerate(rows, start=1):
        sheet.put(n, 0, label, look.wrap)
        sheet.put(n, 1, value, look.wrap)
    sheet.finish(0, 0, 2, lang, wrap={0: 40, 1: 80})
