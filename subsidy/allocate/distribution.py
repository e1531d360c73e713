"""The factor method (因素法, 2018 工业企业结构调整专项奖补资金管理办法): a fund's budget split between
regions by factors before any enterprise is paid, each region's amount in whole fen.

A region is the path prefix of depth `level` of an enterprise's region (湖北 for 湖北/咸宁 at level 1),
or each enterprise alone (`level: enterprise`). Over the enterprises the fund's scope admits:

    F_capacity(r)   = Σ capacity × early-exit weight of the exit year (1 when absent or not listed)
    F_workers(r)    = Σ workers
    F_difficulty(r) = the region's difficulty (`regions:`; 1 where not given)
    share(r)        = Σ_k w_k · F_k(r) / Σ_regions F_k      (w_k each weight's part of their sum,
                                                             the weight itself when they add up to 1)

Shares are exact fractions. The part split is D = ⌊s × budget⌋ fen (s = `share`, 1 by default);
amount(r) = D × share(r) is apportioned by largest remainder: each region gets the floor, and the
fen left over go one each to the largest fractional parts, ties by region name (code-point order),
so the amounts add up to D exactly and the same way every run. Each amount is an upper bound on
what the fund pays that region's enterprises (`distribution[fund,region]` in `rules`); the
regions' amounts nest inside the fund's budget, and the fund-enterprise caps inside a region, so
the rules stay a network. The rest, U = budget − D (the pool, 不分地区), tops up any region: what
the fund pays region r is at most A_r + z_r with z_r ≥ 0 and Σ z_r ≤ U
(`distribution_pool[fund]`). As a network that is fund → pool (U) → each region, beside fund →
region (A_r): still a flow; the LP carries one variable z_r per region.

`checks.verify` recomputes all of this on its own; the two must agree to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from subsidy.allocate.waterfall import to_fen
from subsidy.scenario.model import Enterprise, Fund, Scenario


POOL_REGION = "*"
"""The region column of a pool's row in distribution.csv: the part not tied to a region (不分地区)."""


@dataclass(frozen=True)
class RegionAmount:
    """One region of one fund's distribution: its factors, exact share and amount in fen."""

    fund: str
    region: str
    capacity: Fraction  # Σ capacity × early-exit weight
    workers: int
    difficulty: Fraction
    share: Fraction
    amount_fen: int
    enterprises: tuple[str, ...]  # in scope, by id


class DistributionError(ValueError):
    """The data cannot be split by the factors (mixed capacity units, a factor that is 0
    everywhere); `.message_zh` says it in Chinese."""

    def __init__(self, message: str, message_zh: str):
        super().__init__(message)
        self.message_zh = message_zh


def region_key(enterprise: Enterprise, fund: Fund) -> str:
    """The region an enterprise counts in for the fund's distribution."""
    depth = fund.distribution.depth
    if depth is None:
        return enterprise.id
    return "/".join([p for p in enterprise.region.split("/") if p][:depth])


