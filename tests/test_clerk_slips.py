"""Issue 11: a slip of the clerk never silently moves money. Each case of the issue, as a clerk
would meet it at the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

from run_cli import run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


# Case 3: `subsidy solve 蕲春.xlsx --xlsx 蕲春.xlsx` overwrote the clerk's input workbook.
def test_solve_refuses_to_write_its_result_over_the_input_workbook(tmp_path):
    book = tmp_path / "蕲春.xlsx"
    assert run("convert", SCENARIOS / "xianan-2025.yaml", book).code == 0
    before = book.read_bytes()
    done = run("solve", book, "--xlsx", book)
    assert done.code == 2
    assert "overwrite the input file" in done.stderr and "覆盖输入文件" in done.stderr
    assert book.read_bytes() == before  # the clerk's workbook is untouched, byte for byte
    # The same file by another spelling (./dir/../蕲春.xlsx) is still the same file.
    other = tmp_path / "sub" / ".." / "蕲春.xlsx"
    assert run("solve", book, "--xlsx", other).code == 2


def test_every_writing_command_refuses_an_input_as_its_output(tmp_path):
    base = tmp_path / "xianan-2025.yaml"
    shutil.copy(SCENARIOS / "xianan-2025.yaml", base)
    overlay = tmp_path / "more.yaml"
    overlay.write_text("base: xianan-2025.yaml\nname: more\n", encoding="utf-8")
    before = base.read_bytes()
    # An overlay's base is an input too: the result workbook may not land on it.
    assert run("solve", overlay, "--xlsx", base).code == 2
    assert run("convert", overlay, base).code == 2
    assert run("sweep", base, "--vary", "funds.central_reward.budget=1,2", "--out", base).code == 2
    assert run("report", overlay, "--html", base).code == 2
    # A folder holding an input under a name the command writes: summary.json as the scenario.
    folder = tmp_path / "out"
    folder.mkdir()
    json_scenario = folder / "summary.json"
    assert run("convert", base, json_scenario).code == 0
    json_before = json_scenario.read_bytes()
    assert run("solve", json_scenario, "--out", folder).code == 2
    assert json_scenario.read_bytes() == json_before
    assert base.read_bytes() == before
    # Writing elsewhere is still fine.
    assert run("solve", overlay, "--xlsx", tmp_path / "result.xlsx", "-q").code == 0
