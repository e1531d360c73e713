"""The workbench's routes and rules of access (SQLite; the store tests cover PostgreSQL):
every request is authorised on the server, forms carry CSRF tokens, uploads are bounded,
user strings are escaped, errors show no traceback, and the numbers are the library's."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from conftest import optional_module, policy_case_data
from web_support import Browser, HeldPool, InlinePool, huanggang_only, make_store, token_in, two_counties

optional_module("starlette", "web")


@pytest.fixture
def site(tmp_path):
    from subsidy.web.app import create_app

    store = make_store(f"sqlite:///{tmp_path / 'site.db'}")
    return store, create_app(store, document_pool=InlinePool())


def test_sign_in_sets_an_httponly_samesite_cookie_and_a_wrong_password_is_refused(site):
    from starlette.testclient import TestClient

    store, app = site
    client = TestClient(app, follow_redirects=False)
    assert client.get("/").headers["location"] == "/login"                       # nothing without signing in
    token = token_in(client.get("/login").text)
    assert client.post("/login", data={"user": "analyst", "password": "nope", "csrf": token}).status_code == 401
    r = client.post("/login", data={"user": "analyst", "password": "correct horse battery", "csrf": token})
    cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith("subsidy_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert TestClient(app).post("/login", data={"user": "analyst", "password": "correct horse battery"}).status_code == 403


def test_a_form_without_the_session_csrf_token_changes_nothing(site):
    store, app = site
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    analyst = Browser(app, "analyst")
    r = analyst.client.post(f"/s/{sid}/save", data={"base": "1", "budget|hb": "999"})
    assert r.status_code == 403
    r = analyst.client.post(f"/s/{sid}/save", data={"csrf": "forged", "base": "1", "budget|hb": "999"})
    assert r.status_code == 403
    assert [v.number for v in store.versions_of(sid)] == [1]


def test_a_clerk_sees_and_changes_only_the_enterprises_of_their_region(site):
    store, app = site
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    hg_only = store.create_scenario("黄冈 单县", huanggang_only(), "admin")
    clerk = Browser(app, "clerk-xn")
    page = clerk.get(f"/s/{sid}").text
    assert "xn1" in page and "咸宁甲厂" in page
    assert "hg1" not in page and "黄冈乙厂" not in page                            # another county's row is not sent
    assert "黄冈 单县" not in clerk.get("/").text
    assert clerk.get(f"/s/{hg_only}").status_code == 404                          # by editing the URL: nothing
    # by editing a form field: the whole save is refused, nothing written
    r = clerk.post(f"/s/{sid}/save", {"base": "1", "cost|xn1|resettlement": "101", "cost|hg1|resettlement": "1"})
    assert r.status_code == 403
    assert [v.number for v in store.versions_of(sid)] == [1]
    assert clerk.post(f"/s/{sid}/save", {"base": "1", "budget|hb": "1000"}).status_code == 403     # funds are not a clerk's
    assert clerk.post(f"/s/{sid}/v/1/solve").status_code == 403
    assert clerk.get("/record").status_code == 403
    r = clerk.post(f"/s/{sid}/save", {"base": "1", "cost|xn1|resettlement": "101"})
    assert r.status_code == 303
    assert store.version(sid).data["enterprises"][0]["costs"]["resettlement"] == 101
    assert store.version(sid).data["enterprises"][1] == two_counties()["enterprises"][1]


def test_a_stale_save_gets_a_conflict_message_and_the_other_save_survives(site):
    store, app = site
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    a, b = Browser(app, "analyst"), Browser(app, "admin")
    assert a.post(f"/s/{sid}/save", {"base": "1", "budget|hb": "150"}).status_code == 303
    r = b.post(f"/s/{sid}/save", {"base": "1", "budget|hb": "200"})
    assert r.status_code == 409
    assert "version 1 is no longer the latest (version 2 was saved meanwhile)" in r.text
    assert store.version(sid).data["funds"][0]["budget"] == 150


def test_a_bad_cell_is_shown_at_its_cell_and_submitting_waits_for_the_fix(site):
    store, app = site
    data = two_counties()
    data["enterprises"][0]["costs"]["resettlement"] = "12,34"        # a comma that does not separate thousands
    sid = store.create_scenario("湖北 两县", data, "clerk-xn")
    clerk = Browser(app, "clerk-xn")
    page = clerk.get(f"/s/{sid}").text
    assert 'data-for="cost|xn1|resettlement"' in page
    assert clerk.post(f"/s/{sid}/v/1/submit").status_code == 400
    assert clerk.post(f"/s/{sid}/save", {"base": "1", "cost|xn1|resettlement": "1,234"}).status_code == 303
    assert 'id="valid"' in clerk.get(f"/s/{sid}").text
    assert clerk.post(f"/s/{sid}/v/2/submit").status_code == 303
    assert store.version(sid, 2).status == "submitted"


def test_solve_whatif_and_approval_give_the_hand_worked_numbers(site):
    """The policy case (conftest.policy_case_data): total gap 135 (55 + 10 + 30 + 40).
    What-if: fund c's budget 5 → 10; c pays e1's resettlement up to its share cap 0.1 × 100 = 10,
    so e1's resettlement gap 55 → 50 and the total 135 → 130. Approval keeps the allocation
    (a 40 + 40, b 100, c 5 = 185 = total need 320 − gap 135) as commitments."""
    store, app = site
    analyst, approver = Browser(app, "analyst"), Browser(app, "approver")
    r = analyst.post("/upload", files={"file": ("case.json", json.dumps(policy_case_data()).encode(), "application/json")})
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    r = analyst.post(f"/s/{sid}/v/1/solve")
    solve_url = r.headers["location"]
    page = analyst.get(solve_url).text
    assert '<strong id="total-gap">135.00</strong>' in page
    r = analyst.post(f"/s/{sid}/v/1/whatif", {"budget|c": "10"})
    assert '<strong id="whatif-total">130.00</strong>' in r.text
    assert store.version(sid).number == 1                                         # a what-if stores nothing
    assert approver.post(f"/s/{sid}/v/1/whatif", {"budget|c": "10"}).status_code == 403
    assert analyst.post(solve_url + "/approve").status_code == 403
    assert approver.post(solve_url + "/approve").status_code == 303
    assert store.version(sid, 1).status == "approved"
    commitments = approver.get(f"/s/{sid}/v/1/commitments.yaml").text
    import yaml
    from decimal import Decimal

    entries = yaml.safe_load(commitments)["commitments"]
    assert sorted((c["fund"], c["enterprise"], c["amount"]) for c in entries) == [
        ("a", "e1", "40.00"), ("a", "e2", "40.00"), ("b", "e1", "100.00"), ("c", "e1", "5.00")]
    assert sum(Decimal(c["amount"]) for c in entries) == Decimal("185")
    assert approver.post(solve_url + "/approve").status_code in (403, 409)       # approved once, frozen
    record = analyst.get(f"/record.csv?scenario={sid}").content.decode("utf-8-sig")
    assert [line.split(",")[3] for line in record.splitlines()[1:]] == ["upload", "solve"] + ["document"] * 5 + ["approve"]  # the solve, its five documents


def test_uploads_are_bounded_and_hostile_workbooks_refused(site):
    store, app = site
    analyst = Browser(app, "analyst")

    def zipped(parts: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in parts.items():
                z.writestr(name, content)
        return buf.getvalue()

    entity = zipped({"xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>'})
    r = analyst.post("/upload", files={"file": ("e.xlsx", entity)})
    assert r.status_code == 400 and "declares a DOCTYPE or ENTITY" in r.text
    bomb = zipped({"xl/worksheets/sheet1.xml": b"\0" * (65 * 2**20)})             # 65 MB of zeros in ~65 KB
    assert len(bomb) < 2**20
    r = analyst.post("/upload", files={"file": ("b.xlsx", bomb)})
    assert r.status_code == 400 and "unpacks to 68,157,440 bytes" in r.text
    r = analyst.post("/upload", files={"file": ("big.yaml", b"#" * (5 * 2**20 + 1))})
    assert r.status_code == 413
    assert store.scenario_list() == []


def test_user_strings_are_escaped_and_errors_show_no_traceback(site):
    store, app = site
    data = two_counties()
    data["name"] = "<script>alert(1)</script>"
    data["enterprises"][0]["name"] = '"><img src=x onerror=alert(2)>'
    sid = store.create_scenario(data["name"], data, "admin")
    analyst = Browser(app, "analyst")
    page = analyst.get(f"/s/{sid}").text + analyst.get("/").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def broken(*a, **k):
        raise RuntimeError("secret internals")

    store.scenario_list = broken
    from starlette.testclient import TestClient

    client = TestClient(app, raise_server_exceptions=False)
    client.cookies = analyst.client.cookies
    r = client.get("/")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text


def test_pages_forbid_framing_and_foreign_scripts(site):
    store, app = site
    r = Browser(app, "viewer").get("/")
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_user_add_stores_a_hash_and_refuses_a_clerk_without_a_region(tmp_path):
    from run_cli import run
    from subsidy.web.serve import open_store

    url = f"sqlite:///{tmp_path / 'users.db'}"
    ok = run("user", "add", "li", "--role", "clerk", "--region", "湖北/咸宁/", "--password", "a long password", "--db", url)
    assert (ok.code, ok.stdout.strip()) == (0, "added li (clerk: 湖北/咸宁)")
    no_region = run("user", "add", "wang", "--role", "clerk", "--password", "a long password", "--db", url)
    assert no_region.code == 2 and "a clerk needs at least one region path" in no_region.stderr
    bad_role = run("user", "add", "zhao", "--role", "boss", "--password", "a long password", "--db", url)
    assert bad_role.code == 2 and "role must be one of admin, analyst, clerk, viewer, approver" in bad_role.stderr
    assert run("user", "add", "li", "--role", "viewer", "--password", "a long password", "--db", url).code == 2  # exists
    store = open_store(url)
    assert store.login("li", "a long password") is not None and store.login("li", "wrong") is None
    assert [(r.action, r.field, r.new) for r in store.audit_rows()] == [("user", "user li", "clerk 湖北/咸宁")]


def test_a_whatif_saved_as_a_variant_compares_with_its_base(site):
    """Policy case (gap 135) and its variant with fund c's budget 10 (gap 130, see above):
    the comparison's totals row of the variant says 130.00 and the record keeps the overlay."""
    store, app = site
    sid = store.create_scenario("policy case", policy_case_data(), "admin")
    analyst = Browser(app, "analyst")
    r = analyst.post(f"/s/{sid}/v/1/variant", {"budget|c": "10"})
    variant = int(r.headers["location"].rsplit("/", 1)[1])
    assert store.version(variant).data["funds"][2]["budget"] == 10
    assert store.version(sid).data == policy_case_data()                                  # the base is untouched
    made = [r for r in store.audit_rows(variant) if r.action == "variant"][0]
    assert json.loads(made.detail)["changes"] == [["funds[c].budget", "5", "10"]]
    page = analyst.get(f"/compare?v={sid}:1&v={variant}:1").text
    assert "130.00" in page and "135.00" in page
    assert Browser(app, "clerk-xn").get(f"/compare?v={sid}:1&v={variant}:1").status_code == 403


