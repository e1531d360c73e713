"""Labels in English and Chinese, and amounts and tables as text: one place for how things are
named and written, read by the workbook and table readers and used by every output."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = ("en", "zh")

def _is_chinese(text: str | None) -> bool:
    return bool(text) and any("\u4e00" <= ch <= "\u9fff" for ch in text)


def language_of(scenario) -> Lang:
    """The language a scenario's documents are written in when the user does not say: Chinese when
    its name, or the name of any enterprise or fund, is written in Chinese; English otherwise."""
    names = [scenario.name] + [e.name for e in scenario.enterprises] + [f.name for f in scenario.funds]
    return "zh" if any(_is_chinese(n) for n in names) else "en"


def language_of_data(data) -> Lang:
    """`language_of` for plain data that did not validate (so that the errors themselves are in
    the scenario's language): the same names, read where they are."""
    if not isinstance(data, dict):
        return "en"
    entries = [e for key in ("enterprises", "funds") if isinstance(data.get(key), list) for e in data[key]]
    names = [data.get("name")] + [e.get("name") for e in entries if isinstance(e, dict)]
    return "zh" if any(_is_chinese(n) for n in names if isinstance(n, str)) else "en"


COLUMNS: dict[str, dict[str, str]] = {
    "fund": {"en": "fund", "zh": "资金"},
    "enterprise": {"en": "enterprise", "zh": "企业"},
    "name": {"en": "name", "zh": "名称"},
    "fund_name": {"en": "fund_name", "zh": "资金名称"},
    "enterprise_name": {"en": "enterprise_name", "zh": "企业名称"},
    "category_label": {"en": "category_label", "zh": "类别名称"},
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
    "region": {"en": "region", "zh": "地区"},
    "pair": {"en": "fund → enterprise", "zh": "资金 → 企业"},
    "capacity": {"en": "capacity", "zh": "产能（按提前退出系数折算）"},
    "workers": {"en": "workers", "zh": "职工人数"},
    "difficulty": {"en": "difficulty", "zh": "难度系数"},
    "share": {"en": "share", "zh": "分配比例"},
    "rule": {"en": "rule", "zh": "规则"},
    "kind": {"en": "kind", "zh": "类型"},
    "bound": {"en": "bound", "zh": "限额"},
    "binding": {"en": "binding", "zh": "起约束作用"},
    "shadow_weighted": {"en": "shadow_price_weighted", "zh": "影子价格（加权）"},
    "shadow_unweighted": {"en": "shadow_price_unweighted", "zh": "影子价格（不加权）"},
    "increase_weighted": {"en": "allowable_increase", "zh": "允许增加量"},
    "decrease_weighted": {"en": "allowable_decrease", "zh": "允许减少量"},
    "allowable_increase": {"en": "allowable_increase", "zh": "允许增加量"},  # explain's bindings.csv
    "allowable_decrease": {"en": "allowable_decrease", "zh": "允许减少量"},
    "reason": {"en": "reason", "zh": "原因"},
    "value": {"en": "value", "zh": "数值"},
    "detail": {"en": "detail", "zh": "说明"},
    "extra": {"en": "extra", "zh": "追加预算"},
    "extra_alone": {"en": "extra_if_alone", "zh": "单独追加所需"},
    "new_budget": {"en": "new_budget", "zh": "追加后预算"},
    "gap_now": {"en": "gap_now", "zh": "现缺口"},
    "gap_after": {"en": "gap_after", "zh": "追加后缺口"},
    "unpayable": {"en": "no_fund_may_pay", "zh": "无资金可支付"},
    "cap_held": {"en": "held_by_caps", "zh": "受上限限制"},
    "closable": {"en": "closable", "zh": "可弥补"},
    "scenario": {"en": "scenario", "zh": "方案"},
    "weighted_gap": {"en": "weighted_gap", "zh": "加权缺口"},
    "max_gap_share": {"en": "max_gap_share", "zh": "最大缺口比例"},
    "total_need": {"en": "total_need", "zh": "总需求"},
    "total_own_funds": {"en": "total_own_funds", "zh": "自有资金合计"},
    "total_funded": {"en": "total_funded", "zh": "已安排资金合计"},
    "total_gap": {"en": "total_gap", "zh": "缺口合计"},
    # a programme over several years (allocate.timing_result)
    "year": {"en": "year", "zh": "年度"},
    "due": {"en": "due", "zh": "当年应付"},
    "arrears": {"en": "arrears", "zh": "欠付"},
    "arrived": {"en": "arrived", "zh": "当年到位"},
    "spent": {"en": "spent", "zh": "当年支付"},
    "carried_over": {"en": "carried_over", "zh": "结转"},
    "lapsed": {"en": "lapsed", "zh": "收回"},
    "paid": {"en": "paid", "zh": "已拨付"},
    "to_recover": {"en": "to_recover", "zh": "应收回"},
    "still_owed": {"en": "still_owed", "zh": "仍应拨付"},
}


def column(key: str, lang: Lang) -> str:
    return COLUMNS.get(key, {}).get(lang, key)


def columns(keys, lang: Lang) -> list[str]:
    return [column(k, lang) for k in keys]


class Phrases(dict):
    """Sentence templates, {key: {"en": ..., "zh": ...}}, filled in with str.format."""

    def __call__(self, key: str, lang: Lang, **values) -> str:
        return self[key][lang].format(**values)

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
    key = _key_of(text)
    if key is None and " " in text:
        # Our result workbook's bilingual headers: '金额 amount', '资金 fund', '自有资金 own funds'.
        zh, en = text.split(" ", 1)
        zh_key, en_key = _key_of(zh), _key_of(en)
        key = zh_key if zh_key == en_key else None
    return key


def _key_of(text: str) -> str | None:
    text = text.strip().lower().replace(" ", "_")
    for key, names in COLUMNS.items():
        if text in (names["en"].lower(), names["zh"]):
            return key
    return None


def is_total_row(cell: str) -> bool:
    """A table's total row, by its first cell: total, 合计, 总计, or bilingual '合计 total'."""
    text = cell.strip().lower()
    return text in TOTAL_ROW_NAMES or all(part in TOTAL_ROW_NAMES for part in text.split()) and bool(text)


# --- amounts and tables as text (the terminal, sentences) ---------------------------------------
def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:.1%}"
    return str(value)


def money(value) -> str:
    """An amount as a clerk reads it: thousands separated, two decimals; "—" when absent."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{value:,.2f}"


def table(headers: list[str], rows: list[list], numeric_from: int = 1) -> str:
    cells = [headers] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    out = []
    for n, row in enumerate(cells):
        parts = []
        for i, text in enumerate(row):
            pad = " " * (widths[i] - width(text))
            parts.append(pad + text if i >= numeric_from else text + pad)
        out.append("  ".join(parts).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
