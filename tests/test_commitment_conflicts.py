"""The commitments' contradictions as arrays (checks/commitments.py) against the plain loop
(tests/commitments_reference.py), and the share of need a fund may pay, worked by hand.

The array version exists for the workbench's what-if after an approval (the approved allocation,
thousands of lines, is checked on every call); it must find the same contradictions and say them
in the same words and order as the loop, for every kind of finding.
"""

from __future__ import annotations

import copy
import random
from decimal import Decimal

import numpy as np
import pytest

from commitments_reference import reference_conflicts
from subsidy.allocate.waterfall import cost_lines
from subsidy.checks.commitments import commitment_conflicts, share_room
from subsidy.pipeline import solve
from subsidy.scenario.generate import generate
from subsidy.scenario.load import scenario_from_data


@pytest.fixture(scope="module")
def approved() -> dict:
    """A generated scenario of 60 enterprises with its own solve's allocation as commitments (as
    the workbench carries an approval)."""
    data = generate(60, 5, 1)
    rows = solve(scenario_from_data(data), tables=False).allocations
    rows = rows[rows.amount_fen > 0]
    data["commitments"] = [{"fund": f, "enterprise": e, "category": c, "amount": str(Decimal(int(a)) / 100)}
                           for f, e, c, a in zip(rows.fund, rows.enterprise, rows.category, rows.amount_fen.tolist())]
    return data


def spoil(data: dict, seed: int) -> dict:
    """The approved commitments with about one in eight changed so as to contradict the data: a
    tripled amount (beyond a line, a cap or together a budget), a line's amount made the fund's
    whole total to the enterprise (or twenty times it: beyond all its lines), a least above its most, another fund (maybe out of scope or
    not paying the category), a most on a fund's total below its lines' leasts. A second
    commitment for the same fund, enterprise and category is dropped (the schema refuses it)."""
    rng = random.Random(seed)
    data = copy.deepcopy(data)
    funds = [f["id"] for f in data["funds"]]
    out, seen = [], set()
    for c in data["commitments"]:
        x = rng.random()
        if x < 0.04:
            c["amount"] = str(Decimal(c["amount"]) * 3)
        elif x < 0.05:
            c.pop("category")
        elif x < 0.06:
            c.pop("category"), c.update(amount=str(Decimal(c["amount"]) * 20))
        elif x < 0.08:
            c.pop("amount"), c.update(at_least="1", at_most="0.5")
        elif x < 0.11:
            c["fund"] = rng.choice(funds)
        elif x < 0.13:
            c.pop("amount"), c.pop("category"), c.update(at_most="3")
        key = (c["fund"], c["enterprise"], c.get("category"))
        if key in seen or (c["fund"], c["enterprise"], None) in seen:
            continue
        seen.add(key)
        out.append(c)
    data["commitments"] = out
    return data


def test_the_approved_allocation_contradicts_nothing(approved):
    scenario = scenario_from_data(approved)
    assert len(scenario.commitments) > 100
    assert commitment_conflicts(scenario, cost_lines(scenario)) == reference_conflicts(scenario, cost_lines(scenario)) == []


def test_spoiled_commitments_are_found_and_worded_as_the_loop_does(approved):
    kinds = set()
    for seed in range(6):
        scenario = scenario_from_data(spoil(approved, seed))
        lines = cost_lines(scenario)
        found = commitment_conflicts(scenario, lines)
        assert found == reference_conflicts(scenario, lines)
        for _, en, _ in found:
            kinds.update(k for k in ("is above at_most", "scope does not admit", "may not pay", "beyond budget[",
                                     "beyond cap_enterprise[", "beyond need[", "beyond the residual needs", "add up to")
                         if k in en and not (k == "add up to" and ": at most" in en))
            kinds.update(["a most below leasts"] if "beyond commitment[" in en else [])
    # every kind of finding was met, so the agreement above covers each path of both versions
    assert kinds == {"is above at_most", "scope does not admit", "may not pay", "beyond budget[", "beyond cap_enterprise[",
                     "beyond need[", "beyond the residual needs", "add up to", "a most below leasts"}


def test_share_of_need_is_the_written_decimal_of_each_line_rounded_down():
    # 0.7 of 333 fen = 233.1 → 233; of 0 → 0; of 10 → 7
    assert share_room(0.7, np.array([333, 0, 10])).tolist() == [233, 0, 7]
    # no share: the whole need
    assert share_room(None, np.array([5, 9])).tolist() == [5, 9]
    # 0.3333333333333333 (its repr, 16 digits) of 300 fen = 99.99999999999999 → 99; of 10^14 fen
    # the numerator × need passes int64's safe range, so it is taken in Decimal: 33,333,333,333,333.33 → ...333
    assert share_room(1 / 3, np.array([300, 10**14])).tolist() == [99, 33_333_333_333_333]
    # a share of 1 pays the whole line
    assert share_room(1.0, np.array([12_345])).tolist() == [12_345]
