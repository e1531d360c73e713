"""Shared pieces of the workbench tests: a throwaway PostgreSQL server, a signed-in test client,
scenarios with enterprises in two counties.

PostgreSQL: a cluster of our own in a temporary directory (initdb + pg_ctl from
/usr/lib/postgresql/*/bin, listening on a Unix socket only), started once per test session and
removed after; each test gets a fresh database in it. PostgreSQL refuses to run as root, so
under root (CI) the cluster belongs to the `postgres` user the Debian package creates and is
started through runuser. Without the binaries the PostgreSQL cases skip, except with CI set
(`.ci/run` installs them): there they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import IN_CI, optional_module

DEMO_PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres_server():
    """(socket dir, port) of a running throwaway PostgreSQL cluster."""
    bindir = _bin()
    if bindir is None:
        if IN_CI:
            pytest.fail("PostgreSQL is not installed (scripts/system-packages.sh installs it)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="subsidy-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        os.chmod(root, 0o755)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = 20000 + os.getpid() % 20000
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "subsidy", "-N", "-E", "UTF8",
                    "--locale=C"], check=True, capture_output=True)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                    f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off", "start"], check=True, capture_output=True)
    try:
        yield sock, port
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def postgres_url(server) -> str:
    """A fresh, empty database on the throwaway server."""
    psycopg = optional_module("psycopg", "web")
    sock, port = server
    name = f"t{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(host=str(sock), port=port, user="subsidy", dbname="postgres", autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://subsidy@/{name}?host={sock}&port={port}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """The same store test on SQLite and on PostgreSQL."""
    optional_module("sqlalchemy", "web")
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return postgres_url(request.getfixturevalue("postgres_server"))


def two_counties() -> dict:
    """Hubei: one enterprise in 咸宁 (xn1), one in 黄冈 (hg1), one fund over both (万元).

    xn1 needs resettlement 100, hg1 resettlement 60; fund hb pays resettlement, budget 120,
    at most 80 per enterprise. Stage 1 spends the whole budget (80 + 60 = 140 > 120): gap 40.
    Stage 2 spreads it evenly by share of need: g1/100 = g2/60 with g1 + g2 = 40 → g1 = 25,
    g2 = 15 (xn1's cap leaves it ≥ 20: met). So hb pays xn1 75 and hg1 45.
    """
    return {
        "name": "湖北 两县",
        "enterprises": [
            {"id": "xn1", "name": "咸宁甲厂", "industry": "cement", "region": "湖北/咸宁/咸安", "workers": 10, "costs": {"resettlement": 100}},
            {"id": "hg1", "name": "黄冈乙厂", "industry": "cement", "region": "湖北/黄冈", "workers": 5, "costs": {"resettlement": 60}},
        ],
        "funds": [{"id": "hb", "name": "湖北资金", "budget": 120, "categories": ["resettlement"], "caps": {"per_enterprise": 80}}],
    }


def huanggang_only() -> dict:
    return {"name": "黄冈 单县", "enterprises": [{"id": "hg9", "name": "黄冈丙厂", "industry": "cement", "region": "湖北/黄冈", "costs": {"resettlement": 7}}],
            "funds": [{"id": "hb", "name": "湖北资金", "budget": 1, "categories": ["resettlement"]}]}


def make_store(url: str):
    from subsidy.web.store import Store, open_engine

    store = Store(open_engine(url))
    for name, role, regions in [("admin", "admin", []), ("analyst", "analyst", []), ("approver", "approver", []),
                                ("viewer", "viewer", []), ("clerk-xn", "clerk", ["湖北/咸宁"]), ("clerk-hg", "clerk", ["湖北/黄冈"])]:
        store.add_user(name, role, DEMO_PASSWORD, regions)
    return store


class Browser:
    """A signed-in Starlette test client that knows its CSRF token."""

    def __init__(self, app, name: str):
        from starlette.testclient import TestClient

        self.client = TestClient(app, follow_redirects=False)
        page = self.client.get("/login")
        r = self.client.post("/login", data={"user": name, "password": DEMO_PASSWORD, "csrf": token_in(page.text)})
        assert r.status_code == 303, r.text
        self.csrf = token_in(self.client.get("/").text)

    def get(self, url: str):
        return self.client.get(url)

    def post(self, url: str, data: dict | None = None, **kw):
        return self.client.post(url, data={"csrf": self.csrf, **(data or {})}, **kw)


def token_in(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


class InlinePool:
    """A document pool that makes each document as it is handed over, before the solve's
    redirect: the tests that read a solve's files find them all."""

    def submit(self, fn, *args):
        fn(*args)


class HeldPool:
    """A document pool that holds the jobs until `run()`: the page between the solve and its
    documents."""

    def __init__(self):
        self.jobs = []

    def submit(self, fn, *args):
        self.jobs.append((fn, args))

    def run(self):
        jobs, self.jobs = self.jobs, []
        for fn, args in jobs:
            fn(*args)


class GatedPool:
    """A real worker thread whose jobs wait until `gate` is set: a live server's page between
    the solve and its documents."""

    def __init__(self):
        import threading
        from concurrent.futures import ThreadPoolExecutor

        self.gate = threading.Event()
        self.threads = ThreadPoolExecutor(1, thread_name_prefix="gated-documents")

    def submit(self, fn, *args):
        def held():
            self.gate.wait(60)
            fn(*args)
        self.threads.submit(held)

    def shutdown(self, wait=False, cancel_futures=True):
        self.gate.set()
        self.threads.shutdown(wait=wait, cancel_futures=cancel_futures)
