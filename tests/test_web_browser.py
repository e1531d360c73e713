"""The workbench in a real browser: Playwright driving the system's Chromium against a live
server (uvicorn on 127.0.0.1, SQLite). One team's round, as the issue tells it: a clerk uploads a
workbook with one bad cell, sees the message at the cell, fixes it and submits; an analyst
solves, changes a budget in the what-if panel and sees the gap table change; an approver
approves; a clerk of another county cannot see the first county's scenario.

The numbers (万元): xn1 (咸宁) needs resettlement 100; fund hb pays resettlement, budget 120, at
most 80 per enterprise → funded 80, gap 20. What-if budget 50 → funded 50, gap 50.
Set SUBSIDY_SCREENSHOTS=DIR to keep a screenshot of each page (docs/ holds the Chinese ones).
"""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import IN_CI, optional_module
from web_support import DEMO_PASSWORD, GatedPool, make_store, two_counties

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def live(tmp_path):
    """(base URL, store) of a workbench served by uvicorn in a thread."""
    uvicorn = optional_module("uvicorn", "web")
    from subsidy.web.app import create_app

    store = make_store(f"sqlite:///{tmp_path / 'live.db'}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    documents = GatedPool()  # a solve's documents wait until the test opens the gate
    server = uvicorn.Server(uvicorn.Config(create_app(store, document_pool=documents), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store, documents
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def chromium():
    sync_api = optional_module("playwright.sync_api", "web")
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing (scripts/system-packages.sh installs chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def workbook_with_one_bad_cell() -> bytes:
    """The 咸宁 part of two_counties() as an input workbook, xn1's resettlement typed as 'abc'."""
    from openpyxl import load_workbook

    from subsidy.scenario.load import scenario_from_data
    from subsidy.scenario.scenario_xlsx_write import scenario_workbook

    data = two_counties()
    data["name"] = "咸宁 报送"
    data["enterprises"] = data["enterprises"][:1]
    wb = load_workbook(io.BytesIO(scenario_workbook(scenario_from_data(data), "zh")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == 100]
    assert len(cells) == 1                                   # the one cost amount
    cells[0].value = "abc"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sign_in(browser, base: str, name: str):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=user]", name)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{base}/")
    return page


def shot(page, name: str) -> None:
    folder = os.environ.get("SUBSIDY_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_team_round_in_the_browser(live, chromium, tmp_path):
    base, store, documents = live
    store.create_scenario("湖北 两县", two_counties(), "admin")
    upload = tmp_path / "咸宁报送.xlsx"
    upload.write_bytes(workbook_with_one_bad_cell())

    # the clerk of 咸宁: upload, the message at the cell, fix, submit
    clerk = sign_in(chromium, base, "clerk-xn")
    shot(clerk, "scenarios")
    clerk.set_input_files("#file", str(upload))
    clerk.click("#upload")
    clerk.wait_for_url(f"{base}/s/*")
    sid = int(clerk.url.rsplit("/", 1)[1])
    message = clerk.locator('td[data-cell="cost|xn1|resettlement"] .msg')
    assert message.count() == 1
    assert "abc" in message.inner_text()
    shot(clerk, "scenario-bad-cell")
    clerk.fill('input[name="cost|xn1|resettlement"]', "100")
    clerk.click("#save")
    clerk.wait_for_selector("#valid")
    assert clerk.inner_text("#version") == "2"
    clerk.click("#submit")
    clerk.wait_for_selector("#status.status-submitted")
    assert clerk.inner_text("#status") == "已报送"

    # the analyst: solve, then a budget in the what-if panel changes the gap table
    analyst = sign_in(chromium, base, "analyst")
    analyst.goto(f"{base}/s/{sid}")
    analyst.click("#solve")
    analyst.wait_for_selector("#total-gap")
    assert analyst.inner_text("#total-gap") == "20.00"
    solve_url = analyst.url
    # the tables at once, the documents still being made (they wait for the gate), then their
    # links and the explanation appear without reloading: the page polls its documents part
    assert analyst.locator("#waiting .doc-coming").count() == 5 and "正在生成…" in analyst.inner_text("#waiting")
    assert analyst.locator('#documents a[href$="/files/report.pdf"]').count() == 0
    assert analyst.locator("#gap-table tr").count() == 2                     # header and xn1 (the clerk's upload)
    shot(analyst, "solve-documents-coming")
    documents.gate.set()
    analyst.wait_for_selector("#waiting", state="detached", timeout=60_000)  # the last one made, the polling stops
    assert analyst.locator('#documents a[href$="/files/report.pdf"]').count() == 1
    assert analyst.locator("#explain li").count() > 0 and analyst.locator("#close-gap li").count() > 0
    analyst.fill('input[name="budget|hb"]', "50")
    analyst.click("#recompute")
    analyst.wait_for_selector("#whatif-total")
    assert analyst.inner_text("#whatif-total") == "50.00"
    assert "50.00" in analyst.inner_text("#whatif-gaps")           # xn1's gap row: 100 − 50
    shot(analyst, "solve-whatif")

    # the approver approves: the version is frozen, its allocation kept as commitments
    approver = sign_in(chromium, base, "approver")
    approver.goto(solve_url)
    approver.click("#approve")
    approver.wait_for_selector("#commitments")
    assert approver.inner_text("#status") == "已批准"
    assert [c.inner_text() for c in approver.locator("#commitments tr").nth(1).locator("td").all()] == ["hb", "xn1", "职工安置费", "80.00"]
    shot(approver, "approved")
    approver.goto(f"{base}/record?scenario={sid}")
    shot(approver, "record")

    # later runs carry the approved allocation: version 3 (hb's budget 150) is solved with hb
    # paying xn1 exactly the 80 approved (gap 20 as before); a what-if cutting hb to 50, which
    # gave gap 50 before the approval, is now refused: 80 are committed out of a budget of 50
    analyst.goto(f"{base}/s/{sid}")
    analyst.fill('input[name="budget|hb"]', "150")
    analyst.click("#save")
    analyst.wait_for_selector("#valid")
    analyst.click("#solve")
    analyst.wait_for_selector("#carried")
    assert analyst.inner_text("#total-gap") == "20.00"
    carried = [c.inner_text() for c in analyst.locator("#carried tr").nth(1).locator("td").all()]
    assert carried[:4] == ["hb", "xn1", "职工安置费", "= 80.00"] and re.match(r"approver 于 \d{4}-\d\d-\d\d \d\d:\d\d UTC 批准: 咸宁 报送 版本 2 ", carried[4])
    shot(analyst, "solve-carried")
    analyst.fill('input[name="budget|hb"]', "50")
    analyst.click("#recompute")
    analyst.wait_for_selector("#whatif-result .refused")
    assert "commitment[hb,xn1,resettlement]" in analyst.inner_text("#whatif-result")

    # the clerk sees the solve cut to 咸宁: xn1 alone (it is the only enterprise here: gap 20)
    clerk.goto(analyst.url)
    clerk.wait_for_selector("#regional")
    assert clerk.inner_text("#total-gap") == "20.00" and clerk.locator("#explain").count() == 0
    shot(clerk, "solve-clerk")

    # versions 2 and 3 side by side: hb's budget 120 → 150, gap 20 both (the approved 80 fixed)
    analyst.goto(f"{base}/compare?v={sid}:2&v={sid}:3")
    assert "150.00" in analyst.inner_text("body")
    shot(analyst, "compare")

    # a clerk of 黄冈 sees neither the 咸宁 scenario in the list nor by its URL
    other = sign_in(chromium, base, "clerk-hg")
    assert "咸宁 报送" not in other.inner_text("body")
    response = other.goto(f"{base}/s/{sid}")
    assert response.status == 404
    assert "咸宁甲厂" not in other.content()


def test_a_long_solve_does_not_block_other_users(live, monkeypatch):
    """A solve held for 3 s in the worker pool; meanwhile another user's page answers at once."""
    import httpx

    from subsidy.web import work
    from web_support import token_in

    base, store, documents = live
    documents.gate.set()
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    real = work.solve_version

    def slow(*args):
        time.sleep(3)
        return real(*args)

    monkeypatch.setattr(work, "solve_version", slow)

    def signed_in(name: str) -> tuple[httpx.Client, str]:
        client = httpx.Client(base_url=base, timeout=30)
        client.post("/login", data={"user": name, "password": DEMO_PASSWORD, "csrf": token_in(client.get("/login").text)})
        return client, token_in(client.get("/").text)

    analyst, csrf = signed_in("analyst")
    viewer, _ = signed_in("viewer")
    solving = threading.Thread(target=lambda: analyst.post(f"/s/{sid}/v/1/solve", data={"csrf": csrf}))
    start = time.monotonic()
    solving.start()
    time.sleep(0.5)
    page = viewer.get(f"/s/{sid}")
    answered = time.monotonic() - start
    assert page.status_code == 200 and solving.is_alive()
    assert answered < 2.5                                   # well before the solve's 3 s are over
    solving.join(30)
    assert len(store.solves_of(sid)) == 1
