"""Looks shared by every workbook we write: header rows, frozen panes, widths that fit Chinese."""

from __future__ import annotations

from subsidy.scenario.labels import width as text_width

HEADER_FILL = "DDEBF7"
KEY_FILL = "F2F2F2"


def style_header(ws, header_rows: int = 1) -> None:
    """Bold first header row, a grey field-key row under it, frozen above the data."""
    from openpyxl.styles import Font, PatternFill

    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    if header_rows > 1:
        for cell in ws[2]:
            cell.font = Font(color="808080", size=9)
            cell.fill = PatternFill("solid", fgColor=KEY_FILL)
    ws.freeze_panes = ws.cell(row=header_rows + 1, column=1)


def autosize(ws, minimum: dict[int, int] | None = None, maximum: int = 60) -> None:
    """Column widths from the widest text in each column (a Chinese character counts two)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = dict(minimum or {})
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            value = cell.value
            text = f"{value:,.2f}" if isinstance(value, float) else str(value)
            if text.startswith("="):
                text = "0" * 12  # a formula shows a number
            widths[cell.column] = max(widths.get(cell.column, 0), text_width(text))
    for column, w in widths.items():
        if w:
            ws.column_dimensions[get_column_letter(column)].width = min(maximum, w + 2)
