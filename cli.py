"""The `subsidy` command: parses arguments, calls the library, prints. No allocation logic here.

Library imports happen inside the commands so that `subsidy --help` starts fast.
"""

from __future__ import annotations

import sys
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


class Solver(str, Enum):
    highs = "highs"
    cbc = "cbc"


EXIT_BAD_INPUT = 2
EXIT_SOLVE_FAILED = 3
EXIT_WRITE_FAILED = 4


def _fail(lines: list[str] | str, code: int) -> None:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


def _load(path: Path):
    from subsidy.io import ScenarioError, load_scenario_with_hash

    try:
        return load_scenario_with_hash(path)
    except ScenarioError as exc:
        _fail(str(exc).splitlines(), EXIT_BAD_INPUT)


ScenarioArg = typer.Argument(..., help="Scenario file (.yaml, .yml or .json).", show_default=False)


@app.command()
def solve(
    scenario: Path = ScenarioArg,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write allocations.csv, gaps.csv, funds.csv and summary.json into this directory (all or nothing)."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of CSV headers and of the printed summary."),
    solver: Solver = typer.Option(Solver.highs, "--solver", help="LP solver: HiGHS (default) or CBC."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors and the files written."),
) -> None:
    """Solve a scenario: fund the most important costs first, then spread the gap fairly.

    Prints, per enterprise, need, own funds, funded amount and gap, and per fund its budget,
    use and shadow price; with --out, writes the output files.
    """
    from subsidy.console import render_result
    from subsidy.export import write_contract
    from subsidy.solve import SolveError, solve as run_solve

    loaded, sha = _load(scenario)
    _diagnose(scenario, loaded)
    try:
        result = run_solve(loaded, solver=solver.value, scenario_sha256=sha)
    except SolveError as exc:
        _solve_failed(scenario, loaded, exc)
    if not quiet:
        typer.echo(render_result(result, lang.value))
    if out is not None:
        try:
            written = write_contract(result, out, lang.value)
        except OSError as exc:
            _fail(f"{out}: could not write the output files ({exc.strerror or exc}); nothing was written", EXIT_WRITE_FAILED)
        typer.echo("\nwrote " + ", ".join(str(p) for p in written))


@app.command()
def validate(scenario: Path = ScenarioArg) -> None:
    """Check a scenario file without solving it: every problem, one line each, then exit 2."""
    loaded, _ = _load(scenario)
    _diagnose(scenario, loaded)
    lines = sum(len(e.costs) for e in loaded.enterprises)
    typer.echo(f"{scenario}: valid: {len(loaded.enterprises)} enterprises, {lines} cost lines, {len(loaded.funds)} funds")


def _diagnose(path: Path, loaded) -> None:
    """Odd rule sets in plain words: errors stop here (exit 2), warnings go to stderr."""
    from subsidy.diagnose import diagnose, errors, warnings
    from subsidy.io import one_line

    findings = diagnose(loaded)
    for finding in warnings(findings):
        typer.echo(one_line(f"warning: {path}: {finding}"), err=True)
    if errors(findings):
        _fail([one_line(f"{path}: {f}") for f in errors(findings)], EXIT_BAD_INPUT)


def _solve_failed(path: Path, loaded, exc: Exception) -> None:
    from subsidy.diagnose import explain_failure
    from subsidy.io import one_line

    violations = getattr(exc, "violations", None)
    if violations:
        _fail([one_line(f"{path}: {exc}")] + [one_line(f"{path}: {v}") for v in violations], EXIT_SOLVE_FAILED)
    _fail([one_line(f"{path}: {line}") for line in explain_failure(loaded, str(exc))], EXIT_SOLVE_FAILED)


@app.command()
def verify(
    scenario: Path = ScenarioArg,
    allocations: Path = typer.Argument(..., help="Allocation table (CSV: fund, enterprise, category, amount; English or Chinese headers).", show_default=False),
) -> None:
    """Check an allocation table against the scenario's rules, to the fen, without the solver.

    Works on our allocations.csv or on one made by hand in Excel. Prints each broken rule with
    its name (budget[...], cap_enterprise[...], cap_share[...], need[...], eligible[...],
    own_funds[...]) and the amounts, and exits 1 if there is any. When gaps.csv, funds.csv and
    summary.json of the same scenario lie beside the table, they are reconciled with it too.
    """
    import json

    from subsidy.io import ScenarioError, one_line
    from subsidy.verify import FUNDS_COLUMNS, GAPS_COLUMNS, read_allocations, read_amounts, verify as run_verify

    loaded, sha = _load(scenario)
    try:
        table = read_allocations(allocations)
        companions = _companions(allocations, sha, json, read_amounts, GAPS_COLUMNS, FUNDS_COLUMNS)
    except ScenarioError as exc:
        _fail(str(exc).splitlines(), EXIT_BAD_INPUT)
    violations = run_verify(loaded, table, **companions)
    for v in violations:
        typer.echo(one_line(f"{allocations}: {v}"))
    checked = ", ".join(["allocations"] + [k for k in ("gaps", "funds", "summary") if k in companions])
    if violations:
        typer.echo(f"{allocations}: {len(violations)} violation(s) of {scenario} ({checked} checked)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{allocations}: ok: {len(table)} row(s) keep every rule of {scenario} ({checked} checked)")


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
        typer.echo(f"error: internal error: {type(exc).__name__}: {exc} (please report this)", err=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
