"""Own funds before public funds: hand-worked waterfalls, in fen."""

from decimal import Decimal

from conftest import make_scenario
from subsidy.allocate.waterfall import from_fen
from waterfall_reference import apply_own_funds, pro_rata

WENQUAN = {"region": "湖北/咸宁", "industry": "cement", 
    "id": "wenquan",
    "costs": {"pooled_fund_repayment": 30, "resettlement": 453.6, "retiree_social_insurance": 110,
              "restructuring": 50, "bank_debt": 350},
    "own_funds": {"asset_sales": 640},
}


def split_of(ent, **extra):
    scenario = make_scenario([ent], **extra)
    return apply_own_funds(scenario.enterprises[0], scenario.category_table)


def test_statutory_wenquan_by_hand():
    # 640 pays class 0 restructuring 50 (590 left), class 1 resettlement 453.6 (136.4 left),
    # class 2 retirees 110 (26.4 left), then class 3 pro rata: pooled 30 and bank 350 share 26.4:
    # 30 × 26.4 / 380 = 2.0842 → 2.08 and 350 × 26.4 / 380 = 24.3158 → 24.32 (2.08 + 24.32 = 26.40).
    split = split_of(WENQUAN)
    applied = {c: from_fen(v) for c, v in split.applied.items()}
    assert applied == {
        "restructuring": Decimal("50.00"), "resettlement": Decimal("453.60"),
        "retiree_social_insurance": Decimal("110.00"), "pooled_fund_repayment": Decimal("2.08"),
        "bank_debt": Decimal("24.32"),
    }
    assert from_fen(sum(split.residual.values())) == Decimal("353.60")  # the seed's gap
    assert from_fen(split.residual["bank_debt"]) == Decimal("325.68")
    assert split.unused == 0


def test_proportional_spreads_over_all_lines():
    # 100 of own funds over 300 + 100 of costs: a quarter of each line.
    split = split_of({"costs": {"resettlement": 300, "bank_debt": 100}, "own_funds": {"sale": 100},
                      "own_funds_rule": "proportional"})
    assert split.applied == {"bank_debt": 2500, "resettlement": 7500}
    assert split.residual == {"bank_debt": 7500, "resettlement": 22500}


def test_statutory_pays_higher_class_first_even_if_small_weight():
    # Dismantling (class 0, weight 1) is paid before resettlement (class 1, weight 3).
    split = split_of({"costs": {"resettlement": 100, "dismantling": 40}, "own_funds": {"sale": 50}})
    assert split.applied == {"dismantling": 4000, "resettlement": 1000}


def test_own_funds_larger_than_costs_leave_unused():
    split = split_of({"costs": {"bank_debt": 10}, "own_funds": {"sale": 25.5}})
    assert split.residual == {"bank_debt": 0}
    assert split.unused == 1550


def test_free_rule_applies_nothing_before_the_lp():
    split = split_of({"costs": {"bank_debt": 10}, "own_funds": {"sale": 4}, "own_funds_rule": "free"})
    assert split.applied == {"bank_debt": 0} and split.residual == {"bank_debt": 1000}
    assert split.unused == 400


def test_scenario_may_move_a_category_to_another_class():
    # bank_debt moved to class 0: now paid before resettlement.
    split = split_of({"costs": {"resettlement": 100, "bank_debt": 100}, "own_funds": {"sale": 100}},
                     categories={"bank_debt": {"class": 0}})
    assert split.applied == {"bank_debt": 10000, "resettlement": 0}


def test_pro_rata_sums_exactly_and_breaks_ties_by_name():
    # 100 fen over three equal lines: 34 + 33 + 33, the extra fen to the first name.
    assert pro_rata(100, {"b": 1, "a": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    parts = pro_rata(2639, {"pooled": 3000, "bank": 35000})
    assert parts == {"pooled": 208, "bank": 2431} and sum(parts.values()) == 2639
