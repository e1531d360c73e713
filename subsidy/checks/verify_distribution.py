"""The verifier's own reading of the factor method (因素法): each region's amount recomputed from
the schema and checked against what the table pays that region's enterprises.

Independent of `allocate.distribution` (which the solve used): the factor sums are read off the
enterprises the fund's scope admits, one region at a time, each share is one exact fraction over a
common denominator, and the whole fen are apportioned with integer `divmod` (floors, then one fen
each to the largest remainders, ties by region name). A table passes only if, for every fund and
region, Σ of the fund's rows to that region's enterprises ≤ the region's amount.

With `share` < 1 only D = ⌊share × budget⌋ fen is split, and the pool U = budget − D tops up any
region. The solve carries it as a variable z_r ≥ 0 per region (Σ z_r ≤ U); read without them, a
table is possible exactly when Σ_r max(0, paid_r − A_r) ≤ U (take z_r = max(0, paid_r − A_r), the
least each region needs; no smaller z will do). So a region is over only by what the pool cannot
cover: the regions above their amounts are flagged together, under `distribution_pool[fund]`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable

from subsidy.scenario.model import Fund, Scenario


def _region(path: str, level) -> str:
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[: int(level)])


def region_caps(scenario: Scenario, fund: Fund) -> tuple[dict[str, int], dict[str, str]]:
    """(region → amount in fen, enterprise id → region) of one fund's distribution."""
    dist = fund.distribution
    difficulty = {r.path: Fraction(r.difficulty) for r in scenario.regions}
    weights = {y: Fraction(w) for y, w in dist.early_exit_weights.items()}
    per_level = dist.level != "enterprise"
    region_of: dict[str, str] = {}
    sums: dict[str, list[Fraction]] = {}
    for e in scenario.enterprises:
        if not fund.scope.admits(e):
            continue
        r = _region(e.region, dist.level) if per_level else e.id
        region_of[e.id] = r
        cap = Fraction(e.capacity.amount) * weights.get(e.exit_year, Fraction(1)) if e.capacity else Fraction(0)
        if r not in sums:
            sums[r] = [Fraction(0), Fraction(0), difficulty.get(r if per_level else e.region, Fraction(1))]
        sums[r][0] += cap
        sums[r][1] += e.workers or 0
    totals = [sum(v[k] for v in sums.values()) for k in range(3)]
    given = (Fraction(dist.factors.capacity), Fraction(dist.factors.workers), Fraction(dist.factors.difficulty))
    w = [g / sum(given) for g in given]
    share = {r: sum((w[k] * v[k] / totals[k] for k in range(3) if w[k]), Fraction(0)) for r, v in sums.items()}
    budget = int(fund.budget * 100)
    share_num, share_den = Fraction(dist.share).as_integer_ratio()
    budget = budget * share_num // share_den  # D: the part split by the factors, rounded down
    base, rest = {}, {}
    for r, s in share.items():
        base[r], rem = divmod(budget * s.numerator, s.denominator)
        rest[r] = Fraction(rem, s.denominator)
    for r in sorted(share, key=lambda r: (-rest[r], r))[: budget - sum(base.values())]:
        base[r] += 1
    return base, region_of


def pool_amount(fund: Fund) -> int:
    """U in fen: the budget less the part split by the factors (0 when share is 1)."""
    fen = int(fund.budget * 100)
    num, den = Fraction(fund.distribution.share).as_integer_ratio()
    return fen - fen * num // den


def check_distributions(scenario: Scenario, fund_col: list[str], ent_col: list[str], fen: list[int],
                        flag: Callable[..., None], money: Callable[[int], str]) -> None:
    """Flag distribution[f,region] wherever a fund pays a region's enterprises more than its amount."""
    for fund in scenario.funds:
        if fund.distribution is None:
            continue
        caps, region_of = region_caps(scenario, fund)
        paid = dict.fromkeys(caps, 0)
        for f, e, a in zip(fund_col, ent_col, fen):
            if f == fund.id and e in region_of:
                paid[region_of[e]] += a
        pool = pool_amount(fund)
        above = {r: paid[r] - caps[r] for r in sorted(caps) if paid[r] > caps[r]}
        if pool == 0:
            for r, over in above.items():
                flag(f"distribution[{fund.id},{r}]", "distribution_over", paid=money(paid[r]), amount=money(caps[r]),
                     over=money(over))
        elif sum(above.values()) > pool:
            flag(f"distribution_pool[{fund.id}]", "distribution_pool_over", regions=", ".join(above), above=money(sum(above.values())),
                 pool=money(pool), over=money(sum(above.values()) - pool))
