"""Shared helpers: scenarios built from small dicts, so each test shows its numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from subsidy.io import scenario_from_data

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def make_scenario(enterprises, funds=(), **extra):
    """A scenario from plain data, with sensible defaults for fields a test does not care about."""
    return scenario_from_data({"name": "test", "enterprises": _named(enterprises, "e"), "funds": _named(funds, "f"), **extra})


def _named(entries, prefix):
    """Entries with an id (prefix + position) and a name (the id) unless given."""
    out = []
    for i, entry in enumerate(entries):
        entry = dict(entry)
        entry.setdefault("id", f"{prefix}{i + 1}")
        entry.setdefault("name", entry["id"])
        out.append(entry)
    return out


@pytest.fixture
def scenarios_dir() -> Path:
    return SCENARIOS
