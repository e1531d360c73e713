"""The layout of the scenario workbook, shared by its reader and its writer.

A scenario can be an Excel workbook: the template a bureau clerk fills in (written by
`subsidy.scenario.scenario_xlsx_write`) and read back by `subsidy.scenario.scenario_xlsx_read`.
One layout serves both directions, so a workbook written from a scenario reads back as the same
scenario. Every data sheet has two header rows: row 1 is the column's name for people (Chinese
with `--lang zh`, English otherwise), row 2 its field key (`workers`, `budget`, …), which is what
the reader goes by; data start on row 3. A column whose key cell is blank is recognised by its
row-1 name in either language. Sheets are found by their Chinese or English name.

Amount cells take numbers; cost, own-funds and budget cells (kind "estimate") also a range typed as
text `400~640~700` (low~expected~high, scenario/ranges.py), which Excel lets through with a warning.

A programme over several years (`years:` on the Scenario sheet) writes amounts by year on two
more sheets: 分年度 / ByYear (a cost line or own-funds source, one row per year) and 资金分年度到账 /
FundTranches (a fund's tranches), read and written by `subsidy.scenario.scenario_xlsx_years`.

Code cells (categories, fund levels, own-funds rules, fund rules) take the code (`resettlement`),
its Chinese or English name (`职工安置费`), or the drop-down's "职工安置费 resettlement".

This module holds the sheets and their columns with their Chinese and English titles, the code
lists, how a code is shown (`display`) and recognised (`parse_code`), and the `EXAMPLE` scenario
that `subsidy template` fills in. It imports neither the reader nor the writer.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_ROW = 3
"""Rows 1-2 are headers (name for people, field key); data start here."""
MAX_ROWS = 1000
"""Rows covered by drop-downs and number checks in the template."""


@dataclass(frozen=True)
class Col:
    key: str
    zh: str
    en: str
    kind: str = "text"  # text | money | quantity | int | share | weight | class | bool | any | code:<list> | ref:<sheet>
    width: int | None = None


@dataclass(frozen=True)
class SheetSpec:
    name: str  # internal name
    zh: str
    en: str
    cols: tuple[Col, ...]

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


SCENARIO = SheetSpec("scenario", "方案", "Scenario", (
    Col("label", "项目", "item"), Col("field", "字段", "field"), Col("value", "内容", "value", "any", 40),
    Col("help", "说明", "help", width=60),
))
ENTERPRISES = SheetSpec("enterprises", "企业", "Enterprises", (
    Col("id", "企业代码", "id"), Col("name", "企业名称", "name", width=30), Col("region", "地区", "region"),
    Col("industry", "行业", "industry"), Col("capacity", "淘汰产能", "capacity", "quantity"),
    Col("capacity_unit", "产能单位", "capacity unit"), Col("workers", "职工人数", "workers", "int"),
    Col("own_funds_rule", "自有资金使用规则", "own-funds rule", "code:rule"),
    Col("net_fixed_assets", "固定资产净值", "net fixed assets", "money"),
    Col("net_equipment", "设备净值", "net equipment", "money"), Col("tax_paid", "纳税额", "tax paid", "money"),
    Col("source", "数据来源", "source", width=40), Col("notes", "备注", "notes", width=40),
    Col("exit_year", "退出年份", "exit year", "int"),  # last, so that the other cells keep their addresses
))
COSTS = SheetSpec("costs", "费用", "Costs", (
    Col("enterprise", "企业代码", "enterprise", "ref:enterprises"), Col("category", "费用类别", "category", "code:category"),
    Col("amount", "金额", "amount", "estimate"), Col("source", "数据来源", "source", width=40),
))
OWN_FUNDS = SheetSpec("own_funds", "自有资金", "OwnFunds", (
    Col("enterprise", "企业代码", "enterprise", "ref:enterprises"), Col("kind", "资金来源", "kind"),
    Col("amount", "金额", "amount", "estimate"),
))
FUNDS = SheetSpec("funds", "资金", "Funds", (
    Col("id", "资金代码", "id"), Col("name", "资金名称", "name", width=30), Col("level", "层级", "level", "code:level"),
    Col("budget", "预算", "budget", "estimate"), Col("per_enterprise", "每户上限", "cap per enterprise", "money"),
    Col("share_of_need", "占需求比例上限", "cap share of need", "share"),
    Col("per_worker", "每人上限", "cap per worker", "quantity"),
    Col("source", "数据来源", "source", width=40), Col("notes", "备注", "notes", width=40),
    Col("carry_over", "结转（未用完留作以后年度）", "carry over (unspent money stays)", "bool", 14),  # a programme's; last, so the other cells keep their addresses
))
FUND_RULES = SheetSpec("fund_rules", "资金规则", "FundRules", (
    Col("fund", "资金代码", "fund", "ref:funds"), Col("rule", "规则", "rule", "code:fund_rule"),
    Col("value", "类别/地区/行业/企业", "category / region / industry / enterprise", width=28),
    Col("amount", "单位产能上限", "cap per unit of capacity", "quantity"),  # also an early_exit rule's weight
))
COMMITMENTS = SheetSpec("commitments", "已定事项", "Commitments", (
    Col("fund", "资金代码", "fund", "ref:funds"), Col("enterprise", "企业代码", "enterprise", "ref:enterprises"),
    Col("category", "费用类别（空白=该资金合计）", "category (blank: the fund's total)", "code:category", width=24),
    Col("amount", "金额", "amount", "money"), Col("at_least", "不少于", "at least", "money"),
    Col("at_most", "不超过", "at most", "money"), Col("source", "依据", "source", width=40),
))
REGIONS = SheetSpec("regions", "地区", "Regions", (
    Col("path", "地区路径", "region path", width=24), Col("difficulty", "难度系数", "difficulty", "quantity"),
))
DISTRIBUTION = SheetSpec("distribution", "因素法", "FactorMethod", (
    Col("fund", "资金代码", "fund", "ref:funds"), Col("level", "地区层级（1、2…或 enterprise 按企业）", "level (1, 2, … or enterprise)", "any", 24),
    Col("capacity", "产能权重", "capacity weight", "quantity"), Col("workers", "职工人数权重", "workers weight", "quantity"),
    Col("difficulty", "难度权重", "difficulty weight", "quantity"),
    Col("share", "按因素分配比例（其余不分地区；空为 1）", "share split by factors (the rest tops up any region; blank: 1)", "share", 20),
))
MINIMUM_COVERAGE = SheetSpec("minimum_coverage", "保底比例", "MinimumCoverage", (
    Col("category", "费用类别", "category", "code:category", width=24),
    Col("share", "保底比例（自有资金+财政资金不低于费用的）", "minimum share of cost (own funds + public money)", "share", width=20),
))
MATCH = SheetSpec("match", "配套", "Match", (
    Col("fund", "资金代码", "fund", "ref:funds"), Col("by", "配套资金代码", "matched by fund", "ref:funds"),
    Col("ratio", "配套比例（配套资金合计不低于本资金支付额的）", "ratio (matching funds together ≥ this × the fund's payment)", "any", width=20),
))
CATEGORIES = SheetSpec("categories", "类别", "Categories", (
    Col("key", "类别代码", "category"), Col("label_zh", "中文名称", "Chinese name", width=20),
    Col("label_en", "英文名称", "English name", width=28), Col("weight", "优先权重", "weight", "weight"),
    Col("class", "自有资金顺序", "own-funds class", "class"),
))
ASSUMPTIONS = SheetSpec("assumptions", "假设", "Assumptions", (
    Col("id", "代码", "id"), Col("text", "内容", "text", width=50), Col("value", "数值", "value", "any"),
    Col("unit", "单位", "unit"), Col("source", "来源", "source", width=40),
))
# A programme over several years (scenario.years; scenario_xlsx_years reads and writes these):
# a cost line or own-funds source by year, one row per year; a fund's money arriving by year.
BY_YEAR = SheetSpec("by_year", "分年度", "ByYear", (
    Col("enterprise", "企业代码", "enterprise", "ref:enterprises"),
    Col("category", "费用类别", "category", "code:category", 24),
    Col("kind", "自有资金来源（费用类别空白时）", "own-funds source (category blank)", width=20),
    Col("year", "年度", "year", "int"), Col("amount", "金额", "amount", "money"),
))
TRANCHES = SheetSpec("tranches", "资金分年度到账", "FundTranches", (
    Col("fund", "资金代码", "fund", "ref:funds"), Col("year", "年度", "year", "int"), Col("amount", "金额", "amount", "money"),
))
DATA_SHEETS = (SCENARIO, ENTERPRISES, COSTS, OWN_FUNDS, FUNDS, FUND_RULES, COMMITMENTS, MINIMUM_COVERAGE, CATEGORIES, ASSUMPTIONS,
               DISTRIBUTION, REGIONS, MATCH, BY_YEAR, TRANCHES)  # the years last (a programme's sheets)
INSTRUCTIONS = ("说明", "Instructions")
CODES = ("代码表", "Codes")

# Fields of the Scenario sheet (key/value rows).
SCENARIO_FIELDS = (
    ("name", "方案名称", "scenario name", "text", "必填 required"),
    ("unit", "金额单位", "unit of amounts", "text", "默认 万元 / default 万元"),
    ("description", "方案说明", "description", "text", ""),
    ("fairness", "公平性（第二阶段）", "fairness (stage 2)", "bool", "是/否 yes/no: 缩小最大缺口比例 minimise the largest gap share"),
    ("years", "年度（跨年度方案）", "years (a programme)", "text",
     "如 2025, 2026, 2027；空白为单一年度，分年度金额见“分年度”“资金分年度到账”表 / e.g. 2025, 2026, 2027; blank: one year"),
)

LEVELS = {"central": ("中央", "central"), "provincial": ("省级", "provincial"), "municipal": ("市级", "municipal"),
          "county": ("县级", "county"), "other": ("其他", "other")}
RULES = {"statutory": ("法定清偿顺序", "statutory order"), "proportional": ("按比例", "pro rata"),
         "free": ("由模型安排", "placed by the LP")}
FUND_RULE_KINDS = {
    "category": ("可支付类别", "pays category"), "region": ("适用地区", "region in scope"),
    "industry": ("适用行业", "industry in scope"), "enterprise": ("适用企业", "enterprise in scope"),
    "per_capacity": ("单位产能上限", "cap per unit of capacity"),
    "early_exit": ("提前退出系数", "early-exit weight"),  # value: the year; amount: the weight (the 因素法 sheet's fund)
}
YES = {"是", "yes", "y", "true", "1", "对", "开"}
NO = {"否", "no", "n", "false", "0", "关"}


def display(key: str, zh: str | None) -> str:
    """A code as the drop-down shows it: '职工安置费 resettlement' (the code alone without a label)."""
    return f"{zh} {key}" if zh else key


def code_lists(categories: dict) -> dict[str, list[str]]:
    """Drop-down values for each code list."""
    return {
        "category": [display(k, c.label_zh) for k, c in categories.items()],
        "level": [display(k, zh) for k, (zh, _) in LEVELS.items()],
        "rule": [display(k, zh) for k, (zh, _) in RULES.items()],
        "fund_rule": [display(k, zh) for k, (zh, _) in FUND_RULE_KINDS.items()],
    }


def parse_code(text: str, table: dict[str, tuple[str | None, str | None]]) -> str:
    """'职工安置费 resettlement', 'resettlement', '职工安置费' or the English name → the code.

    Anything else comes back as typed, so that validation reports it as unknown.
    """
    text = " ".join(text.split())
    if text in table:
        return text
    for key, (zh, en) in table.items():
        if text in (zh, en, display(key, zh), f"{key} {zh}", (en or "").lower()) or text.lower() == (en or "").lower():
            return key
    last = text.rsplit(" ", 1)[-1]
    return last if last in table else text


# ------------------------------------------------------------------------------------------------
# The template
# ------------------------------------------------------------------------------------------------

EXAMPLE = {
    "name": "示例：咸安区温泉电石总厂",
    "unit": "万元",
    "description": "一户企业、一项资金的示例，可覆盖或删除 / one enterprise and one fund as an example; overwrite or delete",
    "enterprises": [{
        "id": "wenquan", "name": "咸安区温泉电石总厂", "region": "湖北/咸宁/咸安", "industry": "carbide",
        "capacity": {"amount": 1, "unit": "万吨"}, "workers": 386,
        "costs": {"pooled_fund_repayment": 30, "resettlement": 453.6, "retiree_social_insurance": 110,
                  "restructuring": 50, "bank_debt": 350},
        "cost_sources": {"resettlement": "seed §四: 职工安置费453.6 万元"},
        "own_funds": {"asset_sales": 640}, "own_funds_rule": "statutory",
        "source": "seed: 咸安区淘汰落后产能工作总结 §四",
    }],
    "funds": [{
        "id": "central_reward", "name": "中央财政淘汰落后产能奖励资金", "level": "central", "budget": 300,
        "categories": ["resettlement", "living_allowance", "retiree_social_insurance", "pooled_fund_repayment", "bank_debt"],
        "scope": {"regions": ["湖北"], "industries": ["carbide", "cement"]},
        "caps": {"per_enterprise": 200, "per_capacity": {"carbide": 150}, "share_of_need": 0.8},
        "source": "assumption: not stated in the seed",
    }],
    "policy": {"fairness": True},
}
