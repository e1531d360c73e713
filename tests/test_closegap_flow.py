"""Close-gap by integer flows (subsidy.closegap_flow) against the linear programs it replaces.

Every amount (floor, total extra, extra per fund, extra alone, the per-enterprise columns, the
unpayable lines) must agree with the LP to the fen: both work on the same bounds in whole fen
and the LP's optimum is whole fen too. The one legitimate difference is the caps' values: the
flow reports the right derivative (raising the cap by one fen closes one fen, or nothing), the
LP its dual, which at a degenerate optimum may call a cap binding that closes nothing when raised
alone (e.g. two share caps of 0.5 on one line fully paid: the need binds as well). There the
exact property is asserted instead.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from subsidy.allocate.flow_algorithms import min_cost_flow
from subsidy.allocate.flow_close_gap import GapFlows, _augment
from subsidy.allocate.flow_network import Network, build_network
from subsidy.analysis.close_gap import close_gap
from subsidy.pipeline import SolveError, rules_of as build_rules, solve
from subsidy.scenario.generate import generate
from subsidy.scenario.load import load_scenario, scenario_from_data

ROOT = Path(__file__).resolve().parent.parent
FILES = [p.relative_to(ROOT / "scenarios").as_posix() for p in
         sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "options").glob("*.yaml"))
         if not any(f.match for f in load_scenario(p).funds)  # 配套 is not a network (test_match has its close-gap)
         and not load_scenario(p).years  # close-gap takes one year (a programme over several years: test_years)
         and not any(f.distribution for f in load_scenario(p).funds)]  # only the LP grows a budget split by factors (test_distribution)
GENERATED = [(30, 5, 0), (30, 5, 1), (30, 3, 3), (60, 5, 2), (100, 5, 3), (150, 5, 1), (200, 3, 3), (200, 5, 0)]
# Small budgets (budget_ratio): every fund runs dry, so the extra spreads over several funds and
# the order-of-funds tie-break decides the split.
SHORT = [(40, 5, 0, 0.15), (60, 5, 1, 0.1), (80, 4, 2, 0.2), (120, 5, 3, 0.1)]
GEN_NAMES = [f"gen-{n}-{f}-{s}" for n, f, s in GENERATED] + [f"gen-{n}-{f}-{s}-{r}" for n, f, s, r in SHORT]


@functools.cache
def _case(name: str):
    """(scenario, its result) for a shipped file or `gen-<enterprises>-<funds>-<seed>[-<budget ratio>]`."""
    if name.startswith("gen-"):
        n, funds, seed, *ratio = name.split("-")[1:]
        scenario = scenario_from_data(generate(int(n), int(funds), int(seed), *map(float, ratio)))
    else:
        scenario = load_scenario(ROOT / "scenarios" / name)
    return scenario, solve(scenario)


CASES = FILES + GEN_NAMES


def _variants(scenario, result, floor):
    """Default target, a target halfway to the floor (all funds, only the last), two funds only."""
    now = result.total("gaps", "gap")
    mid = ((floor + now) / 2).quantize(Decimal("0.01"))
    first, last = scenario.funds[0].id, scenario.funds[-1].id
    return [(None, None), (mid, None), (mid, [last]), (None, [first, last]), (now + 1, None)]


def _same_amounts(lp, fl):
    assert (fl.floor, fl.target, fl.reachable, fl.total_extra) == (lp.floor, lp.target, lp.reachable, lp.total_extra)
    assert fl.funds.equals(lp.funds), fl.funds.compare(lp.funds)
    assert fl.enterprises.equals(lp.enterprises), fl.enterprises.compare(lp.enterprises)
    assert fl.unpayable.equals(lp.unpayable)
    assert (fl.after is None) == (lp.after is None)


@pytest.mark.parametrize("name", CASES)
def test_flow_gives_the_lp_amounts_to_the_fen(name):
    scenario, result = _case(name)
    lp = close_gap(scenario, result=result, method="pulp")
    fl = close_gap(scenario, result=result, method="flow")
    _same_amounts(lp, fl)
    # Caps: the flow's (right derivatives) are among the LP's (duals); same bounds, value 1.
    lp_caps = dict(zip(lp.caps["rule"], zip(lp.caps["bound"], lp.caps["closes_per_unit"])))
    fl_caps = dict(zip(fl.caps["rule"], zip(fl.caps["bound"], fl.caps["closes_per_unit"])))
    assert set(fl_caps) <= set(lp_caps)
    assert all(fl_caps[r] == lp_caps[r] == (fl_caps[r][0], 1.0) for r in fl_caps)
    for target, funds in _variants(scenario, result, lp.floor)[1:]:
        _same_amounts(close_gap(scenario, target, funds, result=result, method="pulp"),
                      close_gap(scenario, target, funds, result=result, method="flow"))


def _unlimited_total(flows: GapFlows, arc: int | None = None) -> int:
    cap = flows.cap.copy()
    cap[: flows.n_funds] = flows.big
    if arc is not None:
        cap[arc] += 1
    return _augment(flows.net, cap, np.zeros(len(cap), dtype=np.int64), [])[0]


@pytest.mark.parametrize("name", ["gen-30-5-0", "gen-60-5-2", "xianan-2025.yaml", "linzi-portfolio.yaml"])
def test_caps_closes_per_unit_is_the_right_derivative(name):
    """Raising a reported cap by one fen closes one fen at unlimited budgets; raising a cap the
    LP's dual alone reports closes nothing (degenerate: the line's need binds too)."""
    scenario, result = _case(name)
    rules = build_rules(scenario)
    flows = GapFlows(rules, build_network(rules))
    base = _unlimited_total(flows)
    assert base == flows.most_fundable().total_fen
    arc_of = dict(zip(rules.bound_names(), flows.net.bound_arc.tolist()))
    lp = close_gap(scenario, result=result, method="pulp")
    fl = close_gap(scenario, result=result, method="flow")
    for rule in fl.caps["rule"]:
        assert _unlimited_total(flows, arc_of[rule]) == base + 1, rule
    only_lp = set(lp.caps["rule"]) - set(fl.caps["rule"])
    for rule in only_lp:
        assert _unlimited_total(flows, arc_of[rule]) == base, rule
    if name == "gen-30-5-0":  # the degenerate case found: 0.5 + 0.5 share caps on fully paid lines
        assert only_lp == {f"cap_share[{f},{e},pooled_fund_repayment]" for f in ("county_support", "debt_resolution")
                           for e in ("e000002", "e000008")}


def _lexicographic_by_min_cost(flows: GapFlows, growable: list[int], need: int) -> dict[int, int] | None:
    """The brief's formulation, independently: a min-cost flow with extra arcs s → fund of cost 1,
    then all extra through one node X (s → X capacity = that minimum, X → fund cost = rank)."""
    net = flows.net
    keep = np.flatnonzero(flows.cap > 0)
    tail, head, cap = net.tail[keep], net.head[keep], flows.cap[keep]
    supplies = np.zeros(net.n + 1, dtype=np.int64)
    supplies[Network.S], supplies[Network.T] = need, -need
    nodes = [flows.fund_node(f) for f in growable]
    # Infeasible unless the growable funds with unlimited budgets carry `need`.
    grown = flows.cap.copy()
    grown[growable] = flows.big
    if _augment(net, grown, np.zeros(len(grown), dtype=np.int64), [])[0] < need:
        return None
    k = len(tail)
    t1 = np.concatenate([tail, np.zeros(len(nodes), dtype=np.int64)])
    h1 = np.concatenate([head, nodes])
    c1 = np.concatenate([cap, np.full(len(nodes), flows.big)])
    cost1 = np.concatenate([np.zeros(k, dtype=np.int64), np.ones(len(nodes), dtype=np.int64)])
    least = int(min_cost_flow(net.n + 1, t1, h1, c1, cost1, supplies)[k:].sum())
    x = net.n
    t2 = np.concatenate([tail, [Network.S], np.full(len(nodes), x)])
    h2 = np.concatenate([head, [x], nodes])
    c2 = np.concatenate([cap, [least], np.full(len(nodes), flows.big)])
    cost2 = np.concatenate([np.zeros(k + 1, dtype=np.int64), np.array(growable, dtype=np.int64) + 1])
    flows2 = min_cost_flow(net.n + 1, t2, h2, c2, cost2, supplies)
    return dict(zip(growable, flows2[k + 1:].tolist()))


@pytest.mark.parametrize("name", GEN_NAMES + ["linzi-portfolio.yaml", "chuxiong-2025.yaml"])
def test_greedy_least_extra_is_the_lexicographic_minimum(name):
    """The greedy by fund order gives what two min-cost flows give; with the extra the network
    carries the need, and with one fen less in total it does not."""
    scenario, _ = _case(name)
    rules = build_rules(scenario)
    flows = GapFlows(rules, build_network(rules))
    most = flows.most_fundable().total_fen
    f0 = flows.base()[0]
    nf = flows.n_funds
    spread = 0  # answers that split the extra over several funds
    for need in (f0 + (most - f0) // 3, most, most + 1):
        for growable in (list(range(nf)), [nf - 1], [0, nf - 1], list(range(1, nf))):
            extra = flows.least_extra(growable, need)
            assert extra == _lexicographic_by_min_cost(flows, growable, need), (need, growable)
            spread += extra is not None and sum(map(bool, extra.values())) > 1
            if extra is None or not sum(extra.values()):
                continue
            cap = flows.cap.copy()
            cap[list(extra)] += list(extra.values())  # budget arcs come first, one per fund
            assert _augment(flows.net, cap, np.zeros(len(cap), dtype=np.int64), [])[0] >= need
            f = max(f for f, v in extra.items() if v)
            cap[f] -= 1
            assert _augment(flows.net, cap, np.zeros(len(cap), dtype=np.int64), [])[0] < need
    if name in GEN_NAMES[len(GENERATED):]:  # small budgets: the tie-break had something to decide
        assert spread


def test_rules_beyond_the_flow_take_the_lp(policy_case):
    """A weight of 7 decimals does not fit an integer flow: auto takes the LP, flow says why."""
    from subsidy.analysis.sweep import scenario_data

    data = scenario_data(policy_case)
    data["categories"] = {"bank_debt": {"weight": 0.1234567}}
    scenario = scenario_from_data(data)
    with pytest.raises(SolveError, match="decimals"):
        close_gap(scenario, method="flow")
    auto = close_gap(scenario)
    _same_amounts(close_gap(scenario, method="pulp"), auto)
    assert auto.total_extra == Decimal("5.00")
    with pytest.raises(ValueError, match="unknown method"):
        close_gap(policy_case, method="simplex")


def test_policy_case_flow_and_lp_agree_everywhere(policy_case):
    lp = close_gap(policy_case, method="pulp")
    fl = close_gap(policy_case, method="flow")
    _same_amounts(lp, fl)
    assert fl.caps.equals(lp.caps)


@pytest.mark.parametrize("name", ["gen-30-5-0", "gen-60-5-2", "gen-40-5-0-0.15", "gen-80-4-2-0.2"])
def test_flow_with_commitments_and_coverage_gives_the_lp_amounts_to_the_fen(name):
    """close-gap's flows carry leasts: a generated scenario with its own flow allocation committed
    (`test_flow_leasts._approved`: the first paid line as an amount, a fund total as an at_least,
    the last paid line as an at_most, and minimum coverage at a category's least funded share)
    gets the same floor, total extra, extra per fund and alone, and per-enterprise columns from
    the flows as from the LPs, for the default target and the variants."""
    from test_flow_leasts import _approved

    n, funds, seed, *ratio = name.split("-")[1:]
    approved = _approved(generate(int(n), int(funds), int(seed), *map(float, ratio)))
    scenario = scenario_from_data(approved)
    assert scenario.commitments and approved["commitments"][0].get("amount")
    result = solve(scenario)
    flows = GapFlows(result.rules, build_network(result.rules))
    assert flows.net.lower is not None and flows.net.lower.any()  # the leasts are in the network
    lp = close_gap(scenario, result=result, method="pulp")
    _same_amounts(lp, close_gap(scenario, result=result, method="flow"))
    for target, funds_ in _variants(scenario, result, lp.floor)[1:]:
        _same_amounts(close_gap(scenario, target, funds_, result=result, method="pulp"),
                      close_gap(scenario, target, funds_, result=result, method="flow"))
