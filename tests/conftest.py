"""Shared helpers: scenarios built from small dicts, so each test shows its numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from subsidy.io import scenario_from_data

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def make_scenario(enterprises, funds=(), **extra):
    """A scenario from plain data, with sensible defaults for fields a test does not care about."""
    ents = []
    for i, e in enumerate(enterprises):
        e = dict(e)
        e.setdefault("id", f"e{i + 1}")
        e.setdefault("name", e["id"])
        ents.append(e)
    fs = []
    for i, f in enumerate(funds):
        f = dict(f)
        f.setdefault("id", f"f{i + 1}")
        f.setdefault("name", f["id"])
        fs.append(f)
    return scenario_from_data({"name": "test", "enterprises": ents, "funds": fs, **extra})


@pytest.fixture
def scenarios_dir() -> Path:
    return SCENARIOS
