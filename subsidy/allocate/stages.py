"""The one stage driver, and the contract every way of solving keeps.

The spec decides an allocation in stages; this module alone owns their order and what each
hands to the next. A *backend* (`flow.FlowBackend`: integer network flows; `lp.PulpBackend`: the
LP through PuLP with HiGHS, CBC or any PuLP solver; `highs_reuse.ReusedHighs`: one held HiGHS
model re-solved across a sweep) only knows how to solve one stage on its own model and how to
hold a stage's optimum while the next runs:

1. minimise the weighted gap;                                     hold it
   (several years, `timing`) minimise the weighted arrears;       hold it
2. (policy.fairness) minimise the largest gap share;              hold it
3. spend whatever money can still reach a payable line;           hold it
   then the tie-break by fund order picks one allocation.

`run_stages` returns a `Solution` (stage values and each arc's amount before rounding), and
`rounding.round_to_fen` turns it into the `Allocation` every caller receives, whichever backend
solved: whole fen per arc, that allocation's own values (computed exactly from its fen; since
every backend finds the whole-fen optimum, the weighted gap is also stage 1's), stage 2's
continuous optimum as a bound, and the stage-1 duals and slacks per rule as arrays, in the rules'
order (linopy's one result type for every solver).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from subsidy.allocate.rules import Rules

HOLD_FLOOR = 1e-6
"""Slack of close-gap's LP holds (with 1e-9 relative): solvers' own feasibility tolerance is about
1e-7, and a hold tighter than what the solver can see makes the next stage spuriously infeasible.
The allocation's stages need none: each backend holds a stage exactly, by its optimal face or by
whole-fen bounds (`lp`, `flow`)."""

METHODS = ("auto", "flow", "pulp")


class SolveError(RuntimeError):
    """The solver could not produce an optimal allocation; the message says why in plain words."""


class RulesConflict(SolveError):
    """The rules that ask for money (commitments, minimum coverage) cannot be kept together with
    the bounds: `rules` names the smallest set in conflict (`allocate.conflicts`), `extra_budget`
    the least extra budget per fund, in whole fen, that would make it possible (None: more
    budget alone cannot)."""

    def __init__(self, rules: list[str], extra_budget: dict[str, int] | None, detail: str):
        self.rules = rules
        self.extra_budget = extra_budget
        super().__init__(f"{detail}; these rules cannot all be kept: {', '.join(rules)}")


class NotAFlow(SolveError):
    """`method="flow"` was asked for, but the rules cannot be solved exactly as an integer flow
    (the message says which rule); the LP can solve them."""


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector: solving builds millions of small objects and no
    reference cycles, and at 100k enterprises the collector's repeated full sweeps took half the
    run time. Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


UNBOUNDED = -1
"""A price range without end (`Prices.price_ranges`): a price of 0 stays 0 however far the bound
grows, the optimum being convex in it."""


class Prices(Protocol):
    """A backend's one way to say what a rule's bound is worth (`explain`, funds.csv)."""

    def marginal_values(self, bounds: np.ndarray, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Per bound index (rules' order): (more, less): the stage-1 objective saved by one more
        unit of the bound (right derivative), and added by one unit less (left; NaN for a bound
        of 0). `unit_weights`: the plain gap instead of the weighted one."""
        ...

    def price_ranges(self, bounds: np.ndarray, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Per bound index: (increase, decrease) in whole fen, the range in which each of the two
        prices holds fen by fen (a sensitivity report's allowable increase and decrease); increase
        UNBOUNDED (−1) where `more` is 0, which then holds without end."""
        ...

    def commitment_values(self, unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Per row of `rules.commit_arcs` (commitments, then minimum coverage): (more, less) as
        `marginal_values`, the row's least and most moved together; −inf / inf where one unit
        leaves no allocation, NaN less for a most of 0."""
        ...

    def least_ranges(self, rows: list[int], unit_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """For rows that are a least alone (minimum coverage): (increase, decrease) in whole fen
        over which `commitment_values`' two prices hold."""
        ...


class Backend(Protocol):
    """One model of the rules that solves one stage at a time; `run_stages` says which."""

    rules: Rules
    method: str  # "flow" | "pulp"
    solver: str  # "ortools" | "highs" | "cbc" | a PuLP solver's name

    def minimise_weighted_gap(self) -> float: ...
    def hold_weighted_gap(self, value: float) -> None: ...
    def minimise_largest_gap_share(self) -> float: ...
    def hold_largest_gap_share(self, value: float) -> None: ...
    def maximise_funded(self) -> float: ...
    def hold_funded(self, value: float) -> None: ...
    def tie_break(self) -> Any:
        """The chosen allocation: float amounts per arc in fen (an LP: whole fen up to the
        solver's noise), or exact integers in 1/`units_per_fen` fen (a flow)."""
    def stage1_duals(self) -> tuple[np.ndarray, np.ndarray]:
        """(dual, slack) of every bound at the stage-1 optimum, in the rules' order."""
    def fund_prices(self) -> np.ndarray:
        """Per fund: the weighted gap one more unit of budget saves (right derivative where the
        method can give it; see `note`)."""
    def prices(self) -> Prices: ...

    @property
    def units_per_fen(self) -> int | None:
        """Integer units per fen of `tie_break`'s amounts, or None for floats in fen."""
    @property
    def note(self) -> str:
        """What summary.json's method_note says about how this backend solved."""
    @property
    def solver_version(self) -> str: ...


@dataclass
class Solution:
    """The stages' optima and the chosen amounts, before rounding to whole fen."""

    rules: Rules
    weighted_gap: float  # stage-1 optimum
    max_gap_share: float | None  # stage-2 optimum (None without fairness)
    total_funded: float  # stage-3 optimum
    amounts: np.ndarray  # per arc: fen as floats (an LP), or ints in 1/units_per_fen fen
    units_per_fen: int | None
    duals: np.ndarray  # per bound, stage 1
    slacks: np.ndarray  # per bound, stage 1, in the scenario unit
    shadow_prices: np.ndarray  # per fund
    backend: Backend
    weighted_arrears: float | None = None  # the timing stage's optimum (several years only)


@dataclass
class Allocation:
    """What every method returns: whole fen per arc of `rules`, the stage values, and the
    stage-1 duals and slacks per rule (arrays in the rules' order); `prices` answers what a
    rule's bound is worth, by the method that solved."""

    rules: Rules
    fen: np.ndarray  # int64 per arc
    # The values of `fen` itself, computed exactly from it (what summary.json reports): every
    # method's stage 1 is the whole-fen optimum, so weighted_gap is also stage 1's optimum.
    weighted_gap: float
    max_gap_share: float  # the largest gap share fen leaves (stage 2 gets within a fen per enterprise)
    total_funded: float  # scenario unit
    max_gap_share_bound: float | None  # stage 2's continuous optimum (None without fairness)
    duals: np.ndarray
    slacks: np.ndarray
    shadow_prices: np.ndarray  # per fund: weighted gap saved per extra unit of budget
    method: str
    solver: str
    solver_version: str
    note: str
    prices: Prices = field(repr=False)
    fallback: str | None = None  # why the sweeps' held HiGHS model gave this point to PuLP

    def by_arc(self) -> dict:
        """{Arc: fen} for every arc (small scenarios, tests and the analyses' words)."""
        return dict(zip(self.rules.arcs, self.fen.tolist()))

    def dual_of(self) -> dict[str, float]:
        """Stage-1 dual by readable rule name."""
        return dict(zip(self.rules.bound_names(), self.duals.tolist()))

    def slack_of(self) -> dict[str, float]:
        """Stage-1 slack by readable rule name."""
        return dict(zip(self.rules.bound_names(), self.slacks.tolist()))


def run_stages(backend: Backend) -> Solution:
    """Stages 1-3 in the spec's order on one backend (module docstring)."""
    rules = backend.rules
    weighted_gap = backend.minimise_weighted_gap()
    duals, slacks = backend.stage1_duals()
    backend.hold_weighted_gap(weighted_gap)
    arrears = None
    if hasattr(backend, "minimise_weighted_arrears"):  # a programme over several years (`timing`)
        arrears = backend.minimise_weighted_arrears()
        backend.hold_weighted_arrears(arrears)
    share = None
    if rules.scenario.policy.fairness and rules.has_need:
        share = backend.minimise_largest_gap_share()
        backend.hold_largest_gap_share(share)
    funded = backend.maximise_funded()
    backend.hold_funded(funded)
    amounts = backend.tie_break()
    return Solution(rules, weighted_gap, share, funded, amounts, backend.units_per_fen, duals, slacks,
                    backend.fund_prices(), backend, arrears)
