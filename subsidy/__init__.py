"""subsidy: allocate reward funds to enterprises closing outdated capacity, and report the gap.

    >>> import subsidy
    >>> scenario = subsidy.load("scenarios/xianan-2025.yaml")
    >>> result = subsidy.solve(scenario)
    >>> result.gaps            # pandas DataFrame, amounts as Decimal
"""

from __future__ import annotations

from .io import ScenarioError, load_scenario as load
from .model import Scenario
from .report import Result
from .solve import SolveError, solve

__version__ = "0.1.0"
__all__ = ["load", "solve", "Scenario", "Result", "ScenarioError", "SolveError", "__version__"]