def test_a_clerk_cannot_upload_another_regions_enterprises(site):
    store, app = site
    clerk = Browser(app, "clerk-xn")
    r = clerk.post("/upload", files={"file": ("two.json", json.dumps(two_counties(), ensure_ascii=False).encode())})
    assert r.status_code == 400 and "holds enterprises outside your regions 湖北/咸宁" in r.text
    assert store.scenario_list() == []


def test_a_large_scenario_is_shown_a_hundred_enterprises_a_page(site):
    """250 enterprises: pages 1-3 hold 100, 100 and 50 rows; a save from page 3 changes only
    the cell it names."""
    store, app = site
    data = two_counties()
    data["enterprises"] = [{"id": f"e{i:03d}", "name": f"厂{i}", "industry": "cement", "region": "湖北/咸宁", "costs": {"resettlement": i + 1}}
                           for i in range(250)]
    sid = store.create_scenario("250", data, "admin")
    analyst = Browser(app, "analyst")
    rows = [analyst.get(f"/s/{sid}?page={n}").text.count("<tr data-enterprise=") for n in (1, 2, 3)]
    assert rows == [100, 100, 50]
    assert 'data-enterprise="e249"' in analyst.get(f"/s/{sid}?page=3").text
    assert analyst.post(f"/s/{sid}/save", {"base": "1", "cost|e249|resettlement": "1000"}).status_code == 303
    saved = store.version(sid).data["enterprises"]
    assert saved[249]["costs"]["resettlement"] == 1000 and saved[:249] == data["enterprises"][:249]


