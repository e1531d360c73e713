"""What the workbench asks of the library: solve a version (its tables at once, then its
documents: the workbook, the charts, the PDF, the explanation and close-gap in words), a what-if
solve, and an approved allocation as commitments. Nothing here allocates: pipeline.solve does,
and the analyses and writers are the CLI's own.

The solve's page is drawn from `view.json`, written with the CSV files when the solve is
recorded, so that viewing a solve never solves again. The documents come after, one by one,
from the app's document pool (state.Documents): at 1,000 enterprises on this machine (load 9-10)
the verified solve and its CSV files took 1.2 s, while result.xlsx took 5.7 s, report.html
9.4 s, report.pdf 18.7 s, explain 24.4 s and close-gap 1.6 s, so the Allocate button answered
after about 65 s when it waited for them all.
"""

from __future__ import annotations

import json
from decimal import Decimal

from subsidy.allocate.waterfall import from_fen
from subsidy.analysis.close_gap import close_gap
from subsidy.analysis.compare import compare
from subsidy.analysis.explain import explain
from subsidy.output.analysis_text import comparison_text, explanation_sentences, gap_closure_sentences
from subsidy.output.charts import html_report
from subsidy.output.report_pdf import pdf_bytes
from subsidy.output.result_csv import render_contract
from subsidy.output.result_xlsx import result_workbook
from subsidy.pipeline import SolveError, solve
from subsidy.scenario.model import Scenario

WHATIF_ROWS = 30  # enterprises shown in the what-if gap table, largest gap first


class Unsolvable(Exception):
    """A valid scenario that cannot be solved: the diagnosis found errors (e.g. approved
    commitments beyond a lowered budget; the CLI's exit 2) or the rules contradict each other
    (exit 3). `said(lang)` gives the lines to show."""

    def __init__(self, lines: list[tuple[str, str]]):
        self.lines = lines
        super().__init__("; ".join(en for en, _zh in lines))

    def said(self, lang: str) -> list[str]:
        return [zh if lang == "zh" and zh else en for en, zh in self.lines]


def _solved(scenario: Scenario, **options):
    """pipeline.solve, stopping on the diagnosis' errors as the CLI does."""
    def stop_on_errors(found) -> None:
        errors = [f for f in found if f.level == "error"]
        if errors:
            raise Unsolvable([(f.message, f.message_zh) for f in errors])
    try:
        return solve(scenario, on_findings=stop_on_errors, **options)
    except SolveError as exc:
        raise Unsolvable([(str(exc), f"无法测算: {exc}")]) from None


def _money(fen) -> str:
    return f"{from_fen(int(fen)):,.2f}"


def gap_view(result) -> dict:
    """The tables the pages show, as plain text cells (amounts exact, from whole fen)."""
    ents = result.table("enterprises").columns
    funds = result.table("funds").columns
    enterprise_rows = sorted(
        ({"enterprise": e, "name": n, "need": _money(nd), "funded": _money(fd), "gap": _money(g), "gap_fen": int(g),
          "gap_share": f"{s:.1%}"} for e, n, nd, fd, g, s in zip(ents["enterprise"], ents["name"], ents["need"].tolist(),
                                                                  ents["funded"].tolist(), ents["gap"].tolist(), ents["gap_share"])),
        key=lambda r: (-r["gap_fen"], r["enterprise"]))
    fund_rows = [{"fund": f, "budget": _money(b), "used": _money(u), "left": _money(left)}
                 for f, b, u, left in zip(funds["fund"], funds["budget"].tolist(), funds["used"].tolist(), funds["left"].tolist())]
    return {"total_gap": f"{result.total('enterprises', 'gap'):,.2f}", "unit": result.scenario.unit,
            "enterprises": enterprise_rows, "funds": fund_rows}


def solve_version(scenario: Scenario, sha256: str) -> tuple[object, dict, dict[str, bytes], str]:
    """(result, summary, files, exact total gap) of one version: the CLI's four files and
    view.json with the tables the page shows. The documents (DOCUMENTS) are made from the same
    result afterwards, by `document`."""
    result = _solved(scenario, scenario_sha256=sha256)
    files = render_contract(result, "zh")
    view = gap_view(result)
    view["commitments"] = commitment_view(scenario)
    files["view.json"] = _json(view)
    return result, result.summary, files, str(result.total("enterprises", "gap"))


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


DOCUMENT_MAKERS = {  # name: how it is made from (scenario, result); the quickest first
    "close_gap.json": lambda scenario, result: _json(
        {lang: gap_closure_sentences(gc, lang) for gc in [close_gap(scenario, result=result)] for lang in ("zh", "en")}),
    "result.xlsx": lambda scenario, result: result_workbook(result, "zh"),  # the formal workbook
    "report.html": lambda scenario, result: html_report([result], [scenario.name], "zh").encode("utf-8"),
    "report.pdf": lambda scenario, result: pdf_bytes([result], [scenario.name], "zh"),  # `report --pdf`, A4
    "explain.json": lambda scenario, result: _json(
        {lang: explanation_sentences(ex, lang) for ex in [explain(scenario, result=result)] for lang in ("zh", "en")}),
}
DOCUMENTS = tuple(DOCUMENT_MAKERS)


def document(name: str, scenario: Scenario, result) -> bytes:
    """One of a solve's DOCUMENTS, made from its result (nothing is solved again)."""
    return DOCUMENT_MAKERS[name](scenario, result)


