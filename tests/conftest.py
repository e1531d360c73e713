"""Shared helpers: scenarios built from small dicts, so each test shows its numbers."""

from __future__ import annotations

import os

from pathlib import Path

import pytest

from subsidy.scenario.load import scenario_from_data

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def make_scenario(enterprises, funds=(), **extra):
    """A scenario from plain data, with sensible defaults for fields a test does not care about."""
    located = [{"region": "湖北/咸宁", "industry": "cement", **e} for e in enterprises]  # both required of every enterprise
    return scenario_from_data({"name": "test", "enterprises": _named(located, "e"), "funds": _named(funds, "f"), **extra})


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


def policy_case_data() -> dict:
    """A hand-worked scenario for the analysis commands (万元).

    e1 (湖北): resettlement 100, bank_debt 100.  e2 (湖北): resettlement 50, conversion 30.
    e3 (湖南): bank_debt 40.
    a: budget 100, resettlement only, per_enterprise cap 40   → pays e1 40 and e2 40 (caps bind); 20 left.
    b: budget 200, bank_debt, scope e1 only                    → pays e1's 100; 100 left; e3 out of scope.
    c: budget 5, resettlement, share_of_need 0.1 (≤ 10 on e1)  → pays e1 5; used up.
    Gaps: e1 resettlement 55 (a's cap, c used up), e2 resettlement 10 (a's cap), e2 conversion 30
    (no fund lists it), e3 bank_debt 40 (b lists it, but its scope excludes e3).
    Total 135; weighted 55·3 + 10·3 + 30 + 40 = 265.
    With unlimited budgets: e1 gets 40 + 10 (caps), e2 40: held by caps 50 + 10 = 60; no fund may
    pay 30 + 40 = 70; so 5 (c's share cap room on e1) is all that budget can close.
    """
    return {
        "name": "policy case",
        "enterprises": [
            {"id": "e1", "name": "甲厂", "industry": "cement", "region": "湖北", "costs": {"resettlement": 100, "bank_debt": 100}},
            {"id": "e2", "name": "乙厂", "industry": "cement", "region": "湖北", "costs": {"resettlement": 50, "conversion": 30}},
            {"id": "e3", "name": "丙厂", "industry": "cement", "region": "湖南", "costs": {"bank_debt": 40}},
        ],
        "funds": [
            {"id": "a", "name": "甲资金", "budget": 100, "categories": ["resettlement"], "caps": {"per_enterprise": 40}},
            {"id": "b", "name": "乙资金", "budget": 200, "categories": ["bank_debt"], "scope": {"enterprises": ["e1"]}},
            {"id": "c", "name": "丙资金", "budget": 5, "categories": ["resettlement"], "scope": {"enterprises": ["e1"]},
             "caps": {"share_of_need": 0.1}},
        ],
    }


@pytest.fixture
def policy_case():
    return scenario_from_data(policy_case_data())


# --- the LP's raw solution, for tests of the rounding ------------------------------------------
class RulesView:
    """The rules of a scenario as objects: `arcs`, and `upper_bounds` (readable name → (arcs,
    bound in whole fen, rounded down)), for tests that reason rule by rule."""

    def __init__(self, rules):
        self.rules = rules
        self.arcs = rules.arcs
        self.upper_bounds = rules.upper_bounds()


class LpSolution:
    """The LP's stages run on one scenario, before rounding: `values` {Arc: float in the scenario
    unit} (the LP solves in fen), `lp` the rules."""

    def __init__(self, scenario, solver: str = "highs"):
        from subsidy.allocate.lp import PulpBackend
        from subsidy.allocate.stages import run_stages
        from subsidy.pipeline import rules_of

        rules = rules_of(scenario)
        solution = run_stages(PulpBackend(rules, solver))
        self.lp = RulesView(rules)
        self.values = dict(zip(rules.arcs, (solution.amounts / 100).tolist()))
        self.stages = solution


def solve_lp(scenario, solver: str = "highs") -> LpSolution:
    return LpSolution(scenario, solver)


def reconcile_to_fen(lp: RulesView, values: dict) -> dict:
    """The LP path's rounding (allocate.rounding.fen_of_floats) on {Arc: float in the scenario
    unit}, as {Arc: fen}."""
    from subsidy.allocate.rounding import fen_of_floats

    fen = fen_of_floats(lp.rules, [values[a] * 100 for a in lp.arcs])
    return dict(zip(lp.arcs, fen.tolist()))


# --- optional tools: skipped on a developer's machine without them, required in CI -------------
IN_CI = bool(os.environ.get("CI"))
"""`.ci/run` installs Chromium, LibreOffice, CJK fonts and every optional extra (the README's
full-test command does the same): there, a missing tool fails its tests instead of skipping them."""


def optional_module(name: str, extra: str):
    """The module, or a skip saying which extra brings it (a failure in CI)."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        if IN_CI:
            raise
        pytest.skip(f"the optional {extra!r} extra is not installed (pip install -e '.[{extra}]')")
