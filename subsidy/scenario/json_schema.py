"""The JSON Schema of the scenario format, generated from the pydantic models.

Editors use it to complete and check scenario files as they are typed (VS Code's YAML extension
reads a `# yaml-language-server: $schema=…` first line). The models give the structure; this
module adds titles and descriptions in English and Chinese and states amounts as numbers ≥ 0
(the models also take numeric text such as "1,000", which an editor need not suggest).
`schema/scenario.schema.json` in the repository is this output; a test keeps them equal.
"""

from __future__ import annotations

import json
from typing import Any

from subsidy.scenario.model import DEFAULT_CATEGORIES, MAX_AMOUNT, Scenario

_CATEGORY_LIST = ", ".join(f"{k} ({c.label_zh})" for k, c in DEFAULT_CATEGORIES.items())

# model → field → (title, description); "" is the model itself. English first, then Chinese.
DOCS: dict[str, dict[str, tuple[str, str]]] = {
    "Scenario": {
        "": ("Scenario 分配方案", "Enterprises closing outdated capacity, their costs and own funds, and the funds that may pay them. 淘汰落后产能企业、其费用和自有资金，以及可安排的奖励资金。"),
        "name": ("Name 方案名称", "Free text naming the scenario. 方案名称（自由文本）。"),
        "unit": ("Unit 金额单位", "Unit of every amount; default 万元 (10,000 yuan). 所有金额的单位，默认万元。"),
        "description": ("Description 方案说明", "What the scenario covers and where its figures come from. 方案范围及数据来源说明。"),
        "years": ("Years 年份", "A programme over several years, e.g. [2025, 2026, 2027]: amounts may then be written {year: amount}; absent, one year. 跨年度方案的年份；填写后金额可按年写作 {年份: 金额}；不填即单一年度。"),
        "categories": ("Categories 费用类别", f"Overrides of the default cost categories (weight, own-funds class, labels) or new ones. Defaults: {_CATEGORY_LIST}. 对默认费用类别的调整或新增类别。"),
        "enterprises": ("Enterprises 企业", "The enterprises closing capacity. 淘汰落后产能的企业。"),
        "funds": ("Funds 资金", "Central, provincial, municipal and county funds, each with its rules. 中央、省、市、县各级资金及其使用规则。"),
        "policy": ("Policy 政策", "Switches of the allocation. 分配政策开关。"),
        "commitments": ("Commitments 已定事项", "Decisions already taken that the allocation must keep. 分配必须遵守的已定事项。"),
        "regions": ("Regions 地区", "Data per region path for the factor method (its difficulty). 因素法所用的地区数据（难度系数）。"),
        "assumptions": ("Assumptions 假设", "Estimates and rates the figures rest on, with their sources. 估算依据及其来源。"),
    },
    "Enterprise": {
        "": ("Enterprise 企业", "One enterprise closing capacity. 一户淘汰落后产能企业。"),
        "id": ("Id 企业代码", "Unique code: letters (Chinese too), digits, _ and -. 唯一代码：字母（可用汉字）、数字、_ 和 -。"),
        "name": ("Name 企业名称", "The enterprise's name. 企业名称。"),
        "region": ("Region 地区", "Path such as 湖北/咸宁/咸安; fund scopes match whole leading parts. 地区路径，如 湖北/咸宁/咸安。"),
        "industry": ("Industry 行业", "Industry code, e.g. carbide, cement, steel. 行业代码，如 carbide（电石）、cement（水泥）。"),
        "capacity": ("Capacity 淘汰产能", "Capacity eliminated (for per-capacity caps). 淘汰的产能（用于按产能计算的上限）。"),
        "workers": ("Workers 职工人数", "Workers affected. 涉及职工人数。"),
        "exit_year": ("Exit year 退出年份", "Year the capacity was closed, for the factor method's early-exit weights. 产能退出年份（用于因素法的提前退出系数）。"),
        "costs": ("Costs 费用", f"Cost lines by category, in the scenario unit; with years, {{year: amount due}} (a plain amount is due in the first year). 按类别列出的费用；跨年度方案可写 {{年份: 当年应付}}。Categories 类别: {_CATEGORY_LIST}."),
        "cost_sources": ("Cost sources 费用来源", "Where each cost line's figure comes from. 每项费用数据的来源。"),
        "own_funds": ("Own funds 自有资金", "The enterprise's own money by source, e.g. asset_sales; with years, {year: amount arriving}. 企业自有资金，如 asset_sales（资产变现）；跨年度方案可写 {年份: 到位金额}。"),
        "own_funds_rule": ("Own-funds rule 自有资金使用规则", "statutory: bankruptcy-law order; proportional: pro rata; free: placed by the LP. statutory 法定清偿顺序；proportional 按比例；free 由模型安排。"),
        "net_fixed_assets": ("Net fixed assets 固定资产净值", "Informative. 参考数据。"),
        "net_equipment": ("Net equipment 设备净值", "Informative. 参考数据。"),
        "tax_paid": ("Tax paid 纳税额", "Informative. 参考数据。"),
        "source": ("Source 数据来源", "Provenance of the enterprise's figures. 企业数据来源。"),
        "notes": ("Notes 备注", "Free text. 备注。"),
    },
    "Capacity": {
        "": ("Capacity 产能", "Amount and unit of capacity eliminated. 淘汰产能的数量和单位。"),
        "amount": ("Amount 数量", "Capacity eliminated, ≥ 0. 淘汰产能数量。"),
        "unit": ("Unit 单位", "Default 万吨. 默认万吨。"),
    },
    "Fund": {
        "": ("Fund 资金", "One source of public money and the rules it pays under. 一项财政资金及其使用规则。"),
        "id": ("Id 资金代码", "Unique code; funds listed first are spent first among equal allocations. 唯一代码；同等条件下先列出的资金先使用。"),
        "name": ("Name 资金名称", "The fund's name. 资金名称。"),
        "level": ("Level 层级", "central 中央 | provincial 省级 | municipal 市级 | county 县级 | other 其他."),
        "budget": ("Budget 预算", "Money available, in the scenario unit (in a programme over several years: all in the first year). 可安排金额（跨年度方案中视为第一年全部到位）。"),
        "tranches": ("Tranches 分年到位资金", "Instead of budget: money arriving each year, {year: amount}. 代替预算：每年到位的资金，{年份: 金额}。"),
        "carry_over": ("Carry over 结转", "Whether money unspent in its year stays for later years (default true); false: it lapses. 当年未用完的资金是否结转以后年度（默认是）；否则收回。"),
        "categories": ("Categories 可支付类别", "Cost categories this fund may pay. 该资金可支付的费用类别。"),
        "scope": ("Scope 适用范围", "Regions, industries and enterprises the fund may pay; an empty list admits all. 适用地区、行业、企业；空表示不限。"),
        "caps": ("Caps 上限", "Limits on what one enterprise or one cost line may receive. 每户及每项费用的上限。"),
        "distribution": ("Distribution 因素法分配", "The factor method: the budget is split between regions by factors first; each region's amount caps what the fund pays its enterprises. 因素法：预算先按因素分到各地区，各地区额度为该资金对其企业支付的上限。"),
        "match": ("Match 配套", "配套: for each enterprise, what the listed funds pay it ≥ ratio × what this fund pays it. 配套：对每户企业，所列资金支付合计不低于本资金支付额乘以配套比例。"),
        "source": ("Source 数据来源", "Provenance of the fund's figures and rules. 资金数据和规则的来源。"),
        "notes": ("Notes 备注", "Free text. 备注。"),
    },
    "Scope": {
        "": ("Scope 适用范围", "Every non-empty list must match. 各非空列表须同时满足。"),
        "regions": ("Regions 适用地区", "Region paths; 湖北 admits 湖北/咸宁/咸安. 地区路径前缀。"),
        "industries": ("Industries 适用行业", "Industry codes. 行业代码。"),
        "enterprises": ("Enterprises 适用企业", "Enterprise ids. 企业代码。"),
    },
    "Caps": {
        "": ("Caps 上限", "Optional limits; absent means no such limit. 可选上限，缺省即不限。"),
        "per_enterprise": ("Per enterprise 每户上限", "Most one enterprise may receive from this fund. 每户企业从该资金最多可得金额。"),
        "per_capacity": ("Per capacity 单位产能上限", "By industry: most per unit of capacity eliminated. 按行业，每单位淘汰产能最多可得金额。"),
        "per_worker": ("Per worker 每人上限", "Most per worker of the enterprise (all categories of this fund together): the cap is per_worker × workers. 按职工人数，每人最多可得金额（该资金各类别合计）。"),
        "share_of_need": ("Share of need 占需求比例上限", "0-1: most of each cost line's residual need this fund may pay. 该资金最多支付每项剩余需求的比例。"),
    },
    "Category": {
        "": ("Category 费用类别", "A cost category's labels and weights. 费用类别的名称和权重。"),
        "label_zh": ("Chinese label 中文名称", "e.g. 职工安置费."),
        "label_en": ("English label 英文名称", "e.g. worker resettlement."),
        "weight": ("Weight 优先权重", "Stage-1 priority: a unit of gap counts this many times. 第一阶段优先权重。"),
        "class": ("Own-funds class 自有资金顺序", "0 closure costs, 1 worker claims, 2 social insurance, 3 ordinary claims. 0 关停费用，1 职工债权，2 社会保险，3 普通债权。"),
    },
    "Policy": {
        "": ("Policy 政策", "Allocation switches. 分配政策开关。"),
        "fairness": ("Fairness 公平性", "Stage 2: minimise the largest gap share. 第二阶段：使最大缺口比例最小。"),
        "minimum_coverage": ("Minimum coverage 保底比例", "Category → share 0-1: on each cost line of the category, own funds + public money ≥ share × its cost, in every stage. 费用类别 → 比例：该类别每项费用的自有资金与财政资金合计不低于费用乘以该比例。"),
    },
    "Commitment": {
        "": ("Commitment 已定事项", "What one fund pays one enterprise, already decided. 已经决定的某项资金对某企业的安排。"),
        "fund": ("Fund 资金代码", "The fund that pays. 支付资金。"),
        "enterprise": ("Enterprise 企业代码", "The enterprise it pays. 受助企业。"),
        "category": ("Category 费用类别", "The cost category; left out: the fund's total to the enterprise. 费用类别；不填为该资金对该企业的合计。"),
        "year": ("Year 年度", "In a programme over several years: what is paid in that year; left out, the total over the years. 跨年度方案中当年的拨付额；不填为各年合计。"),
        "amount": ("Amount 金额", "Exactly this much. 确定金额。"),
        "at_least": ("At least 不少于", "At least this much. 不少于此金额。"),
        "at_most": ("At most 不超过", "At most this much; 0 forbids. 不超过此金额；0 表示不得支付。"),
        "source": ("Source 依据", "Where the decision comes from, e.g. the minutes. 决定依据，如会议纪要。"),
    },
    "Match": {
        "": ("Match 配套", "Co-funding this fund's payments require, per enterprise. 本资金支付所需的配套资金（按企业）。"),
        "funds": ("Funds 配套资金", "Ids of the funds that co-fund (other funds). 提供配套的其他资金代码。"),
        "ratio": ("Ratio 配套比例", "> 0, exact as written: 0.3 means the listed funds pay at least 3/10 of this fund's payment to each enterprise. 大于 0；0.3 即所列资金对每户支付合计至少为本资金支付额的 3/10。"),
    },
    "Distribution": {
        "": ("Distribution 因素法分配", "How the budget is split between regions. 预算在各地区之间的分配方法。"),
        "level": ("Level 地区层级", "Region path depth (1 = 湖北, 2 = 湖北/咸宁), or enterprise (each enterprise alone). 地区路径层级（1 为省，2 为市），或 enterprise（按企业）。"),
        "share": ("Share 按因素分配比例", "Part of the budget split by the factors (default 1); the rest is a pool that tops up any region. 按因素分配的预算比例（默认 1）；其余为不分地区的统筹部分。"),
        "factors": ("Factors 因素权重", "Weights of capacity, workers and difficulty, adding up to 1. 产能、职工人数、难度系数的权重，合计为 1。"),
        "early_exit_weights": ("Early-exit weights 提前退出系数", "Year → weight of capacity closed that year (1 when not listed). 各退出年份产能的折算系数（未列出为 1）。"),
    },
    "Factors": {
        "": ("Factors 因素权重", "2018 管理办法: capacity 0.5, workers 0.3, difficulty 0.2. 2018 年办法：产能 0.5、职工 0.3、难度 0.2。"),
        "capacity": ("Capacity 产能", "Weight of capacity closed (× early-exit weight). 淘汰产能（乘提前退出系数）的权重。"),
        "workers": ("Workers 职工人数", "Weight of workers to resettle. 需安置职工人数的权重。"),
        "difficulty": ("Difficulty 难度", "Weight of the regions' difficulty. 地区难度系数的权重。"),
    },
    "Region": {
        "": ("Region 地区", "Data of one region path. 一个地区的数据。"),
        "path": ("Path 地区路径", "As in the enterprises' region, e.g. 湖北 or 湖北/咸宁. 与企业地区写法相同。"),
        "difficulty": ("Difficulty 难度系数", "The factor method's difficulty of the region; 1 where not given. 因素法中该地区的难度系数，缺省为 1。"),
    },
    "Assumption": {
        "": ("Assumption 假设", "An estimate the scenario rests on. 方案所依据的估算。"),
        "id": ("Id 代码", "Short code. 代码。"),
        "text": ("Text 内容", "What is assumed. 假设内容。"),
        "value": ("Value 数值", "The number, if any. 数值。"),
        "unit": ("Unit 单位", "Its unit. 单位。"),
        "source": ("Source 来源", "Where it comes from. 来源。"),
    },
}

