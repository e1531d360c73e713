"""The independent check of a programme over several years: the year rules, read off the schema.

Nothing here comes from `allocate.timing` (the network) or a stage: the programme's years, each
fund's money by year and its `carry_over`, what falls due by year and who may pay it are read
from the scenario again, and the written tables are checked against them in whole fen:

  eligible[f,e,c]          money only where fund f may pay category c of enterprise e, in a year of the programme
  arrived[f,y]             carry_over: what f has paid by y ≤ what has arrived by y;
                           without: what f pays in y ≤ that year's tranche (the rest lapses)
  due[e,c,y]               own funds + funds paid by y ≤ what is due by y (nothing paid ahead of its year)
  own_funds[e,y]           own funds applied by y ≤ own funds arrived by y
  arrears[e,c,y]           the gaps table's arrears = due − own funds − funds, by y
  total[...]               the total rows and summary.json sum their columns
  cap_enterprise[f,e]      Σ over the years and e's lines of what f pays e ≤ min(per_enterprise,
                           per_capacity × capacity, per_worker × workers), in whole fen rounded down
  cap_share[f,e,c]         Σ over the years of what f pays line (e, c) ≤ share_of_need × the line's
                           due less own funds over all years, rounded down to the fen
  commitment[f,e(,c)(,y)]  what f pays e (in c) in year y, or over all the years without one:
                           = amount, ≥ at_least, ≤ at_most
  coverage[e,c]            minimum coverage at the end: own funds + funds over the years ≥ share × the
                           line's cost over the years (q·(own + funded) ≥ p·cost, in integer fen)

The statutory order inside each year is the one waterfall's (`allocate.waterfall`, tested
against a plain reference there); its totals are checked here as above.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from subsidy.allocate.waterfall import floor_fen
from subsidy.checks.verify import Violation, _money
from subsidy.scenario.model import Scenario
from subsidy.scenario.years import schedule


def _fen(amount: Decimal) -> int:
    return int(amount * 100)


def verify_programme(scenario: Scenario, allocations: dict, gaps: dict, summary: dict) -> list[Violation]:
    """Violations of the year rules by the tables (columns: money in whole fen)."""
    years = list(scenario.years)
    out: list[Violation] = []
    funds = {f.id: f for f in scenario.funds}
    ents = {e.id: e for e in scenario.enterprises}
    pay = defaultdict(int)  # (fund, year) → fen
    to_enterprise = defaultdict(int)  # (fund, enterprise) → fen over the years
    to_line = defaultdict(int)  # (fund, enterprise, category) → fen over the years
    committed = defaultdict(int)  # (fund, enterprise, category or None, year or None) → fen
    paid = defaultdict(int)  # (enterprise, category, year) → fen
    admits: dict[tuple, bool] = {}
    for f, y, e, c, a in zip(allocations["fund"], allocations["year"], allocations["enterprise"], allocations["category"],
                             allocations["amount"].tolist()):
        fund, ent = funds.get(f), ents.get(e)
        if fund is not None and ent is not None and (f, e) not in admits:
            admits[f, e] = fund.scope.admits(ent)
        if a < 0 or fund is None or ent is None or y not in years or c not in ent.costs or c not in fund.categories \
                or not admits[f, e]:
            out.append(Violation.of(f"eligible[{f},{e},{c}]", "year_not_eligible", paid=_money(a), year=y))
            continue
        pay[f, y] += a
        paid[e, c, y] += a
        to_enterprise[f, e] += a
        to_line[f, e, c] += a
        for key in ((f, e, c, y), (f, e, None, y), (f, e, c, None), (f, e, None, None)):
            committed[key] += a
    for f in scenario.funds:
        arrived = schedule(f.budget, f.tranches, years)
        total_in = total_out = 0
        for y in years:
            total_in, total_out = total_in + _fen(arrived[y]), total_out + pay[f.id, y]
            limit, spent = (total_in, total_out) if f.carry_over else (_fen(arrived[y]), pay[f.id, y])
            if spent > limit:
                out.append(Violation.of(f"arrived[{f.id},{y}]", "year_arrived", paid=_money(spent), arrived=_money(limit)))
    own_by = defaultdict(int)
    rows = zip(gaps["enterprise"], gaps["category"], gaps["year"], gaps["due"].tolist(), gaps["own_funds"].tolist(),
               gaps["funded"].tolist(), gaps["arrears"].tolist())
    running: dict[tuple, list[int]] = {}
    final_gap = 0
    due_by: dict[tuple, dict] = {}  # (enterprise, category) → {year: fen}, read once per line
    public_need: dict[tuple, int] = defaultdict(int)  # (enterprise, category) → due less own funds over the years
    covered: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # (enterprise, category) → [cost, own + funded] over the years
    for e, c, y, due, own, funded, arrears in rows:
        ent = ents[e]
        if y not in years:  # the line's total row: sums of its years, arrears the last year's
            d, o, p, last = running.pop((e, c), (0, 0, 0, 0))
            final_gap += arrears
            if (due, own, funded, arrears) != (d, o, p, last):
                out.append(Violation.of(f"total[{e},{c}]", "year_total_row"))
            continue
        if (e, c) not in due_by:
            due_by[e, c] = {yy: _fen(a) for yy, a in schedule(ent.costs[c], ent.costs_due.get(c), years).items()}
        want_due = due_by[e, c][y]
        d, o, p, _ = running.get((e, c), [0, 0, 0, 0])
        d, o, p = d + due, o + own, p + paid[e, c, y]
        running[e, c] = [d, o, p, d - o - p]
        own_by[e, y] += own
        public_need[e, c] += due - own
        covered[e, c][0] += due
        covered[e, c][1] += own + paid[e, c, y]
        if due != want_due:
            out.append(Violation.of(f"due[{e},{c},{y}]", "year_due_differs", table=_money(due), want=_money(want_due)))
        if funded != paid[e, c, y]:
            out.append(Violation.of(f"total[{e},{c},{y}]", "year_funded_differs", funded=_money(funded), paid=_money(paid[e, c, y])))
        if o + p > d:
            out.append(Violation.of(f"due[{e},{c},{y}]", "year_paid_ahead", paid=_money(o + p), year=y, due=_money(d)))
        if arrears != d - o - p:
            out.append(Violation.of(f"arrears[{e},{c},{y}]", "year_arrears_differs", table=_money(arrears), want=_money(d - o - p)))
    for e, ent in ents.items():
        if not ent.own_funds:
            continue
        arriving = [schedule(total, ent.own_funds_arrive.get(src), years) for src, total in ent.own_funds.items()]
        arrived = applied = 0
        for y in years:
            arrived += sum(_fen(s[y]) for s in arriving)
            applied += own_by[e, y]
            if applied > arrived:
                out.append(Violation.of(f"own_funds[{e},{y}]", "year_own_ahead", applied=_money(applied), year=y, arrived=_money(arrived)))
    out += _caps_over_the_years(scenario, to_enterprise, to_line, public_need)
    for (e, c), (cost, have) in covered.items():
        share = scenario.policy.minimum_coverage.get(c)
        if share is None:
            continue
        p, q = Decimal(repr(share)).as_integer_ratio()
        if have * q < p * cost:
            least = -(-p * cost // q)
            out.append(Violation.of(f"coverage[{e},{c}]", "coverage_short", have=_money(have), share=f"{share:g}", cost=_money(cost),
                                    least=_money(least), short=_money(least - have)))
    for c in scenario.commitments:
        got = committed.get((c.fund, c.enterprise, c.category, c.year), 0)
        low, high = (_fen(v) if v is not None else None for v in (c.lower, c.upper))
        if low is not None and got < low:
            out.append(Violation.of(c.rule, "commit_short" if c.amount is not None else "commit_short_least", got=_money(got),
                                    bound=_money(low), short=_money(low - got)))
        elif high is not None and got > high:
            out.append(Violation.of(c.rule, "commit_over" if c.amount is not None else "commit_over_most", got=_money(got),
                                    bound=_money(high), over=_money(got - high)))
    total_funded = int(allocations["amount"].sum())
    for key, fen in (("total_funded", total_funded), ("total_gap", final_gap)):
        if round(summary[key] * 100) != fen:
            out.append(Violation.of(f"total[summary.{key}]", "year_summary_differs", summary=summary[key], tables=_money(fen)))
    if running:
        out.append(Violation.of("total[gaps]", "year_no_total", n=len(running)))
    return out


def _caps_over_the_years(scenario: Scenario, to_enterprise: dict, to_line: dict, public_need: dict) -> list[Violation]:
    """The funds' caps, each over all the years of the programme (module docstring)."""
    out: list[Violation] = []
    ents = {e.id: e for e in scenario.enterprises}
    for fund in scenario.funds:
        for (f, e), amount in sorted(to_enterprise.items()):
            if f != fund.id:
                continue
            cap = fund.enterprise_cap(ents[e])
            if cap is not None and amount > floor_fen(cap):
                out.append(Violation.of(f"cap_enterprise[{f},{e}]", "cap_over", got=_money(amount), bound=_money(floor_fen(cap)),
                                        over=_money(amount - floor_fen(cap))))
        share = fund.caps.share_of_need
        if share is None or share >= 1:
            continue
        p, q = Decimal(repr(share)).as_integer_ratio()
        for (f, e, c), amount in sorted(to_line.items()):
            base = public_need.get((e, c), 0)
            if f == fund.id and amount > p * base // q:
                out.append(Violation.of(f"cap_share[{f},{e},{c}]", "share_over", got=_money(amount), share=f"{share:g}",
                                        base=_money(base), bound=_money(p * base // q), over=_money(amount - p * base // q)))
    return out
