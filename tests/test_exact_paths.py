"""Every method exact (issue 16): the LP and CBC as right as the flow, in whole fen.

The reference is tests/rational_lp.py, an exact simplex over fractions written apart from the
package; the cases below are the defects it found, each small enough to work by hand.
"""

from __future__ import annotations

import yaml

from run_cli import run

WEIGHT_ZERO_FUND_FIRST = {
    # A fund of budget 0 that may pay only operating losses (weight 0), listed before a fund that
    # pays the rest: its budget rule covers no arc that saves anything, so it has no variable in
    # the shadow-price dual. CBC then left it out of its solution file and PuLP stopped reading
    # it back (KeyError 'u0', exit 70).
    "name": "weight-0 rule first",
    "enterprises": [{"id": "e1", "name": "甲厂", "costs": {"resettlement": "10", "bank_debt": "5", "operating_loss": "4"}}],
    "funds": [
        {"id": "zero", "name": "零预算", "budget": "0", "categories": ["operating_loss"]},
        {"id": "f", "name": "省级", "budget": "8", "categories": ["resettlement", "bank_debt"]},
    ],
}


def test_cbc_prices_a_rule_with_no_variable_in_the_dual(tmp_path):
    # Fund f's 8 go to resettlement (weight 3): weighted gap 3·(10 − 8) + 1·5 + 0·4 = 11.
    # One more 万元 of f saves 3 (2 of resettlement are still open); the zero fund's budget
    # saves nothing (it may pay only weight-0 losses).
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(WEIGHT_ZERO_FUND_FIRST, allow_unicode=True), encoding="utf-8")
    out = run("solve", path, "--solver", "cbc", "--out", tmp_path / "o", "--quiet")
    assert out.code == 0, out.stderr
    funds = (tmp_path / "o" / "funds.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[0] + "," + row.split(",")[-1] for row in funds[1:]] == ["zero,0.0", "f,3.0"]
    assert '"objective_weighted_gap": 11.0' in (tmp_path / "o" / "summary.json").read_text(encoding="utf-8")
    for command in ("explain", "close-gap"):
        out = run(command, path, "--solver", "cbc")
        assert out.code == 0, (command, out.stderr)
