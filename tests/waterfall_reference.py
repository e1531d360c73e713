"""A plain per-enterprise own-funds waterfall: the reference the vectorised one is held against.

The product computes the waterfall once, for every enterprise together (subsidy.allocate.waterfall
.cost_lines). This is the rule as the spec states it, one enterprise at a time, in dicts and
Python integers: slow, obvious, and independent.
"""

from __future__ import annotations

from subsidy.allocate.waterfall import OwnFundsSplit, to_fen
from subsidy.scenario.model import Category, Enterprise


def pro_rata(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split `total` fen in proportion to `weights` (largest remainder, ties by key).

    The parts sum to `total` exactly and none exceeds its weight when total ≤ Σ weights.
    """
    whole = sum(weights.values())
    if whole == 0 or total == 0:
        return {k: 0 for k in weights}
    shares = {k: total * w // whole for k, w in weights.items()}
    remainders = sorted(weights, key=lambda k: (-(total * weights[k] % whole), k))
    for k in remainders[: total - sum(shares.values())]:
        shares[k] += 1
    return shares



def apply_own_funds(enterprise: Enterprise, categories: dict[str, Category]) -> OwnFundsSplit:
    """The waterfall of the enterprise's rule: statutory classes in order, or pro rata over all.

    Under `free` nothing is applied here; own funds become a source in the LP instead.
    """
    costs = {c: to_fen(a) for c, a in sorted(enterprise.costs.items())}
    available = to_fen(enterprise.own_funds_total)
    if enterprise.own_funds_rule == "free":
        return OwnFundsSplit(applied={c: 0 for c in costs}, residual=dict(costs), unused=available)
    if enterprise.own_funds_rule == "proportional":
        classes = [list(costs)]
    else:
        order = sorted({categories[c].own_funds_class for c in costs})
        classes = [[c for c in costs if categories[c].own_funds_class == k] for k in order]
    applied = {c: 0 for c in costs}
    for members in classes:
        need = {c: costs[c] for c in members}
        whole = sum(need.values())
        pay = min(available, whole)
        # pro_rata of the whole is the needs themselves, of nothing is nothing: skip the split.
        shares = need if pay == whole else pro_rata(pay, need) if pay else dict.fromkeys(need, 0)
        for c, part in shares.items():
            applied[c] = part
        available -= pay
    residual = {c: costs[c] - applied[c] for c in costs}
    return OwnFundsSplit(applied=applied, residual=residual, unused=available)
