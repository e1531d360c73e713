"""A scenario written in Chinese gets Chinese documents unless the user says otherwise."""

from pathlib import Path

from subsidy.scenario.labels import language_of
from subsidy.scenario.load import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_seed_scenarios_with_chinese_names_are_chinese():
    assert language_of(load_scenario(SCENARIOS / "xianan-2025.yaml")) == "zh"


def test_a_scenario_named_only_in_latin_letters_is_english():
    scenario = load_scenario(SCENARIOS / "xianan-2025.yaml")
    latin = scenario.model_copy(update={
        "name": "Xian'an 2025",
        "enterprises": [e.model_copy(update={"name": f"Plant {i}"}) for i, e in enumerate(scenario.enterprises)],
        "funds": [f.model_copy(update={"name": f"Fund {i}"}) for i, f in enumerate(scenario.funds)],
    })
    assert language_of(latin) == "en"
