"""How long loading (parse + validate) and the diagnosis take, in process, GC paused as in the CLI.

For each size a generated JSON scenario (`subsidy generate --enterprises N --funds 5 --seed 1`)
is loaded with `load_scenario_with_hash` and diagnosed with `diagnose`; the best of --repeat runs
is printed. Also the import time of subsidy.scenario.load in a fresh process.

    python bench/load.py                       # 1k, 10k, 100k (generated into a temp dir)
    python bench/load.py --files a.json b.yaml # given files
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def generate(n: int, folder: Path) -> Path:
    out = folder / f"g{n}.json"
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "generate", "--enterprises", str(n), "--funds", "5",
                    "--seed", "1", "--out", str(out)], check=True, capture_output=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    from subsidy.allocate.stages import gc_paused
    from subsidy.pipeline import diagnosis
    from subsidy.scenario.load import load_scenario_with_hash
    print(f"import subsidy.scenario.load, subsidy.pipeline (this process): {time.perf_counter() - start:.3f} s")
    import subsidy

    # run where this process found subsidy, so that the child imports the same copy
    cold = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); import subsidy.scenario.load; "
                           "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True,
                          cwd=Path(subsidy.__file__).resolve().parent.parent)
    print(f"import subsidy.scenario.load (fresh process): {float(cold.stdout):.3f} s\n")

    with tempfile.TemporaryDirectory() as tmp:
        files = args.files or [generate(int(n), Path(tmp)) for n in args.sizes.split(",")]
        print("| file | enterprises | load + validate | own funds + diagnose |")
        print("|---|---|---|---|")
        for path in files:
            with gc_paused():
                load, (scenario, _) = best_of(args.repeat, lambda: load_scenario_with_hash(path))
                diag, _ = best_of(args.repeat, lambda: diagnosis(scenario))
            print(f"| {path.name} | {len(scenario.enterprises):,} | {load:.3f} s | {diag:.3f} s |", flush=True)


if __name__ == "__main__":
    main()
