"""`subsidy report --pdf`: an A4 document whose text (read back with pdftotext) holds the Chinese
headers and the totals, with its CJK font embedded and page headers and numbers."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from cli import app
from conftest import IN_CI, SCENARIOS

runner = CliRunner()

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not IN_CI,
                                reason="poppler-utils (pdftotext) is not installed; scripts/system-packages.sh installs it")


@pytest.fixture(scope="module")
def xianan_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "xianan.pdf"
    result = runner.invoke(app, ["report", str(SCENARIOS / "xianan-2025.yaml"), "--pdf", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_text_holds_the_gap_and_its_total(xianan_pdf):
    text = subprocess.run(["pdftotext", "-layout", str(xianan_pdf), "-"], capture_output=True, text=True, check=True).stdout
    # xianan-2025: gap 165.00 (恒宇) + 145.60 (温泉) = 310.60 万元 of need 507 + 993.6 = 1,500.60.
    assert "缺口" in text and "资金缺口" in text
    assert "310.60" in text and "1,500.60" in text
    assert "咸安区温泉电石总厂" in text
    assert "第 1 页，共 2 页" in text  # the footer on every page, with the page count
    assert not any(word in text for word in ("need", "funded", "page", "Page"))  # Chinese only


def test_in_english_the_pdf_is_english(tmp_path):
    out = tmp_path / "xianan-en.pdf"
    assert runner.invoke(app, ["report", str(SCENARIOS / "xianan-2025.yaml"), "--pdf", str(out), "--lang", "en"]).exit_code == 0
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    # The same totals as above; ids for the Chinese-named enterprises; English labels and footer.
    assert "Gap" in text and "310.60" in text and "1,500.60" in text and "wenquan" in text
    assert "Page 1 of 2" in text and "资金缺口" not in text and "第 1 页" not in text


def test_a4_with_the_cjk_font_embedded(xianan_pdf):
    info = subprocess.run(["pdfinfo", str(xianan_pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(xianan_pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line or "SC" in line.split()[0]]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts  # emb = yes
    assert xianan_pdf.read_bytes().startswith(b"%PDF-")


def test_nowhere_to_write_names_pdf_too():
    out = runner.invoke(app, ["report", str(SCENARIOS / "xianan-2025.yaml")])
    assert out.exit_code == 2 and "--pdf FILE.pdf" in out.output


@pytest.fixture(scope="module")
def programme_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "programme.pdf"
    result = runner.invoke(app, ["report", str(SCENARIOS / "xianan-2025-2027.yaml"), "--pdf", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_a_programme_prints_its_arrears_by_year_on_one_a4_page(programme_pdf):
    # xianan-2025-2027 (test_years.test_the_example_programme): arrears at the end of 2025 / 2026 /
    # 2027 are 581.40 / 150.00 / 310.60 = 温泉 431.40 / 0 / 160.60 + 恒宇 150 each year (operating
    # loss, which no fund pays); central's 200 of 2025 spend 58.60 and carry 141.40.
    text = subprocess.run(["pdftotext", "-layout", str(programme_pdf), "-"], capture_output=True, text=True, check=True).stdout
    totals = next(line for line in text.splitlines() if line.strip().startswith("合计"))
    assert totals.split()[1:] == ["581.40", "150.00", "310.60"]
    wenquan = next(line for line in text.splitlines() if line.strip().startswith("wenquan"))
    assert wenquan.split()[-3:] == ["431.40", "0.00", "160.60"]
    # The fund table names each fund beside its id (item 3 of the closing note's list).
    central = next(line for line in text.splitlines() if "中央财政淘汰落后产能奖励资金（以奖代补）" in line and "2025" in line)
    assert central.split()[:2] == ["central_reward", "中央财政淘汰落后产能奖励资金（以奖代补）"] and central.split()[-4:] == ["200.00", "58.60", "141.40", "0.00"]
    assert "各年末欠付（应付未付）" in text and "第 1 页，共 1 页" in text  # the chart's title; one page, counted
    # The timing stage's measure in words a clerk reads, not the term 各年加权欠付合计: 温泉's arrears
    # at the end of 2025, resettlement 300 × 3 + retirees' insurance 55 × 3 + pooled funds 26.40 × 2
    # + restructuring 50 × 1 = 1,167.80, none in 2026, bank debt 160.60 × 1 in 2027; 恒宇's
    # operating loss weighs 0: 1,167.80 + 160.60 = 1,328.40.
    summary = next(line for line in text.splitlines() if line.strip().startswith("各年末欠付（按权重）合计"))
    assert summary.split()[-1] == "1,328.40" and "加权欠付" not in text
    assert "每年末应付未付金额乘以费用类别权重" in text.replace("\n", "")
    info = subprocess.run(["pdfinfo", str(programme_pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info and "Pages:           1" in info
    fonts = subprocess.run(["pdffonts", str(programme_pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts  # emb = yes


def test_a_programme_in_english_names_the_weighted_arrears_in_words_on_one_page(tmp_path):
    # The line beneath the summary explaining the weighted arrears is three lines long in English:
    # with the chart at 80% of the width the footer went to a second page.
    out = tmp_path / "programme-en.pdf"
    result = runner.invoke(app, ["report", str(SCENARIOS / "xianan-2025-2027.yaml"), "--pdf", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    summary = next(line for line in text.splitlines() if line.strip().startswith("Arrears at each year's end, weighted, summed"))
    assert summary.split()[-1] == "1,328.40"  # as in Chinese (the test above)
    assert "times their cost category's" in text and "Weighted arrears" not in text
    assert "Page 1 of 1" in text and "Generated by subsidy." in text
