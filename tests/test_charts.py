"""The visual report: every chart present, with the solved numbers, in a page that needs no network."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from conftest import IN_CI
from typer.testing import CliRunner

import subsidy
from cli import app
from conftest import SCENARIOS
from subsidy.output import charts
from subsidy.output.charts import CHARTS, ChartData, enterprise_chart, html_report, png_files

runner = CliRunner()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def xianan():
    return subsidy.solve(subsidy.load(SCENARIOS / "xianan-2025.yaml"))


@pytest.fixture(scope="module")
def chuxiong():
    return subsidy.solve(subsidy.load(SCENARIOS / "chuxiong-2025.yaml"))


def figures(page: str) -> dict[str, list[str]]:
    """data-chart name → the SVGs of the figures with that name."""
    found: dict[str, list[str]] = {}
    for name, body in re.findall(r"<figure data-chart='(\w+)'>(.*?)</figure>", page, flags=re.S):
        found.setdefault(name, []).append(body)
    return found


def svg_texts(svg: str) -> str:
    return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def test_each_chart_is_in_the_page_with_its_numbers(xianan):
    page = html_report([xianan], ["xianan-2025"])
    found = figures(page)
    assert set(found) == set(CHARTS) and all(len(v) == 1 for v in found.values())
    assert all(body.lstrip().startswith("<svg") for bodies in found.values() for body in bodies)
    # Stacked bars per enterprise: own funds, funded, gap; the need written beside each bar.
    ents = svg_texts(found["enterprises"][0])
    for legend in ("自有资金 own funds", "已安排资金 funded", "资金缺口 gap"):
        assert legend in ents
    for r in xianan.enterprises.itertuples():
        assert f"需求 need {r.need:,.2f}" in ents and r.name in ents
    assert "需求 need 993.60" in ents  # 温泉: 30 + 453.6 + 110 + 50 + 350
    # Gap by category: each category's gap, summed here from the cost lines.
    cats = svg_texts(found["categories"][0])
    by_cat: dict[str, Decimal] = {}
    for r in xianan.gaps.itertuples():
        by_cat[r.category] = by_cat.get(r.category, Decimal(0)) + Decimal(r.gap_fen) / 100
    for cat, gap in by_cat.items():
        assert cat in cats and f"{gap:,.2f}" in cats
    funds = svg_texts(found["funds"][0])
    assert all(f.name in funds for f in xianan.scenario.funds) and "已使用 used" in funds and "结余 left" in funds
    # The totals table above the charts.
    assert f"{xianan.summary['total_gap']:,.2f}" in page


def test_page_needs_no_network(xianan, chuxiong):
    page = html_report([xianan, chuxiong], ["a", "b"])
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)|src=", page, flags=re.I)
    # The only URLs are XML namespace names inside the SVGs, which are never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    # Text is text (svg.fonttype none): the browser sets the Chinese with its own fonts.
    assert "<text" in page and "自有资金" in page


def test_compare_shows_scenarios_side_by_side(xianan, chuxiong):
    page = html_report([xianan, chuxiong], ["xianan", "chuxiong"])
    found = figures(page)
    assert len(found["comparison"]) == 1
    assert all(len(found[name]) == 2 for name in CHARTS)
    assert "--n: 2" in page
    sections = re.findall(r"<section class='scenario' data-scenario='(\w+)'>", page)
    assert sections == ["xianan", "chuxiong"]
    comparison = svg_texts(found["comparison"][0])
    for r in (xianan, chuxiong):
        assert f"资金缺口 gap {r.summary['total_gap']:,.2f}" in comparison
        assert r.scenario.name in comparison  # labelled by the scenarios' names, not the files'
    assert "xianan" not in comparison.split()
    # Ids are unique in the page, and every internal reference (clip paths) points at one of them.
    ids = re.findall(r"\bid=\"([^\"]+)\"", page)
    assert len(ids) == len(set(ids))
    refs = re.findall(r"url\(#([^)]+)\)|href=\"#([^\"]+)\"", page)
    assert refs and {a or b for a, b in refs} <= set(ids)


def test_png_files(xianan, chuxiong):
    one = png_files([xianan], ["xianan-2025"])
    assert sorted(one) == ["categories.png", "enterprises.png", "funds.png"]
    assert all(data.startswith(PNG_MAGIC) for data in one.values())
    two = png_files([xianan, chuxiong], ["xianan-2025", "chuxiong-2025"])
    assert sorted(two) == sorted(["comparison.png"] + [f"{s}-{c}.png" for s in ("xianan-2025", "chuxiong-2025") for c in CHARTS])


def test_without_a_cjk_font_png_labels_are_english(xianan, monkeypatch):
    import matplotlib.text

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    fig = enterprise_chart(ChartData.of(xianan), cjk=False)
    fig.draw_without_rendering()  # tick labels are made when drawn
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert "wenquan" in texts and "unit: 10,000 yuan" in texts
    assert all(t.isascii() for t in texts), [t for t in texts if not t.isascii()]
    assert png_files([xianan], ["x"])["enterprises.png"].startswith(PNG_MAGIC)


def test_report_command(tmp_path):
    a, b = SCENARIOS / "xianan-2025.yaml", SCENARIOS / "chuxiong-2025.yaml"
    out = runner.invoke(app, ["report", str(a), str(b), "--html", str(tmp_path / "cmp.html"), "--png-dir", str(tmp_path / "png")])
    assert out.exit_code == 0, out.output
    assert set(figures((tmp_path / "cmp.html").read_text(encoding="utf-8"))) == {"comparison", *CHARTS}
    assert (tmp_path / "png" / "comparison.png").read_bytes().startswith(PNG_MAGIC)
    assert runner.invoke(app, ["report", str(a)]).exit_code == 2  # nowhere to write
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nfunds: [{id: f, name: f, budget: -1, categories: []}]\n", encoding="utf-8")
    out = runner.invoke(app, ["report", str(a), str(bad), "--html", str(tmp_path / "no.html")])
    assert out.exit_code == 2 and "budget: must be ≥ 0" in out.output
    assert not (tmp_path / "no.html").exists()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="headless Chromium is not installed (Debian package `chromium`); "
                    "the page's structure is checked by the tests above")
def test_page_renders_in_headless_chromium(tmp_path, xianan, chuxiong):
    import matplotlib.image

    page = tmp_path / "cmp.html"
    page.write_text(html_report([xianan, chuxiong], ["xianan", "chuxiong"]), encoding="utf-8")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    assert dom.count("<svg") == 7 and dom.count("<section class=\"scenario\"") == 2
    shot = tmp_path / "shot.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    pixels = (matplotlib.image.imread(shot)[:, :, :3] * 255).round().astype(int)
    # The bars were drawn: pixels in the own-funds green, funded blue and gap red.
    for colour in (charts.OWN, charts.FUNDED, charts.GAP):
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        assert ((abs(pixels - rgb).sum(axis=2)) <= 6).sum() > 500, colour


FONT_CHECK = r"""
import sys
from matplotlib import font_manager
from subsidy.output import charts

