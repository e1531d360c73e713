"""配套 matching solved by the flow first: when the flow's answer without the match rows keeps
every one of them, it is the answer with them, exact, and no MIP is needed.

Why. A match row makes the stages whole-fen MIPs (`mip`), and at 10,000 enterprises the MIP's
fairness stage alone took 162 s CPU. But the match rows only ever cut allocations away: drop them
and the rest is a network the flow solves exactly in whole fen in seconds (`flow`). If that
answer x* keeps every match row in whole fen (`match_rows.broken_matches`), it is the answer of
the problem with them, stage by stage:

- stage 1: the problem with the rows is the flow's problem with rows added, so its optimum is no
  better than the flow's S*; x* keeps the rows and reaches S*, so S* is its optimum too, and
  its stage-1 set is the flow's stage-1 set with the rows (a subset, holding x*);
- stage 2 (fairness), held as the flow holds it: floors ⌊(1 − t)·need_e⌋ in whole fen, t the
  smallest largest gap share of the stage-1 set with x continuous (`flow.largest_gap_share`,
  t̂ to its documented tolerance). With the rows the stage-1 set is smaller, so its t_m ≥ t̂;
  and x* keeps the rows, so t_m ≤ s*, x*'s own largest share (exact, in fractions). So the
  floors with the rows, ⌊(1 − t_m)·need_e⌋, lie between ⌊(1 − s*)·need_e⌋ and the flow's
  ⌊(1 − t̂)·need_e⌋; accepted only when those two are equal for every enterprise the flow
  holds (`same_floors`; always without fairness): then the rows' stage-2 floors are the flow's,
  whatever t_m is. (s* ≤ t̂ is not needed: two enterprises of 3 fen and 5 fen to share give
  t̂ = 1/6 and floors 2, s* = 1/3 and floors 2.) Otherwise → the MIP;
- stage 3 and the tie-break: x* maximises Σx and then minimises the tie-break over the flow's
  stage-3 set; the set with the rows is a subset holding x*, so x* is optimal there too.
  Ties between equally good allocations are broken by the same costs (`Rules.tie_break_costs`).

The MIP holds stage 2 by floors from its whole-fen answer's own share (`mip`), the flow by
floors from the continuous share; the two readings agree to within a fen per enterprise (what
`stages.Allocation` promises of stage 2 for every method) and, on the hand-worked and 24 random
tiny cases of tests/test_match_first.py, exactly.

`equals.equal_treatment` runs on the rules with the match rows, as for the MIP (it keeps a
class's split wherever even shares would break a row); the rows are checked once more on the
final whole fen, and any broken row sends the scenario to the MIP.

The tie-break of a scenario with a match ranks the funds with a match after the others
(`rules.fund_ranks`): central money matched by local money is what is left over, so the flow
pays an enterprise from the matching funds first and the rows hold far more often. On the 10,000-
enterprise bench scenario (central matched by the four others at 0.3) the flow's answer broke
344 of 5,830 rows with central first, 20 with it last.

Prices. Stage-1 duals: the flow's, with 0 on every match row, are optimal for stage 1's LP
relaxation with the rows (dual feasible, as the rows' duals are 0, and complementary slack with
x*, which keeps the rows and is optimal for the relaxation without them, so with them). funds.csv
(a fund's right derivative): with the rows the optimum as a function of a budget is at most the
flow's and equal at today's budget, and never falls as a budget grows, so its right derivative
lies in [0, the flow's]. Where the flow's is 0 it is exact; any fund priced above 0 by the flow is
priced on the relaxation (`mip_prices.RelaxationPrices`, as the MIP does: 28 s CPU at 10,000
enterprises, so only when needed). `explain`'s prices come from the relaxation, as for the MIP.

Measured (bench/bureau_rules.py): see its docstring.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np

from subsidy.allocate.match_rows import broken_matches
from subsidy.allocate.mip import largest_share
from subsidy.allocate.mip_prices import RelaxationPrices
from subsidy.allocate.rounding import round_to_fen
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import Allocation, Solution, run_stages

FLOW_FIRST_NOTE = "配套 rows hold at the flow's optimum: exact without the MIP; prices from the relaxation where the flow's are above 0"


def without_match(rules: Rules) -> Rules:
    """The same rules, arcs and bounds without the match rows: the flow's problem."""
    return dataclasses.replace(rules, match_fund=np.zeros(0, dtype=np.int64), match_enterprise=np.zeros(0, dtype=np.int64),
                               match_paid=[], match_by=[], match_ratio={})


