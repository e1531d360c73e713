"""A generated corpus of malformed inputs: each is refused with one line per problem, a non-zero
exit, no traceback and no output written. Seeds are fixed; nothing is committed but the generator."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from fuzz_malformed import BASE, _yaml, allocation_cases, scenario_cases
from run_cli import Run, run

SEED = int(os.environ.get("SUBSIDY_FUZZ_SEED", "5"))

PREFIXES = ("error: ", "warning: ", "错误: ", "警告: ", "错误 / error: ", "警告 / warning: ")  # cli.LEVELS


def refusal_problems(result: Run, path: Path, code: int = 2) -> list[str]:
    """What is wrong with a refusal, if anything (empty list: a proper refusal)."""
    problems = []
    if result.code != code:
        problems.append(f"exit {result.code}, expected {code}")
    lines = result.stderr.splitlines()
    if not lines:
        problems.append("no error printed")
    if "Traceback" in result.stderr or "internal error" in result.stderr:
        problems.append("traceback / internal error")
    for line in lines:
        if not line.startswith(PREFIXES) or str(path) not in line:
            problems.append(f"not a located one-line error: {line[:120]!r}")
    return problems


def test_corpus_is_large_and_varied():
    cases = scenario_cases(random.Random(SEED)) + allocation_cases(random.Random(SEED))
    assert len(cases) >= 1000
    assert len({c.kind for c in cases}) >= 15


def refusals(cases, tmp_path: Path, command) -> list[str]:
    """Each case made in its own folder and run; what went wrong with each that was not refused."""
    failures = []
    for case in cases:
        folder = tmp_path / case.name.replace(".", "_")
        folder.mkdir()
        path = case.make(folder)
        result = run(*command(path, folder))
        problems = refusal_problems(result, path)
        if (folder / "out").exists():
            problems.append("output written")
        if result.stdout:
            problems.append(f"printed to stdout: {result.stdout[:80]!r}")
        if problems:
            failures.append(f"{case.kind} {case.name}: {'; '.join(problems)} | {result.stderr[:300]!r}")
    return failures


def test_every_malformed_scenario_is_refused(tmp_path):
    cases = scenario_cases(random.Random(SEED))
    failures = refusals(cases, tmp_path, lambda path, folder: ("solve", path, "--out", folder / "out", "--quiet"))
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures[:40])


def test_every_malformed_allocation_table_is_refused(tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(_yaml(BASE), encoding="utf-8")
    cases = allocation_cases(random.Random(SEED))
    failures = refusals(cases, tmp_path, lambda path, folder: ("verify", scenario, path))
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures[:40])


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their permission bits")
def test_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(_yaml(BASE), encoding="utf-8")
    path.chmod(0)
    result = run("solve", path, "--out", tmp_path / "out")
    assert refusal_problems(result, path) == []
    assert "cannot be read (Permission denied)" in result.stderr
