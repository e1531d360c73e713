"""The `subsidy` command: parses arguments, calls the library, prints. No allocation logic here.

Library imports happen inside the commands so that `subsidy --help` starts fast.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    name="subsidy",
    help="Allocate central, provincial and local reward funds to enterprises closing outdated "
    "capacity, and report the funding gap that remains.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Lang(str, Enum):
    en = "en"
    zh = "zh"


LANG_HELP = "Language of {what}: en or zh; default: the scenario's own (Chinese when its names are Chinese)."


def _doc_lang(lang: Optional[Lang], scenario) -> str:
    """The language a document is written in: the one asked for, else the scenario's own."""
    from subsidy.scenario.labels import language_of

    return lang.value if lang is not None else language_of(scenario)


def _solver(name: str) -> str:
    """highs, cbc, or a PuLP solver installed here, by PuLP's name (checked before anything runs)."""
    if name in ("highs", "cbc"):
        return name
    import pulp

    from subsidy.allocate.lp_solvers import ALIASES

    if name in ALIASES:
        return ALIASES[name]

    from subsidy.allocate.lp_solvers import unknown_solver

    if name not in pulp.listSolvers(onlyAvailable=True):
        raise typer.BadParameter(unknown_solver(name))
    return name


SOLVER_HELP = "LP solver: highs (default), cbc, or any PuLP solver installed here by PuLP's name (GLPK_CMD, GUROBI, ...)"


class Method(str, Enum):
    auto = "auto"
    flow = "flow"
    pulp = "pulp"


EXIT_BAD_INPUT = 2
EXIT_SOLVE_FAILED = 3
EXIT_WRITE_FAILED = 4


LEVELS = {"zh": {"error": "错误", "warning": "警告"}, "en": {"error": "error", "warning": "warning"},
          None: {"error": "错误 / error", "warning": "警告 / warning"}}
"""The word before each message on stderr: in the messages' language where they have one (a
scenario's, or --lang), in both where the message itself is in both or in neither."""


def _fail(lines: list[str] | str, code: int, lang: str | None = None) -> None:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(f"{LEVELS[lang]['error']}: {line}", err=True)
    raise typer.Exit(code)


def _warn(line: str, lang: str | None = None) -> None:
    typer.echo(f"{LEVELS[lang]['warning']}: {line}", err=True)


def _load(path: Path, strict: bool = False, said: list | None = None, lang: Optional[Lang] = None, ranges_note: bool = True):
    """Load a scenario, failing with exit 2; the vocabulary's warnings go to stderr (and to `said`
    when given), or with --strict stop here as errors. Messages are in `lang`, else the
    scenario's language (English when the file cannot be read as a scenario at all)."""
    from subsidy.scenario.load import ScenarioError, load_scenario_with_hash

    said = [] if said is None else said
    try:
        loaded = load_scenario_with_hash(path, warnings=said)
    except ScenarioError as exc:
        shown_in = lang.value if lang is not None else exc.lang
        _fail(exc.render(shown_in).splitlines(), EXIT_BAD_INPUT, shown_in)
    if said:
        shown_in = _doc_lang(lang, loaded[0])
        lines = ScenarioError(path, said).render(shown_in).splitlines()
        if strict:
            _fail(lines + [STRICT_NOTE], EXIT_BAD_INPUT)  # the note is in both languages
        for line in lines:
            _warn(line, shown_in)
    if ranges_note and loaded[0].ranges:
        from subsidy.output.risk_table import RISK

        typer.echo(RISK("ranges_note", _doc_lang(lang, loaded[0]), n=len(loaded[0].ranges)), err=True)
    return loaded


