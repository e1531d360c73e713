"""Rounding a solution to whole fen without breaking any rule: the last step of every method.

Every method solves in whole fen (bounds rounded down), so an LP leaves floats a hair off whole
fen and the flow exact whole fen (Q = 1); rounding only has to clear the LP's noise. The general
rule stays: each arc is floored to whole fen, and single fen are then given back, per source, largest
fractional part first, until the source's total equals its rounded total, and only where every
rule containing the arc still has a fen of room. An arc moves by less than a fen from the
solver's value, or by exactly one fen where a fen lost to a bound that is not a whole fen is
spent on it; by more only where a solver's float itself broke a bound (the bound wins).

The flow's amounts are rounded in integers (no float detour); the LP's compare fractional
parts to a thousandth of a fen (`FRACTION_PLACES`): below that is solver noise, and arcs tie in
arc order, so that the same program solved warm or cold rounds the same.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np

from subsidy.allocate.equals import equal_treatment
from subsidy.allocate.rules import Rules
from subsidy.allocate.stages import Allocation, Solution

FRACTION_PLACES = 3
"""Rounding compares what the solver left on an arc to a thousandth of a fen; below that it is
solver noise, and arcs tie (first in arc order wins)."""


def round_to_fen(solution: Solution) -> Allocation:
    """The solution's `Allocation`: whole fen per arc, with its stage values and duals."""
    rules, q, amounts = solution.rules, solution.units_per_fen, solution.amounts
    if q is None:
        fen = keep_commitments(rules, fen_of_floats(rules, amounts))
    elif q == 1:
        fen = np.asarray(amounts, dtype=np.int64)
    else:
        fen = fen_of_units(rules, np.asarray(amounts, dtype=np.int64), q)
    fen = equal_treatment(rules, fen)  # equals get even shares (allocate.equals), whichever method solved
    backend = solution.backend
    weighted_gap, max_gap_share, total_funded = values_of(rules, fen)
    return Allocation(rules, fen, weighted_gap, max_gap_share, total_funded, solution.max_gap_share,
                      solution.duals, solution.slacks, solution.shadow_prices, backend.method, backend.solver,
                      backend.solver_version, backend.note, backend.prices())


def values_of(rules: Rules, fen: np.ndarray) -> tuple[float, float, float]:
    """(weighted gap, largest gap share, total funded) of an allocation in whole fen, computed
    exactly (Python integers and fractions, weights as the decimals a person wrote) and given as
    floats: what summary.json says is what the tables hold."""
    lines = rules.lines
    funded = np.zeros(len(lines), dtype=np.int64)
    np.add.at(funded, rules.arc_line, fen)
    weights = {c: Fraction(Decimal(repr(w))) for c, w in rules.weights.items()}
    # Σ weight × gap, summed per category first in int64 fen (exact), then a few fractions: one
    # fraction per line cost 35 ms of a 1,000-enterprise what-if.
    gap_of_category = np.zeros(len(lines.categories), dtype=np.int64)
    np.add.at(gap_of_category, lines.category, lines.residual - funded)
    weighted = sum((weights[c] * g for c, g in zip(lines.categories, gap_of_category.tolist()) if g), Fraction(0))
    need = np.zeros(len(lines.enterprises), dtype=np.int64)
    np.add.at(need, lines.enterprise, lines.residual)
    got = np.zeros(len(lines.enterprises), dtype=np.int64)
    np.add.at(got, lines.enterprise, funded)
    # The largest share exactly, among the few within float noise of the largest (a fraction per
    # enterprise was a tenth of a `subsidy risk` draw); float error here is far below 1e-9.
    has_need = np.flatnonzero(need > 0)
    approx = (need[has_need] - got[has_need]) / need[has_need]
    near = has_need[approx >= approx.max() - 1e-9] if len(has_need) else has_need
    share = max((Fraction(n - g, n) for n, g in zip(need[near].tolist(), got[near].tolist())), default=Fraction(0))
    return float(weighted / 100), float(share), sum(fen.tolist()) / 100


def fen_of_floats(rules: Rules, amounts) -> np.ndarray:
    """An LP's amounts (fen as floats, per arc) in whole fen."""
    exact = np.array(amounts, dtype=np.float64)
    fen = np.maximum(0, np.floor(exact + 1e-6)).astype(np.int64)

    def fractions(idx: np.ndarray, now: np.ndarray) -> np.ndarray:
        """What is left on each arc over its current fen, to a thousandth (Python's round; numpy's
        rounds differently at a half). Only arcs whose part could round above 0 are rounded."""
        part = exact[idx] - now[idx]
        out = np.zeros(len(idx))  # below 0.4 thousandths: rounds to 0
        near = np.flatnonzero(part >= 0.4 * 10.0**-FRACTION_PLACES)
        out[near] = [round(f, FRACTION_PLACES) for f in part[near].tolist()]
        return out

    targets = {s: round(sum(exact[idx].tolist())) for s, idx in _groups(rules.arc_source)}  # Python's sum, in arc order
    return _give_back(rules, fen, fractions, targets, rules.limits_with_pool(exact))


