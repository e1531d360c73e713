"""Approved allocations carried by later runs: after an approval, every solve of the scenario
(a new version, a what-if, a variant) holds the approved allocation as `commitments`, each
naming the approval; a later approval supersedes it and the earlier one stays in the record."""

from __future__ import annotations

import re

import pytest

from conftest import optional_module
from web_support import Browser, InlinePool, make_store, two_counties

optional_module("starlette", "web")


@pytest.fixture
def site(tmp_path):
    from subsidy.web.app import create_app

    store = make_store(f"sqlite:///{tmp_path / 'site.db'}")
    return store, create_app(store, document_pool=InlinePool())


def two_counties_two_funds() -> dict:
    """web_support.two_counties (xn1 needs 100, hg1 60; hb budget 120, cap 80) with a provincial
    fund sj for resettlement whose budget is 0 until version 2 gives it some."""
    data = two_counties()
    data["funds"].append({"id": "sj", "name": "省级资金", "budget": 0, "categories": ["resettlement"]})
    return data


def total_gap(html: str, element: str = "total-gap") -> str:
    return re.search(rf'<strong id="{element}">([^<]*)</strong>', html).group(1)


def test_a_later_version_whatif_and_variant_carry_the_approved_allocation(site):
    """Version 1: hb pays xn1 75 and hg1 45 (two_counties: gap 40); sj has nothing. Approved.

    Version 2 raises hb's budget 120 → 150 and gives sj 30. Solved afresh it would close the gap
    (hb 80 + 60 = 140 under its cap 80, sj pays xn1's last 20: gap 0). Carrying the approval, hb
    pays exactly 75 and 45 (its other 30 stay unspent) and sj's 30 meets part of the 25 + 15 = 40
    left: gap 10, spread by share of need g1/100 = g2/60, g1 + g2 = 10 → g1 6.25, g2 3.75, so sj
    pays xn1 18.75 and hg1 11.25.

    A what-if with hb's budget 100 < the 75 + 45 approved stops at validation; one with sj 40
    closes the gap (sj pays the 25 + 15 left: 0.00). A variant of version 2 (sj 20) carries them
    too: 40 − 20 = gap 20.00.

    Approving version 2 supersedes version 1's approval: version 3 (hb 200) carries hb 75/45 and
    sj 18.75/11.25 (gap 10 again, 200 − 120 of hb unspent), each naming version 2's approval."""
    store, app = site
    analyst, approver = Browser(app, "analyst"), Browser(app, "approver")
    sid = store.create_scenario("湖北 两县", two_counties_two_funds(), "admin")
    first = analyst.post(f"/s/{sid}/v/1/solve").headers["location"]
    assert total_gap(analyst.get(first).text) == "40.00"
    assert approver.post(first + "/approve").status_code == 303

    assert analyst.post(f"/s/{sid}/save", {"base": "1", "budget|hb": "150", "budget|sj": "30"}).status_code == 303
    second = analyst.post(f"/s/{sid}/v/2/solve").headers["location"]
    page = analyst.get(second).text
    assert total_gap(page) == "10.00"
    carried = re.findall(r"<tr><td>(\w+)</td><td>(\w+)</td><td title=\"resettlement\">职工安置费</td><td class=\"num\">= ([\d.]+)</td><td>([^<]*)</td></tr>",
                         page.split('id="carried"')[1].split("</table>")[0])
    assert sorted((f, e, a) for f, e, a, _source in carried) == [("hb", "hg1", "45.00"), ("hb", "xn1", "75.00")]
    source = carried[0][3]
    # who, when, which version, in the scenario's language (its names are Chinese)
    assert re.fullmatch(r"approver 于 \d{4}-\d\d-\d\d \d\d:\d\d UTC 批准: 湖北 两县 版本 1 \(sha256 [0-9a-f]{12}\), 测算 #1", source)
    solve_id = int(second.rsplit("/", 1)[1])
    import csv

    from subsidy.scenario.labels import column_key

    table = list(csv.reader(store.result_file(solve_id, "allocations.csv").content.decode("utf-8-sig").splitlines()))
    at = {column_key(h): i for i, h in enumerate(table[0])}
    assert sorted((r[at["fund"]], r[at["enterprise"]], r[at["amount"]]) for r in table[1:]) == [
        ("hb", "hg1", "45.00"), ("hb", "xn1", "75.00"), ("sj", "hg1", "11.25"), ("sj", "xn1", "18.75")]

    r = analyst.post(f"/s/{sid}/v/2/whatif", {"budget|hb": "100"})
    assert 'id="whatif-total"' not in r.text and "hb" in r.text and 'class="refused"' in r.text
    assert total_gap(analyst.post(f"/s/{sid}/v/2/whatif", {"budget|sj": "40"}).text, "whatif-total") == "0.00"
    variant = int(analyst.post(f"/s/{sid}/v/2/variant", {"budget|sj": "20"}).headers["location"].rsplit("/", 1)[1])
    assert "commitments" not in store.version(variant).data            # carried at each solve, never copied in
    assert total_gap(analyst.get(analyst.post(f"/s/{variant}/v/1/solve").headers["location"]).text) == "20.00"

    # sj 25 under version 1's approval: hb's 75 + 45 fixed, sj pays 25 of the 40 left: gap 15
    assert total_gap(analyst.post(f"/s/{sid}/v/2/whatif", {"budget|sj": "25"}).text, "whatif-total") == "15.00"
    assert approver.post(second + "/approve").status_code == 303
    # the same what-if under version 2's approval (the app's prepared version is per approval, never
    # stale): sj's approved 18.75 + 11.25 = 30 > 25, refused at validation
    r = analyst.post(f"/s/{sid}/v/2/whatif", {"budget|sj": "25"})
    assert 'id="whatif-total"' not in r.text and 'class="refused"' in r.text and "sj" in r.text
    assert analyst.post(f"/s/{sid}/save", {"base": "2", "budget|hb": "200"}).status_code == 303
    third = analyst.get(analyst.post(f"/s/{sid}/v/3/solve").headers["location"]).text
    assert total_gap(third) == "10.00"
    rows = third.split('id="carried"')[1].split("</table>")[0]
    assert rows.count("<tr><td>") == 4 and "湖北 两县 版本 2" in rows and "湖北 两县 版本 1" not in rows
    assert sorted(c.amount for c in store.commitments_of(sid, 1)) == ["45.00", "75.00"]   # the first approval stays in the record
    assert [r.action for r in store.audit_rows(sid)].count("approve") == 2