def region_amounts(scenario: Scenario, fund: Fund) -> list[RegionAmount]:
    """The fund's regions, by name, with their amounts; DistributionError when it cannot be split."""
    dist = fund.distribution
    assert dist is not None
    in_scope = [e for e, ok in zip(scenario.enterprises, fund.admits_each(scenario.enterprises)) if ok]
    difficulty = {r.path: Fraction(r.difficulty) for r in scenario.regions}
    units = sorted({e.capacity.unit for e in in_scope if e.capacity is not None})
    if len(units) > 1 and dist.factors.capacity > 0:
        raise DistributionError(
            f"fund {fund.id}: the factor method adds capacity over its enterprises, but they give it in more than one unit ({', '.join(units)}); write every capacity in one unit",
            f"资金 {fund.id}：因素法要把其范围内企业的产能相加，但产能单位不一致（{'、'.join(units)}）；请统一为同一单位")
    groups: dict[str, list[Enterprise]] = {}
    for e in in_scope:
        groups.setdefault(region_key(e, fund), []).append(e)
    names = sorted(groups)
    early = {year: Fraction(w) for year, w in dist.early_exit_weights.items()}
    cap = {}
    for r in names:  # Σ capacity × early-exit weight, the capacities summed per exit year first (exact decimals)
        by_year: dict = {}
        for e in groups[r]:
            if e.capacity is not None:
                by_year[e.exit_year] = by_year.get(e.exit_year, 0) + e.capacity.amount
        cap[r] = sum((Fraction(amount) * early.get(year, Fraction(1)) for year, amount in by_year.items()), Fraction(0))
    work = {r: sum(e.workers or 0 for e in groups[r]) for r in names}
    diff = {r: difficulty.get(groups[r][0].region if dist.depth is None else r, Fraction(1)) for r in names}
    total_weight = Fraction(dist.weight_total)  # weights count as their part of the total (1 in the 2018 method)
    factors = (("capacity", Fraction(dist.factors.capacity) / total_weight, cap), ("workers", Fraction(dist.factors.workers) / total_weight, work),
               ("difficulty", Fraction(dist.factors.difficulty) / total_weight, diff))
    share = {r: Fraction(0) for r in names}
    for name, weight, values in factors:
        total = sum(values.values(), Fraction(0))
        if weight == 0:
            continue
        if total == 0:
            raise DistributionError(
                f"fund {fund.id}: the factor method weighs {name} at {getattr(dist.factors, name)}, but {name} is 0 (or not given) for every enterprise in its scope",
                f"资金 {fund.id}：因素法中“{ {'capacity': '产能', 'workers': '职工人数', 'difficulty': '难度系数'}[name]}”的权重为 {getattr(dist.factors, name)}，但其范围内所有企业的该因素均为 0 或未填")
        for r in names:
            share[r] += weight * values[r] / total
    return [RegionAmount(fund.id, r, cap[r], work[r], diff[r], share[r], fen, tuple(e.id for e in groups[r]))
            for r, fen in zip(names, apportion(split_fen(fund), [share[r] for r in names]))]


def split_fen(fund: Fund) -> int:
    """D = ⌊share × budget⌋ in fen: the part of the budget the factors split between regions."""
    return int(Fraction(fund.distribution.share) * to_fen(fund.budget))


def pool_fen(fund: Fund) -> int:
    """U = budget − D in fen: the pool (不分地区) that tops up any region; 0 when share is 1."""
    return to_fen(fund.budget) - split_fen(fund)


def apportion(total_fen: int, shares: list[Fraction]) -> list[int]:
    """Whole fen adding up to total_fen (the shares add up to 1): floors, then one fen each to
    the largest remainders, earlier position first among equal ones (largest remainder method)."""
    exact = [total_fen * s for s in shares]
    fen = [int(x) for x in exact]  # floors: every share is ≥ 0
    left = total_fen - sum(fen)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - fen[i]), i))
    for i in order[:left]:
        fen[i] += 1
    return fen


def distributions(scenario: Scenario) -> dict[str, list[RegionAmount]]:
    """Fund id → its regions, for every fund with a distribution (in the funds' order)."""
    return {f.id: region_amounts(scenario, f) for f in scenario.funds if f.distribution is not None}


def distribution_errors(scenario: Scenario) -> list[DistributionError]:
    """What keeps a fund's distribution from being split (diagnose reports these as errors)."""
    out = []
    for f in scenario.funds:
        if f.distribution is not None:
            try:
                region_amounts(scenario, f)
            except DistributionError as exc:
                out.append(exc)
    return out


def early_exit_weight(enterprise: Enterprise, fund: Fund) -> Decimal:
    """The weight its capacity counts at in the fund's distribution (for words and tables)."""
    return fund.distribution.early_exit_weights.get(enterprise.exit_year, Decimal(1)) if fund.distribution else Decimal(1)