family = charts._packaged_font(font_manager)  # the [cjk] extra's font, whatever the system has
weights = {f.weight for f in font_manager.fontManager.ttflist if f.name == family}
charts.cjk_font = lambda: family              # draw with it, as a machine without system CJK fonts does
import cli
sys.argv = ["subsidy", "report", sys.argv[1], "--png-dir", sys.argv[2], "--html", sys.argv[3]]
print(family, sorted(weights), file=sys.stderr)
cli.main()
"""


def test_the_cjk_extra_draws_regular_text_without_font_warnings(tmp_path):
    """The packaged font is a static Regular face (weight 400): matplotlib finds 'normal' at once,
    so there is no `findfont` warning (the variable font it replaced opened as Thin, weight 100,
    with four warnings a run). In a fresh process, since matplotlib warns once per lookup."""
    import sys

    run = subprocess.run([sys.executable, "-c", FONT_CHECK, str(SCENARIOS / "xianan-2025.yaml"), str(tmp_path / "png"),
                          str(tmp_path / "r.html")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    first, *rest = run.stderr.splitlines()
    assert first == "Noto Sans SC [400]"
    assert rest == [] and "findfont" not in run.stdout, run.stderr
    assert (tmp_path / "png" / "enterprises.png").read_bytes().startswith(PNG_MAGIC)


def test_a_national_report_stays_small_and_short():
    """2,000 enterprises (scenarios/generated/national-2000.yaml): the page under 2 MB, every SVG
    under 3,000 pt tall (one bar per enterprise made 60,544 pt); the enterprise chart shows the 30
    largest gaps, and the aggregates by province and by industry are added."""
    result = subsidy.solve(subsidy.load(SCENARIOS / "generated" / "national-2000.yaml"))
    page = html_report([result], ["national-2000"])
    assert len(page.encode("utf-8")) < 2_000_000
    heights = [float(h) for h in re.findall(r'<svg[^>]*height="([\d.]+)pt"', page)]
    assert len(heights) == 5 and max(heights) < 3000, heights
    found = figures(page)
    assert set(found) == {*CHARTS, "regions", "industries"}
    ents = svg_texts(found["enterprises"][0])
    assert "缺口最大的 30 家企业（共 2,000 家）" in ents
    table = result.enterprises
    top = table.sort_values("gap_fen", ascending=False, kind="stable").head(30)
    assert all(name in ents for name in top["name"])
    # Each province's bar: its enterprises' need, summed exactly in fen.
    regions = svg_texts(found["regions"][0])
    province = [e.region.split("/")[0] for e in result.scenario.enterprises]
    by_id = dict(zip([e.id for e in result.scenario.enterprises], province))
    need: dict[str, int] = {}
    for eid, fen in zip(table["enterprise"], table["need_fen"]):
        need[by_id[eid]] = need.get(by_id[eid], 0) + int(fen)
    for p, fen in need.items():
        assert p in regions and f"需求 need {fen / 100:,.2f}" in regions, p