STRICT_NOTE = "--strict: every warning is an error; fix the above or run without --strict / --strict：所有警告均视为错误"
StrictOption = typer.Option(False, "--strict", help="Treat every warning (a scope word matching no enterprise, an enterprise no fund's scope admits, ...) as an error: exit 2 before solving.")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same resolved path, or (both existing) the same inode
    (a hard link, a case-insensitive file system)."""
    import os

    if os.path.realpath(a) == os.path.realpath(b):  # realpath, unlike resolve, survives a symlink loop
        return True
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except (OSError, RuntimeError):
        return False


def _refuse_overwriting_inputs(inputs: list[Path], files: list[Path] = (), folders: dict[Path, tuple[str, ...]] | None = None) -> None:
    """Exit 2, before anything runs, when an output would land on an input: the scenario, a base
    of an overlay, the table being verified. `files` are output files; `folders` output
    directories with the names written into them (the directory itself may not be an input either)."""
    from subsidy.scenario.overlay import input_files

    read = [f for path in inputs for f in input_files(path)]
    targets = list(files)
    for folder, names in (folders or {}).items():
        targets += [folder] + [folder / name for name in names]
    for target in targets:
        for source in read:
            if _same_file(target, source):
                _fail([f"{target}: this output would overwrite the input file {source}; nothing was run or written; "
                       "choose another output path",
                       f"{target}：该输出会覆盖输入文件 {source}；未运行也未写入任何文件；请换一个输出路径"], EXIT_BAD_INPUT)


ScenarioArg = typer.Argument(..., help="Scenario file (.yaml, .yml, .json or .xlsx).", show_default=False)


@app.command()
def solve(
    scenario: Path = ScenarioArg,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write allocations.csv, gaps.csv, funds.csv and summary.json into this directory (all or nothing)."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the printed summary and the workbook") + " The CSV files keep English headers, which other tools read, unless --lang zh is given."),
    solver: str = typer.Option("highs", "--solver", callback=_solver, help=SOLVER_HELP + "; other than highs implies the LP (--method pulp) unless --method flow."),
    method: Method = typer.Option(Method.auto, "--method", help="flow: integer network flows (fast, exact); pulp: the LP (whole-fen MIP stages when a fund has a 配套 match); auto: flow whenever the rules fit, else the LP (summary.json says which and why)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors and the files written."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Also write the result as a workbook to file: titled tables (资金分配表, 缺口表, 资金使用表, 企业情况表), the long allocation table, 说明 with the rules and sources, ready to print."),
    issuer: Optional[str] = typer.Option(None, "--issuer", help="编制单位 printed above each table of the --xlsx workbook (default: left blank to fill in)."),
    rows: int = typer.Option(25, "--rows", min=0, help="Enterprises (those with the largest gaps) and binding rules to print; 0 prints all. The files always have all."),
    strict: bool = StrictOption,
) -> None:
    """Solve a scenario: fund the most important costs first, then spread the gap fairly.

    Prints, per enterprise, need, own funds, funded amount and gap, and per fund its budget,
    use and shadow price; with --out, writes the output files.
    """
    from subsidy.allocate.stages import gc_paused
    from subsidy.output.console import render_result
    from subsidy.output.result_csv import write_contract
    from subsidy.output.result_csv import CONTRACT_FILES, DISTRIBUTION_FILE
    from subsidy.pipeline import SolveError, solve as run_solve

    _refuse_overwriting_inputs([scenario], [xlsx] if xlsx else [], {out: CONTRACT_FILES + (DISTRIBUTION_FILE,)} if out else None)
    with gc_paused():  # loading and the tables build millions of objects too
        said: list = []
        loaded, sha = _load(scenario, strict, said, lang)
        if loaded.years and len(loaded.years) > 1:
            return _solve_programme(scenario, loaded, sha, out, lang, method.value, solver, quiet, xlsx, issuer, rows, strict, said)
        try:
            result = run_solve(loaded, solver=solver, scenario_sha256=sha, method=method.value,
                               on_findings=lambda found: _report_findings(scenario, found, strict, _doc_lang(lang, loaded)))
        except SolveError as exc:
            _solve_failed(scenario, loaded, exc, _doc_lang(lang, loaded))
        # Everything is rendered before anything is written: a failure in one output leaves all as they were.
        workbook = None
        if xlsx is not None:
            from subsidy.output.result_xlsx import result_workbook

            workbook = result_workbook(result, _doc_lang(lang, loaded), issuer=issuer)
        if not quiet:
            typer.echo(render_result(result, _doc_lang(lang, loaded), path=str(scenario), rows=rows))
        if out is not None:
            with _writing(out, "the output files"):
                # The vocabulary's warnings (located in the file) first, then the diagnosis's.
                extra = {"warnings": [str(p) for p in said] + list(result.summary["warnings"])} if said else None
                written = write_contract(result, out, lang.value if lang is not None else "en", extra)
            _wrote(written, _doc_lang(lang, loaded), blank_line=True)
        if workbook is not None:
            _write_file(xlsx, workbook, _doc_lang(lang, loaded))


def _solve_programme(path: Path, loaded, sha, out, lang, method: str, solver: str, quiet: bool, xlsx, issuer, rows: int, strict: bool,
                     said: list) -> None:
    """`solve` on a programme over several years (README "Programmes over several years")."""
    from subsidy.output.programme import render_programme, write_programme
    from subsidy.pipeline import SolveError, solve_programme

    try:
        result = solve_programme(loaded, scenario_sha256=sha, method=method, solver=solver,
                                 on_findings=lambda found: _report_findings(path, found, strict, _doc_lang(lang, loaded)))
    except SolveError as exc:
        _solve_failed(path, loaded, exc, _doc_lang(lang, loaded))
    workbook = None
    if xlsx is not None:
        from subsidy.output.programme_xlsx import programme_workbook

        workbook = programme_workbook(result, _doc_lang(lang, loaded), issuer=issuer)
    if not quiet:
        typer.echo(render_programme(result, _doc_lang(lang, loaded), rows=rows))
    if out is not None:
        with _writing(out, "the output files"):
            extra = {"warnings": [str(p) for p in said] + list(result.summary["warnings"])} if said else None
            written = write_programme(result, out, lang.value if lang is not None else "en", extra)
        _wrote(written, _doc_lang(lang, loaded), blank_line=True)
    if workbook is not None:
        _write_file(xlsx, workbook, _doc_lang(lang, loaded))


@contextmanager
def _writing(path: Path, what: str = ""):
    """One line and exit 4 for an OSError while writing. Every writer here is atomic, so a
    failure leaves what was there before, and the message may say so."""
    try:
        yield
    except OSError as exc:
        _fail(f"{path}: could not write{' ' + what if what else ''} ({exc.strerror or exc}); nothing was written", EXIT_WRITE_FAILED)


def _write_file(path: Path, data: bytes, lang: str) -> None:
    """Write one output file atomically, or fail with exit 4 leaving any old file as it was."""
    from subsidy.scenario.files import write_file_atomically

    with _writing(path):
        write_file_atomically(path, data)
    _wrote([path], lang)


def _wrote(paths, lang: str, blank_line: bool = False) -> None:
    """The confirmation that files were written, in `lang`."""
    from subsidy.output.phrases import CHECK

    typer.echo(("\n" if blank_line else "") + CHECK("wrote", lang, files=", ".join(str(p) for p in paths)))


@app.command()
def validate(
    scenario: Path = ScenarioArg,
    strict: bool = StrictOption,
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the messages")),
) -> None:
    """Check a scenario file without solving it: every problem, one line each, then exit 2."""
    from subsidy.output.phrases import CHECK
    from subsidy.pipeline import diagnosis

    from subsidy.checks.diagnose import warnings

    said: list = []
    loaded, _ = _load(scenario, strict, said=said, lang=lang)
    findings = diagnosis(loaded)
    _report_findings(scenario, findings, strict, _doc_lang(lang, loaded))
    lines = sum(len(e.costs) for e in loaded.enterprises)
    # "valid" alone over a screen of warnings reads as "all is well": say how many there are.
    count = len(said) + len(warnings(findings))
    typer.echo(CHECK("valid_warned" if count else "valid", _doc_lang(lang, loaded), path=scenario, enterprises=len(loaded.enterprises),
                     lines=lines, funds=len(loaded.funds), warnings=count))


def _report_findings(path: Path, findings, strict: bool = False, lang: str = "en") -> None:
    """Odd rule sets in plain words, in `lang`: errors stop here (exit 2), warnings go to
    stderr (with --strict they stop here too)."""
    from subsidy.checks.diagnose import errors, warnings
    from subsidy.scenario.load import one_line

    if strict and warnings(findings):
        _fail([one_line(f"{path}: {f.said(lang)}") for f in findings] + [STRICT_NOTE], EXIT_BAD_INPUT)
    for finding in warnings(findings):
        _warn(one_line(f"{path}: {finding.said(lang)}"), lang)
    if errors(findings):
        _fail([one_line(f"{path}: {f.said(lang)}") for f in errors(findings)], EXIT_BAD_INPUT, lang)


def _stopped_by_diagnosis(path: Path, exc, lang: str) -> None:
    """A `DiagnosisError` (the library's solve, given no `on_findings`, found errors in the
    diagnosis before solving): its errors as `solve` says them, exit 2, before anything is
    written. How explain, close-gap, compare, report and sweep stop where `solve` stops; a
    sweep's (`PointDiagnosisError`) names its grid point after the file."""
    point = getattr(exc, "point", None)
    where = f"{path}: " + ", ".join(f"--vary {field}={value}" for field, value in point.items()) if point else path
    _report_findings(where, exc.findings, lang=lang)


