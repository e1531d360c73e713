"""How `subsidy report` scales: the HTML and the PDF at 2,000 and 100,000 enterprises.

For each size: generate a scenario (`subsidy generate --enterprises N --funds 5 --seed 1`, JSON),
then run `subsidy report FILE --html` and `subsidy report FILE --pdf` end to end, each in a fresh
process (start-up, load, solve, charts, layout, write), and read the child's peak memory
(ru_maxrss). Then, in one more process, where the time goes: load, solve, `html_report`,
`pdf_bytes`. Printed: the size of each file, its tallest chart (the issue asks under 3,000 pt),
the PDF's page count (pdfinfo, where installed).

    python bench/report_scale.py                      # 2,000 and 100,000 enterprises
    python bench/report_scale.py --sizes 2000          # quicker
    python bench/report_scale.py --write               # also write bench/REPORT.md

No timed unit tests: tests/test_charts.py checks the 2,000-enterprise page's size and heights.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import ROOT, load, machine, timed  # noqa: E402  (bench/ is not a package)

PHASES = """
import sys, time
marks = [time.perf_counter()]
from subsidy.scenario.load import load_scenario
from subsidy.pipeline import solve
from subsidy.output.charts import html_report
from subsidy.output.report_pdf import pdf_bytes
scenario = load_scenario(sys.argv[1]); marks.append(time.perf_counter())
result = solve(scenario); marks.append(time.perf_counter())
html_report([result], ["x"], "zh"); marks.append(time.perf_counter())
pdf_bytes([result], ["x"], "zh"); marks.append(time.perf_counter())
print(" ".join(f"{b - a:.2f}" for a, b in zip(marks, marks[1:])))
"""


def tallest_svg(page: str) -> float:
    return max(float(h) for h in re.findall(r'<svg[^>]*height="([\d.]+)pt"', page))


def pdf_pages(path: Path) -> str:
    if shutil.which("pdfinfo") is None:
        return "–"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,100000")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "subsidy-report-scale"))
    parser.add_argument("--write", action="store_true", help="also write bench/REPORT.md")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, str(ROOT / "cli.py")]
    load_before = load()
    rows, phases = [], []
    for n in (int(s) for s in args.sizes.split(",")):
        scenario = work / f"report-{n}-seed1.json"
        if not scenario.exists():
            timed(cli + ["generate", "--enterprises", str(n), "--funds", "5", "--seed", "1", "--out", str(scenario)])
        html, pdf = work / f"report-{n}.html", work / f"report-{n}.pdf"
        html_s, html_mb, _ = timed(cli + ["report", str(scenario), "--html", str(html)])
        pdf_s, pdf_mb, _ = timed(cli + ["report", str(scenario), "--pdf", str(pdf)])
        page = html.read_text(encoding="utf-8")
        rows.append(f"| {n:,} | {html.stat().st_size / 1e6:.2f} MB | {tallest_svg(page):,.0f} pt | {html_s:.1f} s | {html_mb:.0f} MB "
                    f"| {pdf.stat().st_size / 1e6:.2f} MB | {pdf_pages(pdf)} | {pdf_s:.1f} s | {pdf_mb:.0f} MB |")
        print(rows[-1], flush=True)
        times = timed([sys.executable, "-c", PHASES, str(scenario)])[2].split()
        phases.append(f"| {n:,} | " + " | ".join(f"{t} s" for t in times) + " |")
        print(phases[-1], flush=True)
    table = "\n".join([
        "| enterprises | HTML | tallest chart | `report --html` | peak memory | PDF | pages | `report --pdf` | peak memory |",
        "|---|---|---|---|---|---|---|---|---|", *rows])
    phase_table = "\n".join(["| enterprises | imports + load | solve | html_report | pdf_bytes (its own html_report included) |", "|---|---|---|---|---|", *phases])
    text = (f"# `subsidy report` at scale (bench/report_scale.py)\n\nScenarios from `subsidy generate --enterprises N --funds 5 "
            f"--seed 1` (JSON). End to end, each command in a fresh process (solve included):\n\n{table}\n\n"
            f"Where the time goes (one process, in Chinese):\n\n{phase_table}\n\nMachine (load {load_before} before, "
            f"{load()} after; shared with other work):\n\n" + "\n".join(machine()) + "\n")
    print("\n" + text)
    if args.write:
        (ROOT / "bench" / "REPORT.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
