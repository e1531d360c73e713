"""A bounded load test of the workbench on 127.0.0.1: `subsidy serve` in its own process, on a
generated scenario (`subsidy generate`), and concurrent signed-in users, each looping over

    view    GET the scenario page (every enterprise's row, each cell validated)
    edit    read the page's version, save a fund's budget changed (a refused stale save, 409, is
            the optimistic lock doing its work: counted as a conflict, not an error)
    what-if POST the what-if panel with a budget changed (a full verified solve, nothing stored)

in proportion 3 : 1 : 1, for a fixed time, with no pause between requests (a person pauses:
this is the worst case of 20 people clicking at once). First, one user alone times the what-if round trip
(the issue's target: under 300 ms at 1,000 enterprises). Prints Markdown tables (bench/SERVE.md
keeps a run).

    python bench/serve_load.py                         # 20 users, 60 s, 1,000 enterprises
    python bench/serve_load.py --users 5 --seconds 10  # quick look
    python bench/serve_load.py --single --alone 50     # only the single-user what-if round trip
    python bench/serve_load.py --single --approved     # the same after the allocation is approved

With --approved, an analyst solves the scenario and an approver approves that solve first (over
HTTP, as the pages do), so every what-if carries the approved allocation as commitments (4,546
lines at 1,000 enterprises); the timing starts once the solve's documents are made, so they do
not compete with it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, enterprises: int, users: int) -> int:
    """The database with one generated scenario and `users` analysts; the scenario's id."""
    from subsidy.web.serve import open_store

    store = open_store(url)
    for i in range(users):
        store.add_user(f"analyst{i}", "analyst", PASSWORD)
    store.add_user("approver0", "approver", PASSWORD)
    return store.create_scenario(f"generated {enterprises}", generate_data(enterprises), "bench")


def generate_data(enterprises: int) -> dict:
    from subsidy.scenario.generate import generate

    return generate(enterprises, 5, 1)


def sign_in(base: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"user": name, "password": PASSWORD, "csrf": token})
    assert r.status_code == 303, r.status_code
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
    return client, csrf


def approve_first(base: str, sid: int) -> int:
    """An analyst solves version 1, an approver approves that solve (as the pages do); returns
    the number of approved lines, once the solve's documents are made."""
    analyst, csrf = sign_in(base, "analyst0")
    r = analyst.post(f"/s/{sid}/v/1/solve", data={"csrf": csrf})
    assert r.status_code == 303, r.status_code
    solve_url = r.headers["location"]
    for _ in range(600):  # the documents (workbook, PDF, explain...) are made in the background
        if "doc_coming" not in analyst.get(solve_url).text and "正在生成" not in analyst.get(solve_url).text:
            break
        time.sleep(1)
    approver, token = sign_in(base, "approver0")
    r = approver.post(solve_url + "/approve", data={"csrf": token})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    return len(re.findall(r"<tr><td>", approver.get(solve_url).text.split('id="commitments"')[1].split("</table>")[0]))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def whatif_alone(base: str, sid: int, repeat: int, least: int = 1000) -> list[float]:
    client, csrf = sign_in(base, "analyst0")
    times = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        r = client.post(f"/s/{sid}/v/1/whatif", data={"csrf": csrf, "budget|central_reward": str(least + i)})
        assert r.status_code == 200 and "whatif-total" in r.text, (r.status_code, r.text[:300])
        if i:  # the first warms the server's imports
            times.append(time.perf_counter() - start)
    return times


def user_loop(base: str, sid: int, index: int, until: float, out: dict, lock: threading.Lock) -> None:
    rng = random.Random(index)
    client, csrf = sign_in(base, f"analyst{index}")
    while time.perf_counter() < until:
        kind = rng.choice(["view", "view", "view", "edit", "whatif"])
        start = time.perf_counter()
        status = "ok"
        try:
            if kind == "view":
                ok = client.get(f"/s/{sid}").status_code == 200
            elif kind == "edit":
                page = client.get(f"/s/{sid}")
                base_version = re.search(r'name="base" value="(\d+)"', page.text).group(1)
                r = client.post(f"/s/{sid}/save", data={"csrf": csrf, "base": base_version,
                                                         "budget|county_support": str(rng.randint(1000, 9999))})
                ok = r.status_code in (303, 409)
                status = "conflict" if r.status_code == 409 else status
            else:
                r = client.post(f"/s/{sid}/v/1/whatif", data={"csrf": csrf, "budget|central_reward": str(rng.randint(1000, 99999))})
                ok = r.status_code == 200 and "whatif-total" in r.text
        except httpx.HTTPError:
            ok = False
        elapsed = time.perf_counter() - start
        with lock:
            out[kind].append((elapsed, status if ok else "error"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--enterprises", type=int, default=1000)
    ap.add_argument("--alone", type=int, default=20, help="what-if round trips timed with one user first")
    ap.add_argument("--approved", action="store_true", help="approve the scenario's own solve first, so each what-if carries it as commitments")
    ap.add_argument("--single", action="store_true", help="time the single-user what-if round trips only (no concurrent users)")
    args = ap.parse_args()

    load_before = os.getloadavg()[0]  # the machine is shared: say how busy it was
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'load.db'}"
        sid = prepare(url, args.enterprises, args.users)
        port = free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        server = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "serve", "--db", url, "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            approved = approve_first(base, sid) if args.approved else 0
            # after an approval a budget below what was approved contradicts the commitments: raise it
            least = int(float(generate_data(args.enterprises)["funds"][0]["budget"]) * 1.1) if approved else 1000
            alone = whatif_alone(base, sid, args.alone, least)
            load_alone = os.getloadavg()[0]
            results: dict[str, list] = defaultdict(list)
            if args.single:
                args.users = args.seconds = 0
            lock = threading.Lock()
            until = time.perf_counter() + args.seconds
            threads = [threading.Thread(target=user_loop, args=(base, sid, i, until, results, lock)) for i in range(args.users)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(10)

    print(f"{args.enterprises:,} enterprises, 5 funds; server: `subsidy serve` (SQLite, 2 solve workers); "
          f"{os.cpu_count()} CPUs, load average {load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after\n")
    if approved:
        print(f"After an approval: {approved:,} approved lines carried as commitments by every what-if\n")
    print(f"What-if round trip, one user alone ({len(alone)} requests): p50 {statistics.median(alone) * 1000:.0f} ms, "
          f"p95 {percentile(alone, 0.95) * 1000:.0f} ms, best {min(alone) * 1000:.0f} ms "
          f"(load average {load_alone:.1f} when they were done)\n")
    if args.single:
        return
    print(f"{args.users} concurrent users for {wall:.0f} s:\n")
    print("| request | count | per second | p50 ms | p95 ms | max ms | conflicts | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total = errors = 0
    for kind in ("view", "edit", "whatif"):
        rows = results.get(kind, [])
        times = [t for t, _ in rows]
        bad = sum(s == "error" for _, s in rows)
        total, errors = total + len(rows), errors + bad
        if rows:
            print(f"| {kind} | {len(rows)} | {len(rows) / wall:.1f} | {statistics.median(times) * 1000:.0f} | "
                  f"{percentile(times, 0.95) * 1000:.0f} | {max(times) * 1000:.0f} | {sum(s == 'conflict' for _, s in rows)} | {bad} |")
    print(f"| all | {total} | {total / wall:.1f} | | | | | {errors} |")


if __name__ == "__main__":
    main()