def _solve_failed(path: Path, loaded, exc: Exception, lang: str) -> None:
    from subsidy.checks.diagnose import explain_failure
    from subsidy.allocate.stages import RulesConflict
    from subsidy.output.analysis_text import conflict_sentences
    from subsidy.scenario.load import one_line

    if isinstance(exc, RulesConflict):
        _fail([one_line(f"{path}: {line}") for line in conflict_sentences(loaded, exc, lang)], EXIT_SOLVE_FAILED, lang)
    violations = getattr(exc, "violations", None)
    if violations:
        _fail([one_line(f"{path}: {exc}")] + [one_line(f"{path}: {v.said(lang)}") for v in violations], EXIT_SOLVE_FAILED)
    _fail([one_line(f"{path}: {line}") for line in explain_failure(loaded, str(exc), lang)], EXIT_SOLVE_FAILED, lang)


@app.command()
def settle(
    plan: Path = typer.Argument(..., help="The plan's output directory (solve --out): its allocations.csv is what was planned, by year.", show_default=False),
    actual: Path = typer.Argument(..., help="The programme with the actual costs, own funds and tranches (years: as in the plan).", show_default=False),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write settlement.csv and the re-solved programme's allocations.csv, gaps.csv, funds.csv and summary.json here (all or nothing)."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the printed settlement") + " The CSV files keep English headers unless --lang zh is given."),
    rows: int = typer.Option(25, "--rows", min=0, help="Enterprises to print in the re-solved programme's arrears; 0 prints all."),
) -> None:
    """清算: keep the first year's planned payments, recover what the actual figures make overpaid,
    and solve the later years again; prints per enterprise and fund what was paid, what is to be
    recovered and what is still owed."""
    from subsidy.allocate.settle import PlanError, read_plan
    from subsidy.output.programme import render_settlement, settlement_files
    from subsidy.pipeline import SolveError, settle_programme as run_settle
    from subsidy.scenario.files import write_files_atomically

    from subsidy.output.result_csv import CONTRACT_FILES

    _refuse_overwriting_inputs([actual, plan / "allocations.csv"], [], {out: ("settlement.csv", *CONTRACT_FILES)} if out else None)
    loaded, _ = _load(actual, lang=lang)
    if not (loaded.years and len(loaded.years) > 1):
        _fail(f"{actual}: settle needs a programme over several years (years: [...]) / 清算需要跨年度方案（years）", EXIT_BAD_INPUT)
    try:
        settled = run_settle(loaded, read_plan(plan / "allocations.csv"))
    except PlanError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except SolveError as exc:
        _solve_failed(actual, loaded, exc, _doc_lang(lang, loaded))
    doc_lang = _doc_lang(lang, loaded)
    typer.echo(render_settlement(settled, doc_lang, rows))
    if out is not None:
        with _writing(out, "the settlement files"):
            written = write_files_atomically(out, settlement_files(settled, lang.value if lang is not None else "en"))
        _wrote(written, doc_lang, blank_line=True)


@app.command()
def verify(
    scenario: Path = ScenarioArg,
    allocations: Path = typer.Argument(..., help="Allocation table: CSV (fund, enterprise, category, amount; English, Chinese or bilingual headers) or our result workbook .xlsx.", show_default=False),
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the messages")),
) -> None:
    """Check an allocation table against the scenario's rules, to the fen, without the solver.

    Works on our allocations.csv or on one made by hand in Excel. Prints each broken rule with
    its name (budget[...], cap_enterprise[...], cap_share[...], need[...], eligible[...],
    own_funds[...]) and the amounts, and exits 1 if there is any. When gaps.csv, funds.csv and
    summary.json of the same scenario lie beside the table, they are reconciled with it too.
    """
    import json

    from subsidy.scenario.load import ScenarioError, one_line
    from subsidy.checks.verify import verify as run_verify
    from subsidy.checks.verify_read import FUNDS_COLUMNS, GAPS_COLUMNS, read_allocations, read_amounts
    from subsidy.output.phrases import CHECK

    loaded, sha = _load(scenario, lang=lang)
    said = _doc_lang(lang, loaded)
    if loaded.years and len(loaded.years) > 1:
        return _verify_programme(scenario, loaded, allocations, said)
    try:
        table = read_allocations(allocations)
        companions = _companions(allocations, sha, json, read_amounts, GAPS_COLUMNS, FUNDS_COLUMNS)
    except ScenarioError as exc:
        _fail(str(exc).splitlines(), EXIT_BAD_INPUT)
    violations = run_verify(loaded, table, **companions)
    for v in violations:
        typer.echo(one_line(f"{allocations}: {v.said(said)}"))
    checked = ", ".join(["allocations"] + [k for k in ("gaps", "funds", "summary") if k in companions])
    if violations:
        typer.echo(CHECK("violations", said, table=allocations, count=len(violations), scenario=scenario, checked=checked), err=True)
        raise typer.Exit(1)
    typer.echo(CHECK("kept", said, table=allocations, rows=len(table), scenario=scenario, checked=checked))


