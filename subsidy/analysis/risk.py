"""Risk: the gap a bureau should expect, and the gap it should plan for, when amounts are estimates.

Amounts given as ranges (scenario/ranges.py) are drawn from their triangular distributions. Two
questions per draw:

- **the plan as decided** ("plan"): the public allocation `subsidy solve` makes on the expected
  values stays as it is; the enterprise's own funds, as they fall, go through the statutory order
  again (the one waterfall, `allocate.waterfall.redrawn`); a line's gap is what neither covers. A
  cost drawn lower leaves money paid beyond the need (no gap); a budget drawn below what the plan
  spends from it is *overdrawn* (counted per fund, with the amount; the gaps assume the plan is
  paid all the same).
- **re-optimised** ("reopt"): the whole solve again on the drawn amounts: the gap if the bureau
  could wait for the facts before deciding.

Draw `i` of seed `s` uses its own generator, seeded from (s, i) by numpy's SeedSequence (the i-th
child `SeedSequence(s).spawn` would give), so every draw is the same whichever process draws it
and however many there are: same seed, same numbers, byte for byte. Drawn amounts are rounded to
whole fen; the quantile P of N draws is the ⌈P·N/100⌉-th smallest draw (a value some draw took:
exact fen, no interpolation).

Measured (bench/risk.py, 1,000 draws on 2 workers; CPU per draw in one process, since the 2-core
machine was shared, load average 7-11 while it ran): xianan-2025 with 4 ranges, 5.1 ms a draw
re-optimised (0.4 ms without), so 1,000 draws ≈ 2.6 s on two idle cores (target 5 s); a generated
1,000-enterprise scenario with 1,005 ranges, 80 ms a draw re-optimised (3.0 ms without): ≈ 40 s
on two idle cores (target 60 s; it was 148 ms, ≈ 74 s). The wall clock under that load, 14.5 s and
408 s, measured the load, not the code.

What a draw does again, and what it does not. The scenario's scopes, caps and tie-break jitters
are read once per run (`rules.Eligibility`, in the `Setting` each chunk of draws receives); the
quantiles, the amounts and the waterfall run over a chunk's draws side by side as arrays
(`waterfall.redrawn_each`). Each draw still builds its own rules and network: the arcs are those
of the lines left to pay, and a line that a drawn asset sale pays in full drops out, so the arcs
are not the same in every draw. Nothing of the solve is skipped: stage 2 and the tie-break never
change the weighted gap, but among the stage-1 optima they choose which enterprise's lines get
the money (two plants of equal weight competing for one fund), and the report gives each
enterprise's gap; without them those numbers would change. Of the 80 ms, half is OR-Tools itself
(the tie-break's min-cost flow about 30 ms, stage 2's max flows about 20 ms), most of the rest the
flow's numpy work between stages.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from subsidy.allocate.rules import Eligibility, build_rules, eligibility_of
from subsidy.allocate.waterfall import CostLines, cost_lines, redrawn_each, to_fen
from subsidy.pipeline import allocate
from subsidy.scenario.model import Scenario

PERCENTILES = (50, 90, 99)


class RiskError(ValueError):
    """A risk run that cannot be made (no ranges, no draws)."""


def triangular_fen(low: np.ndarray, mode: np.ndarray, high: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The triangular distribution's quantile at u (inverse CDF), in fen, rounded to whole fen:
    x = a + √(u(b−a)(c−a)) below F(c) = (c−a)/(b−a), else b − √((1−u)(b−a)(b−c))."""
    a, c, b = (np.asarray(x, dtype=np.float64) for x in (low, mode, high))
    span = b - a
    flat = span <= 0
    turn = np.where(flat, 0.0, (c - a) / np.where(flat, 1.0, span))
    x = np.where(u < turn, a + np.sqrt(u * span * (c - a)), b - np.sqrt((1.0 - u) * span * (b - c)))
    x = np.where(flat, a, x)
    return np.clip(np.rint(x), a, b).astype(np.int64)


