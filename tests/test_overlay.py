"""Overlays: the merge rule, chains, cycles, and errors that name the right file and line."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from subsidy.analysis.compare import effective_inputs
from subsidy.scenario.load import ScenarioError, load_data, load_scenario, load_scenario_with_hash
from subsidy.scenario.overlay import merge

BASE = """\
name: base
enterprises:
  - {id: e1, name: 甲厂,
     region: 湖北/咸宁, industry: cement,
     costs: {resettlement: 100, bank_debt: 50}}
  - {id: e2, name: 乙厂,
     region: 湖北/咸宁, industry: cement,
     costs: {resettlement: 30}}
funds:
  - id: central
    name: 中央
    budget: 100
    categories: [resettlement, bank_debt]
    caps: {per_enterprise: 80, share_of_need: 0.9}
  - id: county
    name: 县
    budget: 20
    categories: [resettlement]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path) -> Path:
    return write(tmp_path / "base.yaml", BASE)


def test_merge_rule(tmp_path, base):
    write(tmp_path / "opt" / "o.yaml", """\
base: ../base.yaml
name: option
funds:
  - id: central
    budget: 150
    caps: {per_enterprise: null}
    categories: [resettlement]
  - id: province
    name: 省
    budget: 40
    categories: [bank_debt]
enterprises:
  - id: e2
    remove: true
  - id: e1
    costs: {bank_debt: 60}
""")
    s = load_scenario(tmp_path / "opt" / "o.yaml")
    assert s.name == "option"
    central, county, province = s.funds
    assert (central.id, central.budget, county.id, province.id) == ("central", Decimal(150), "county", "province")
    assert central.caps.per_enterprise is None          # null deletes
    assert central.caps.share_of_need == 0.9            # untouched sibling kept
    assert central.categories == ["resettlement"]       # other lists replace
    assert [e.id for e in s.enterprises] == ["e1"]      # remove: true
    assert s.enterprises[0].costs == {"resettlement": Decimal(100), "bank_debt": Decimal(60)}  # mappings merge
    assert s.enterprises[0].name == "甲厂"


def test_merge_is_plain_data():
    merged, origins = merge({"a": {"x": 1, "y": [1, 2]}, "funds": [{"id": "f", "budget": 1}]},
                            {("a", "x"): ("b.yaml", 2)},
                            {"a": {"y": [3]}, "funds": [{"id": "g", "budget": 2}]},
                            {("a", "y"): ("o.yaml", 5), ("funds", 0, "budget"): ("o.yaml", 7)})
    assert merged == {"a": {"x": 1, "y": [3]}, "funds": [{"id": "f", "budget": 1}, {"id": "g", "budget": 2}]}
    assert origins[("a", "x")] == ("b.yaml", 2) and origins[("a", "y")] == ("o.yaml", 5)
    assert origins[("funds", 1, "budget")] == ("o.yaml", 7)  # the appended entry's value, at its merged index


def test_chain_and_hash(tmp_path, base):
    a = write(tmp_path / "a.yaml", "base: base.yaml\nfunds:\n  - id: central\n    budget: 150\n")
    b = write(tmp_path / "b.yaml", "base: a.yaml\nfunds:\n  - id: county\n    budget: 30\n")
    s, sha = load_scenario_with_hash(b)
    assert [f.budget for f in s.funds] == [Decimal(150), Decimal(30)]
    digest = lambda p: hashlib.sha256(p.read_bytes())  # noqa: E731
    sha_base = digest(base).hexdigest()
    sha_a = hashlib.sha256(bytes.fromhex(sha_base) + digest(a).digest()).hexdigest()
    assert sha == hashlib.sha256(bytes.fromhex(sha_a) + digest(b).digest()).hexdigest()
    assert load_scenario_with_hash(base)[1] == sha_base  # a plain file keeps the sha of its bytes
    write(base, BASE.replace("budget: 20", "budget: 21"))
    assert load_scenario_with_hash(b)[1] != sha     # a change anywhere in the chain shows