def _verify_programme(scenario: Path, loaded, allocations: Path, said: str) -> None:
    """`verify` on a programme over several years: allocations.csv with its gaps.csv and
    summary.json beside it (the own funds by year are read from gaps.csv), checked by the year
    rules (checks.verify_years)."""
    import json

    import numpy as np

    from subsidy.checks.verify_years import verify_programme
    from subsidy.output.phrases import CHECK
    from subsidy.scenario.load import one_line
    from subsidy.scenario.years import read_year_table

    folder = allocations.resolve().parent
    try:
        alloc = read_year_table(allocations, ["fund", "enterprise", "category"], ["year"], ["amount"])
        gaps = read_year_table(folder / "gaps.csv", ["enterprise", "category"], ["year"], ["due", "own_funds", "funded", "arrears"])
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        _fail(f"{allocations}: a programme over several years is verified with the gaps.csv and summary.json its solve wrote "
              f"beside allocations.csv: {exc} / 跨年度方案须与同目录下的 gaps.csv、summary.json 一起核验", EXIT_BAD_INPUT)
    money = lambda t, keys: {k: (np.array(v, dtype=np.int64) if k in keys else v) for k, v in t.items()}  # noqa: E731
    violations = verify_programme(loaded, money(alloc, {"amount"}), money(gaps, {"due", "own_funds", "funded", "arrears"}), summary)
    for v in violations:
        typer.echo(one_line(f"{allocations}: {v}"))
    checked = "allocations, gaps, summary"
    if violations:
        typer.echo(CHECK("violations", said, table=allocations, count=len(violations), scenario=scenario, checked=checked), err=True)
        raise typer.Exit(1)
    typer.echo(CHECK("kept", said, table=allocations, rows=len(alloc["fund"]), scenario=scenario, checked=checked))


def _companions(allocations: Path, sha: str, json, read_amounts, gaps_columns, funds_columns) -> dict:
    """gaps.csv, funds.csv and summary.json beside the table, if summary.json says they were made
    from this very scenario file (same sha256); otherwise none."""
    folder = allocations.resolve().parent
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(summary, dict) or summary.get("scenario_sha256") != sha:
        return {}
    found: dict = {"summary": summary}
    if (folder / "gaps.csv").is_file():
        found["gaps"] = read_amounts(folder / "gaps.csv", gaps_columns, gaps_columns[2:])
    if (folder / "funds.csv").is_file():
        found["funds"] = read_amounts(folder / "funds.csv", funds_columns, funds_columns[1:])
    return found


def _one_year_only(command: str, path: Path, loaded) -> None:
    """Exit 2 when `command` (explain, close-gap, sweep, risk) is given a programme over several
    years: why it takes one year only and what to do instead, in both languages, before anything runs."""
    if not (loaded.years and len(loaded.years) > 1):
        return
    from subsidy.output.phrases import PROGRAMME

    _fail([PROGRAMME("one_year_only", lang, path=path, command=command, first=loaded.years[0], last=loaded.years[-1],
                     why=PROGRAMME(f"why_{command}", lang), todo=PROGRAMME(f"todo_{command}", lang)) for lang in ("en", "zh")],
          EXIT_BAD_INPUT)


def _solved(scenario: Path, solver: str, strict: bool = False, lang: Optional[Lang] = None, read=None, command: str | None = None):
    """Load (unless `read`, what `_load` gave, is passed) and solve, failing with the CLI's exit
    codes; returns (scenario, result). With `strict`, a warning of the load or the diagnosis stops it (exit 2)."""
    from subsidy.pipeline import DiagnosisError, SolveError, solve as run_solve

    loaded, sha = read or _load(scenario, strict, lang=lang)
    if command is not None:
        _one_year_only(command, scenario, loaded)
    # Without --strict no on_findings: the diagnosis's warnings pass, its errors raise DiagnosisError.
    on_findings = (lambda found: _report_findings(scenario, found, True, _doc_lang(lang, loaded))) if strict else None
    try:
        return loaded, run_solve(loaded, solver=solver, scenario_sha256=sha, on_findings=on_findings)
    except DiagnosisError as exc:
        _stopped_by_diagnosis(scenario, exc, _doc_lang(lang, loaded))
    except SolveError as exc:
        _solve_failed(scenario, loaded, exc, _doc_lang(lang, loaded))


@app.command()
def explain(
    scenario: Path = ScenarioArg,
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the sentences and tables")),
    solver: str = typer.Option("highs", "--solver", callback=_solver, help=SOLVER_HELP + "."),
    strict: bool = StrictOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also write reasons.csv (enterprise, category, gap, reason, rule) and bindings.csv (rule, value, bound, shadow_price, allowable_increase, allowable_decrease) into this directory."),
) -> None:
    """Explain a result: which rules bind, what one more 万元 is worth, why each gap remains."""
    from subsidy.analysis.explain import explain as run_explain
    from subsidy.output.analysis_text import explanation_tables, explanation_text
    from subsidy.output.result_csv import csv_bytes
    from subsidy.pipeline import SolveError

    _refuse_overwriting_inputs([scenario], folders={out: EXPLAIN_FILES} if out else None)
    loaded, result = _solved(scenario, solver, strict, lang, command="explain")
    try:
        explanation = run_explain(loaded, solver, result)
    except SolveError as exc:
        _fail(f"{scenario}: {exc}", EXIT_SOLVE_FAILED)
    typer.echo(explanation_text(explanation, _doc_lang(lang, loaded)))
    if out is not None:
        from subsidy.scenario.files import write_files_atomically

        # CSV headers in English unless --lang says otherwise, as compare's tables
        files = {name: csv_bytes(frame, lang.value if lang is not None else "en") for name, frame in explanation_tables(explanation).items()}
        with _writing(out, "the output files"):
            written = write_files_atomically(out, files)
        _wrote(written, _doc_lang(lang, loaded), blank_line=True)


