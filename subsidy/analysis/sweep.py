"""Sweeps: solve a scenario over a grid of parameter values and tabulate what each point gives.

`--vary funds.central_reward.budget=0:1000:50` names a field by its id path (`subsidy.paths`)
and the values it takes: `start:stop:step` (stop included when the steps land on it) or a list
`a,b,c`. Several --vary make the grid their product, the first varying slowest. A range over an
amount (a field the schema keeps in whole fen) is rounded to the fen point by point
(`to_the_fen`), so that `0:B:B/4` sweeps a budget B whose quarter is no whole fen.

Points are solved in parallel (a process pool over the machine's cores, or Dask), in contiguous
chunks so that each worker re-solves neighbouring points on one reused solver model
(`subsidy.warmstart`). Every point is validated like a scenario file and gives exactly the
stage values and allocation `subsidy solve` gives for the modified scenario.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable, Iterable

import pandas as pd
import yaml

from subsidy.pipeline import DiagnosisError
from subsidy.scenario.load import ScenarioError, scenario_from_data
from subsidy.scenario.model import Scenario
from subsidy.scenario.paths import PathError, split, with_value

MAX_POINTS = 100_000
SERIAL_BELOW_SECONDS = 2.0
"""A sweep expected to take less than this runs in one process: starting workers costs about that."""
ENGINES = ("futures", "dask")
FALLBACK = "fallback"
"""The column that, on a point the sweeps' held HiGHS model could not solve (`highs_reuse`), gives
its failure (PuLP then solved the point; output/sweep_table words it); absent when none failed."""


class SweepError(ValueError):
    """A --vary that cannot be swept (bad syntax, unknown field, an invalid value)."""


class PointDiagnosisError(DiagnosisError):
    """A grid point whose diagnosis finds errors (a budget swept below a commitment from it, ...):
    the pipeline's `DiagnosisError` with the point's values (`point`: field path → value), so
    that the sweep stops as `subsidy solve` stops on that scenario. The first such point in
    grid order, whatever order the workers finish in (`in_processes`)."""

    def __init__(self, findings: list, point: dict):
        self.point = point
        super().__init__(findings)

    def __reduce__(self):  # from a worker process or Dask, with its findings and point
        return (PointDiagnosisError, (self.findings, self.point))


@dataclass(frozen=True)
class Vary:
    """One varied field and the values it takes."""

    path: str
    values: tuple
    steps: tuple | None = field(default=None, compare=False)
    """START, STOP, STEP of a range as written (None for a list of values)."""
    rounded: bool = False
    """Whether the range's points were rounded to the fen (`to_the_fen`)."""


