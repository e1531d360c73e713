"""What a person reads of a programme over several years: the console summary (arrears by
enterprise and year, funds by year) and the output files with a `year` column.

One-year scenarios never come here (`console`, `result_csv` keep today's output exactly).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from subsidy.allocate.settle import Settlement
from subsidy.allocate.table import Table
from subsidy.allocate.timing_result import ProgrammeResult
from subsidy.allocate.waterfall import from_fen
from subsidy.output.phrases import PROGRAMME
from subsidy.output.result_csv import CONTRACT_FILES, csv_bytes, named_table
from subsidy.scenario.files import write_files_atomically
from subsidy.scenario.labels import Lang, column, table

__all__ = ["render_programme", "render_programme_files", "write_programme", "render_settlement", "settlement_files", "CONTRACT_FILES"]


def render_programme(result: ProgrammeResult, lang: Lang = "en", rows: int = 25) -> str:
    """Stage values; per enterprise its arrears at the end of each year (the largest gaps first
    when there are more than `rows`, 0: all); per fund and year what arrived, was spent, carried
    over and lapsed. Totals are always of all enterprises."""
    sc, years = result.scenario, result.years
    s = result.summary
    out = [PROGRAMME("title", lang, name=sc.name, first=years[0], last=years[-1], solver=result.solver_version, unit=sc.unit),
           PROGRAMME("stages", lang, wg=result.weighted_gap, wa=result.weighted_arrears, share=s["max_gap_share"] or 0.0), ""]
    lines = result.lines.lines
    n_e = len(lines.enterprises)
    per = np.zeros((n_e, len(years)), dtype=np.int64)
    np.add.at(per, lines.enterprise, result.arrears)
    shown = list(range(n_e))
    heading = PROGRAMME("arrears", lang)
    if rows and n_e > rows:
        shown = sorted(sorted(shown, key=lambda i: -int(per[i, -1]))[:rows])
        heading = PROGRAMME("largest", lang, shown=rows, count=n_e)
    names = {e.id: e.name for e in sc.enterprises}
    body = [[lines.enterprises[i], names[lines.enterprises[i]], *(from_fen(int(v)) for v in per[i])] for i in shown]
    body.append([PROGRAMME("total", lang), "", *(from_fen(int(v)) for v in per.sum(axis=0))])
    out += [heading, table([column("enterprise", lang), column("name", lang), *map(str, years)], body, numeric_from=2), ""]
    fy = result.fund_years
    keys = ["arrived", "spent", "carried_over", "lapsed"]
    frows = [[f.id, f.name, y, *(from_fen(int(fy[k][i, j])) for k in keys)] for i, f in enumerate(sc.funds) for j, y in enumerate(years)]
    out += [PROGRAMME("funds", lang), table([column(k, lang) for k in ["fund", "fund_name", "year", *keys]], frows, numeric_from=3)]
    return "\n".join(out)


def render_programme_files(result: ProgrammeResult, lang: Lang = "en", extra_summary: dict | None = None) -> dict[str, bytes]:
    """allocations.csv (fund, year, enterprise, category, amount), gaps.csv (per line and year,
    and a total row), funds.csv (per fund and year) and summary.json, as bytes."""
    if lang == "zh":  # names beside the ids and the unit in the headers, as the one-year files
        files = {f"{k}.csv": csv_bytes(named_table(result, k), lang, result.scenario.unit) for k in ("allocations", "gaps", "funds")}
    else:
        files = {f"{k}.csv": csv_bytes(result.table(k), lang) for k in ("allocations", "gaps", "funds")}
    summary = {**result.summary, "unit": result.scenario.unit, "options": {"lang": lang}, **(extra_summary or {})}
    files["summary.json"] = (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def write_programme(result: ProgrammeResult, out_dir: str | Path, lang: Lang = "en", extra_summary: dict | None = None) -> list[Path]:
    """`subsidy solve --out DIR` on a programme: the four files, all or nothing."""
    return write_files_atomically(out_dir, render_programme_files(result, lang, extra_summary))


def settlement_table(st: Settlement) -> Table:
    """Per enterprise and fund: paid in the settled year, to recover, still owed later (fen)."""
    rows = st.by_enterprise_and_fund()
    return Table({"enterprise": [r[0] for r in rows], "fund": [r[1] for r in rows],
                  "paid": np.array([r[2] for r in rows], dtype=np.int64), "to_recover": np.array([r[3] for r in rows], dtype=np.int64),
                  "still_owed": np.array([r[4] for r in rows], dtype=np.int64)}, frozenset({"paid", "to_recover", "still_owed"}))


def render_settlement(st: Settlement, lang: Lang = "en", rows: int = 25) -> str:
    """`subsidy settle`: the table per enterprise and fund, funds overdrawn, then the re-solved programme."""
    table_ = settlement_table(st)
    names = {e.id: e.name for e in st.result.scenario.enterprises}
    keys = ["paid", "to_recover", "still_owed"]
    body = [[e, names[e], f, *(from_fen(int(table_.columns[k][i])) for k in keys)]
            for i, (e, f) in enumerate(zip(table_.columns["enterprise"], table_.columns["fund"]))]
    body.append([PROGRAMME("total", lang), "", "", *(from_fen(int(table_.columns[k].sum())) for k in keys)])
    out = [PROGRAMME("settle_title", lang, year=st.year),
           table([column(k, lang) for k in ["enterprise", "name", "fund", *keys]], body, numeric_from=3)]
    ids = [f.id for f in st.result.scenario.funds]
    out += [PROGRAMME("overdrawn", lang, fund=ids[f], amount=from_fen(int(a)), year=st.year) for f, a in enumerate(st.overdrawn.tolist()) if a]
    return "\n".join(out + ["", PROGRAMME("resolved", lang), render_programme(st.result, lang, rows)])


def settlement_files(st: Settlement, lang: Lang = "en") -> dict[str, bytes]:
    """settlement.csv and the re-solved programme's four files."""
    unit = st.result.scenario.unit if lang == "zh" else None
    return {"settlement.csv": csv_bytes(settlement_table(st), lang, unit), **render_programme_files(st.result, lang)}