def test_cycle_is_an_error_at_the_base_line(tmp_path):
    write(tmp_path / "x.yaml", "name: x\nbase: y.yaml\n")
    write(tmp_path / "y.yaml", "base: x.yaml\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "x.yaml")
    assert str(err.value) == f"{tmp_path / 'y.yaml'}:1: base: overlays form a cycle: x.yaml → y.yaml → x.yaml"


def test_missing_base(tmp_path):
    write(tmp_path / "o.yaml", "name: o\nbase: nowhere.yaml\n")
    with pytest.raises(ScenarioError, match=r"o.yaml:2: base: base file 'nowhere.yaml' not found"):
        load_scenario(tmp_path / "o.yaml")


def test_errors_name_the_file_and_line_the_value_came_from(tmp_path, base):
    write(tmp_path / "o.yaml", "base: base.yaml\nfunds:\n  - id: county\n    budget: -5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "o.yaml")
    assert str(err.value) == f"{tmp_path / 'o.yaml'}:4: funds[1] (county).budget: must be ≥ 0, got -5"
    # A bad value left in the base is reported in the base file, at its own line.
    write(base, BASE.replace("budget: 20", "budget: 1.234"))
    write(tmp_path / "o.yaml", "base: base.yaml\nname: fine\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "o.yaml")
    assert str(err.value).startswith(f"{base}:17: funds[1] (county).budget: must have at most 2 decimals")


@pytest.mark.parametrize("entry, line, message", [
    ("  - id: nope\n    remove: true\n", 3, "funds[0] (nope): cannot remove 'nope': the base has no such entry in funds"),
    ("  - budget: 5\n", 3, "funds[0]: each entry of funds in an overlay needs an id"),
    ("  - id: county\n    remove: yes please\n", 4, "funds[0] (county).remove: must be true or false, got 'yes please'"),
    ("  - id: county\n    remove: true\n    budget: 3\n", 3, "funds[0] (county): an entry with remove: true has only id and remove"),
])
def test_bad_entries(tmp_path, base, entry, line, message):
    write(tmp_path / "o.yaml", "base: base.yaml\nfunds:\n" + entry)
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "o.yaml")
    assert str(err.value).startswith(f"{tmp_path / 'o.yaml'}:{line}: {message}")


def test_json_overlay_on_yaml_base(tmp_path, base):
    write(tmp_path / "o.json", '{"base": "base.yaml", "funds": [{"id": "county", "budget": "25.5"}]}')
    assert load_scenario(tmp_path / "o.json").funds[1].budget == Decimal("25.5")


def test_cli_reports_overlay_errors(tmp_path, base):
    write(tmp_path / "o.yaml", "base: base.yaml\nfunds:\n  - id: county\n    budget: -5\n")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "o.yaml")])
    assert result.exit_code == 2
    # The base names its enterprises and funds in Chinese, so the message is Chinese; --lang en English.
    assert f"错误: {tmp_path / 'o.yaml'}:4: funds[1] (county).budget: 不得为负数，实际为 -5" in result.output
    english = CliRunner().invoke(app, ["validate", str(tmp_path / "o.yaml"), "--lang", "en"])
    assert f"error: {tmp_path / 'o.yaml'}:4: funds[1] (county).budget: must be ≥ 0, got -5" in english.output


SHIPPED = {
    # overlay → the fields it changes against scenarios/xianan-2025.yaml (free-text fields aside)
    "xianan-more-central.yaml": {"funds.central_reward.budget", "funds.central_reward.caps.per_capacity.carbide"},
    "xianan-xianning-fund.yaml": None,  # adds a fund
    "xianan-more-central-no-provincial-cap.yaml": {"funds.central_reward.budget", "funds.central_reward.caps.per_capacity.carbide",
                                                   "funds.hubei_provincial.caps.per_enterprise"},
}
TEXT = ("name", "description", "source", "notes")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_overlays(scenarios_dir, name):
    path = scenarios_dir / "options" / name
    assert "base" in yaml.safe_load(path.read_text(encoding="utf-8"))
    base = effective_inputs(load_scenario(scenarios_dir / "xianan-2025.yaml"))
    option = effective_inputs(load_scenario(path))
    changed = {k for k in set(base) | set(option) if base.get(k) != option.get(k) and k.rsplit(".", 1)[-1] not in TEXT}
    if SHIPPED[name] is None:
        assert changed and all(k.startswith("funds.xianning_municipal.") for k in changed)
    else:
        assert changed == SHIPPED[name]
    data, _, _ = load_data(path)
    assert "base" not in data


def test_a_budget_added_over_the_bases_tranches_is_refused_at_the_overlays_line(tmp_path):
    # The base's county fund arrives by year (tranches, line 17); an overlay that gives it a
    # budget (line 4) leaves the tranches in place, so the fund would have both. The error names
    # the overlay's line, where the clerk wrote the budget, and the base's line of the tranches
    # (it used to name only base.yaml:17, a line the clerk did not touch).
    programme = BASE.replace("budget: 20", "tranches: {2025: 10, 2026: 10}") + "years: [2025, 2026]\n"
    base = write(tmp_path / "base.yaml", programme)
    overlay = write(tmp_path / "o.yaml", "base: base.yaml\nfunds:\n  - id: county\n    budget: 30\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(overlay)
    assert str(err.value) == (f"{overlay}:4: funds[0] (county).budget: the base gives tranches ({base}:17); give budget or "
                              "tranches, not both: write `tranches: null` in this entry to replace the base's tranches by this budget")
    result = CliRunner().invoke(app, ["validate", str(overlay), "--lang", "zh"])
    assert result.exit_code == 2 and f"错误: {overlay}:4: funds[0] (county).budget: 基础方案已填写 tranches（{base}:17）" in result.output
    # As the message says: with `tranches: null` the 30 arrives at once.
    write(overlay, "base: base.yaml\nfunds:\n  - id: county\n    tranches: null\n    budget: 30\n")
    county = load_scenario(overlay).funds[1]
    assert county.budget == 30 and county.tranches is None
    # The other way round: tranches (line 5) over the base's budget (line 12) of the central fund.
    write(base, BASE + "years: [2025, 2026]\n")
    write(overlay, "base: base.yaml\nfunds:\n  - id: central\n    carry_over: true\n    tranches: {2025: 60, 2026: 40}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(overlay)
    assert str(err.value).startswith(f"{overlay}:5: funds[0] (central).tranches: the base gives budget ({base}:12); "
                                     "give budget or tranches, not both: write `budget: null` in this entry")