def draw_uniforms(seed: int, index: int, count: int) -> np.ndarray:
    """Draw `index`'s uniforms, one per range: from (seed, index) alone."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,))).random(count)


@dataclass
class Plan:
    """The expected-value allocation, fixed: public money per cost line, own funds per line under
    the `free` rule, and what it spends from each fund (fen)."""

    public_line: np.ndarray
    own_line: np.ndarray
    used: np.ndarray


def plan_of(setting: "Setting", method: str = "auto", solver: str = "highs") -> Plan:
    """Solve on the expected values (what `subsidy solve` does, stages and rounding) and hold it."""
    rules = build_rules(setting.scenario, setting.lines, setting.eligibility)
    return _plan_of_arcs(rules, allocate(rules, method, solver).fen)


def _plan_of_arcs(rules, fen: np.ndarray) -> Plan:
    own = rules.arc_source == rules.own_source
    public_line = np.zeros(len(rules.lines), dtype=np.int64)
    own_line = np.zeros(len(rules.lines), dtype=np.int64)
    np.add.at(public_line, rules.arc_line[~own], fen[~own])
    np.add.at(own_line, rules.arc_line[own], fen[own])
    used = np.zeros(rules.own_source, dtype=np.int64)
    np.add.at(used, rules.arc_source[~own], fen[~own])
    return Plan(public_line, own_line, used)


@dataclass
class Uncertain:
    """The ranges as arrays on the expected cost lines: each range's low/expected/high in fen and
    where a drawn value goes (a line's cost, an enterprise's own funds, a fund's budget)."""

    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray
    cost: np.ndarray  # ranges that are costs: their positions, and each one's line
    cost_line: np.ndarray
    own: np.ndarray  # ranges that are own funds: their positions, and each one's enterprise
    own_enterprise: np.ndarray
    budget: np.ndarray  # ranges that are budgets: their positions, and each one's fund
    budget_fund: np.ndarray

    @classmethod
    def of(cls, scenario: Scenario, lines: CostLines) -> "Uncertain":
        ranges = scenario.ranges
        kinds = np.array([r.kind for r in ranges], dtype=object)
        ent = {e: i for i, e in enumerate(lines.enterprises)}
        fund = {f.id: j for j, f in enumerate(scenario.funds)}
        costs = [r for r in ranges if r.kind == "cost"]
        return cls(
            low=np.array([to_fen(r.low) for r in ranges], dtype=np.int64),
            mode=np.array([to_fen(r.expected) for r in ranges], dtype=np.int64),
            high=np.array([to_fen(r.high) for r in ranges], dtype=np.int64),
            cost=np.flatnonzero(kinds == "cost"),
            cost_line=lines.locate([r.owner for r in costs], [r.key for r in costs]),
            own=np.flatnonzero(kinds == "own_funds"),
            own_enterprise=np.array([ent[r.owner] for r in ranges if r.kind == "own_funds"], dtype=np.int64),
            budget=np.flatnonzero(kinds == "budget"),
            budget_fund=np.array([fund[r.owner] for r in ranges if r.kind == "budget"], dtype=np.int64),
        )

    def amounts(self, lines: CostLines, budget: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Costs per line, own funds per enterprise and budgets per fund with the drawn values
        (`value`: draws × ranges; each result is draws × lines, enterprises, funds)."""
        draws = len(value)
        cost = np.tile(lines.cost, (draws, 1))
        cost[:, self.cost_line] = value[:, self.cost]
        available = np.tile(lines.available, (draws, 1))
        np.add.at(available, (slice(None), self.own_enterprise), value[:, self.own] - self.mode[self.own])
        budget = np.tile(budget, (draws, 1))
        budget[:, self.budget_fund] = value[:, self.budget]
        return cost, available, budget


def plan_gaps(lines: CostLines, plan: Plan) -> np.ndarray:
    """Per line, the gap the fixed plan leaves on these (drawn) lines: residual need less public
    money less own funds under `free` (paid in line order while the drawn own funds last)."""
    own = plan.own_line
    if own.any():
        # Planned own funds per line, cut to what the enterprise has: the waterfall's trick of
        # money before each line = available − what its earlier lines take.
        taken = np.cumsum(own)
        starts = lines.starts
        before = taken - own - np.repeat(np.concatenate([[0], taken])[starts[:-1]], np.diff(starts))
        own = np.clip(lines.available[lines.enterprise] - before, 0, own)
    return np.maximum(lines.residual - plan.public_line - own, 0)


@dataclass
class Draw:
    """One draw's outcome, in fen: gap per enterprise and weighted gap, under the plan and
    re-optimised, and per fund what the plan spends beyond its drawn budget."""

    index: int
    gap: np.ndarray
    weighted: float
    reopt_gap: np.ndarray
    reopt_weighted: float
    overdraft: np.ndarray
    residual: np.ndarray | None = None  # per line, the drawn residual need (kept for the robust plan)


def _by_enterprise(lines: CostLines, per_line: np.ndarray) -> np.ndarray:
    out = np.zeros(len(lines.enterprises), dtype=np.int64)
    np.add.at(out, lines.enterprise, per_line)
    return out


@dataclass
class Setting:
    """What every draw starts from, made once per run and handed to each chunk of draws: the
    expected cost lines, the ranges on them, the budgets and line weights, and what the rules
    read from the scenario that no draw changes (scopes, caps, tie-break jitters)."""

    scenario: Scenario
    lines: CostLines
    uncertain: Uncertain
    budgets: np.ndarray  # per fund, fen, at the expected values
    weight: np.ndarray  # per line, its category's weight
    eligibility: Eligibility

    @classmethod
    def of(cls, scenario: Scenario) -> "Setting":
        lines = cost_lines(scenario)
        table = scenario.category_table
        return cls(scenario, lines, Uncertain.of(scenario, lines),
                   np.array([to_fen(f.budget) for f in scenario.funds], dtype=np.int64),
                   np.array([table[c].weight for c in lines.categories], dtype=np.float64)[lines.category],
                   eligibility_of(scenario, lines))


def run_draws(setting: Setting, plan: Plan, seed: int, indexes: list[int], reoptimise: bool = True,
              method: str = "auto", solver: str = "highs", keep_residual: bool = False) -> list[Draw]:
    """The draws `indexes` of seed `seed` (top-level, so that worker processes can run it)."""
    lines, uncertain, weight = setting.lines, setting.uncertain, setting.weight
    # Every draw of the chunk at once: the quantiles, the amounts and the waterfall are numpy
    # passes over draws × lines; only the re-optimising solve goes draw by draw.
    u = np.stack([draw_uniforms(seed, index, len(uncertain.low)) for index in indexes])
    costs, availables, budgets = uncertain.amounts(lines, setting.budgets, triangular_fen(uncertain.low, uncertain.mode, uncertain.high, u))
    out = []
    for index, drawn, budget in zip(indexes, redrawn_each(setting.scenario, lines, costs, availables), budgets):
        gap_line = plan_gaps(drawn, plan)
        reopt_line = np.zeros(len(drawn), dtype=np.int64)
        if reoptimise:
            reopt_line = reoptimised_gaps(setting, drawn, budget, method, solver)
        out.append(Draw(index, _by_enterprise(drawn, gap_line), float(weight @ gap_line) / 100,
                        _by_enterprise(drawn, reopt_line), float(weight @ reopt_line) / 100, np.maximum(plan.used - budget, 0),
                        drawn.residual if keep_residual else None))
    return out


def drawn_scenario(scenario: Scenario, budget: np.ndarray) -> Scenario:
    """The scenario with these budgets (fen); costs and own funds travel in the cost lines."""
    from subsidy.allocate.waterfall import from_fen

    funds = [f if to_fen(f.budget) == b else f.model_copy(update={"budget": from_fen(b)}) for f, b in zip(scenario.funds, budget.tolist())]
    return scenario.model_copy(update={"funds": funds})


def reoptimised_gaps(setting: Setting, drawn: CostLines, budget: np.ndarray, method: str, solver: str) -> np.ndarray:
    """Per line, the gap the whole solve (the same stages and rounding) leaves on the drawn amounts."""
    rules = build_rules(drawn_scenario(setting.scenario, budget), drawn, setting.eligibility)
    fen = allocate(rules, method, solver).fen
    funded = np.zeros(len(drawn), dtype=np.int64)
    np.add.at(funded, rules.arc_line, fen)
    return drawn.residual - funded


@dataclass
class Risk:
    """Every draw's outcome, in draw order, and the expected-value plan it was measured against."""

    scenario: Scenario
    seed: int
    enterprises: list[str]
    plan_gap: np.ndarray  # per enterprise, fen: the gap at the expected values (what solve reports)
    plan_used: np.ndarray  # per fund, fen
    gaps: np.ndarray  # draws × enterprises, fen
    weighted: np.ndarray  # per draw, unit
    reopt_gaps: np.ndarray
    reopt_weighted: np.ndarray
    overdraft: np.ndarray  # draws × funds, fen
    reoptimised: bool = True
    robust: "Robust | None" = field(default=None)  # with --plan robust

    @property
    def draws(self) -> int:
        return len(self.weighted)


@dataclass
class Robust:
    """The robust plan (allocate/robust.py) and its draws: the same draws as the plan's."""

    used: np.ndarray  # per fund, fen
    gaps: np.ndarray  # draws × enterprises, fen
    weighted: np.ndarray  # per draw, unit


def quantile(sorted_values: np.ndarray, percent: int) -> np.ndarray:
    """The ⌈P·N/100⌉-th smallest of N (along the first axis, already sorted): a value a draw took."""
    n = len(sorted_values)
    return sorted_values[max(1, (percent * n + 99) // 100) - 1]


def risk(scenario: Scenario, draws: int, seed: int, *, workers: int | None = None, reoptimise: bool = True,
         robust: bool = False, method: str = "auto", solver: str = "highs", engine: str = "futures",
         scheduler: str | None = None, progress: Callable[[int], None] | None = None) -> Risk:
    """Draw `draws` times, in parallel when `workers` > 1 (default: one per core) on a process
    pool (`engine` "futures") or on Dask ("dask": a local cluster of `workers` processes, or the
    scheduler at `scheduler`), as a sweep does. With `robust`, also choose the robust plan on
    these draws and measure it on the same draws."""
    from subsidy.analysis.sweep import ENGINES

    if engine not in ENGINES:
        raise RiskError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if not scenario.ranges:
        raise RiskError("the scenario gives no amount as a range: there is nothing to draw")
    if draws < 1:
        raise RiskError("--draws must be at least 1")
    setting = Setting.of(scenario)
    lines = setting.lines
    plan = plan_of(setting, method, solver)
    chosen = workers
    workers = max(1, workers or os.cpu_count() or 1)
    pool = (engine, scheduler)
    ordered = _draws(setting, plan, seed, draws, workers, progress, reoptimise, method, solver, robust, chosen is None, pool)
    found = None
    if robust:
        from subsidy.allocate.robust import robust_allocation

        rules = build_rules(scenario, lines, setting.eligibility)
        robust_plan = _plan_of_arcs(rules, robust_allocation(rules, np.stack([d.residual for d in ordered])))
        again = _draws(setting, robust_plan, seed, draws, workers, None, False, method, solver, False, chosen is None, pool)
        found = Robust(robust_plan.used, np.stack([d.gap for d in again]), np.array([d.weighted for d in again]))
    return Risk(
        scenario=scenario, seed=seed, enterprises=list(lines.enterprises),
        plan_gap=_by_enterprise(lines, plan_gaps(lines, plan)), plan_used=plan.used,
        gaps=np.stack([d.gap for d in ordered]), weighted=np.array([d.weighted for d in ordered]),
        reopt_gaps=np.stack([d.reopt_gap for d in ordered]), reopt_weighted=np.array([d.reopt_weighted for d in ordered]),
        overdraft=np.stack([d.overdraft for d in ordered]), reoptimised=reoptimise, robust=found,
    )


def _draws(setting: Setting, plan: Plan, seed: int, draws: int, workers: int, progress, reoptimise: bool,
           method: str, solver: str, keep_residual: bool, may_stay: bool = False,
           pool: tuple[str, str | None] = ("futures", None)) -> list[Draw]:
    """Draws 0 … draws−1 of `plan`, in chunks over the process pool or Dask (`pool`: engine,
    scheduler), back in draw order. With `may_stay` (no worker count asked for) on the process
    pool, the first chunk runs here, and so does the rest when it would take less than starting
    the pool costs (as a sweep does)."""
    size = max(1, min(50, math.ceil(draws / (workers * 4))))
    chunks = [list(range(i, min(draws, i + size))) for i in range(0, draws, size)]
    done: dict[int, Draw] = {}

    def collect(part: list[Draw]) -> None:
        for d in part:
            done[d.index] = d
        if progress:
            progress(len(part))

    calls = [(setting, plan, seed, chunk, reoptimise, method, solver, keep_residual) for chunk in chunks]
    engine, scheduler = pool
    if engine == "dask":
        from subsidy.analysis.sweep import on_dask

        on_dask(run_draws, calls, workers, scheduler, collect)
        return [done[i] for i in range(draws)]
    if may_stay and workers > 1 and len(calls) > 1:
        from subsidy.analysis.sweep import SERIAL_BELOW_SECONDS

        started = time.perf_counter()
        collect(run_draws(*calls[0]))
        per_draw = (time.perf_counter() - started) / len(chunks[0])
        calls = calls[1:]
        if per_draw * (draws - len(chunks[0])) < SERIAL_BELOW_SECONDS:
            workers = 1
    if workers == 1 or len(calls) <= 1:
        for call in calls:
            collect(run_draws(*call))
    else:
        from subsidy.analysis.sweep import in_processes

        in_processes(run_draws, calls, workers, collect)
    return [done[i] for i in range(draws)]


# --- the tables (numbers only; output/risk_table.py words them) ------------------------------------
def _mean(fen_by_draw: np.ndarray) -> np.ndarray:
    """The mean over draws (first axis) of whole-fen amounts, exact then rounded half-even to the fen."""
    from decimal import ROUND_HALF_EVEN, Decimal

    n = len(fen_by_draw)
    sums = fen_by_draw.sum(axis=0, dtype=object) if fen_by_draw.ndim > 1 else [int(fen_by_draw.sum())]
    return np.array([(Decimal(int(s)) / n).to_integral_value(ROUND_HALF_EVEN) for s in np.atleast_1d(sums)], dtype=object)


def _amounts(fen) -> list:
    from subsidy.allocate.waterfall import from_fen

    return [from_fen(int(v)) for v in np.atleast_1d(fen)]


def _spread(fen_by_draw: np.ndarray, prefix: str) -> dict[str, list]:
    """Expected value and P50/P90/P99 over the draws, per column, as amounts."""
    ordered = np.sort(fen_by_draw, axis=0)
    out = {f"{prefix}expected_gap": _amounts(_mean(fen_by_draw))}
    for p in PERCENTILES:
        out[f"{prefix}p{p}_gap"] = _amounts(quantile(ordered, p))
    return out


def enterprise_table(r: Risk) -> "pd.DataFrame":
    """Per enterprise: the gap at the expected values, then expected/P50/P90/P99 of its gap under
    the plan, and re-optimised (when it was)."""
    import pandas as pd

    names = {e.id: e.name for e in r.scenario.enterprises}
    columns = {"enterprise": r.enterprises, "name": [names[e] for e in r.enterprises], "gap_at_expected": _amounts(r.plan_gap)}
    columns.update(_spread(r.gaps, ""))
    if r.reoptimised:
        columns.update(_spread(r.reopt_gaps, "reopt_"))
    if r.robust is not None:
        columns.update(_spread(r.robust.gaps, "robust_"))
    return pd.DataFrame(columns)


def fund_table(r: Risk) -> "pd.DataFrame":
    """Per fund: its expected budget, what the plan spends, the share of draws whose budget falls
    below that (overdrawn), and the expected and P90 amount it falls short by."""
    import pandas as pd

    funds = r.scenario.funds
    over = r.overdraft
    table = pd.DataFrame({
        "fund": [f.id for f in funds], "name": [f.name for f in funds],
        "budget_expected": [f.budget for f in funds], "plan_used": _amounts(r.plan_used),
        "overdrawn_draws": (over > 0).sum(axis=0).tolist(),
        "overdrawn_share": [float(c) / r.draws for c in (over > 0).sum(axis=0).tolist()],
        "expected_overdraft": _amounts(_mean(over)), "p90_overdraft": _amounts(quantile(np.sort(over, axis=0), 90)),
    })
    if r.robust is not None:
        table["robust_used"] = _amounts(r.robust.used)
    return table


def summary_table(r: Risk) -> "pd.DataFrame":
    """The whole programme: total and weighted gap, expected and P50/P90/P99, per way of deciding."""
    import pandas as pd
    from decimal import ROUND_HALF_EVEN, Decimal

    def weighted_row(values: np.ndarray) -> list:
        ordered = np.sort(values)
        exact = [Decimal(repr(float(values.mean())))] + [Decimal(repr(float(quantile(ordered, p)))) for p in PERCENTILES]
        return [v.quantize(Decimal("0.01"), ROUND_HALF_EVEN) for v in exact]

    def total_row(gaps: np.ndarray) -> list:
        total = gaps.sum(axis=1)
        ordered = np.sort(total)
        return _amounts(_mean(total)) + _amounts([quantile(ordered, p) for p in PERCENTILES])

    rows = [["plan", "total_gap", *total_row(r.gaps)], ["plan", "weighted_gap", *weighted_row(r.weighted)]]
    if r.reoptimised:
        rows += [["reopt", "total_gap", *total_row(r.reopt_gaps)], ["reopt", "weighted_gap", *weighted_row(r.reopt_weighted)]]
    if r.robust is not None:
        rows += [["robust", "total_gap", *total_row(r.robust.gaps)], ["robust", "weighted_gap", *weighted_row(r.robust.weighted)]]
    return pd.DataFrame(rows, columns=["decided", "measure", "expected", "p50", "p90", "p99"])


def draws_table(r: Risk) -> "pd.DataFrame":
    """One row per draw: its total and weighted gap under the plan (and re-optimised), and how
    many funds it overdraws."""
    import pandas as pd

    columns = {"draw": list(range(r.draws)), "total_gap": _amounts(r.gaps.sum(axis=1)), "weighted_gap": r.weighted.round(2).tolist()}
    if r.reoptimised:
        columns.update(reopt_total_gap=_amounts(r.reopt_gaps.sum(axis=1)), reopt_weighted_gap=r.reopt_weighted.round(2).tolist())
    columns["overdrawn_funds"] = (r.overdraft > 0).sum(axis=1).tolist()
    return pd.DataFrame(columns)
