"""Inputs that used to hang, crash or print more than one line per problem (found by fuzzing)."""

import os

import pytest

from subsidy.scenario.load import ScenarioError, load_scenario, one_line


def _problems(path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value).splitlines()


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    assert _problems(fifo) == [f"{fifo}: is not a regular file (a pipe, socket or device)"]


def test_dangling_link_says_so(tmp_path):
    link = tmp_path / "s.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    assert _problems(link) == [f"{link}: no such file (a dangling link)"]


def test_deeply_nested_json_is_an_input_error(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    assert _problems(path) == [f"{path}: not valid JSON: nested too deeply"]


def test_key_with_line_break_stays_on_one_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text('name: x\n"a\\nb": 1\n')
    assert _problems(path) == [f"{path}:2: a\\nb: unknown field (check the spelling; see the scenario format in the README)"]


def test_alias_bomb_is_reported_quickly_and_briefly(tmp_path):
    text = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for i in range(1, 9):  # 10^9 leaves if walked naively
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n"
    text += "name: *a8\n"
    path = tmp_path / "s.yaml"
    path.write_text(text)
    lines = _problems(path)
    assert len(lines) == 10  # name + nine unknown fields
    assert all(len(line) < 200 for line in lines)


def test_one_line_escapes_controls_and_surrogates():
    assert one_line("a\nb\x00c\ud800d 区") == "a\\nb\\x00c\\ud800d 区"


def test_duplicate_json_key_is_refused_like_yaml(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"name": "x", "name": "y"}')
    assert _problems(path) == [f"{path}: not valid JSON: duplicate key 'name'"]


def test_integer_too_long_for_python_is_an_input_error(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: x\nfunds: [{id: f, name: f, categories: [], budget: " + "9" * 5000 + "}]\n")
    assert _problems(path) == [f"{path}: not valid YAML: Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits"]