def test_template_files_language_and_sign_out(site):
    """The template is `subsidy template`'s workbook; a solve's files are served as recorded
    (allocations.csv of the two counties: hb pays xn1 75 and hg1 45, web_support.two_counties);
    English on request;
    after signing out the session is gone."""
    from openpyxl import load_workbook

    store, app = site
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    analyst = Browser(app, "analyst")
    book = load_workbook(io.BytesIO(analyst.get("/template.xlsx").content))
    assert {"企业", "资金"} <= set(book.sheetnames)
    solve_url = analyst.post(f"/s/{sid}/v/1/solve").headers["location"]
    import csv

    from subsidy.scenario.labels import column_key

    # The Chinese allocations.csv: ids, each followed by its name, and the amount with its unit.
    table = list(csv.reader(analyst.get(solve_url + "/files/allocations.csv").content.decode("utf-8-sig").splitlines()))
    at = {column_key(h): i for i, h in enumerate(table[0])}
    rows = [",".join(r[at[k]] for k in ("fund", "enterprise", "category", "amount")) for r in table[1:]]
    assert sorted(rows) == ["hb,hg1,resettlement,45.00", "hb,xn1,resettlement,75.00"]
    # The printable report is there too, as a PDF whose text holds the total gap: needs 100 + 60
    # less the 75 + 45 paid = 40.00 (pdftotext, from poppler-utils, as the report's own PDF tests).
    pdf = analyst.get(solve_url + "/files/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    import subprocess

    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode("utf-8")
    assert "资金缺口" in text and "40.00" in text
    assert analyst.get(solve_url + "/files/nothing.csv").status_code == 404
    assert Browser(app, "clerk-xn").get(solve_url + "/files/result.xlsx").status_code == 403      # every region: not a clerk's (test_web_regional)
    analyst.get("/lang/en?next=/")
    assert "Scenarios" in analyst.get("/").text
    assert analyst.post("/logout").status_code == 303
    assert analyst.get("/").headers["location"] == "/login"


def test_the_demo_loads_the_seed_scenarios_and_one_user_per_role_once(tmp_path, scenarios_dir):
    from subsidy.web.serve import DEMO_PASSWORD, load_demo, open_store

    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    added = load_demo(store, scenarios_dir)
    seeds = sorted(p.name for p in scenarios_dir.glob("*.yaml"))
    assert [a for a in added if a.startswith("scenario")] == [f"scenario {name}" for name in seeds]
    assert store.user_names() == sorted(["admin", "analyst", "approver", "viewer", "clerk-xianning", "clerk-chuxiong"])
    assert store.login("clerk-xianning", DEMO_PASSWORD) is not None
    assert load_demo(store, scenarios_dir) == []                                  # a second start adds nothing
    assert len(store.scenario_list()) == len(seeds)


def test_a_programme_over_several_years_is_refused_by_the_workbench_solve_with_a_reason(site):
    # Issue 14: the workbench solves one year; a programme is solved by `subsidy solve` for now,
    # and the solve button says so (400) instead of failing inside the library.
    store, app = site
    analyst = Browser(app, "analyst")
    with open("scenarios/xianan-2025-2027.yaml", "rb") as fh:
        r = analyst.post("/upload", files={"file": ("programme.yaml", fh.read(), "application/yaml")})
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    refused = analyst.post(f"/s/{sid}/v/1/solve")
    assert refused.status_code == 400 and "subsidy solve" in refused.text
    assert store.solves_of(sid) == []


def test_allocate_shows_the_tables_at_once_and_the_documents_as_they_come(tmp_path, monkeypatch):
    """The Allocate button answers with the solve's tables (two counties: gap 100 + 60 − 120 = 40.00)
    while its five documents wait in the pool, each shown as being made and the part polled;
    once made they are files to download and in the record; one that fails says why in words
    (no traceback) and the others are kept; a document a stopped server never made says so."""
    from subsidy.web import work
    from subsidy.web.app import create_app

    store = make_store(f"sqlite:///{tmp_path / 'docs.db'}")
    pool = HeldPool()
    app = create_app(store, document_pool=pool)
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    analyst = Browser(app, "analyst")
    solve_url = analyst.post(f"/s/{sid}/v/1/solve").headers["location"]
    page = analyst.get(solve_url).text
    assert '<strong id="total-gap">40.00</strong>' in page                      # the tables, before any document
    assert page.count('class="doc-coming"') == 5 and "正在生成…" in page and 'hx-trigger="every 2s"' in page
    assert page.count('<p class="waiting">正在生成…</p>') == 2                    # under 为什么有缺口 and 补足缺口需要
    assert 'href="' + solve_url + '/files/report.pdf"' not in page
    assert analyst.get(solve_url + "/files/report.pdf").status_code == 404
    assert sorted(job[1][1] for job in pool.jobs) == sorted(work.DOCUMENTS)

    def broken(scenario, result):
        raise RuntimeError("no CJK font found for the PDF\nsecond line of detail")

    monkeypatch.setitem(work.DOCUMENT_MAKERS, "report.pdf", broken)
    pool.run()
    part = analyst.get(solve_url + "/documents").text
    assert "hx-trigger" not in part                                             # nothing coming: the polling stops
    for name in ("result.xlsx", "report.html", "allocations.csv"):
        assert f'href="{solve_url}/files/{name}"' in part, name
    failed = re.search(r'<li class="doc-failed" data-document="report.pdf">([^<]*)</li>', part).group(1)
    assert "生成失败: no CJK font found for the PDF (#" in failed and "second line" not in failed and "Traceback" not in part
    assert 'id="words" hx-swap-oob="true"' in part
    explained = re.findall(r"<li>([^<]*)</li>", part.split('id="explain"')[1].split("</ul>")[0])
    assert explained and explained == json.loads(store.result_file(int(solve_url.rsplit("/", 1)[1]), "explain.json").content)["zh"]
    record = [(r.action, r.field, r.new) for r in store.audit_rows(sid) if r.action == "document"]
    assert sorted(record) == sorted([("document", n, "failed" if n == "report.pdf" else "ready") for n in work.DOCUMENTS])

    # a second solve whose documents the server never made (it stopped): a new app says so
    second = analyst.post(f"/s/{sid}/v/1/solve").headers["location"]
    restarted = Browser(create_app(store, document_pool=HeldPool()), "analyst")
    page = restarted.get(second).text
    assert page.count('class="doc-stopped"') == 5 and "请重新测算" in page and "hx-trigger" not in page.split('id="documents"')[1].split("</div>")[0]


def test_a_clerks_two_slips_show_at_their_cells_at_once_and_one_save_fixes_both(site, tmp_path):
    # xianan-2025 as the template workbook with 三十 typed for 温泉's pooled-fund repayment
    # (费用!C3) and 温泉's industry (企业!D3) left blank: both messages are at their cells on the
    # first page, and one save (30 and carbide) leaves the version valid.
    from openpyxl import load_workbook

    from run_cli import run

    store, app = site
    book = tmp_path / "咸安.xlsx"
    assert run("convert", "scenarios/xianan-2025.yaml", book).code == 0
    wb = load_workbook(book)
    industry = wb["企业"]["D3"].value
    wb["费用"]["C3"] = "三十"
    wb["企业"]["D3"] = None
    wb.save(book)
    clerk = Browser(app, "clerk-xn")  # 咸安 is in 湖北/咸宁: the county clerk's own workbook
    r = clerk.post("/upload", files={"file": ("咸安.xlsx", book.read_bytes(), "application/octet-stream")})
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    page = clerk.get(f"/s/{sid}").text
    cost = re.search(r'data-cell="cost\|wenquan\|pooled_fund_repayment">.*?</td>', page, re.S).group(0)
    blank = re.search(r'data-cell="industry\|wenquan">.*?</td>', page, re.S).group(0)
    assert "必须是数字，实际为 &#39;三十&#39;" in cost and "行业为空，但资金 central_reward 只在其行业范围内支付" in blank
    # the list above the tables names each place as the record does, not by the data's path
    listed = re.search(r'<div class="refused" id="problems">.*?</ul>', page, re.S).group(0)
    assert "<li>企业 wenquan · 费用 · 职工集资偿还: 必须是数字，实际为 &#39;三十&#39;</li>" in listed
    assert "<li>企业 wenquan · 行业: 行业为空，但资金 central_reward" in listed
    assert "enterprises[0]" not in listed
    assert clerk.post(f"/s/{sid}/save", {"base": "1", "cost|wenquan|pooled_fund_repayment": "30",
                                           "industry|wenquan": industry}).status_code == 303
    assert 'id="valid"' in clerk.get(f"/s/{sid}").text
    assert store.version(sid).data["enterprises"][0]["industry"] == industry == "carbide"


def test_the_record_and_the_commitments_name_fields_and_categories_in_the_pages_language(site):
    """A Chinese page names a record's fields in Chinese (资金 hb · 预算 for funds[hb].budget) and the
    category 职工安置费 for resettlement; the English page and the CSV export keep the ids."""
    import csv

    store, app = site
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    analyst = Browser(app, "analyst")
    assert analyst.post(f"/s/{sid}/save", {"base": "1", "budget|hb": "150", "cap|hb": "90", "cost|xn1|resettlement": "110",
                                            "workers|xn1": "12"}).status_code == 303
    solve_url = analyst.post(f"/s/{sid}/v/2/solve").headers["location"]
    assert Browser(app, "approver").post(solve_url + "/approve").status_code == 303
    page = analyst.get(f"/record?scenario={sid}").text
    fields = re.findall(r'<td title="([^"]*)">([^<]*)</td>', page)
    for kept, shown in [("funds[hb].budget", "资金 hb · 预算"), ("funds[hb].caps.per_enterprise", "资金 hb · 每户上限"),
                        ("enterprises[xn1].costs.resettlement", "企业 xn1 · 费用 · 职工安置费"),
                        ("enterprises[xn1].workers", "企业 xn1 · 职工人数"), ("status", "状态"), ("total_gap", "资金缺口合计")]:
        assert (kept, shown) in fields, kept
    exported = list(csv.reader(analyst.get(f"/record.csv?scenario={sid}").content.decode("utf-8-sig").splitlines()))
    assert {"funds[hb].budget", "enterprises[xn1].costs.resettlement"} <= {row[6] for row in exported}
    # 详情 in words on the page, the JSON kept in the export: the solve names its method and files,
    # its checksum shortened with the whole in the tooltip; the approval counts the commitments (2)
    solve_row = next(row for row in exported if row[3] == "solve")
    detail = json.loads(solve_row[9])
    sha = detail["sha256"]
    assert f'文件校验码 SHA-256: <span title="{sha}">{sha[:12]}…</span>' in page
    assert f'方法: <span title="{detail["method"]}">{detail["method"]}</span>' in page
    assert "结果文件: <span" in page and "、".join(detail["files"][:2]) in page
    assert '转为承诺的条数: <span title="2">2</span>' in page
    assert '{"' not in page.split('id="record"')[1]
    # the approved allocation's table: hb pays xn1 90 (its cap, of 110) and hg1 60; category by name
    rows = re.findall(r'<tr><td>(\w+)</td><td>(\w+)</td><td title="(\w+)">([^<]*)</td><td class="num">([\d.]+)</td></tr>',
                      analyst.get(solve_url).text.split('id="commitments"')[1].split("</table>")[0])
    assert sorted(rows) == [("hb", "hg1", "resettlement", "职工安置费", "60.00"), ("hb", "xn1", "resettlement", "职工安置费", "90.00")]
    analyst.get("/lang/en?next=/")
    assert '<td title="funds[hb].budget">funds[hb].budget</td>' in analyst.get(f"/record?scenario={sid}").text
    assert '<td title="resettlement">worker resettlement</td>' in analyst.get(solve_url).text