def test_a_solve_made_before_a_later_approval_cannot_be_approved(site):
    """Versions 1 and 2 solved; version 1 approved; version 2's solve did not carry that
    approval, so approving it would freeze numbers that ignore it: refused (409), solve again."""
    store, app = site
    analyst, approver = Browser(app, "analyst"), Browser(app, "approver")
    sid = store.create_scenario("湖北 两县", two_counties_two_funds(), "admin")
    analyst.post(f"/s/{sid}/save", {"base": "1", "budget|sj": "30"})
    first = analyst.post(f"/s/{sid}/v/1/solve").headers["location"]
    second = analyst.post(f"/s/{sid}/v/2/solve").headers["location"]
    assert approver.post(first + "/approve").status_code == 303
    r = approver.post(second + "/approve")
    assert r.status_code == 409 and "solve again" in r.text
    assert store.version(sid, 2).status == "draft"
    again = analyst.post(f"/s/{sid}/v/2/solve").headers["location"]
    assert approver.post(again + "/approve").status_code == 303


def test_the_whatif_panel_adds_and_removes_commitments(site):
    """two_counties (gap 40: hb pays xn1 75, hg1 45).

    Adding "hb pays xn1 at most 50": hb pays xn1 50 and hg1 its whole 60 (under the cap 80),
    110 of 120: gap 160 − 110 = 50.00, xn1's row 100 − 50 = 50.00.
    A version with its own commitment "hb pays xn1 exactly 30": xn1 30, hg1 60: gap 70.00;
    ticking it off in the what-if gives back gap 40.00. Neither what-if stores anything; a
    variant keeps the added commitment and the record names it."""
    store, app = site
    analyst = Browser(app, "analyst")
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    solve_url = analyst.post(f"/s/{sid}/v/1/solve").headers["location"]
    page = analyst.get(solve_url).text
    assert 'name="add|0|fund"' in page and '<option value="xn1">' in page
    add = {"add|0|fund": "hb", "add|0|enterprise": "xn1", "add|0|category": "", "add|0|kind": "at_most", "add|0|value": "50"}
    r = analyst.post(f"/s/{sid}/v/1/whatif", add)
    assert total_gap(r.text, "whatif-total") == "50.00"
    assert re.search(r"<td>xn1</td><td>咸宁甲厂</td><td class=\"num\">50.00</td>", r.text)
    assert "commitments" not in store.version(sid).data
    # what is typed is validated by the library: an unknown enterprise is a message, not a solve
    r = analyst.post(f"/s/{sid}/v/1/whatif", {**add, "add|0|enterprise": "nobody"})
    assert 'class="refused"' in r.text and "nobody" in r.text
    variant = int(analyst.post(f"/s/{sid}/v/1/variant", add).headers["location"].rsplit("/", 1)[1])
    assert store.version(variant).data["commitments"] == [{"fund": "hb", "enterprise": "xn1", "at_most": 50, "source": "what-if by analyst"}]
    made = [r for r in store.audit_rows(variant) if r.action == "variant"][0]
    import json

    assert json.loads(made.detail)["changes"] == [["commitments[hb,xn1].at_most", "", "50"]]

    data = two_counties()
    data["commitments"] = [{"fund": "hb", "enterprise": "xn1", "category": "resettlement", "amount": 30}]
    own = store.create_scenario("湖北 两县 (已定 30)", data, "admin")
    own_url = analyst.post(f"/s/{own}/v/1/solve").headers["location"]
    page = analyst.get(own_url).text
    assert total_gap(page) == "70.00" and 'name="drop|0"' in page
    assert total_gap(analyst.post(f"/s/{own}/v/1/whatif", {"drop|0": "1"}).text, "whatif-total") == "40.00"
    assert analyst.post(f"/s/{own}/v/1/whatif", {"drop|1": "1"}).status_code == 403      # no such commitment: refused
    assert Browser(app, "clerk-xn").post(f"/s/{own}/v/1/whatif", {"drop|0": "1"}).status_code == 403
    assert store.version(own).data["commitments"] == data["commitments"]
