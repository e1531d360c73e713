"""One scenario, three file formats: YAML, JSON and the Excel workbook, in any direction.

`scenario_data` is the scenario as the plain data a person would write: only the fields the
source gave, amounts as numbers. Loading what `write_scenario` wrote gives an equal Scenario.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from subsidy.scenario.load import SUFFIXES
from subsidy.scenario.model import Scenario


def _plain(value: Any) -> Any:
    """Decimals as int or float (exact: at most 2 decimals, ≤ 10^10), containers recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def scenario_data(scenario: Scenario) -> dict:
    """The fields the scenario was given (not the defaults it filled in), as plain data."""
    return _plain(scenario.model_dump(mode="python", by_alias=True, exclude_unset=True))


def with_changes(scenario: Scenario, changes: dict | None = None, **fields: Any) -> Scenario:
    """A what-if variant of `scenario`, validated like a file: `changes` (and keyword `fields`,
    top-level ones) are merged as an overlay file's contents are (funds, enterprises and
    assumptions by id; `None` removes a field; `{"id": x, "remove": True}` removes an entry), e.g.

        with_changes(s, {"funds": [{"id": "central_reward", "budget": 400}]}, name="more central")

    Raises ScenarioError naming each problem, as loading a file would."""
    from subsidy.scenario.load import scenario_from_data
    from subsidy.scenario.overlay import merge

    patch = {**(changes or {}), **fields}
    data, _ = merge(scenario_data(scenario), {}, _plain(patch), {})
    return scenario_from_data(data, "<with_changes>")


YEARLY_COMMITMENTS_NOT_IN_THE_WORKBOOK = (
    "the input workbook's 已定事项 sheet has no year column yet: a commitment's year would be lost; write .yaml or .json / "
    "输入工作簿的已定事项表尚无年度列，已定事项的年度将丢失；请写为 .yaml 或 .json")
"""Why a programme whose commitments name a year is not written to .xlsx (rather than dropping the year)."""


def scenario_bytes(scenario: Scenario, suffix: str, lang: str = "zh") -> bytes:
    """The scenario in the format named by a file suffix (.yaml, .yml, .json, .xlsx)."""
    from subsidy.scenario.ranges import with_ranges

    kind = SUFFIXES.get(suffix.lower())
    data = with_ranges(scenario_data(scenario), scenario.ranges, _plain)  # a range stays a range
    if kind == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")
    if kind == "json":
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if kind == "xlsx":
        from subsidy.scenario.scenario_xlsx_write import scenario_workbook

        if any(c.year is not None for c in scenario.commitments):
            raise ValueError(YEARLY_COMMITMENTS_NOT_IN_THE_WORKBOOK)

        return scenario_workbook(scenario, lang)
    raise ValueError(f"unsupported file type {suffix or '(none)'!r}; use .yaml, .yml, .json or .xlsx")


def template(lang: str = "zh") -> bytes:
    """`subsidy template`: the input workbook filled with the Wenquan example."""
    from subsidy.scenario.load import scenario_from_data
    from subsidy.scenario.scenario_xlsx import EXAMPLE
    from subsidy.scenario.scenario_xlsx_write import scenario_workbook

    return scenario_workbook(scenario_from_data(EXAMPLE), lang)


def write_scenario(scenario: Scenario, path: str | Path, lang: str = "zh") -> Path:
    """Write the scenario in the format of `path`'s suffix, atomically."""
    from subsidy.scenario.files import write_file_atomically

    path = Path(path)
    return write_file_atomically(path, scenario_bytes(scenario, path.suffix, lang))
