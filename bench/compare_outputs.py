"""Same inputs, same outputs: snapshot what every command writes and prints, and diff two snapshots.

A refactoring must not change a single byte a user sees. This script runs the CLI of one checkout
on fixed cases (the shipped scenarios and overlays, `national-2000.yaml`, a generated
10,000-enterprise scenario) and keeps everything it writes and prints; `diff` compares two such
snapshots file by file.

    python bench/compare_outputs.py snapshot /tmp/before            # this checkout
    git worktree add /tmp/old <commit>
    python bench/compare_outputs.py snapshot /tmp/before --checkout /tmp/old
    python bench/compare_outputs.py snapshot /tmp/after
    python bench/compare_outputs.py diff /tmp/before /tmp/after

`--checkout DIR` runs that checkout's `cli.py` and `subsidy/` (put first on PYTHONPATH) with
this environment's packages, so one virtual environment serves both sides. `--quick` leaves out
the 10k case and the LP on `national-2000.yaml` (a minute together). Explain and close-gap run
on every scenario but `national-2000.yaml`, where explain took more than 17 minutes before the
one-pipeline change. Exit 1 when `diff` finds a difference.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ["xianan-2025", "chuxiong-2025", "linzi-portfolio"]
OPTIONS = ["xianan-more-central", "xianan-xianning-fund", "xianan-more-central-no-provincial-cap"]


def cases(scen: Path, work: Path, quick: bool) -> list[tuple[str, list[str]]]:
    """(name, CLI arguments) in run order; `{out}` is the case's own output folder."""
    out: list[tuple[str, list[str]]] = []
    seeds = [scen / f"{s}.yaml" for s in SEEDS]
    options = [scen / "options" / f"{o}.yaml" for o in OPTIONS]
    national = scen / "generated" / "national-2000.yaml"
    for path in seeds + options:
        stem = path.stem
        out.append((f"solve-{stem}", ["solve", str(path), "--out", "{out}", "--rows", "0"]))
        out.append((f"solve-zh-{stem}", ["solve", str(path), "--out", "{out}", "--lang", "zh", "--xlsx", "{out}/result.xlsx"]))
        out.append((f"solve-pulp-{stem}", ["solve", str(path), "--method", "pulp", "--out", "{out}"]))
        out.append((f"solve-cbc-{stem}", ["solve", str(path), "--solver", "cbc", "--out", "{out}"]))
        out.append((f"explain-{stem}", ["explain", str(path)]))
        out.append((f"explain-zh-{stem}", ["explain", str(path), "--lang", "zh"]))
        out.append((f"close-gap-{stem}", ["close-gap", str(path)]))
        out.append((f"close-gap-zh-{stem}", ["close-gap", str(path), "--lang", "zh"]))
        out.append((f"verify-{stem}", ["verify", str(path), "{out:solve-" + stem + "}/allocations.csv"]))
    xianan = str(seeds[0])
    out.append(("close-gap-target", ["close-gap", xianan, "--target", "200", "--fund", "xianan_district"]))
    out.append(("close-gap-linzi-0", ["close-gap", str(seeds[2]), "--target", "0"]))
    out.append(("compare", ["compare", xianan, *map(str, options), "--out", "{out}"]))
    out.append(("compare-zh", ["compare", xianan, str(options[0]), "--lang", "zh"]))
    out.append(("sweep", ["sweep", xianan, "--vary", "funds.central_reward.budget=0:400:100",
                          "--vary", "funds.xianan_district.caps.share_of_need=0.5,1", "--workers", "1", "--out", "{out}/sweep.csv"]))
    out.append(("sweep-pulp", ["sweep", str(seeds[2]), "--vary", "funds.central_reward.budget=0:600:150", "--method", "pulp",
                               "--workers", "1", "--out", "{out}/sweep.csv"]))
    out.append(("sweep-print", ["sweep", xianan, "--vary", "categories.bank_debt.weight=0.5,1.25", "--workers", "1"]))
    out.append(("report", ["report", *map(str, seeds[:2]), "--html", "{out}/report.html"]))
    out.append(("national-2000", ["solve", str(national), "--out", "{out}", "--rows", "0"]))
    if not quick:
        out.append(("national-2000-pulp", ["solve", str(national), "--method", "pulp", "--out", "{out}", "--quiet"]))
        big = work / "generated-10k.json"
        out.append(("generate-10k", ["generate", "--enterprises", "10000", "--seed", "7", "--out", str(big)]))
        out.append(("solve-10k", ["solve", str(big), "--out", "{out}", "--quiet"]))
    return out


