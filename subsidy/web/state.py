"""What the workbench keeps between requests, owned by the app (create_app makes one and it
lives as long as the app): the latest few versions read and validated, so that a what-if, which
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
from subsidy.web import editing
from subsidy.web.store import Store, VersionRow


@dataclass(frozen=True)
class Prepared:
    """One version as read (its data, sha256) and validated once: its scenario or its problems."""
    version: VersionRow
    scenario: Scenario | None
    problems: list[Problem]


class Versions:
    """The app's bounded LRU of prepared versions, by (scenario id, version number)."""

    KEEP = 16  # a 1,000-enterprise version and its scenario are a few MB

    def __init__(self, store: Store):
        self.store = store
        self.held: OrderedDict[tuple[int, int], Prepared] = OrderedDict()
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
