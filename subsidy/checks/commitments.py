"""Commitments the data alone show impossible, in words, before anything is solved.

A commitment (a decision already taken: `commitments:` in the scenario) is the one rule that asks
for money rather than limiting it, so it can contradict the others. Where the figures alone show
it (a least beyond its fund's budget, its fund's cap for the enterprise, the line's residual need,
or money the fund may not pay at all; leasts that add up beyond one of those; a least above its
own most) `diagnose` reports an error naming the rules and the amounts, `validate` prints it and
`solve` stops with exit 2. What only the optimisation can show (commitments that each fit but
not together through shared lines) ends the solve with exit 3 instead.

Independent of `allocate.rules`: eligibility, caps and needs are read off the schema and the
own-funds waterfall, as the verifier reads them.
"""

from __future__ import annotations

from decimal import Decimal

from subsidy.allocate.waterfall import CostLines, floor_fen, from_fen, to_fen
from subsidy.scenario.model import Commitment, Scenario


def commitment_conflicts(scenario: Scenario, lines: CostLines) -> list[tuple[str, str]]:
    """(code, message) for each contradiction the data show; [] when there are no commitments."""
    if not scenario.commitments:
        return []
    funds = {f.id: f for f in scenario.funds}
    ents = {e.id: e for e in scenario.enterprises}
    index = {e: i for i, e in enumerate(lines.enterprises)}
    starts = lines.starts.tolist()
    out: list[tuple[str, str]] = []

    def money(fen: int) -> str:
        return f"{from_fen(fen)} {scenario.unit}"

    def residual(eid: str) -> dict[str, int]:
        i = index.get(eid)
        if i is None:
            return {}
        span = range(starts[i], starts[i + 1])
        return {lines.categories[int(lines.category[k])]: int(lines.residual[k]) for k in span}

    def line_room(c: Commitment, cat: str, need: int) -> int:
        share = funds[c.fund].caps.share_of_need
        return need if share is None else min(need, floor_fen(Decimal(repr(share)) * need / 100))

    least = {id(c): to_fen(c.lower) if c.lower is not None else 0 for c in scenario.commitments}
    for c in scenario.commitments:
        low = least[id(c)]
        fund, ent = funds[c.fund], ents[c.enterprise]
        if c.upper is not None and low > to_fen(c.upper):
            out.append((f"commitment_conflict[{c.rule}]", f"{c.rule}: at_least {money(low)} is above at_most {money(to_fen(c.upper))}"))
        if low == 0:
            continue
        why = None
        if not fund.scope.admits(ent):
            why = f"fund {fund.id}'s scope does not admit enterprise {ent.id}"
        elif c.category is not None and c.category not in fund.categories:
            why = f"fund {fund.id} may not pay {c.category!r} (it pays {', '.join(fund.categories) or 'nothing'})"
        if why:
            out.append((f"commitment_conflict[{c.rule}]", f"{c.rule} commits {money(low)}, but {why}"))
            continue
        needs = residual(ent.id)
        cats = [c.category] if c.category is not None else [k for k in fund.categories if k in needs]
        room = sum(line_room(c, k, needs.get(k, 0)) for k in cats)
        limits = [(f"budget[{fund.id}]", to_fen(fund.budget))]
        cap = fund.enterprise_cap(ent)
        if cap is not None:
            limits.append((f"cap_enterprise[{fund.id},{ent.id}]", floor_fen(cap)))
        what = f"need[{ent.id},{c.category}]" if c.category is not None else f"the residual needs fund {fund.id} may pay at {ent.id}"
        if fund.caps.share_of_need is not None and fund.caps.share_of_need < 1:
            what += f" within cap_share ({fund.caps.share_of_need:g} of each line)"
        limits.append((what, room))
        for name, limit in limits:
            if low > limit:
                out.append((f"commitment_conflict[{c.rule}]", f"{c.rule} commits {money(low)}, beyond {name}: {money(limit)}"))
                break
    # Leasts that fit one by one but not together: one fund's budget, one line's need, one
    # fund's cap for one enterprise.
    groups: dict[tuple, list[Commitment]] = {}
    for c in scenario.commitments:
        if least[id(c)] > 0:
            groups.setdefault(("budget", c.fund), []).append(c)
            if c.category is not None:
                groups.setdefault(("need", c.enterprise, c.category), []).append(c)
                groups.setdefault(("cap", c.fund, c.enterprise), []).append(c)
    for key, mine in groups.items():
        if len(mine) < 2:
            continue
        total = sum(least[id(c)] for c in mine)
        if key[0] == "budget":
            name, limit = f"budget[{key[1]}]", to_fen(funds[key[1]].budget)
        elif key[0] == "need":
            name, limit = f"need[{key[1]},{key[2]}]", residual(key[1]).get(key[2], 0)
        else:
            cap = funds[key[1]].enterprise_cap(ents[key[2]])
            if cap is None:
                continue
            name, limit = f"cap_enterprise[{key[1]},{key[2]}]", floor_fen(cap)
        if total > limit:
            rules = ", ".join(f"{c.rule} {money(least[id(c)])}" for c in mine)
            out.append((f"commitment_conflict[{name}]", f"commitments {rules} add up to {money(total)}, beyond {name}: {money(limit)}"))
    for c in scenario.commitments:  # a most on a fund's total to an enterprise, below its lines' leasts
        mine = groups.get(("cap", c.fund, c.enterprise), [])
        if c.category is None and c.upper is not None and mine and sum(least[id(k)] for k in mine) > to_fen(c.upper):
            total = sum(least[id(k)] for k in mine)
            rules = ", ".join(f"{k.rule} {money(least[id(k)])}" for k in mine)
            out.append((f"commitment_conflict[{c.rule}]", f"commitments {rules} add up to {money(total)}, beyond {c.rule}: at most {money(to_fen(c.upper))}"))
    return out
