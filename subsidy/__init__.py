"""subsidy: allocate reward funds to enterprises closing outdated capacity, and report the gap.

    >>> import subsidy
    >>> scenario = subsidy.load("scenarios/xianan-2025.yaml")
    >>> result = subsidy.solve(scenario)
    >>> result.gaps            # pandas DataFrame: amounts as float in the unit, and exact `*_fen` integers
    >>> more = subsidy.with_changes(scenario, {"funds": [{"id": "central_reward", "budget": 400}]})
"""

from __future__ import annotations

from subsidy._version import __version__
from subsidy.scenario.convert import with_changes
from subsidy.scenario.load import ScenarioError, load_scenario as load
from subsidy.scenario.model import Scenario
from subsidy.pipeline import DiagnosisError, SolveError, solve

__all__ = ["load", "solve", "with_changes", "Scenario", "Result", "ScenarioError", "SolveError", "DiagnosisError", "__version__"]


def __getattr__(name: str):
    # Result brings pandas (a third of a second): imported when asked for, so that reading a
    # scenario (`import subsidy.scenario.load`, `subsidy validate`) does not pay for it.
    if name == "Result":
        from subsidy.allocate.result import Result

        return Result
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
