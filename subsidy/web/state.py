"""What the workbench keeps between requests, owned by the app (create_app makes one of each and
they live as long as the app): the document pool (`Documents`, below), and the latest few versions read and validated, so that a what-if, which
changes a budget of a version and solves it, neither reads the version again (a 1,000-enterprise
version is 25 ms of JSON) nor validates its unchanged enterprises again (130-200 ms; it
validates only what the panel changed, scenario.load.scenario_with_changed_funds).

A version's data and sha256 never change once saved (store.py), so an entry is never stale;
its status does change and is always read from the store. Bounded (KEEP entries, least recently
used dropped first): no module-level cache, nothing kept beyond the app's life.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from subsidy.scenario.model import Problem, Scenario
from subsidy.web import editing, work
from subsidy.web.store import Store, VersionRow


@dataclass(frozen=True)
class Prepared:
    """One version as read (its data, sha256) and validated once: its scenario or its problems.
    `data` is what was validated: the version's own, or (Versions.carried) with the approval in
    force carried as commitments (work.carrying), `approval` then that approval."""
    version: VersionRow
    scenario: Scenario | None
    problems: list[Problem]
    data: dict | None = None
    approval: object = None

    def carry(self, data: dict) -> dict:
        """`data` (this version's data with a panel's changes) as later solves read it: the
        approval's commitments first, then `data`'s own (work.carrying), sharing this entry's
        list when the panel left the version's own commitments as they were."""
        if self.approval is None:
            return data
        own, before = list(data.get("commitments") or []), list(self.version.data.get("commitments") or [])
        if own == before:
            return {**data, "commitments": self.data["commitments"]}
        approved = len(self.data["commitments"]) - len(before)
        return {**data, "commitments": self.data["commitments"][:approved] + own}


class Versions:
    """The app's bounded LRU of prepared versions, by (scenario id, version number)."""

    KEEP = 16  # a 1,000-enterprise version and its scenario are a few MB

    def __init__(self, store: Store):
        self.store = store
        self.held: OrderedDict[tuple, Prepared] = OrderedDict()
        self.lock = threading.Lock()
        self.reads = 0

    def get(self, sid: int, number: int) -> Prepared | None:
        key = (sid, number)
        with self.lock:
            found = self.held.get(key)
            if found is not None:
                self.held.move_to_end(key)
                return found
        v = self.store.version(sid, number)
        if v is None:
            return None
        self.reads += 1
        scenario, problems = editing.validate(v.data)
        prepared = Prepared(v, scenario, problems)
        with self.lock:
            self.held[key] = prepared
            while len(self.held) > self.KEEP:
                self.held.popitem(last=False)
        return prepared


    def carried(self, sid: int, number: int) -> Prepared | None:
        """The version as later solves read it, with the approval in force carried as commitments
        (4,546 at 1,000 enterprises), read and validated once per approval: the what-if after an
        approval then validates only the funds it changed (scenario_with_changed_funds keeps the
        base's validated commitments when the panel leaves them as they are), where it carried and
        validated every approved line again on each call (about 140 ms at 1,000 enterprises).
        Keyed by the approval's record row, so a later approval is a new entry, never a stale one."""
        mark = self.store.approval_mark(sid)
        if mark is None:
            return self.get(sid, number)
        key = (sid, number, mark)
        with self.lock:
            found = self.held.get(key)
            if found is not None:
                self.held.move_to_end(key)
                return found
        own = self.get(sid, number)
        if own is None:
            return None
        approval = self.store.approval_in_force(sid)
        data = work.carrying(own.version.data, approval)
        scenario, problems = editing.validate(data)
        prepared = Prepared(own.version, scenario, problems, data, approval)
        with self.lock:
            self.held[key] = prepared
            while len(self.held) > self.KEEP:
                self.held.popitem(last=False)
        return prepared


class Documents:
    """The app's pool for a solve's documents (work.DOCUMENTS), which take about 60 s together at
    1,000 enterprises while the solve's tables take about 1 s: the Allocate button records the
    solve with its tables and hands the documents here; each is kept (store.keep_document) when
    made, or its failure is recorded in words (store.document_failed), while the page polls.

    One worker by default: the documents of several solves queue behind each other rather than
    take the CPU from the what-if panel and the solves (they share one Python process). `pool`
    is anything with `submit(fn, *args)` (tests pass their own to hold or run the jobs).
    `in_hand` tells a document still coming from one whose server stopped before making it.
    """

    def __init__(self, store: Store, pool=None, workers: int = 1):
        from concurrent.futures import ThreadPoolExecutor

        self.store = store
        self.pool = pool if pool is not None else ThreadPoolExecutor(workers, thread_name_prefix="documents")
        self.in_hand: dict[int, int] = {}  # solve id: its documents not yet made or failed
        self.lock = threading.Lock()

    def hand_over(self, solve_id: int, by: str, scenario: Scenario, result) -> None:
        from subsidy.web import work

        with self.lock:
            self.in_hand[solve_id] = len(work.DOCUMENTS)
        for name in work.DOCUMENTS:
            self.pool.submit(self._make, solve_id, name, by, scenario, result)

    def _make(self, solve_id: int, name: str, by: str, scenario: Scenario, result) -> None:
        import logging
        import secrets

        from subsidy.web import work

        try:
            content = work.document(name, scenario, result)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and shown in words
            number = secrets.token_hex(4)
            logging.getLogger("subsidy.web").exception("error %s making %s of solve %s", number, name, solve_id)
            words = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            self.store.document_failed(solve_id, name, f"{words} (#{number})", by)
        else:
            self.store.keep_document(solve_id, name, content, by)
        finally:
            with self.lock:
                self.in_hand[solve_id] -= 1
                if not self.in_hand[solve_id]:
                    del self.in_hand[solve_id]

    def states(self, solve_id: int) -> list[tuple[str, str, str]]:
        """(name, state, why) of each document solve `solve_id` planned; state is ready, failed,
        coming, or stopped (planned, not made, and no longer in hand: the server was restarted)."""
        with self.lock:
            coming = solve_id in self.in_hand  # read before the store: a document done meanwhile is then in it
        planned, kept, failed = self.store.documents(solve_id)
        return [(name, "ready", "") if name in kept else (name, "failed", failed[name]) if name in failed
                else (name, "coming" if coming else "stopped", "") for name in planned]

    def close(self) -> None:
        shutdown = getattr(self.pool, "shutdown", None)
        if shutdown is not None:
            shutdown(wait=False, cancel_futures=True)
