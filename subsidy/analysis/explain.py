"""Explaining a solved scenario: which rules bind, what one more 万元 is worth, why gaps remain.

A rule *binds* when the final allocation (the one in allocations.csv, in whole fen) sits at its
limit; which rules do, for every kind (budgets, caps, regions, pools, commitments, coverage, match
rows), is read in one place, `allocate.binding.rule_states` (`Result.rule_states`), which `solve`'s
list (`Result.binding_rules`) reads too: one set. A price for one unit less does not make a rule
with room binding: a budget with 0.99 left is not "fully used". Shadow prices are the stage-1 program's
marginal values, for every budget and every binding cap, one-sided and exact, from the method
that solved (`Allocation.prices`: the flow's residual graph, or the LP's dual face); measured on
national-2000 (5,000 rules priced): about a second after the solve, where the LP's dual face
alone took more than 17 minutes; their ranges, weighted and plain, about 25 s more (some 10,000
max flows; explain on it: 47 s, was 14 s, on the shared 2-core machine):
- shadow_weighted: the weighted gap (the stage-1 objective) saved by one more unit of the bound;
- shadow_unweighted: the plain gap (in the scenario unit) one more unit closes if every unit of
  gap counted the same: 1 when more money there can reach some unpaid line, 0 when it cannot;
- less_weighted / less_unweighted: what one unit less would add;
- increase_… / decrease_…: the range in which each price holds (a sensitivity report's allowable
  increase and decrease, in the unit, exact to the fen; increase None: without end, the price
  being 0): every fen of the first `increase_weighted` more saves shadow_weighted per unit, the
  next one less; every fen of the first `decrease_weighted` less costs less_weighted per unit.
  A price is a rate, not a promise: 3.00 per 万元 with a breakpoint 0.50 away saves 1.50 + 0.50
  = 2.00 on a whole 万元 when the next rate is 1. From the same method as the prices
  (`Prices.price_ranges`: max flows along the residual graph's cheapest paths, or one parametric
  LP per rule and side).
"More" and "less" differ where the optimum is degenerate (a fund whose budget and caps run out
together: more budget alone helps nothing, less budget hurts). funds.csv's shadow_price is the
"more" of a budget (the LP's solver dual instead beyond 5,000 arcs, as its method note says).

Commitments (decisions already taken) are rules too: one binds when the allocation sits at its
least or its most; its shadow_weighted is the weighted gap one unit more of it saves (negative
where a least forces money away from heavier lines), one-sided and exact (the flow's residual
graph, `flow_prices.commitment_values`, or the LP's dual face), and so on for the other columns.

Minimum coverage (policy.minimum_coverage) is one rule per line it asks money for,
`coverage[enterprise,category]`: its bound is share × cost (own funds count), its `left` what the
line has above it, and it binds at its bound; priced like a commitment's least.

配套 matching (funds[].match) is one rule per fund with a match and enterprise it may pay,
`match[fund,enterprise]`: its bound is the co-funding the fund's payment asks (ratio × paid,
rounded up to the fen), `used` what the matching funds pay, and it binds when the fund could not
pay one fen more without more co-funding. Such scenarios are whole-fen MIPs (`allocate.mip`),
whose rules are priced on stage 1's LP relaxation ("prices from the relaxation"): a match row's
shadow_weighted is what one unit of co-funding waived would save there.

Every line with a gap gets a reason: no fund lists its category at all; funds list it but none
admits the enterprise (scope); or, for every fund that may pay it, *all* the rules on that fund's
way to the line that the final allocation leaves no room in (its budget, its cap for the
enterprise, its share of the line, a commitment's most), and the enterprise's own funds under
`free`. All of them, not the first: a fund whose cap and budget both run out is held back by
both, and lifting one alone would pay the line nothing more. What makes the reason true
(README, explain; tests/test_explain_reasons.py re-solves to check it): lifting every rule the
line names, each by the line's gap, gives a strictly better allocation in the order the stages
rank them (a smaller weighted gap; else a smaller largest gap share; else more money paid),
since the fund could then carry at least a fen more to the line. It need not pay *this* line
more: the money freed may go to an equally or more deserving line elsewhere.
All of it in words is output's (`output.analysis_text.explanation_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from subsidy.allocate.binding import BOUND, KINDS, LEAST, MATCH, RuleStates
from subsidy.allocate.distribution import region_key
from subsidy.allocate.result import Result
from subsidy.allocate.stages import UNBOUNDED
from subsidy.allocate.rules import OWN, parse_rule
from subsidy.allocate.waterfall import from_fen
from subsidy.pipeline import solve
from subsidy.scenario.model import Scenario



@dataclass
class Explanation:
    """The why of one result: `rules` (every rule, binding or not) and `gaps` (every line with a gap)."""

    scenario: Scenario
    result: Result
    rules: pd.DataFrame
    gaps: pd.DataFrame

    @property
    def binding(self) -> pd.DataFrame:
        # as bool: an empty column of a scenario without rules is of object dtype, and indexing by
        # it would select no columns instead of no rows
        return self.rules[self.rules["binding"].astype(bool)]


def explain(scenario: Scenario, solver: str = "highs", result: Result | None = None) -> Explanation:
    """Explain a solved result (solving the scenario first when no `result` is given).

    Uses the solve's own products: the rules and the whole-fen allocation say which rules are
    used up; the method that solved prices them (`Allocation.prices`: node potentials on the
    flow path, the dual's optimal face on the LP path).
    """
    result = result or solve(scenario, solver)
    allocation = result.allocation
    states = result.rule_states  # the final allocation's: binding is what `solve` prints, one set
    names, kinds = states.names(), states.kind_names()
    bounds = np.flatnonzero(states.source == BOUND)  # every upper bound but the needs, in the rules' order
    asked = asked_rules(result)
    w_more, w_less = allocation.prices.marginal_values(asked)
    p_more, p_less = allocation.prices.marginal_values(asked, unit_weights=True)
    w_up, w_down = allocation.prices.price_ranges(asked)
    p_up, p_down = allocation.prices.price_ranges(asked, unit_weights=True)
    at = {int(b): k for k, b in enumerate(asked.tolist())}
    rows = []
    for i in bounds.tolist():
        name, kind_name = names[i], kinds[i]
        args = parse_rule(name)[1]
        k = at.get(int(states.index[i]))
        wm, pm = (float(w_more[k]), float(p_more[k])) if k is not None else (0.0, 0.0)
        wl, pl = (_less(w_less[k]), _less(p_less[k])) if k is not None else (0.0, 0.0)
        # A rule with room is not priced: 0 holds for any increase and at least down to its use.
        room = from_fen(int(states.left[i]))
        ranges = ((_range(w_up[k]), from_fen(int(w_down[k])), _range(p_up[k]), from_fen(int(p_down[k])))
                  if k is not None else (None, room, None, room))
        fund = args[0] if kind_name != "own_funds" else OWN
        enterprise = args[1] if kind_name in ("cap_enterprise", "cap_share", "distribution") else (args[0] if kind_name == "own_funds" else "")
        category = args[2] if kind_name == "cap_share" else ""
        rows.append((name, kind_name, fund, enterprise, category, *_state(states, i), wm, pm, wl, pl, *ranges))
    rows += _least_rows(scenario, allocation, states, names)
    rows += _match_rows(allocation, states, names)
    table = pd.DataFrame(rows, columns=["rule", "kind", "fund", "enterprise", "category", "bound", "used", "left", "binding",
                                        "shadow_weighted", "shadow_unweighted", "less_weighted", "less_unweighted",
                                        "increase_weighted", "decrease_weighted", "increase_unweighted", "decrease_unweighted"])
    return Explanation(scenario, result, table, _gap_reasons(scenario, result, table))


def _state(states: RuleStates, i: int) -> tuple:
    """bound, used, left (in the unit) and binding of row i of the solve's rule states."""
    return (from_fen(int(states.bound[i])), from_fen(int(states.used[i])), from_fen(int(states.left[i])), bool(states.binding[i]))


def _least_rows(scenario: Scenario, allocation, states: RuleStates, names: list[str]) -> list[tuple]:
    """One explain row per commitment, then per line minimum coverage asks money for
    (`coverage[e,c]`); bound, use, room and binding from the rule states (`allocate.binding`: a
    commitment's bound is the side it sits at, a coverage's is share × cost rounded up, own funds
    included). Prices are one-sided (`Prices.commitment_values`: the flow's residual graph or the
    LP's dual face, exact): shadow_weighted < 0 where a least holds money away from heavier lines.
    A commitment has no ranges (its price is one-sided at its side); a coverage row has them."""
    rules = allocation.rules
    rows = np.flatnonzero(states.source == LEAST)
    if not len(rows):
        return []
    n = len(scenario.commitments)
    w_more, w_less = allocation.prices.commitment_values()
    p_more, p_less = allocation.prices.commitment_values(unit_weights=True)
    covered = list(range(n, len(rules.commit_arcs)))
    if covered:
        w_up, w_down = allocation.prices.least_ranges(covered)
        p_up, p_down = allocation.prices.least_ranges(covered, unit_weights=True)
    lines = rules.lines
    out = []
    for i in rows.tolist():
        k = int(states.index[i])
        prices = (float(w_more[k]), float(p_more[k]), _less(w_less[k]), _less(p_less[k]))
        if k < n:
            c = scenario.commitments[k]
            out.append((names[i], "commitment", c.fund, c.enterprise, c.category or "", *_state(states, i), *prices, None, None, None, None))
        else:
            j, line = k - n, int(rules.coverage_line[k - n])
            ent, cat = lines.enterprises[int(lines.enterprise[line])], lines.categories[int(lines.category[line])]
            out.append((names[i], "coverage", "", ent, cat, *_state(states, i), *prices,
                        _range(w_up[j]), from_fen(int(w_down[j])), _range(p_up[j]), from_fen(int(p_down[j]))))
    return out


def _match_rows(allocation, states: RuleStates, names: list[str]) -> list[tuple]:
    """One explain row per match row (module docstring); state from the rule states, prices from
    the relaxation, no ranges."""
    rows = np.flatnonzero(states.source == MATCH)
    if not len(rows):
        return []
    w_more, w_less = allocation.prices.match_values()
    p_more, p_less = allocation.prices.match_values(unit_weights=True)
    out = []
    for i in rows.tolist():
        k = int(states.index[i])
        fund, ent = parse_rule(names[i])[1]
        out.append((names[i], "match", fund, ent, "", *_state(states, i),
                    float(w_more[k]), float(p_more[k]), _less(w_less[k]), _less(p_less[k]), None, None, None, None))
    return out


def asked_rules(result: Result) -> np.ndarray:
    """The bounds explain prices (numbered as in `Rules.membership`): every budget and every upper
    bound that binds in the rule states (a rule with room in an optimal allocation is worth
    nothing either way); never a need."""
    states = result.rule_states
    bounds = states.source == BOUND
    return states.index[bounds & ((states.kind == KINDS.index("budget")) | states.binding)]


def _range(fen: int) -> Decimal | None:
    """An allowable increase in the scenario unit, None where it has no end."""
    return None if fen == UNBOUNDED else from_fen(int(fen))


def _less(value: float) -> float | None:
    """A left derivative, None where the bound is 0 (there is no unit less to take)."""
    return None if value != value else float(value)


# --- why each gap ---------------------------------------------------------------------------------
def _gap_reasons(scenario: Scenario, result: Result, rules: pd.DataFrame) -> pd.DataFrame:
    binding = {r.rule: r for r in rules.itertuples(index=False) if r.binding}
    # A commitment stops more money only at its most (a least at its least does not).
    for c in scenario.commitments:
        row = binding.get(c.rule)
        if row is not None and (c.upper is None or row.used < c.upper):
            del binding[c.rule]
    enterprises = {e.id: e for e in scenario.enterprises}
    pooled = {result.rules.sources[f] for f in result.rules.pool_fund.tolist()}
    rows = []
    for line in result.exact("gaps").itertuples(index=False):
        if line.gap <= 0:
            continue
        ent = enterprises[line.enterprise]
        payers = [f for f in scenario.funds if line.category in f.categories]
        eligible = [f for f in payers if f.scope.admits(ent)]
        blockers: list[tuple[str, str, str]] = []  # (fund, kind, rule)
        if not payers:
            reason = "category_not_payable"
        elif not eligible:
            reason = "no_eligible_fund"
        else:
            for fund in eligible:  # every rule on the fund's way to the line that has no room
                # a region's amount holds money back only with the fund's pool (share < 1) used up too
                pool = f"distribution_pool[{fund.id}]" if fund.id in pooled else ""
                region = f"distribution[{fund.id},{region_key(ent, fund)}]" if fund.distribution and (not pool or pool in binding) else ""
                mine = [(fund.id, kind, rule) for kind, rule in (
                    ("commitment", f"commitment[{fund.id},{ent.id},{line.category}]"),
                    ("commitment", f"commitment[{fund.id},{ent.id}]"),
                    ("cap_share", f"cap_share[{fund.id},{ent.id},{line.category}]"),
                    ("cap_enterprise", f"cap_enterprise[{fund.id},{ent.id}]"),
                    ("distribution", region),
                    ("distribution_pool", pool if region in binding else ""),
                    ("match", f"match[{fund.id},{ent.id}]" if fund.match else ""),
                    ("budget", f"budget[{fund.id}]")) if rule and rule in binding]
                blockers += mine or [(fund.id, "unexplained", "")]
            kinds = {k for _, k, _ in blockers}
            reason = "+".join(code for code, hit in (("funds_exhausted", "budget" in kinds),
                                                     ("cap_binds", bool(kinds & {"cap_share", "cap_enterprise"})),
                                                     ("commitment_binds", "commitment" in kinds),
                                                     ("region_amount_binds", "distribution" in kinds),
                                                     ("match_binds", "match" in kinds),
                                                     ("unexplained", "unexplained" in kinds)) if hit)
        own = f"own_funds[{ent.id}]" if ent.own_funds_rule == "free" else None
        if own and own in binding:
            blockers.append((OWN, "own_funds", own))
        rows.append((ent.id, ent.name, line.category, line.gap, reason,
                     [f.id for f in payers], [f.id for f in eligible], blockers))
    return pd.DataFrame(rows, columns=["enterprise", "name", "category", "gap", "reason", "payers", "eligible", "blockers"])