def keep_commitments(rules: Rules, fen: np.ndarray) -> np.ndarray:
    """The LP's floats floored to fen can leave a commitment's least a fen or two short (0.9999999
    of a fen floors to 0): add single fen to its arcs, in arc order, where every rule containing
    the arc has room; take fen off a commitment over its most. Solver noise only: the LP solution
    keeps every commitment to within its tolerance."""
    if not rules.commit_arcs:
        return fen
    owner, member, _ = rules.membership()
    limits = rules.limits_with_pool(fen)  # a pooled region keeps what it takes from the pool
    used = np.zeros(len(limits), dtype=np.int64)
    np.add.at(used, owner, fen[member])
    room = limits - used
    by_arc = np.argsort(member, kind="stable")
    starts = np.searchsorted(member[by_arc], np.arange(len(fen) + 1))
    fen = fen.copy()
    for arcs, low, high in zip(rules.commit_arcs, rules.commit_lower.tolist(), rules.commit_upper.tolist()):
        arcs = arcs.tolist()
        total = int(fen[arcs].sum())
        for i in arcs:
            mine = owner[by_arc[starts[i]:starts[i + 1]]]
            while total < low and (room[mine] >= 1).all():
                fen[i] += 1
                room[mine] -= 1
                total += 1
        for i in arcs:
            while high >= 0 and total > high and fen[i] > 0:
                fen[i] -= 1
                room[owner[by_arc[starts[i]:starts[i + 1]]]] += 1
                total -= 1
    return fen


def fen_of_units(rules: Rules, units: np.ndarray, q: int) -> np.ndarray:
    """A flow's exact amounts (1/q fen per arc) in whole fen, in integers."""
    fen = units // q

    def fractions(idx: np.ndarray, now: np.ndarray) -> np.ndarray:
        """units/q − fen to a thousandth, rounded half to even as Python's round does."""
        k, r = np.divmod((units[idx] - now[idx] * q) * 10**FRACTION_PLACES, q)
        k = k + ((2 * r > q) | ((2 * r == q) & (k % 2 == 1)))
        return k / 10**FRACTION_PLACES

    targets = {}
    for s, idx in _groups(rules.arc_source):
        whole, part = divmod(sum(units[idx].tolist()), q)
        targets[s] = whole + (1 if 2 * part > q or (2 * part == q and whole % 2) else 0)
    return _give_back(rules, fen, fractions, targets, rules.limits_with_pool(units / q))


def _groups(source: np.ndarray):
    """(source code, its arcs in arc order) for each source that has arcs."""
    order = np.argsort(source, kind="stable")
    if not len(order):
        return
    cuts = np.flatnonzero(np.diff(source[order])) + 1
    for idx in np.split(order, cuts):
        yield int(source[idx[0]]), idx


def _give_back(rules: Rules, fen: np.ndarray, fractions, targets: dict[int, int], limits: np.ndarray) -> np.ndarray:
    """Floors `fen` kept within every rule, then fen handed back per source up to its target.

    Vectorised with numpy where the order of operations does not matter; the greedy steps
    (repairing a rule the floors overshoot, handing back fen) stay sequential, in arc order.
    `limits` are the rules' (`Rules.limits_with_pool`: a pooled region's with what the solution
    takes from the pool).
    """
    owner, member, _ = rules.membership()
    n_rules = len(limits)
    begin = np.searchsorted(owner, np.arange(n_rules + 1))
    fen = fen.copy()
    # Solver tolerance (or CBC's 8-digit values) can leave a sum above a bound that rounds down,
    # by more than one fen per arc: take back fen one at a time, round after round, from the arcs
    # that were rounded up the most, until the rule holds. Repairs only lower fen, so a rule
    # within its bound before any repair stays within it: only rules over it at the start need a look.
    used = np.zeros(n_rules, dtype=np.int64)
    np.add.at(used, owner, fen[member])
    for r in np.flatnonzero(used > limits).tolist():
        arcs = member[begin[r] : begin[r + 1]]
        frac = dict(zip(arcs.tolist(), fractions(arcs, fen).tolist()))  # at the time of sorting, as the plain loops
        order = sorted(arcs.tolist(), key=frac.__getitem__)
        total = int(fen[order].sum())
        while total > limits[r] and any(fen[i] > 0 for i in order):
            for i in order:
                if total <= limits[r]:
                    break
                if fen[i] > 0:
                    fen[i] -= 1
                    total -= 1
    # Room is counted after all repairs: an arc may sit in several rules.
    used = np.zeros(n_rules, dtype=np.int64)
    np.add.at(used, owner, fen[member])
    room = (limits - used).tolist()
    by_arc = np.argsort(member, kind="stable")
    starts = np.searchsorted(member[by_arc], np.arange(len(fen) + 1)).tolist()
    rules_of = owner[by_arc].tolist()
    fen_list = fen.tolist()
    for s, idx in _groups(rules.arc_source):
        deficit = targets[s] - int(fen[idx].sum())
        if deficit <= 0:
            continue
        # Arcs the solver left a fraction on first, largest first; then any arc with room, so
        # that a fen lost to a bound that is not a whole fen (a share cap of 0.5 × 533.45) is
        # spent elsewhere. Either way an arc gains at most one fen.
        part = fractions(idx, fen)
        keys = np.where(part > 0, -part, 1.0)
        idx = idx.tolist()
        for k in np.argsort(keys, kind="stable").tolist():
            if deficit <= 0:
                break
            i = idx[k]
            mine = rules_of[starts[i] : starts[i + 1]]
            if all(room[r] >= 1 for r in mine):
                fen_list[i] += 1
                deficit -= 1
                for r in mine:
                    room[r] -= 1
    return np.array(fen_list, dtype=np.int64)
