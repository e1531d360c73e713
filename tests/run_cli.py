"""Run the `subsidy` command in-process (fast enough for a thousand cases), as a clerk would."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from unittest import mock

import cli


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run(*args: str) -> Run:
    """`subsidy ARGS...` through cli.main, the console-script entry point (its last-resort
    handler included), with stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with mock.patch.object(sys, "argv", ["subsidy", *map(str, args)]), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Run(code, out.getvalue(), err.getvalue())