_NUMERIC = [{"type": "number"}, {"type": "string"}]
_AMOUNT = {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)}


def _amounts(node: Any) -> Any:
    """Amounts (number or numeric text in the models) as plain numbers ≥ 0 for editors."""
    if isinstance(node, dict):
        any_of = node.get("anyOf")
        if any_of == _NUMERIC:
            rest = {k: v for k, v in node.items() if k != "anyOf"}
            return {**rest, **_AMOUNT}
        if isinstance(any_of, list) and any_of[:2] == _NUMERIC and len(any_of) == 3 and any_of[2].get("type") == "object":
            # an amount or {year: amount} (a programme over several years)
            by_year = {**_amounts(any_of[2]), "propertyNames": {"pattern": "^[0-9]{4}$"}}
            return {**{k: v for k, v in node.items() if k != "anyOf"}, "anyOf": [dict(_AMOUNT), by_year]}
        if isinstance(any_of, list) and any_of[:2] == _NUMERIC and any_of[2:] == [{"type": "null"}]:
            return {**{k: v for k, v in node.items() if k != "anyOf"}, "anyOf": [dict(_AMOUNT), {"type": "null"}]}
        return {k: _amounts(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_amounts(v) for v in node]
    return node


def scenario_schema() -> dict:
    """The schema as a dict: the models' own, with amounts as numbers and bilingual docs."""
    schema = _amounts(Scenario.model_json_schema(by_alias=True, mode="validation"))
    models = dict(schema.get("$defs", {}))
    models["Scenario"] = schema
    fund = models["Fund"]  # budget, or tranches instead
    fund["required"] = [r for r in fund["required"] if r != "budget"]
    fund["anyOf"] = [{"required": ["budget"]}, {"required": ["tranches"]}]
    for model, fields in DOCS.items():
        node = models[model]
        for name, (title, description) in fields.items():
            target = node if name == "" else node["properties"][name]
            target["title"] = title
            target["description"] = description
    ratio = models["Match"]["properties"]["ratio"]  # a ratio > 0, not an amount
    ratio.pop("minimum", None), ratio.pop("maximum", None)
    ratio["exclusiveMinimum"] = 0
    _allow_ranges(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


RANGE_TEXT = r"^\s*[0-9.,]+\s*[~～]\s*[0-9.,]+\s*[~～]\s*[0-9.,]+\s*$"
"""`400~640~700`: a range as text (low~expected~high), what a workbook cell holds."""


def _allow_ranges(schema: dict) -> None:
    """Cost lines, own funds and budgets may be ranges (scenario/ranges.py): a mapping
    {low, expected, high} or the text low~expected~high, besides a plain amount."""
    defs = schema["$defs"]
    defs["AmountRange"] = {
        "title": "Range 区间", "type": "object", "additionalProperties": False, "required": ["low", "expected", "high"],
        "description": "An estimate: triangular from low to high, most likely `expected` (every command but risk uses "
                       "expected); low ≤ expected ≤ high. 估计数：低值、预期值、高值（三角分布）；除 risk 外均按预期值计算。",
        "properties": {k: dict(_AMOUNT) for k in ("low", "expected", "high")},
    }
    either = [dict(_AMOUNT), {"$ref": "#/$defs/AmountRange"}, {"type": "string", "pattern": RANGE_TEXT}]
    ent, fund = defs["Enterprise"]["properties"], defs["Fund"]["properties"]
    for table in (ent["costs"], ent["own_funds"]):
        by_year = [x for x in table["additionalProperties"].get("anyOf", []) if x.get("type") == "object"]  # {year: amount}
        table["additionalProperties"] = {"anyOf": [dict(x) for x in either] + by_year}
    for key in list(_AMOUNT):
        fund["budget"].pop(key)
    fund["budget"]["anyOf"] = [dict(x) for x in either]


def schema_text() -> str:
    """The schema as the file `schema/scenario.schema.json` holds it."""
    return json.dumps(scenario_schema(), ensure_ascii=False, indent=2) + "\n"
