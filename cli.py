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


class Method(str, Enum):
    auto = "auto"
    flow = "flow"
    pulp = "pulp"


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
    solver: Solver = typer.Option(Solver.highs, "--solver", help="LP solver on the pulp method: HiGHS (default) or CBC."),
    method: Method = typer.Option(Method.auto, "--method", help="flow: integer network flows (fast, exact); pulp: the LP; auto: flow whenever the rules fit, else the LP (summary.json says which and why)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors and the files written."),
) -> None:
    """Solve a scenario: fund the most important costs first, then spread the gap fairly.

    Prints, per enterprise, need, own funds, funded amount and gap, and per fund its budget,
    use and shadow price; with --out, writes the output files.
    """
    from subsidy.console import render_result
    from subsidy.export import write_contract
    from subsidy.solve import SolveError, gc_paused, solve as run_solve

    with gc_paused():  # loading and the tables build millions of objects too
        loaded, sha = _load(scenario)
        try:
            result = run_solve(loaded, solver=solver.value, scenario_sha256=sha, method=method.value)
        except SolveError as exc:
            _fail(f"{scenario}: {exc}", EXIT_SOLVE_FAILED)
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
    lines = sum(len(e.costs) for e in loaded.enterprises)
    typer.echo(f"{scenario}: valid: {len(loaded.enterprises)} enterprises, {lines} cost lines, {len(loaded.funds)} funds")


@app.command()
def generate(
    enterprises: int = typer.Option(..., "--enterprises", "-n", min=1, help="Number of enterprises."),
    funds: int = typer.Option(5, "--funds", "-k", min=1, help="Number of funds (central, provincial, municipal, county, other, then again)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same file."),
    out: Path = typer.Option(..., "--out", "-o", help="Scenario file to write (.json loads fast at scale; .yaml is readable)."),
) -> None:
    """Write a synthetic scenario drawn like the seed reports (benchmarks, tests; not real data)."""
    from subsidy.generate import generate as make, write

    try:
        path = write(make(enterprises, funds, seed), out)
    except ValueError as exc:
        _fail(f"{out}: {exc}", EXIT_BAD_INPUT)
    except OSError as exc:
        _fail(f"{out}: could not write ({exc.strerror or exc})", EXIT_WRITE_FAILED)
    typer.echo(f"wrote {path}: {enterprises} enterprises, {funds} funds, seed {seed}")


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
