"""The workbench's store, the same tests on SQLite and on a real PostgreSQL server (web_support):
optimistic versions, an atomic save, the audit record, approval freezing, passwords."""

from __future__ import annotations

import pytest

from conftest import optional_module
from web_support import db_url, make_store, postgres_server, two_counties  # noqa: F401 - fixtures

optional_module("sqlalchemy", "web")


def test_the_second_save_from_the_same_version_is_refused_and_the_first_kept(db_url):
    from subsidy.web.store import Conflict

    store = make_store(db_url)
    sid = store.create_scenario("湖北 两县", two_counties(), "clerk-xn")
    first = two_counties()
    first["enterprises"][0]["costs"]["resettlement"] = 110
    second = two_counties()
    second["enterprises"][0]["costs"]["resettlement"] = 120
    assert store.save(sid, 1, first, "clerk-xn", [("enterprises[xn1].costs.resettlement", "100", "110")]) == 2
    with pytest.raises(Conflict) as refused:
        store.save(sid, 1, second, "analyst", [("enterprises[xn1].costs.resettlement", "100", "120")])
    assert "version 1 is no longer the latest (version 2 was saved meanwhile)" in str(refused.value)
    assert [v.number for v in store.versions_of(sid)] == [1, 2]
    assert store.version(sid).data["enterprises"][0]["costs"]["resettlement"] == 110   # the first save, intact
    assert store.version(sid, 1).data == two_counties()                              # version 1 never changes
    edits = [(r.user_name, r.field, r.old, r.new) for r in store.audit_rows(sid) if r.action == "edit"]
    assert edits == [("clerk-xn", "enterprises[xn1].costs.resettlement", "100", "110")]


def test_a_save_that_fails_midway_leaves_no_version_and_no_record(db_url):
    """The version and its audit rows are one transaction: an audit row that cannot be written
    (a NULL field, as if the server died there) takes the version with it."""
    store = make_store(db_url)
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    with pytest.raises(Exception):
        store.save(sid, 1, two_counties(), "admin", [("ok", "1", "2"), (None, "1", "2")])
    assert [v.number for v in store.versions_of(sid)] == [1]
    assert [r.action for r in store.audit_rows(sid)] == ["upload"]
    assert store.save(sid, 1, two_counties(), "admin", [("ok", "1", "2")]) == 2          # and the next save works


def test_the_migrated_database_has_exactly_the_tables_the_code_reads(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from subsidy.web.store_schema import metadata

    store = make_store(db_url)
    with store.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), metadata)
    assert diff == []


def test_approval_freezes_the_version_and_keeps_its_allocation_as_commitments(db_url):
    from subsidy.web.store import Frozen

    store = make_store(db_url)
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    summary = {"scenario_sha256": store.version(sid).sha256, "tool_version": "t", "solver": "highs", "solver_version": "1",
               "method": "flow"}
    solve = store.record_solve(sid, 1, "analyst", summary, {"allocations.csv": b"x"}, "40.00")
    rows = [{"fund": "hb", "enterprise": "xn1", "category": "resettlement", "amount": "75.00", "source": "approved"},
            {"fund": "hb", "enterprise": "hg1", "category": "resettlement", "amount": "45.00", "source": "approved"}]
    store.approve(sid, 1, solve, rows, "approver")
    assert store.version(sid, 1).status == "approved"
    assert [(c.enterprise, c.amount) for c in store.commitments_of(sid, 1)] == [("xn1", "75.00"), ("hg1", "45.00")]
    with pytest.raises(Frozen):
        store.approve(sid, 1, solve, rows, "approver")
    with pytest.raises(Frozen):
        store.set_status(sid, 1, "submitted", "clerk-xn", ("draft",))
    actions = [(r.action, r.old, r.new) for r in store.audit_rows(sid)]
    assert actions == [("upload", "", "湖北 两县"), ("solve", "", "40.00"), ("approve", "draft", "approved")]


def test_passwords_are_kept_as_scrypt_hashes_and_sessions_by_their_hash(db_url):
    from sqlalchemy import text

    store = make_store(db_url)
    assert store.login("analyst", "wrong") is None
    token, csrf = store.login("analyst", "correct horse battery")
    user, same_csrf = store.session(token)
    assert (user.name, user.role, same_csrf) == ("analyst", "analyst", csrf)
    with store.engine.connect() as c:
        stored = c.execute(text("select password_hash from users where name='analyst'")).scalar_one()
        tokens = c.execute(text("select token_sha256 from sessions")).scalars().all()
    assert stored.startswith("scrypt$16384$8$1$") and "correct horse" not in stored
    assert token not in tokens
    store.logout(token)
    assert store.session(token) is None


KILLED_MID_SAVE = """
import os, signal, sys
sys.path[:0] = [{root!r}, {tests!r}]
from subsidy.web.store import Store, open_engine
store = Store(open_engine({url!r}))
original = Store._audit
def audit_then_die(self, c, by, action, *a, **k):
    original(self, c, by, action, *a, **k)
    if action == "edit":
        os.kill(os.getpid(), signal.SIGKILL)   # the version and one record row are written, not committed
Store._audit = audit_then_die
store.save({sid}, 1, {{"name": "half"}}, "admin", [("name", "湖北 两县", "half"), ("name", "x", "y")])
"""


def test_a_server_killed_in_the_middle_of_a_save_loses_nothing_committed(db_url):
    """A process SIGKILLed after inserting version 2 and its first record row, before the commit:
    the database holds version 1 and its record, nothing of version 2, and the next save works."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    store = make_store(db_url)
    sid = store.create_scenario("湖北 两县", two_counties(), "admin")
    tests = Path(__file__).resolve().parent
    child = subprocess.run([sys.executable, "-c", KILLED_MID_SAVE.format(root=str(tests.parent), tests=str(tests), url=db_url, sid=sid)],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert [v.number for v in store.versions_of(sid)] == [1]
    assert store.version(sid).data == two_counties()
    assert [r.action for r in store.audit_rows(sid)] == ["upload"]
    assert store.save(sid, 1, {"name": "whole"}, "admin", [("name", "湖北 两县", "whole")]) == 2
