"""The scenario schema's own messages, in the clerk's terms, in English and Chinese.

Why a table of its own: the field validators of `model` raise errors pydantic carries to
`load`, and the cross-field checks write `Problem`s; both are read by a clerk who filled in a
workbook, in the scenario's language (`--lang`). Each sentence is written once here, both
languages side by side; `Slip` is the error a validator raises, keeping the key and values so
that `load` can say it in either language (pydantic keeps the exception in the error's context).
"""

from __future__ import annotations

from subsidy.scenario.labels import Lang, Phrases

SLIPS = Phrases({
    # field values
    "comma": {"en": "must be a number (a comma may only separate thousands, as in 1,234.56), got {value}",
              "zh": "必须是数字（逗号只能用作千位分隔，如 1,234.56），实际为 {value}"},
    "number": {"en": "must be a number, got {value}", "zh": "必须是数字，实际为 {value}"},
    "finite": {"en": "must be a finite number, got {value}", "zh": "必须是有限的数字，实际为 {value}"},
    "negative": {"en": "must be ≥ 0, got {value}", "zh": "不得为负数，实际为 {value}"},
    "out_of_range": {"en": "must be at most 10^10 (the range solved exactly to the fen; 3× China's national budget in 万元), got {value}",
                     "zh": "不得超过 10^10（可精确到分求解的范围，约为全国一般公共预算的 3 倍，以万元计），实际为 {value}"},
    "places": {"en": "must have at most {places} decimals, got {value}", "zh": "最多 {places} 位小数，实际为 {value}"},
    "full_width": {"en": "has the full-width character {char}: type ids with the input method in half-width mode, got {value}",
                   "zh": "含全角字符 {char}：请在输入法的半角状态下输入代码，实际为 {value}"},
    "id_chars": {"en": "may hold only letters (Chinese too), digits, _ and -, not {char}: got {value}",
                 "zh": "只能由文字（汉字亦可）、数字、_ 和 - 组成，不能含 {char}：实际为 {value}"},
    "id_space": {"en": "may hold only letters (Chinese too), digits, _ and -, not a space: got {value}",
                 "zh": "只能由文字（汉字亦可）、数字、_ 和 - 组成，不能含空格：实际为 {value}"},
    # cross-field checks
    "duplicate_enterprise": {"en": "duplicate enterprise id {value} (first at {first})", "zh": "企业代码 {value} 重复（首次出现在 {first}）"},
    "duplicate_fund": {"en": "duplicate fund id {value} (first at {first})", "zh": "资金代码 {value} 重复（首次出现在 {first}）"},
    "unknown_category": {"en": "unknown category {value}; known: {known}", "zh": "未知的费用类别 {value}；可用的有：{known}"},
    "source_without_line": {"en": "source given for a cost line {value} the enterprise does not have",
                            "zh": "为企业没有的费用项目 {value} 填写了来源"},
    "category_twice": {"en": "category {value} is listed twice", "zh": "费用类别 {value} 列了两次"},
    "unknown_enterprise": {"en": "unknown enterprise {value}", "zh": "未知的企业 {value}"},
    "unknown_fund": {"en": "unknown fund {value}", "zh": "未知的资金 {value}"},
    "give_amount": {"en": "give amount, or at_least and/or at_most", "zh": "请填写金额 amount，或至少 at_least 和/或至多 at_most"},
    "amount_fixes": {"en": "amount fixes the commitment: leave at_least and at_most out",
                     "zh": "已填金额 amount 即为定额：请不要再填 at_least 和 at_most"},
    "second_commitment": {"en": "a second commitment for the same fund, enterprise and category (first at {first})",
                          "zh": "同一资金、企业和费用类别的第二项已定事项（首项在 {first}）"},
    "match_ratio": {"en": "the ratio must be above 0, got {value} (a ratio of 0 asks nothing: leave match out)",
                    "zh": "配套比例必须大于 0，实际为 {value}（比例为 0 即无配套要求：请删去 match）"},
    "match_itself": {"en": "a fund cannot match itself ({value}): list the other funds that co-fund it",
                     "zh": "资金不能为自身配套（{value}）：请列出为其配套的其他资金"},
    "fund_twice": {"en": "fund {value} is listed twice", "zh": "资金 {value} 列了两次"},
    # the template workbook's header row
    "unknown_column": {"en": "unknown column {value}; known: {known}", "zh": "未知的列 {value}；可用的列有：{known}"},
    "column_twice": {"en": "column {value} appears twice", "zh": "列 {value} 出现了两次"},
    # a row of a sheet of fund rules (资金规则, 因素法, 配套, 资金分年度到账)
    "row_fund_missing": {"en": "fund id is missing", "zh": "缺少资金代码"},
    "row_fund_unknown": {"en": "unknown fund {value}; it must be an id on the {sheet} sheet",
                         "zh": "未知的资金 {value}；须为“{sheet}”表中的资金代码"},
})


class Slip(ValueError):
    """A value the clerk must correct: `str()` is the English sentence, `said(lang)` either;
    `values` are already shown as the clerk wrote them (`model.shown`)."""

    def __init__(self, key: str, **values: str):
        self.key, self.values = key, values
        super().__init__(SLIPS(key, "en", **values))

    def said(self, lang: Lang) -> str:
        return SLIPS(self.key, lang, **self.values)


def said(key: str, **values: str) -> dict[str, str]:
    """`SLIPS[key]` in both languages, as a Problem's `message` and `message_zh`."""
    return {"message": SLIPS(key, "en", **values), "message_zh": SLIPS(key, "zh", **values)}
