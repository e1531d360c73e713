"""subsidy: allocate reward funds to enterprises closing outdated capacity, and report the gap.

    >>> import subsidy
    >>> scenario = subsidy.load("scenarios/xianan-2025.yaml")
    >>> result = subsidy.solve(scenario)
    >>> result.gaps            # pandas DataFrame, amounts as Decimal
"""

from __future__ import annotations

from .io import ScenarioError, load_scenario as load
from .model import Scenario
from .solve import SolveError, solve

__version__ = "0.1.0"
__all__ = ["load", "solve", "Scenario", "Result", "ScenarioError", "SolveError", "__version__"]


def __getattr__(name: str):
    # Result brings pandas (a third of a second): imported when asked for, so that reading a
    # scenario (`import subsidy.io`, `subsidy validate`) does not pay for it.
    if name == "Result":
        from .report import Result

        return Result
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