EXPLAIN_FILES = ("reasons.csv", "bindings.csv")


@app.command("close-gap")
def close_gap(
    scenario: Path = ScenarioArg,
    target: Optional[str] = typer.Option(None, "--target", help="Total gap to reach (in the scenario's unit); default: close all that budget can close."),
    fund: Optional[list[str]] = typer.Option(None, "--fund", help="Only these funds may grow (repeat the option); default: all."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the sentences and tables")),
    solver: str = typer.Option("highs", "--solver", callback=_solver, help=SOLVER_HELP + "."),
    strict: bool = StrictOption,
) -> None:
    """The least extra budget, per fund and in total, that closes the gap (or reaches --target).

    Also says which part of the gap no budget can close: categories no fund may pay, lines
    outside every fund's scope, and what caps hold back.
    """
    from subsidy.analysis.close_gap import close_gap as run_close_gap
    from subsidy.output.analysis_text import gap_closure_text
    from subsidy.pipeline import SolveError

    goal = None
    if target is not None:
        from subsidy.scenario.model import _money  # the rule budgets are read by: ≥ 0, at most 2 decimals

        try:
            goal = _money(target)
        except ValueError as exc:
            _fail(f"--target: {exc}", EXIT_BAD_INPUT)
    loaded, result = _solved(scenario, solver, strict, lang, command="close-gap")
    try:
        closure = run_close_gap(loaded, goal, fund or None, solver, result)
    except SolveError as exc:
        _fail(f"{scenario}: {exc}", EXIT_SOLVE_FAILED)
    except ValueError as exc:
        _fail(f"--fund: {exc}", EXIT_BAD_INPUT)
    typer.echo(gap_closure_text(closure, _doc_lang(lang, loaded)))


COMPARE_FILES = ("enterprises.csv", "funds.csv", "totals.csv", "inputs.csv", "allocations.csv")


@app.command()
def compare(
    scenarios: list[Path] = typer.Argument(..., help="Two or more scenario files; differences are against the first.", show_default=False),
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the summary and tables") + " The CSV files keep English headers unless --lang zh is given."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also write enterprises.csv, funds.csv, totals.csv, inputs.csv and allocations.csv (what each fund pays each enterprise where an option differs; long tables) into this directory."),
    solver: str = typer.Option("highs", "--solver", callback=_solver, help=SOLVER_HELP + "."),
    strict: bool = StrictOption,
) -> None:
    """Compare policy options side by side: per enterprise and per fund, against the first; each
    option named by its scenario's name (with the file's where two share one). Programmes over
    several years: gaps and arrears by year, and money moved per enterprise and year (--out:
    totals.csv, allocations.csv, inputs.csv)."""
    from subsidy.analysis.compare import compare as run_compare, labels_for, option_labels
    from subsidy.output.analysis_text import comparison_text
    from subsidy.output.result_csv import comparison_csvs
    from subsidy.scenario.files import write_files_atomically

    if len(scenarios) < 2:
        _fail("compare needs at least two scenario files", EXIT_BAD_INPUT)
    _refuse_overwriting_inputs(scenarios, folders={out: COMPARE_FILES} if out else None)
    read = [_load(p, strict, lang=lang) for p in scenarios]
    if any(s.years and len(s.years) > 1 for s, _ in read):
        return _compare_programmes(scenarios, read, lang, out, strict)
    loaded = [_solved(p, solver, strict, lang, r) for p, r in zip(scenarios, read)]
    labels = option_labels([s.name for s, _ in loaded], labels_for(scenarios))
    comparison = run_compare(list(zip(labels, [s for s, _ in loaded])), solver, [r for _, r in loaded])
    typer.echo(comparison_text(comparison, _doc_lang(lang, loaded[0][0])))
    if out is not None:
        files = comparison_csvs(comparison, lang.value if lang is not None else "en")
        with _writing(out, "the output files"):
            written = write_files_atomically(out, files)
        _wrote(written, _doc_lang(lang, loaded[0][0]), blank_line=True)


def _compare_programmes(scenarios: list[Path], read: list, lang: Optional[Lang], out: Optional[Path], strict: bool = False) -> None:
    """`compare` on programmes over several years (all of them, over the same years): totals and
    arrears by year side by side, money moved per enterprise and year (analysis.compare_programme)."""
    from subsidy.analysis.compare import labels_for, option_labels
    from subsidy.analysis.compare_programme import compare_programmes
    from subsidy.output.programme_compare import programme_comparison_csvs, programme_comparison_text
    from subsidy.pipeline import DiagnosisError, SolveError, solve_programme
    from subsidy.scenario.files import write_files_atomically

    for path, (s, _) in zip(scenarios, read):
        if not (s.years and len(s.years) > 1):
            _fail(f"{path}: a programme over several years is compared with programmes only / 跨年度方案只能与跨年度方案对比", EXIT_BAD_INPUT)
        if s.years != read[0][0].years:
            _fail(f"{path}: its years {s.years} differ from {scenarios[0]}'s {read[0][0].years}; options of a programme share its years / "
                  f"年份 {s.years} 与 {scenarios[0]} 的 {read[0][0].years} 不同；同一方案的各选项须年份相同", EXIT_BAD_INPUT)
    results = []
    for path, (s, sha) in zip(scenarios, read):
        try:
            results.append(solve_programme(s, scenario_sha256=sha, on_findings=(
                lambda found, p=path, s=s: _report_findings(p, found, True, _doc_lang(lang, s))) if strict else None))
        except DiagnosisError as exc:
            _stopped_by_diagnosis(path, exc, _doc_lang(lang, s))
        except SolveError as exc:
            _solve_failed(path, s, exc, _doc_lang(lang, s))
    labels = option_labels([s.name for s, _ in read], labels_for(scenarios))
    comparison = compare_programmes(list(zip(labels, [s for s, _ in read])), results)
    language = _doc_lang(lang, read[0][0])
    typer.echo(programme_comparison_text(comparison, language))
    if out is not None:
        with _writing(out, "the output files"):
            written = write_files_atomically(out, programme_comparison_csvs(comparison, lang.value if lang is not None else "en"))
        _wrote(written, language, blank_line=True)