def snapshot(target: Path, checkout: Path, quick: bool) -> None:
    target.mkdir(parents=True, exist_ok=False)
    work = target / "_work"
    work.mkdir()
    env = dict(os.environ, PYTHONPATH=str(checkout), PYTHONHASHSEED="0")
    runner = [sys.executable, "-c", "import sys, cli; sys.argv[0] = 'subsidy'; cli.main()"]
    done: dict[str, Path] = {}
    for name, args in cases(ROOT / "scenarios", work, quick):
        folder = target / name
        folder.mkdir()
        argv = []
        for a in args:
            for key, path in done.items():
                a = a.replace("{out:" + key + "}", str(path))
            argv.append(a.replace("{out}", str(folder)))
        started = time.perf_counter()
        proc = subprocess.run(runner + argv, cwd=checkout, env=env, capture_output=True)
        seconds = time.perf_counter() - started
        # Printed text names the output folder and the scenario paths; keep them out of the comparison.
        for stream, data in (("stdout.txt", proc.stdout), ("stderr.txt", proc.stderr)):
            text = data.decode("utf-8", "replace").replace(str(folder), "{out}").replace(str(target), "{snapshot}")
            text = text.replace(str(ROOT), "{root}")
            (folder / stream).write_text(text, encoding="utf-8")
        (folder / "exit.txt").write_text(f"{proc.returncode}\n")
        done[name] = folder
        print(f"{name:45s} exit {proc.returncode}  {seconds:6.1f} s", flush=True)


def same(left: Path, right: Path) -> bool:
    """Byte for byte; a workbook member by member, but for the creation time openpyxl stamps
    into docProps/core.xml (two runs of the same code differ there)."""
    if filecmp.cmp(left, right, shallow=False):
        return True
    if left.suffix != ".xlsx":
        return False
    import zipfile

    with zipfile.ZipFile(io.BytesIO(left.read_bytes())) as za, zipfile.ZipFile(io.BytesIO(right.read_bytes())) as zb:
        names = sorted(za.namelist())
        if names != sorted(zb.namelist()):
            return False
        return all(za.read(n) == zb.read(n) for n in names if n != "docProps/core.xml")


def diff(a: Path, b: Path) -> int:
    differ = 0
    names = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file()} | {p.relative_to(b) for p in b.rglob("*") if p.is_file()})
    for rel in names:
        if rel.parts[0] == "_work" and rel.suffix != ".json":
            continue
        left, right = a / rel, b / rel
        if not left.exists() or not right.exists():
            print(f"only in {'the first' if left.exists() else 'the second'}: {rel}")
            differ += 1
        elif not same(left, right):
            print(f"differs: {rel}")
            differ += 1
    print(f"{len(names)} files compared, {differ} differ")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="run the cases and keep every output")
    snap.add_argument("target", type=Path)
    snap.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose cli.py and subsidy/ run (default: this one)")
    snap.add_argument("--quick", action="store_true", help="leave out the 10k case and the LP on national-2000")
    dif = sub.add_parser("diff", help="compare two snapshots byte for byte")
    dif.add_argument("a", type=Path)
    dif.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(args.target.resolve(), args.checkout.resolve(), args.quick)
    else:
        sys.exit(diff(args.a, args.b))


if __name__ == "__main__":
    main()