def _number(text: str, spec: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise SweepError(f"--vary {spec}: {text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise SweepError(f"--vary {spec}: {text.strip()!r} is not a finite number")
    return value


def _scalar(text: str, spec: str) -> Any:
    """A list item: a number stays an exact Decimal; true/false and words go through YAML."""
    try:
        return _number(text, spec)
    except SweepError:
        value = yaml.safe_load(text)
        if isinstance(value, (dict, list)) or value is None:
            raise SweepError(f"--vary {spec}: {text.strip()!r} is not a single value") from None
        return value


def parse_vary(spec: str) -> Vary:
    """`path=start:stop:step` or `path=a,b,c` → Vary."""
    path, sep, values = spec.partition("=")
    path = path.strip()
    if not sep or not values.strip():
        raise SweepError(f"--vary {spec}: write FIELD=START:STOP:STEP or FIELD=A,B,C")
    try:
        split(path)
    except PathError as exc:
        raise SweepError(f"--vary {spec}: {exc}") from None
    if ":" in values:
        parts = values.split(":")
        if len(parts) != 3:
            raise SweepError(f"--vary {spec}: a range is START:STOP:STEP")
        start, stop, step = (_number(p, spec) for p in parts)
        if step <= 0:
            raise SweepError(f"--vary {spec}: STEP must be > 0")
        if stop < start:
            raise SweepError(f"--vary {spec}: STOP must be ≥ START")
        count = int((stop - start) / step) + 1
        if count > MAX_POINTS:
            raise SweepError(f"--vary {spec}: {count} values; at most {MAX_POINTS} points per sweep")
        return Vary(path, tuple(start + i * step for i in range(count)), (start, stop, step))
    return Vary(path, tuple(_scalar(v, spec) for v in values.split(",")))


FEN = Decimal("0.01")


def in_whole_fen(data: dict, path: str) -> bool:
    """Whether the schema reads the field at `path` as an amount, kept in whole fen: it refuses a
    thousandth of the unit there and takes a hundredth (a share, a weight or a rate per unit of
    capacity takes both; a count or a year neither). Two validations of the whole scenario, asked
    only of a range with points not in whole fen: 3.6 s at 10,000 enterprises (load 2.3), where
    the sweep validates it once per value anyway, and solves it once per point."""
    def valid(value: Decimal) -> bool:
        try:
            point_scenario(data, [path], [value])
        except (ScenarioError, PathError):
            return False
        return True

    return not valid(Decimal("0.001")) and valid(FEN)


def to_the_fen(data: dict, varies: list[Vary]) -> list[Vary]:
    """Each range over an amount whose points are not all whole fen (`0:100.01:25.0025`), as
    whole-fen points: START + i·STEP rounded half up to the fen (四舍五入, as the outputs' fen
    are read: 25.0025 → 25.00, 50.005 → 50.01), for i = 0, 1, ... while the rounded point is
    ≤ STOP, so a STOP the steps reach to the fen is the last point, exactly. Rounding half up
    never reverses two points, and a STEP of at least a fen moves each rounded point by at least a
    fen, so the points stay in order and distinct; a smaller STEP is an error. Lists of values,
    ranges already in whole fen and fields that are not amounts are left as they are. Rounded
    ones say so (`rounded`); the console says so once per field (output/phrases)."""
    out = []
    for vary in varies:
        if vary.steps is None or all(v == v.quantize(FEN) for v in vary.values) or not in_whole_fen(data, vary.path):
            out.append(vary)
            continue
        start, stop, step = vary.steps
        if step < FEN:
            raise SweepError(f"--vary {vary.path}={start}:{stop}:{step}: {vary.path} is an amount, kept in whole fen; "
                             "STEP must be at least 0.01 / 该字段为金额，以分为单位，步长至少为 0.01")
        points = []
        while (point := (start + len(points) * step).quantize(FEN, ROUND_HALF_UP)) <= stop:
            points.append(point)
        out.append(Vary(vary.path, tuple(points), vary.steps, rounded=True))
    return out


def grid(varies: list[Vary]) -> list[tuple]:
    """Every combination of values, the first --vary varying slowest."""
    paths = [v.path for v in varies]
    if len(set(paths)) != len(paths):
        raise SweepError("the same field is varied twice: " + ", ".join(p for p in paths if paths.count(p) > 1))
    size = math.prod(len(v.values) for v in varies)
    if size > MAX_POINTS:
        raise SweepError(f"the grid has {size} points; at most {MAX_POINTS}")
    return list(itertools.product(*(v.values for v in varies)))


def scenario_data(scenario: Scenario) -> dict:
    """Plain data a scenario validates from again (only the fields that were given)."""
    return scenario.model_dump(mode="python", by_alias=True, exclude_unset=True)


def point_scenario(data: dict, paths: list[str], values: Iterable) -> Scenario:
    """The scenario at one grid point, validated like a file (all problems in a ScenarioError)."""
    for path, value in zip(paths, values):
        data = with_value(data, path, value)
    return scenario_from_data(data, "<sweep point>")


def check(data: dict, varies: list[Vary]) -> None:
    """Validate each value of each --vary on the base scenario before any solving starts."""
    for vary in varies:
        for value in vary.values:
            try:
                point_scenario(data, [vary.path], [value])
            except PathError as exc:
                raise SweepError(f"--vary {exc}") from None
            except ScenarioError as exc:
                problem = exc.problems[0]
                raise SweepError(f"--vary {vary.path}={value}: {problem.where or vary.path}: {problem.message}") from None


# --- one worker -----------------------------------------------------------------------------------
def _row(paths: list[str], values: tuple, result) -> dict:
    row: dict[str, Any] = dict(zip(paths, values))
    row.update(
        weighted_gap=round(result.weighted_gap, 6),
        max_gap_share=round(result.max_gap_share, 9),
        total_need=result.total("gaps", "need"),
        total_own_funds=result.total("gaps", "own_funds"),
        total_funded=result.total("gaps", "funded"),
        total_gap=result.total("gaps", "gap"),
    )
    for fund in result.exact("funds").itertuples(index=False):
        row[f"used[{fund.fund}]"] = fund.used
    if result.allocation.fallback is not None:  # the held HiGHS model failed: PuLP solved this point
        row[FALLBACK] = result.allocation.fallback
    return row


def run_chunk(data: dict, paths: list[str], chunk: list[tuple[int, tuple]], solver: str = "highs",
              method: str = "auto", models=None) -> list[tuple[int, dict, int, int]]:
    """Solve a chunk of points: (point index, row, LP models built for it, 1 if it was solved
    as a flow else 0).

    Each point goes through the one pipeline (`pipeline.solve`) with `method` as in `solve`:
    "auto" solves it as integer flows when its rules fit (what `subsidy solve` gives, and at any
    size the faster) and otherwise by the LP on a HiGHS model held in `models` across points
    (a new `HighsModels` for this chunk when none is given); "pulp" always by the LP. Top-level
    so that process pools and Dask can ship it to workers.
    """
    from subsidy.allocate.highs_reuse import HighsModels
    from subsidy.pipeline import solve

    models = models if models is not None else HighsModels()
    out = []
    for index, values in chunk:
        scenario = point_scenario(data, paths, values)
        builds = models.builds
        try:
            result = solve(scenario, solver, method=method, models=models, tables=False)
        except DiagnosisError as exc:
            raise PointDiagnosisError(exc.findings, dict(zip(paths, values))) from None
        out.append((index, _row(paths, values, result), models.builds - builds, 1 if result.method == "flow" else 0))
    return out


# --- the sweep ------------------------------------------------------------------------------------
def _chunks(points: list[tuple], workers: int) -> list[list[tuple[int, tuple]]]:
    indexed = list(enumerate(points))
    size = max(1, min(64, math.ceil(len(indexed) / (workers * 4))))
    return [indexed[i:i + size] for i in range(0, len(indexed), size)]


def sweep(scenario: Scenario | dict, varies: list[Vary], *, workers: int | None = None, engine: str = "futures",
          scheduler: str | None = None, solver: str = "highs", method: str = "auto",
          progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """One row per grid point: the varied values, stage values, totals and each fund's use.

    `workers=1` solves in this process; otherwise a process pool (engine "futures", default) or
    Dask ("dask": a local cluster, or the scheduler at `scheduler`). `method` as in `solve` (see
    `run_chunk`). `progress(n)` is called as points finish. `table.attrs["flows"]` counts points
    solved as flows, `table.attrs["model_builds"]` LP models built (the other LP points reused one),
    `table.attrs["fallbacks"]` points PuLP solved where a held model failed (column `FALLBACK`),
    `table.attrs["rounded"]` the fields whose range was rounded to the fen (`to_the_fen`). A
    point the diagnosis finds in error stops the sweep (`PointDiagnosisError`, the first in grid order).
    """
    data = scenario_data(scenario) if isinstance(scenario, Scenario) else scenario
    if engine not in ENGINES:
        raise SweepError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    varies = to_the_fen(data, varies)  # as given where the CLI has already rounded them
    check(data, varies)
    paths = [v.path for v in varies]
    points = grid(varies)
    chosen = workers
    workers = max(1, workers or os.cpu_count() or 1)
    chunks = _chunks(points, workers)
    from subsidy.allocate.highs_reuse import HighsModels

    here = HighsModels()  # the LP models held by the points solved in this process
    rows: dict[int, dict] = {}
    builds = flows = 0

    def collect(done: list[tuple[int, dict, int, int]]) -> None:
        nonlocal builds, flows
        for index, row, built, flow in done:
            rows[index] = row
            builds += built
            flows += flow
        if progress:
            progress(len(done))

    if engine == "dask":
        _run_dask(data, paths, chunks, solver, method, workers, scheduler, collect)
        chunks = []
    elif chosen is None and engine == "futures":
        # Unless told how many workers, first solve one chunk here: when the whole sweep would
        # take less than starting worker processes costs, it is finished in this process.
        started = time.perf_counter()
        collect(run_chunk(data, paths, chunks[0], solver, method, here))
        per_point = (time.perf_counter() - started) / len(chunks[0])
        chunks = chunks[1:]
        if per_point * sum(map(len, chunks)) < SERIAL_BELOW_SECONDS:
            workers = 1
    if not chunks:
        pass
    elif workers == 1 or len(chunks) == 1:
        for chunk in chunks:
            collect(run_chunk(data, paths, chunk, solver, method, here))
    else:
        in_processes(run_chunk, [(data, paths, chunk, solver, method) for chunk in chunks], workers, collect)
    table = pd.DataFrame([rows[i] for i in range(len(points))])
    if FALLBACK in table:
        table[FALLBACK] = table[FALLBACK].fillna("")
    table.attrs["fallbacks"] = int((table[FALLBACK] != "").sum()) if FALLBACK in table else 0
    table.attrs["model_builds"] = builds
    table.attrs["flows"] = flows
    table.attrs["points"] = len(points)
    table.attrs["varied"] = paths
    table.attrs["rounded"] = [v.path for v in varies if v.rounded]
    return table


def in_processes(function: Callable, calls: list[tuple], workers: int, collect: Callable[[Any], None]) -> None:
    """`function(*call)` for each call on a pool of `workers` processes, each result handed to
    `collect` as it finishes (in no fixed order: callers put results back by their index). The
    pool of sweeps and of `subsidy risk`'s draws. Where calls fail, the first failing call's
    error is raised once all have finished (the pool waits for them anyway): the same error
    every run, whichever worker fails first."""
    # Fresh worker processes, not forks: a fork of a process that has run HiGHS may inherit
    # its thread pool in a locked state.
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(calls)), mp_context=context) as pool:
        futures = {pool.submit(function, *call): i for i, call in enumerate(calls)}
        _collect_in_order_of_failure(as_completed(futures), futures, collect)


def _collect_in_order_of_failure(finished: Iterable, index: dict, collect: Callable[[Any], None]) -> None:
    """Each finished future's result to `collect`; then, if any failed, the error of the one
    first in `index` (future → call number)."""
    failed: dict[int, BaseException] = {}
    for future in finished:
        try:
            done = future.result()
        except Exception as exc:  # noqa: BLE001 - raised below, the first call's first
            failed[index[future]] = exc
            continue
        collect(done)
    if failed:
        raise failed[min(failed)]


def _run_dask(data, paths, chunks, solver, method, workers, scheduler, collect) -> None:
    on_dask(run_chunk, [(data, paths, chunk, solver, method) for chunk in chunks], workers, scheduler, collect)


def on_dask(function: Callable, calls: list[tuple], workers: int, scheduler: str | None, collect: Callable[[Any], None]) -> None:
    """`function(*call)` for each call on Dask: the scheduler at `scheduler`, or a local cluster
    of `workers` processes; results handed to `collect` as they finish (the `in_processes` of
    `--engine dask`, for sweeps and `subsidy risk`'s draws)."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:
        raise SweepError("--engine dask needs the optional extra: pip install 'subsidy[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {client.submit(function, *call, pure=False): i for i, call in enumerate(calls)}
        _collect_in_order_of_failure(dask_completed(list(futures)), futures, collect)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