class Engine(str, Enum):
    futures = "futures"
    dask = "dask"


@app.command()
def sweep(
    scenario: Path = ScenarioArg,
    vary: list[str] = typer.Option(..., "--vary", help="FIELD=START:STOP:STEP or FIELD=A,B,C; FIELD names entries by id, e.g. funds.central_reward.budget. Repeat for a grid."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the table to this .csv or .parquet file (Parquet needs the 'parquet' extra)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Worker processes (default: one per core; small sweeps run in this process)."),
    engine: Engine = typer.Option(Engine.futures, "--engine", help="futures: a local process pool; dask: Dask (needs the 'dask' extra)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --engine dask: address of a Dask scheduler (default: a local cluster)."),
    solver: str = typer.Option("highs", "--solver", callback=_solver, help=SOLVER_HELP + "; highs reuses one model per worker; other than highs implies the LP."),
    strict: bool = StrictOption,
    method: Method = typer.Option(Method.auto, "--method", help="As for solve: auto solves each point as integer flows when its rules fit (what solve gives), else with the LP; pulp: the LP throughout."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the messages")),
) -> None:
    """Solve a scenario over a grid of values and tabulate gap, shares and fund use per point."""
    from subsidy.pipeline import SolveError
    from rich.console import Console
    from rich.progress import Progress

    from subsidy.analysis.sweep import PointDiagnosisError, SweepError, grid, parse_vary, scenario_data, sweep as run_sweep, to_the_fen
    from subsidy.output.sweep_table import check_out, in_words, write_table

    from subsidy.output.phrases import CHECK

    _refuse_overwriting_inputs([scenario], [out] if out else [])
    loaded, _ = _load(scenario, strict, lang=lang)
    _one_year_only("sweep", scenario, loaded)
    if strict:
        from subsidy.pipeline import diagnosis

        _report_findings(scenario, diagnosis(loaded), True, _doc_lang(lang, loaded))
    try:
        data = scenario_data(loaded)
        varies = to_the_fen(data, [parse_vary(v) for v in vary])
        for rounded in (v for v in varies if v.rounded):
            typer.echo(CHECK("to_the_fen", _doc_lang(lang, loaded), field=rounded.path, range=":".join(map(str, rounded.steps)),
                             points=", ".join(map(str, rounded.values[:6])) + (", …" if len(rounded.values) > 6 else "")), err=True)
        if out is not None:
            check_out(out)  # a wrong suffix or a missing extra fails before any solving
        console = Console(stderr=True)
        bar = Progress(console=console, transient=True, disable=not console.is_terminal)  # no bar in pipes and logs
        task = bar.add_task("solving", total=len(grid(varies)))

        started = []

        def advance(n: int) -> None:
            if not started:  # on the first finished points, so that input errors print without a bar
                bar.start()
                started.append(True)
            bar.advance(task, n)

        try:
            table = run_sweep(data, varies, workers=workers, engine=engine.value, scheduler=scheduler,
                              solver=solver, method=method.value, progress=advance)
        finally:
            if started:
                bar.stop()
    except SweepError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except PointDiagnosisError as exc:
        _stopped_by_diagnosis(scenario, exc, _doc_lang(lang, loaded))
    except SolveError as exc:
        _fail(f"{scenario}: {exc}", EXIT_SOLVE_FAILED)
    said = _doc_lang(lang, loaded)
    table = in_words(table, said)
    if out is None:
        typer.echo(table.to_string(index=False))
        return
    with _writing(out, "the table"):
        write_table(table, out)
    lp_points = len(table) - table.attrs["flows"]
    how = [CHECK("as_flows", said, n=table.attrs["flows"])] if table.attrs["flows"] else []
    if lp_points:
        how.append(CHECK("by_lp", said, n=lp_points, builds=table.attrs["model_builds"]))
    if table.attrs["fallbacks"]:
        how.append(CHECK("fallbacks", said, n=table.attrs["fallbacks"]))
    typer.echo(CHECK("swept", said, out=out, points=len(table), how=("；" if said == "zh" else "; ").join(how)))

class RiskPlan(str, Enum):
    expected = "expected"
    robust = "robust"


@app.command()
def risk(
    scenario: Path = ScenarioArg,
    draws: int = typer.Option(1000, "--draws", min=1, help="How many times to draw every amount given as a range."),
    seed: int = typer.Option(..., "--seed", min=0, help="Seed of the draws: the same seed gives the same numbers, byte for byte, with any number of workers."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write risk_enterprises.csv, risk_funds.csv, risk_summary.csv and risk_draws.csv into this directory (all or nothing)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Worker processes (default: one per core)."),
    engine: Engine = typer.Option(Engine.futures, "--engine", help="futures: a local process pool; dask: Dask (needs the 'dask' extra), as for sweep."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --engine dask: address of a Dask scheduler (default: a local cluster of --workers processes)."),
    reoptimise: bool = typer.Option(True, "--reopt/--no-reopt", help="Also solve again on each draw (the gap if the bureau could wait for the facts); --no-reopt is faster."),
    plan: RiskPlan = typer.Option(RiskPlan.expected, "--plan", help="expected: measure the allocation solve makes on the expected values; robust: also choose the public allocation minimising the expected weighted gap over the draws (one LP over all draws; ties settled by the solve's fairness stage and tie-break) and compare its P90 gap."),
    rows: int = typer.Option(20, "--rows", min=0, help="Enterprises shown on the console, largest P90 gap first (0: all)."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the table and the CSV headers (CSV headers English unless zh)")),
) -> None:
    """Draw the amounts given as ranges (low~expected~high, triangular): per enterprise the expected
    gap and its P50/P90/P99 under the allocation decided on the expected values, and re-optimised;
    per fund the chance it is overdrawn."""
    from rich.console import Console
    from rich.progress import Progress

    from subsidy.analysis.risk import RiskError, risk as run_risk
    from subsidy.analysis.sweep import SweepError
    from subsidy.output.risk_table import RISK, RISK_FILES, render_risk, write_risk
    from subsidy.pipeline import SolveError

    _refuse_overwriting_inputs([scenario], folders={out: RISK_FILES} if out else None)
    loaded, _ = _load(scenario, lang=lang, ranges_note=False)
    _one_year_only("risk", scenario, loaded)
    said = _doc_lang(lang, loaded)
    # risk solves by the rules alone (analysis.risk): the pipeline's diagnosis, on the expected
    # values, first, so that it stops where `solve` stops (its warnings pass, as in the analyses).
    from subsidy.checks.diagnose import errors
    from subsidy.pipeline import diagnosis

    _report_findings(scenario, errors(diagnosis(loaded)), lang=said)
    console = Console(stderr=True)
    bar = Progress(console=console, transient=True, disable=not console.is_terminal)  # no bar in pipes and logs
    task = bar.add_task("drawing", total=draws)
    try:
        with bar:
            result = run_risk(loaded, draws, seed, workers=workers, reoptimise=reoptimise, robust=plan is RiskPlan.robust,
                              engine=engine.value, scheduler=scheduler, progress=lambda n: bar.advance(task, n))
    except (RiskError, SweepError) as exc:
        _fail(f"{scenario}: {exc}", EXIT_BAD_INPUT)
    except SolveError as exc:
        _fail(f"{scenario}: {exc}", EXIT_SOLVE_FAILED)
    typer.echo(render_risk(result, said, rows))
    if out is not None:
        with _writing(out, "the risk tables"):
            write_risk(result, out, lang.value if lang is not None else "en")
        typer.echo(RISK("wrote", said, files=", ".join(RISK_FILES), out=out))


@app.command()
def template(
    file: Path = typer.Argument(..., help="The .xlsx workbook to write.", show_default=False),
    lang: Lang = typer.Option(Lang.zh, "--lang", help="Language of sheet names, column names and instructions."),
) -> None:
    """Write an input workbook to fill in (Excel or WPS): instructions, drop-downs, one example.

    Every sheet has the column name on row 1 and the field key on row 2; data start on row 3.
    Solve it with `subsidy solve FILE.xlsx`.
    """
    from subsidy.scenario.convert import template as make_template

    if file.suffix.lower() != ".xlsx":
        _fail(f"{file}: a template is an .xlsx workbook; name the file *.xlsx", EXIT_BAD_INPUT)
    _write_file(file, make_template(lang.value), lang.value)


@app.command()
def convert(
    source: Path = ScenarioArg,
    target: Path = typer.Argument(..., help="File to write; its suffix (.yaml, .yml, .json, .xlsx) picks the format.", show_default=False),
    lang: Lang = typer.Option(Lang.zh, "--lang", help="Language of sheet and column names when writing .xlsx."),
) -> None:
    """Convert a scenario between YAML, JSON and the Excel workbook (any direction); same scenario."""
    from subsidy.scenario.convert import scenario_bytes
    from subsidy.scenario.load import SUFFIXES

    _refuse_overwriting_inputs([source], [target])
    loaded, _ = _load(source, ranges_note=False)  # convert keeps ranges as they are
    if target.suffix.lower() not in SUFFIXES:
        _fail(f"{target}: unsupported file type {target.suffix or '(none)'!r}; use .yaml, .yml, .json or .xlsx", EXIT_BAD_INPUT)
    if target.suffix.lower() == ".xlsx" and any(c.year is not None for c in loaded.commitments):
        from subsidy.scenario.convert import YEARLY_COMMITMENTS_NOT_IN_THE_WORKBOOK

        _fail(f"{target}: {YEARLY_COMMITMENTS_NOT_IN_THE_WORKBOOK}", EXIT_BAD_INPUT)
    _write_file(target, scenario_bytes(loaded, target.suffix, lang.value), lang.value)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors: VS Code's YAML extension etc.)."""
    from subsidy.scenario.json_schema import schema_text

    typer.echo(schema_text(), nl=False)


@app.command()
def report(
    scenarios: list[Path] = typer.Argument(..., help="One scenario, or several to show side by side.", show_default=False),
    html: Optional[Path] = typer.Option(None, "--html", help="Write one self-contained HTML file with the charts."),
    png_dir: Optional[Path] = typer.Option(None, "--png-dir", help="Also write each chart as a PNG into this directory."),
    pdf: Optional[Path] = typer.Option(None, "--pdf", help="Write the report as a printable A4 PDF (fonts embedded, page headers and numbers; needs the Pango library)."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help=LANG_HELP.format(what="the report (HTML, PDF and PNG charts)")),
    solver: str = typer.Option("highs", "--solver", callback=_solver, help=SOLVER_HELP + "."),
    strict: bool = StrictOption,
) -> None:
    """Charts of a solved scenario (or several, side by side): need, own funds, funded and gap per
    enterprise; fund use; gap by category. A programme over several years (alone; --html, --pdf):
    arrears at each year's end, funds by year."""
    from subsidy.pipeline import DiagnosisError, SolveError, solve as run_solve

    if html is None and png_dir is None and pdf is None:
        _fail("say where to write the report: --html FILE.html, --pdf FILE.pdf and/or --png-dir DIR", EXIT_BAD_INPUT)
    _refuse_overwriting_inputs(scenarios, [f for f in (html, pdf) if f], {png_dir: ()} if png_dir else None)
    results, language = [], None
    for path in scenarios:
        loaded, sha = _load(path, strict)
        language = language or _doc_lang(lang, loaded)  # the first scenario's, as compare does
        if loaded.years and len(loaded.years) > 1:
            return _report_programme(path, loaded, sha, scenarios, html, png_dir, pdf, language, strict)
        try:
            results.append(run_solve(loaded, solver=solver, scenario_sha256=sha,
                                     on_findings=(lambda found, p=path: _report_findings(p, found, True, language)) if strict else None))
        except DiagnosisError as exc:
            _stopped_by_diagnosis(path, exc, language)
        except SolveError as exc:
            _solve_failed(path, loaded, exc, language)
    from subsidy.output.charts import html_report, png_files

    labels = [p.stem for p in scenarios]
    pngs = png_files(results, labels, language) if png_dir is not None else {}
    page = html_report(results, labels, language).encode("utf-8") if html is not None else None
    document = None
    if pdf is not None:
        from subsidy.output.report_pdf import PdfUnavailable, pdf_bytes

        try:
            document = pdf_bytes(results, labels, language)
        except PdfUnavailable as exc:
            _fail(f"{pdf}: {exc}", EXIT_WRITE_FAILED)
    if page is not None:
        _write_file(html, page, language)
    if document is not None:
        _write_file(pdf, document, language)
    if pngs:
        from subsidy.scenario.files import write_files_atomically

        with _writing(png_dir, "the charts"):
            written = write_files_atomically(png_dir, pngs)
        _wrote(written, language)


def _report_programme(path: Path, loaded, sha, scenarios: list[Path], html: Optional[Path], png_dir, pdf, language: str,
                      strict: bool = False) -> None:
    """`report --html/--pdf` on a programme over several years: arrears by year (one scenario; no PNGs)."""
    from subsidy.output.programme_report import programme_html
    from subsidy.pipeline import DiagnosisError, SolveError, solve_programme

    if len(scenarios) > 1 or png_dir is not None:
        _fail(f"{path}: a programme over several years is reported alone, as --html or --pdf, for now / "
              "跨年度方案暂只能单独以 --html 或 --pdf 输出报告", EXIT_BAD_INPUT)
    try:
        result = solve_programme(loaded, scenario_sha256=sha,
                                 on_findings=(lambda found: _report_findings(path, found, True, language)) if strict else None)
    except DiagnosisError as exc:
        _stopped_by_diagnosis(path, exc, language)
    except SolveError as exc:
        _solve_failed(path, loaded, exc, language)
    document = None
    if pdf is not None:
        from subsidy.output.report_pdf import PdfUnavailable, programme_pdf_bytes

        try:
            document = programme_pdf_bytes(result, language)
        except PdfUnavailable as exc:
            _fail(f"{pdf}: {exc}", EXIT_WRITE_FAILED)
    if html is not None:
        _write_file(html, programme_html(result, language).encode("utf-8"), language)
    if document is not None:
        _write_file(pdf, document, language)


@app.command()
def generate(
    enterprises: int = typer.Option(..., "--enterprises", "-n", min=1, help="Number of enterprises."),
    funds: int = typer.Option(5, "--funds", "-k", min=1, help="Number of funds (central, provincial, municipal, county, other, then again)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same file."),
    out: Path = typer.Option(..., "--out", "-o", help="Scenario file to write (.json loads fast at scale; .yaml is readable)."),
    budget_ratio: float = typer.Option(0.45, "--budget-ratio", min=0.0, help="Total budget as a share of total cost before own funds."),
) -> None:
    """Write a synthetic scenario drawn like the seed reports (benchmarks, tests; not real data)."""
    from subsidy.scenario.generate import generate as make, write

    try:
        with _writing(out):
            path = write(make(enterprises, funds, seed, budget_ratio), out)
    except ValueError as exc:
        _fail(f"{out}: {exc}", EXIT_BAD_INPUT)
    typer.echo(f"wrote {path}: {enterprises} enterprises, {funds} funds, seed {seed}")


@app.command()
def serve(
    db: str = typer.Option("sqlite:///subsidy.db", "--db", help="SQLAlchemy URL of the database (sqlite:///FILE, or postgresql://USER:PASS@HOST/DB for a shared server); migrated on start."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Load the seed scenarios (scenarios/*.yaml) and one demo user per role, once."),
) -> None:
    """Start the workbench: a web page where a bureau team collects data, allocates, approves and keeps the record."""
    try:
        from subsidy.web.serve import run
    except ImportError as exc:
        _fail(f"the workbench needs the web extra: pip install 'subsidy[web]' ({exc})", EXIT_BAD_INPUT)
    run(db, host, port, demo)


user_app = typer.Typer(help="Workbench users: add them with a role (and a clerk's regions).", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="User name to sign in with."),
    role: str = typer.Option(..., "--role", help="admin, analyst, clerk, viewer or approver."),
    region: list[str] = typer.Option([], "--region", help="A clerk's region path, e.g. 湖北/咸宁 (repeat for several)."),
    password: Optional[str] = typer.Option(None, "--password", envvar="SUBSIDY_PASSWORD",
                                           help="The password (else $SUBSIDY_PASSWORD, else asked for twice)."),
    db: str = typer.Option("sqlite:///subsidy.db", "--db", help="SQLAlchemy URL of the workbench database."),
) -> None:
    """Add a workbench user; the password is stored only as an scrypt hash."""
    from subsidy.web.serve import open_store

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        _fail("the password needs at least 8 characters", EXIT_BAD_INPUT)
    try:
        user = open_store(db).add_user(name, role, password, region)
    except ValueError as exc:
        _fail(f"user {name}: {exc}", EXIT_BAD_INPUT)
    typer.echo(f"added {user.name} ({user.role}{': ' + ', '.join(user.regions) if user.regions else ''})")


def main() -> None:
    """Console-script entry point: a clean one-line error instead of a traceback, always."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence for a clerk's terminal
        typer.echo(f"{LEVELS[None]['error']}: internal error: {type(exc).__name__}: {exc} (please report this)", err=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
