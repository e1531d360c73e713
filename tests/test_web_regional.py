"""A clerk's view of a solve: only their regions' enterprises and lines, totals over them alone,
and nothing of another region in the page, the downloads or the htmx fragments, whatever URL or
form field they try."""

from __future__ import annotations

import re

import pytest

from conftest import optional_module
from web_support import Browser, InlinePool, huanggang_only, make_store, two_counties

optional_module("starlette", "web")


@pytest.fixture
def solved(tmp_path):
    """(store, app, scenario, solve URL) of web_support.two_counties solved by the analyst:
    hb pays 咸宁's xn1 75 and 黄冈's hg1 45; gaps 25 and 15, total 40."""
    from subsidy.web.app import create_app

    store = make_store(f"sqlite:///{tmp_path / 'site.db'}")
    app = create_app(store, document_pool=InlinePool())
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    return store, app, sid, Browser(app, "analyst").post(f"/s/{sid}/v/1/solve").headers["location"]


def lines(csv_bytes: bytes) -> list[str]:
    return csv_bytes.decode("utf-8-sig").splitlines()


def test_a_clerk_sees_their_regions_part_of_a_solve_and_its_totals(solved):
    """咸宁's clerk: xn1 alone, need 100, funded 75, gap 25.00 (not the 40.00 of both counties);
    hb paid their enterprises 75.00 (not the 120.00 it used in all). 黄冈's clerk: hg1, gap 15.00."""
    store, app, sid, solve_url = solved
    xn, hg = Browser(app, "clerk-xn"), Browser(app, "clerk-hg")
    assert f'href="{solve_url}"' in xn.get(f"/s/{sid}").text                     # the scenario page lists the solve
    page = xn.get(solve_url).text
    assert '<strong id="total-gap">25.00</strong>' in page
    assert re.search(r'<td>hb</td><td class="num">75.00</td>', page.split('id="paid-table"')[1])
    for other in ("hg1", "黄冈乙厂", "40.00", "120.00", "15.00", "60.00", "45.00"):
        assert other not in page, other                                          # no figure or name of 黄冈, no whole total
    assert 'id="explain"' not in page and 'id="whatif"' not in page and 'id="approve"' not in page
    page = hg.get(solve_url).text
    assert '<strong id="total-gap">15.00</strong>' in page and "xn1" not in page and "咸宁甲厂" not in page
    # the whole solve stays the analyst's view
    assert '<strong id="total-gap">40.00</strong>' in Browser(app, "analyst").get(solve_url).text


def test_a_clerk_downloads_only_their_lines_and_nothing_of_the_whole(solved):
    store, app, sid, solve_url = solved
    xn = Browser(app, "clerk-xn")
    allocations = lines(xn.get(solve_url + "/files/allocations.csv").content)
    assert allocations[0].startswith("资金,") and allocations[1:] == ["hb,湖北资金,xn1,咸宁甲厂,resettlement,职工安置费,75.00"]
    gaps = lines(xn.get(solve_url + "/files/gaps.csv").content)
    assert gaps[1:] == ["xn1,咸宁甲厂,resettlement,职工安置费,100.00,0.00,75.00,25.00"]
    for name in ("funds.csv", "summary.json", "result.xlsx", "report.html", "report.pdf", "view.json", "scenario.json"):
        assert xn.get(f"{solve_url}/files/{name}").status_code == 403, name
    assert len(lines(Browser(app, "analyst").get(solve_url + "/files/allocations.csv").content)) == 3


def test_a_clerk_reaches_no_other_region_by_url_or_form(solved):
    """Tampering: another scenario's solve under this scenario's URL, a scenario of 黄冈 alone,
    the what-if fragment and save-as-variant (whole-scenario solves), approval, the approved
    commitments of the other county, and the comparison."""
    store, app, sid, solve_url = solved
    analyst, approver, xn = Browser(app, "analyst"), Browser(app, "approver"), Browser(app, "clerk-xn")
    hg_sid = store.create_scenario("黄冈 单县", huanggang_only(), "admin")
    hg_solve = analyst.post(f"/s/{hg_sid}/v/1/solve").headers["location"]
    hg_solve_id = hg_solve.rsplit("/", 1)[1]
    assert xn.get(hg_solve).status_code == 404                                   # 黄冈's scenario does not exist for them
    assert xn.get(f"/s/{sid}/solves/{hg_solve_id}").status_code == 404           # nor its solve under 两县's URL
    assert xn.get(f"/s/{sid}/solves/{hg_solve_id}/files/allocations.csv").status_code == 404
    assert xn.post(f"/s/{sid}/v/1/whatif", {"budget|hb": "1000"}).status_code == 403
    assert xn.post(f"/s/{sid}/v/1/whatif", {"cost|xn1|resettlement": "1"}, headers={"HX-Request": "true"}).status_code == 403
    assert xn.post(f"/s/{sid}/v/1/variant", {"cost|xn1|resettlement": "1"}).status_code == 403
    assert xn.post(solve_url + "/approve").status_code == 403
    assert xn.get(f"/compare?v={sid}:1&v={hg_sid}:1").status_code == 403
    assert len(store.scenario_list()) == 2 and store.version(sid, 1).status == "draft"
    assert approver.post(solve_url + "/approve").status_code == 303
    import yaml

    mine = yaml.safe_load(xn.get(f"/s/{sid}/v/1/commitments.yaml").text)["commitments"]
    assert [(c["enterprise"], c["amount"]) for c in mine] == [("xn1", "75.00")]
    page = xn.get(solve_url).text
    assert "hg1" not in page and "45.00" not in page and "= 75.00" not in page   # v1 carried nothing; only their approved line
    assert "<td>xn1</td><td title=\"resettlement\">职工安置费</td><td class=\"num\">75.00</td>" in page
