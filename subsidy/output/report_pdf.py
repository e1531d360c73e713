"""The report as a printable A4 PDF: `subsidy report … --pdf report.pdf`.

The same page as the HTML report (`charts.html_report`: the totals table and the charts, inline
SVG), laid out for paper by WeasyPrint: A4 portrait, the scenario's name at the top of every page
and "第 N 页，共 M 页" (English: "Page N of M") at the bottom, scenarios one after another instead of side by side, each
chart kept whole on a page.

Why WeasyPrint: it turns HTML and CSS into PDF (so the PDF is the HTML report, not a second
layout to keep in step), draws inline SVG itself, and embeds the fonts it uses as subsets,
including the CFF-flavoured OpenType of the system's Noto Sans CJK (fonts-noto-cjk), which
reportlab cannot embed. It sets text through Pango, a system library (Debian: libpango-1.0-0,
libpangoft2-1.0-0; scripts/system-packages.sh installs them); without it `pdf_bytes` raises
PdfUnavailable with what to install.

Measured on the shared 2-core machine (loaded by a test run beside it): xianan-2025 (2 enterprises)
2 A4 pages, 0.41 MB (the CJK font subsets are most of it), 14.5 s to lay out and write. A programme
over several years prints its own page (`programme_pdf_bytes`): xianan-2025-2027 1 A4 page,
0.42 MB, 15.2 s wall (4.0 s CPU) for solve, chart and PDF.
"""

from __future__ import annotations

import html

from subsidy.allocate.result import Result
from subsidy.allocate.timing_result import ProgrammeResult
from subsidy.output.charts import html_report, page_title
from subsidy.output.programme_report import programme_html

PRINT_CSS = """
@page { size: A4; margin: 18mm 14mm 16mm 14mm;
        @top-center { content: "%(title)s"; font-size: 9pt; color: #666; font-family: %(font)s; }
        @bottom-center { content: %(pages)s;
                         font-size: 9pt; color: #666; font-family: %(font)s; } }
body { margin: 0; font-size: 10pt; }
.side-by-side { display: block; }
section.scenario { break-before: page; }
section.scenario:first-of-type { break-before: auto; }
figure { break-inside: avoid; }
figure svg { width: 100%%; height: auto; max-height: 240mm; }
table { break-inside: avoid; }
"""

PROGRAMME_CSS = """
figure[data-chart='arrears'] svg { width: 72%; }
"""
"""The arrears chart at the full width of the page pushed the last line (由 subsidy 生成) of
xianan-2025-2027's report onto a second page of its own; at 80% the report was one page, and at
72% it stays one page in English too with the summary's note on the weighted arrears (three lines
in English; at 80% the footer went to page 2 again)."""

PAGE_NUMBERS = {"zh": '"第 " counter(page) " 页，共 " counter(pages) " 页"',
                "en": '"Page " counter(page) " of " counter(pages)'}
SANS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the Pango library it needs is not installed."""


def pdf_bytes(results: list[Result], labels: list[str], lang: str) -> bytes:
    """The report in `lang` ("zh"/"en") as PDF bytes (written by the caller, atomically)."""
    return _printed(html_report(results, labels, lang), page_title(results, labels, lang), lang)


def programme_pdf_bytes(result: ProgrammeResult, lang: str) -> bytes:
    """The report of a programme over several years (`programme_report.programme_html`: totals,
    arrears by year as a chart and a table, funds by year) as PDF bytes, laid out as the one-year
    report is."""
    return _printed(programme_html(result, lang), result.scenario.name, lang, PROGRAMME_CSS)


def _printed(page: str, title: str, lang: str, extra_css: str = "") -> bytes:
    """An HTML report page with the print style: A4, the title at the top of every page, page numbers."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Python package is there, Pango is not
        raise PdfUnavailable(f"PDF output needs WeasyPrint and the Pango library ({exc}); on Debian: "
                             "apt-get install libpango-1.0-0 libpangoft2-1.0-0") from exc
    css = PRINT_CSS % {"title": html.escape(title).replace('"', "'"), "font": SANS, "pages": PAGE_NUMBERS[lang]}
    page = page.replace("</style>", css + extra_css + "</style>", 1)
    return weasyprint.HTML(string=page).write_pdf(metadata={"title": title}, uncompressed_pdf=False)
