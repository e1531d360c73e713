"""Random valid scenarios for the property tests (hypothesis), as plain data a file would hold.

Kept small (≤ 5 enterprises, ≤ 4 funds) so that hundreds solve in seconds, but covering every
rule: the three own-funds rules, scopes by region/industry/enterprise, all four caps, custom
categories, fairness on and off, and amounts from one fen to 10^9 万元.
"""

from __future__ import annotations

import os
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from subsidy.scenario.model import DEFAULT_CATEGORIES

EXAMPLES = int(os.environ.get("SUBSIDY_FUZZ_EXAMPLES", "25"))
"""Examples per property; CI keeps the default, `SUBSIDY_FUZZ_EXAMPLES=2000 pytest` digs deeper."""

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=os.environ.get("SUBSIDY_FUZZ_RANDOM") is None,  # fixed examples unless asked
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

REGIONS = ["湖北/咸宁/咸安", "湖北/咸宁", "湖北/武汉/青山", "云南/楚雄", "山东/淄博/临淄"]
SCOPE_REGIONS = ["湖北", "湖北/咸宁", "云南", "山东/淄博"]
INDUSTRIES = ["carbide", "cement", "coke", "paper"]
CATEGORIES = sorted(DEFAULT_CATEGORIES) + ["custom_line"]


def fen_amounts(max_fen: int = 10**11) -> st.SearchStrategy[int]:
    """Mostly everyday amounts, sometimes one fen, sometimes up to 10^9 万元."""
    return st.one_of(
        st.integers(0, 100_000),  # up to 1,000 万元
        st.integers(0, 10_000_000),
        st.sampled_from([0, 1, 99, 100, 10**10, max_fen]),
        st.integers(0, max_fen),
    )


def money(max_fen: int = 10**11) -> st.SearchStrategy[str]:
    """An amount as a clerk writes it: a string with at most 2 decimals."""
    return fen_amounts(max_fen).map(lambda fen: str(Decimal(fen) / 100))


@st.composite
def enterprise(draw, eid: str) -> dict:
    costs = draw(st.dictionaries(st.sampled_from(CATEGORIES), money(), min_size=0, max_size=5))
    data = {
        "id": eid,
        "name": f"企业 {eid}",
        "region": draw(st.sampled_from(REGIONS)),
        "industry": draw(st.sampled_from(INDUSTRIES)),
        "costs": costs,
        "own_funds_rule": draw(st.sampled_from(["statutory", "proportional", "free"])),
    }
    if draw(st.booleans()):
        data["capacity"] = {"amount": draw(st.sampled_from(["0", "0.5", "1", "2.35", "12", "300"]))}
    if draw(st.booleans()):
        data["own_funds"] = {"asset_sales": draw(money()), **({"land": draw(money())} if draw(st.booleans()) else {})}
    if draw(st.booleans()):
        data["workers"] = draw(st.sampled_from([0, 1, 7, 90, 386, 100_000]))
    return data


@st.composite
def fund(draw, fid: str, enterprise_ids: list[str]) -> dict:
    data = {
        "id": fid,
        "name": f"资金 {fid}",
        "level": draw(st.sampled_from(["central", "provincial", "municipal", "county", "other"])),
        "budget": draw(money()),
        "categories": draw(st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=6)),
    }
    scope = {}
    if draw(st.booleans()):
        scope["regions"] = draw(st.lists(st.sampled_from(SCOPE_REGIONS), unique=True, max_size=2))
    if draw(st.booleans()):
        scope["industries"] = draw(st.lists(st.sampled_from(INDUSTRIES), unique=True, max_size=3))
    if enterprise_ids and draw(st.integers(0, 3)) == 0:
        scope["enterprises"] = draw(st.lists(st.sampled_from(enterprise_ids), unique=True, max_size=3))
    if scope:
        data["scope"] = scope
    caps = {}
    if draw(st.booleans()):
        caps["per_enterprise"] = draw(money())
    if draw(st.booleans()):
        caps["per_capacity"] = draw(st.dictionaries(st.sampled_from(INDUSTRIES), st.sampled_from(["0", "1.5", "150", "2000"]), max_size=2))
    if draw(st.integers(0, 2)) == 0:  # a per-worker standard, e.g. 1.1751 万元 per worker (4 decimals)
        caps["per_worker"] = draw(st.sampled_from(["0", "0.8", "1.1751", "3"]))
    if draw(st.booleans()):
        caps["share_of_need"] = draw(st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.8, 1.0]), st.integers(0, 1000).map(lambda k: k / 1000)))
    if caps:
        data["caps"] = caps
    return data


@st.composite
def scenario_data(draw, min_enterprises: int = 1, max_enterprises: int = 5, max_funds: int = 4) -> dict:
    n_ent = draw(st.integers(min_enterprises, max_enterprises))
    ids = [f"e{i}" for i in range(n_ent)]
    n_funds = draw(st.integers(0, max_funds))
    data = {
        "name": "fuzz",
        "categories": {"custom_line": {"label_zh": "其他费用", "weight": draw(st.sampled_from([0, 0.5, 1, 2])), "class": draw(st.integers(0, 3))}},
        "enterprises": [draw(enterprise(eid)) for eid in ids],
        "funds": [draw(fund(f"f{i}", ids)) for i in range(n_funds)],
        "policy": {"fairness": draw(st.booleans())},
    }
    if draw(st.integers(0, 4)) == 0:  # now and then re-weight a default category
        data["categories"]["bank_debt"] = {"weight": draw(st.sampled_from([0, 1, 5]))}
    return data