class FlowKeptMatches:
    """The backend of a `Solution` the flow found without the match rows and that keeps them:
    the flow's stage work, prices from the relaxation with the rows (module docstring)."""

    method = "flow"
    solver = "ortools"

    def __init__(self, rules: Rules, flow, relaxation_solver: str = "highs"):
        self.rules, self.flow = rules, flow
        self._prices = RelaxationPrices(rules, relaxation_solver)  # lazy: builds nothing until asked

    @property
    def units_per_fen(self) -> int:
        return self.flow.units_per_fen

    @property
    def note(self) -> str:
        return f"{FLOW_FIRST_NOTE}; {self.flow.note}"

    @property
    def solver_version(self) -> str:
        return self.flow.solver_version

    def prices(self) -> RelaxationPrices:
        return self._prices

    def fund_prices(self, flow_prices: np.ndarray) -> np.ndarray:
        """Per fund the right derivative with the rows: the flow's where it is 0, else the relaxation's."""
        if not (np.asarray(flow_prices) > 0).any():
            return np.asarray(flow_prices, dtype=np.float64)
        more, _ = self._prices.marginal_values(np.arange(len(self.rules.scenario.funds)), right_only=True)
        return more


def same_floors(flow, share: Fraction) -> bool:
    """Whether ⌊(1 − share)·need_e⌋ is at least the flow's stage-2 floor of every enterprise it
    holds (`flow.largest_gap_share`; none without fairness), in integers (module docstring)."""
    num, den = (1 - share).numerator, (1 - share).denominator
    held = np.flatnonzero(flow.lower > 0)
    return all(n * num // den >= low for n, low in zip(flow.net.need[held].tolist(), flow.lower[held].tolist()))


def flow_first(rules: Rules, solver: str = "highs") -> tuple[Allocation | None, str, np.ndarray | None]:
    """The allocation with the match rows if the flow's answer without them keeps them (module
    docstring), else (None, why in words for the MIP's method note); last, the flow's answer in
    whole fen where it got that far (the MIP's first relaxation starts from the arcs it pays:
    `mip.OverPaidArcs`)."""
    from subsidy.allocate.flow import FlowBackend
    from subsidy.allocate.flow_network import NotANetwork

    try:
        flow = FlowBackend(without_match(rules))
    except NotANetwork as exc:
        return None, f"not solved as a flow: {exc}", None
    solution = run_stages(flow)
    if solution.units_per_fen != 1:
        return None, "the flow without the match rows did not work in whole fen", None
    fen = np.asarray(solution.amounts, dtype=np.int64)
    rows = rules.match_rows()
    broken = broken_matches(rows, fen)
    if broken:
        return None, f"the flow without the match rows breaks {len(broken)} of {len(rows)}", fen
    if not same_floors(flow, largest_share(rules, fen)):
        return None, "the flow without the match rows keeps them, but its largest gap share asks for other floors", fen
    backend = FlowKeptMatches(rules, flow, solver)
    kept = Solution(rules, solution.weighted_gap, solution.max_gap_share, solution.total_funded, fen, 1,
                    solution.duals, solution.slacks, backend.fund_prices(solution.shadow_prices), backend)
    allocation = round_to_fen(kept)
    broken = broken_matches(rows, allocation.fen)
    if broken:  # equal treatment keeps the rows (`equals`); checked all the same
        return None, f"equal treatment after the flow breaks {len(broken)} of {len(rows)}", fen
    return allocation, "", fen