def whatif(scenario: Scenario) -> dict:
    """The gap tables of a changed scenario (nothing stored): the what-if panel. The allocation
    and its totals are verified as in every solve; the four tables are not (they are not
    written: a sweep's point is checked the same way), which saves a fifth of the time at
    1,000 enterprises."""
    result = _solved(scenario, tables=False)
    view = gap_view(result)
    view["enterprises"] = [r for r in view["enterprises"] if r["gap_fen"] > 0][:WHATIF_ROWS]
    return view


def commitment_view(scenario: Scenario) -> list[dict]:
    """The commitments a solve carried, as the page shows them: `= 40.00`, `≥ 50.00`, `≤ 0.00`."""
    def bound(c) -> str:
        if c.amount is not None:
            return f"= {c.amount:,.2f}"
        return " ".join(part for part in (c.at_least is not None and f"≥ {c.at_least:,.2f}", c.at_most is not None and f"≤ {c.at_most:,.2f}") if part)
    return [{"fund": c.fund, "enterprise": c.enterprise, "category": c.category or "", "bound": bound(c), "source": c.source}
            for c in scenario.commitments]


def carrying(data: dict, approval) -> dict:
    """The version's data as later runs solve it: the approval in force's allocation (store.Approval,
    or None) first in `commitments`, then the version's own. Nothing is merged away: an own
    commitment on a line the approval fixed is a second commitment for that line, and validation
    says so, as for a file (an approved allocation changes only by approving another)."""
    if approval is None or not approval.rows:
        return data
    carried = [{"fund": r.fund, "enterprise": r.enterprise, "category": r.category, "amount": r.amount, "source": r.source}
               for r in approval.rows]
    return {**data, "commitments": carried + list(data.get("commitments") or [])}


def approval_source(by: str, at, scenario: str, version: int, sha256: str, solve_id: int, lang: str) -> str:
    """The `source` of an approval's commitments, in the scenario's language (it is shown with
    them in pages, explanations and files): who approved which version of what, when, from which solve."""
    if lang == "zh":
        return f"{by} 于 {at:%Y-%m-%d %H:%M} UTC 批准: {scenario} 版本 {version} (sha256 {sha256[:12]}), 测算 #{solve_id}"
    return f"approved by {by} at {at:%Y-%m-%d %H:%M} UTC: {scenario} v{version} (sha256 {sha256[:12]}), solve #{solve_id}"


def commitment_rows(allocations_csv: bytes, source: str) -> list[dict]:
    """The approved solve's allocation (its allocations.csv, as recorded) as commitments entries
    {fund, enterprise, category, amount, source}."""
    import csv
    import io

    from subsidy.scenario.labels import column_key

    reader = csv.reader(io.StringIO(allocations_csv.decode("utf-8-sig")))
    # The header, in the file's language; in Chinese each id is followed by its name and the
    # amount carries the unit (金额（万元）): the columns are found by their labels.
    at = {column_key(h): i for i, h in enumerate(next(reader))}
    f, e, c, a = (at[k] for k in ("fund", "enterprise", "category", "amount"))
    return [{"fund": r[f], "enterprise": r[e], "category": r[c], "amount": str(Decimal(r[a])), "source": source}
            for r in reader if Decimal(r[a]) != 0]


REGIONAL_FILES = ("allocations.csv", "gaps.csv")  # the files a clerk may download, cut to their enterprises


def regional_csv(content: bytes, enterprises: set[str]) -> bytes:
    """A recorded result CSV (allocations.csv, gaps.csv, in either language) cut to the rows of
    `enterprises`, its header and encoding (BOM, CRLF) as recorded."""
    import csv
    import io

    from subsidy.scenario.labels import column_key

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    at = [column_key(h) for h in rows[0]].index("enterprise")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([rows[0]] + [r for r in rows[1:] if r[at] in enterprises])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def regional_view(view: dict, allocations_csv: bytes, enterprises: set[str]) -> dict:
    """A solve's page for a clerk: only `enterprises` (their regions'), the total gap over them,
    and per fund only what it paid them; no sentence about the whole (explain and close-gap name
    other regions' enterprises and the funds' totals)."""
    import csv
    import io

    from subsidy.scenario.labels import column_key

    rows = [r for r in view["enterprises"] if r["enterprise"] in enterprises]
    table = list(csv.reader(io.StringIO(regional_csv(allocations_csv, enterprises).decode("utf-8-sig"))))
    at = {column_key(h): i for i, h in enumerate(table[0])}
    paid: dict[str, Decimal] = {}
    for r in table[1:]:
        paid[r[at["fund"]]] = paid.get(r[at["fund"]], Decimal(0)) + Decimal(r[at["amount"]])
    return {"total_gap": _money(sum(r["gap_fen"] for r in rows)), "unit": view["unit"], "enterprises": rows,
            "paid": [{"fund": f, "paid": f"{amount:,.2f}"} for f, amount in sorted(paid.items())],
            "commitments": [c for c in view.get("commitments", []) if c["enterprise"] in enterprises],
            "explain": {"zh": [], "en": []}, "close_gap": {"zh": [], "en": []}}


def comparison(labelled: list[tuple[str, Scenario]], lang: str) -> str:
    """`subsidy compare`'s text for the chosen versions, the first the base."""
    results = [_solved(scenario) for _label, scenario in labelled]
    return comparison_text(compare(labelled, results=results), lang)
