"""The JSON Schema editors use: shipped file = generated one, and it accepts/rejects what the models do."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from conftest import ROOT, SCENARIOS
from subsidy.scenario.convert import scenario_data
from subsidy.scenario.json_schema import scenario_schema, schema_text
from subsidy.scenario.scenario_xlsx import EXAMPLE

SHIPPED = ROOT / "schema" / "scenario.schema.json"


def test_shipped_schema_is_the_generated_one():
    assert SHIPPED.read_text(encoding="utf-8") == schema_text(), "regenerate: subsidy schema > schema/scenario.schema.json"


def test_schema_command_prints_it():
    out = CliRunner().invoke(app, ["schema"])
    assert out.exit_code == 0 and json.loads(out.output) == scenario_schema()


def validator():
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", ["xianan-2025", "chuxiong-2025", "linzi-portfolio"])
def test_shipped_scenarios_are_valid(name):
    data = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    assert list(validator().iter_errors(data)) == []


@pytest.mark.parametrize("path, value, message", [
    (("enterprises", 0, "costs", "bank_debt"), -5, "-5 is less than the minimum of 0"),
    (("funds", 0, "level"), "national", "'national' is not one of"),
    (("funds", 0, "caps", "share_of_need"), 1.5, "1.5 is greater than the maximum of 1"),
    (("enterprises", 0, "workerz"), 3, "Additional properties are not allowed ('workerz' was unexpected)"),
    (("enterprises", 0, "own_funds_rule"), "generous", "'generous' is not one of"),
    (("enterprises", 0, "id"), "Wen Quan", "does not match"),
])
def test_schema_rejects_what_the_models_reject(path, value, message):
    data = json.loads(json.dumps(EXAMPLE))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert any(message in m for m in messages(validator().iter_errors(data)))


def messages(errors):
    """Every message, including those of the alternatives of an anyOf."""
    for e in errors:
        yield e.message
        yield from messages(e.context)


def test_main_fields_have_english_and_chinese_docs():
    schema = scenario_schema()
    defs = schema["$defs"]
    assert schema["title"] == "Scenario 分配方案"
    assert schema["properties"]["enterprises"]["title"] == "Enterprises 企业"
    ent, fund = defs["Enterprise"]["properties"], defs["Fund"]["properties"]
    assert ent["workers"]["title"] == "Workers 职工人数"
    assert "职工安置费" in ent["costs"]["description"] and "resettlement" in ent["costs"]["description"]
    assert fund["budget"]["title"] == "Budget 预算" and defs["Caps"]["properties"]["share_of_need"]["anyOf"][0]["maximum"] == 1
    # Amounts are numbers ≥ 0 for the editor; a cost line, own funds and a budget may also be a range.
    amount = {"type": "number", "minimum": 0, "maximum": 10**10}
    assert ent["workers"]["anyOf"][0]["type"] == "integer" and defs["Caps"]["properties"]["per_enterprise"]["anyOf"][0] == amount
    assert ent["costs"]["additionalProperties"]["anyOf"][:2] == [amount, {"$ref": "#/$defs/AmountRange"}]
    # ... or, in a programme over several years, {year: amount}.
    assert ent["costs"]["additionalProperties"]["anyOf"][3] == {"type": "object", "additionalProperties": amount,
                                                                "propertyNames": {"pattern": "^[0-9]{4}$"}}
    assert fund["tranches"]["anyOf"][0]["additionalProperties"] == amount
    assert fund["budget"]["anyOf"][:2] == [amount, {"$ref": "#/$defs/AmountRange"}]


@pytest.mark.parametrize("value, valid", [
    ({"low": 400, "expected": 640, "high": 700}, True), ("400~640～700", True), (640, True),
    ({"low": 400, "high": 700}, False), ({"low": 400, "expected": 640, "high": 700, "mode": 1}, False),
    ("400~640", False), ("about 640", False),
])
def test_schema_takes_ranges_where_the_models_do(value, valid):
    data = json.loads(json.dumps(EXAMPLE))
    data["enterprises"][0]["own_funds"]["asset_sales"] = value
    data["funds"][0]["budget"] = value
    assert (list(validator().iter_errors(data)) == []) == valid


def test_exported_data_of_every_format_validates(tmp_path):
    from subsidy.scenario.load import load_scenario

    scenario = load_scenario(SCENARIOS / "linzi-portfolio.yaml")
    assert list(validator().iter_errors(scenario_data(scenario))) == []
