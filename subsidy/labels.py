"""Column labels in English and Chinese: one table, used by the CSV exports and the console."""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = ("en", "zh")

COLUMNS: dict[str, dict[str, str]] = {
    "fund": {"en": "fund", "zh": "资金"},
    "enterprise": {"en": "enterprise", "zh": "企业"},
    "name": {"en": "name", "zh": "名称"},
    "category": {"en": "category", "zh": "费用类别"},
    "amount": {"en": "amount", "zh": "金额"},
    "need": {"en": "need", "zh": "资金需求"},
    "own_funds": {"en": "own_funds", "zh": "自有资金"},
    "residual_need": {"en": "residual_need", "zh": "剩余需求"},
    "funded": {"en": "funded", "zh": "已安排资金"},
    "gap": {"en": "gap", "zh": "资金缺口"},
    "gap_share": {"en": "gap_share", "zh": "缺口比例"},
    "budget": {"en": "budget", "zh": "预算"},
    "used": {"en": "used", "zh": "已使用"},
    "left": {"en": "left", "zh": "结余"},
    "shadow_price": {"en": "shadow_price", "zh": "影子价格"},
    "level": {"en": "level", "zh": "层级"},
}


def column(key: str, lang: Lang) -> str:
    return COLUMNS.get(key, {}).get(lang, key)


def columns(keys, lang: Lang) -> list[str]:
    return [column(k, lang) for k in keys]

# Rows of an allocation table that are not a public fund paying a cost line.
OWN_FUNDS_SOURCE = "(own funds)"
"""The `fund` cell of a row paid from the enterprise's own money (the LP's own-funds source)."""
OWN_FUNDS_NAMES = (OWN_FUNDS_SOURCE, "own funds", "（自有资金）", "(自有资金)", "自有资金")
TOTAL_ROW_NAMES = ("total", "合计", "总计")


def column_key(header: str) -> str | None:
    """The column key for a header cell in either language, tolerant of what Excel users add:
    surrounding spaces, case, and a unit in brackets ('amount (万元)', '金额（万元）')."""
    text = header.replace("\ufeff", "").strip()
    for open_, close in (("(", ")"), ("（", "）"), ("[", "]")):
        if text.endswith(close) and open_ in text:
            text = text[: text.rindex(open_)].strip()
    text = text.lower().replace(" ", "_")
    for key, names in COLUMNS.items():
        if text in (names["en"].lower(), names["zh"]):
            return key
    return None
