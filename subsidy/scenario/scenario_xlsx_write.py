"""Writing a scenario as an Excel workbook: the input template a bureau clerk fills in.

`scenario_workbook` gives the workbook's bytes: an instructions sheet (Chinese and English), the
data sheets laid out as `subsidy.scenario.scenario_xlsx` says, with drop-downs for the code cells
and checks on the numbers, and the sheet of code lists the drop-downs draw on. What it writes,
`subsidy.scenario.scenario_xlsx_read` reads back as the same scenario.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

from subsidy.scenario.model import Scenario
from subsidy.scenario.scenario_xlsx_years import programme_rows, years_cell
from subsidy.scenario.scenario_xlsx import (
    CODES, DATA_SHEETS, FIRST_ROW, FUND_RULE_KINDS, INSTRUCTIONS, LEVELS, MAX_ROWS, RULES, SCENARIO_FIELDS, code_lists,
    display,
)


def _number(value: Decimal | float | int | None):
    """Decimal → int or float for a cell (exact for ≤ 15 significant digits, which Excel keeps)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def scenario_rows(scenario: Scenario) -> dict[str, list[list]]:
    """The scenario as rows of each data sheet, in column order (None = blank cell)."""
    table = scenario.category_table
    cat = lambda k: display(k, table[k].label_zh if k in table else None)  # noqa: E731
    rows: dict[str, list[list]] = {s.name: [] for s in DATA_SHEETS}
    set_fields = scenario.model_fields_set
    ranged = {(r.kind, r.owner, r.key): r.text for r in scenario.ranges}  # written as the clerk types them: 400~640~700
    values = {
        "name": scenario.name, "unit": scenario.unit if "unit" in set_fields else None,
        "description": scenario.description,
        "fairness": None if "policy" not in set_fields else ("是 yes" if scenario.policy.fairness else "否 no"),
        "years": years_cell(scenario.years),
    }
    for key, zh, en, _, help_ in SCENARIO_FIELDS:
        rows["scenario"].append([zh, key, values[key], help_])
    for e in scenario.enterprises:
        rows["enterprises"].append([
            e.id, e.name, e.region or None, e.industry or None,
            _number(e.capacity.amount) if e.capacity else None, e.capacity.unit if e.capacity else None,
            e.workers, display(e.own_funds_rule, RULES[e.own_funds_rule][0]),
            _number(e.net_fixed_assets), _number(e.net_equipment), _number(e.tax_paid), e.source or None, e.notes, e.exit_year,
        ])
        for c, amount in e.costs.items():
            rows["costs"].append([e.id, cat(c), ranged.get(("cost", e.id, c), _number(amount)), e.cost_sources.get(c)])
        for kind, amount in e.own_funds.items():
            rows["own_funds"].append([e.id, kind, ranged.get(("own_funds", e.id, kind), _number(amount))])
    for f in scenario.funds:
        rows["funds"].append([
            f.id, f.name, display(f.level, LEVELS[f.level][0]), ranged.get(("budget", f.id, "budget"), _number(f.budget)),
            _number(f.caps.per_enterprise),
            f.caps.share_of_need, _number(f.caps.per_worker), f.source or None, f.notes,
            None if "carry_over" not in f.model_fields_set else ("是 yes" if f.carry_over else "否 no"),
        ])
        rule = lambda k: display(k, FUND_RULE_KINDS[k][0])  # noqa: E731
        rows["fund_rules"] += [[f.id, rule("category"), cat(c), None] for c in f.categories]
        rows["fund_rules"] += [[f.id, rule("region"), r, None] for r in f.scope.regions]
        rows["fund_rules"] += [[f.id, rule("industry"), i, None] for i in f.scope.industries]
        rows["fund_rules"] += [[f.id, rule("enterprise"), x, None] for x in f.scope.enterprises]
        rows["fund_rules"] += [[f.id, rule("per_capacity"), i, _number(r)] for i, r in f.caps.per_capacity.items()]
        if f.distribution is not None:
            d = f.distribution
            rows["distribution"].append([f.id, d.level, _number(d.factors.capacity), _number(d.factors.workers), _number(d.factors.difficulty),
                                          _number(d.share) if d.share != 1 else None])
            rows["fund_rules"] += [[f.id, rule("early_exit"), year, _number(w)] for year, w in d.early_exit_weights.items()]
    for f in scenario.funds:  # 配套: one row per matching fund, the ratio on the first
        if f.match is not None:
            rows["match"] += [[f.id, g, _number(f.match.ratio) if i == 0 else None] for i, g in enumerate(f.match.funds)]
    for k, share in scenario.policy.minimum_coverage.items():
        rows["minimum_coverage"].append([cat(k), share])
    for c in scenario.commitments:
        rows["commitments"].append([c.fund, c.enterprise, cat(c.category) if c.category else None, _number(c.amount),
                                    _number(c.at_least), _number(c.at_most), c.source or None])
    rows["regions"] += [[r.path, _number(r.difficulty)] for r in scenario.regions]
    rows.update(programme_rows(scenario, cat))  # amounts by year (a programme); the totals are on Costs / OwnFunds / Funds
    for key, c in scenario.categories.items():
        given = c.model_dump(exclude_unset=True, by_alias=True)
        rows["categories"].append([key, given.get("label_zh"), given.get("label_en"), given.get("weight"), given.get("class")])
    for a in scenario.assumptions:
        value = a.value if a.value is None or isinstance(a.value, (str, int, float)) else json.dumps(a.value, ensure_ascii=False)
        rows["assumptions"].append([a.id, a.text, _number(value) if isinstance(value, Decimal) else value, a.unit, a.source or None])
    return rows


INSTRUCTION_LINES = {
    "zh": [
        "淘汰落后产能奖励资金分配 — 输入工作簿",
        "",
        "1. 每张表第 1 行是列名，第 2 行是字段代码（程序按字段代码读取，请勿修改），从第 3 行起填写数据，一行一条。",
        "2. 金额单位见“方案”表（默认万元），最多两位小数，不得为负数。空白单元格表示未填写。",
        "   尚未确定的费用、自有资金、预算可填区间“低~预期~高”（如 400~640~700）：subsidy risk 按三角分布抽样，其余命令按预期值计算。",
        "3. “企业”表每户企业一行，地区（路径写法，如 湖北/咸宁/咸安）和行业必须填写；“费用”表每户企业每个费用类别一行；“自有资金”表每笔自有资金一行（如 asset_sales 资产变现）。",
        "4. “资金”表每项资金一行；“资金规则”表写明每项资金可支付的费用类别、适用地区/行业/企业、单位产能上限，一条规则一行。",
        "   未列适用地区/行业/企业表示不限。",
        "5. 费用类别、层级、规则可从下拉列表选择，也可只填代码（如 resettlement）或中文名称（如 职工安置费）。代码表见“代码表”。",
        "6. “类别”表只在需要改变默认权重/顺序或新增类别时填写；“假设”表记录估算依据。",
        "   “已定事项”表填写已经决定的安排（如常务会纪要）：某资金给某企业（某费用类别，空白为该资金合计）的金额，或不少于/不超过的金额。",
        "   “配套”表：某资金对每户企业的支付须有配套，所列配套资金对该企业的支付合计不得低于本资金支付额乘以配套比例；每项配套资金一行，比例填在第一行。",
        "   “保底比例”表：某费用类别的每项费用，自有资金与财政资金合计不得低于费用乘以该比例（0 至 1，如职工安置费 1 为全额保障）。",
        "   跨年度方案：在“方案”表的“年度”填写 2025, 2026, 2027；按年度到期的费用、按年度到位的自有资金填在“分年度”表（每年一行），",
        "   按年度到账的资金填在“资金分年度到账”表，“资金”表的“结转”填 否 表示当年未用完的资金收回（默认结转）。",
        "   “费用”“资金”表中对应的金额可留空或填写各年之和。",
        "7. 检查：subsidy validate 本文件.xlsx ；求解：subsidy solve 本文件.xlsx --xlsx 结果.xlsx",
        "   出错时会列出全部问题，并指明表名和单元格，例如 费用!C7。",
        "",
        "示例数据：咸安区温泉电石总厂（见 scenarios/xianan-2025.yaml），可直接覆盖或删除。",
    ],
    "en": [
        "Allocation of reward funds for closing outdated capacity — input workbook",
        "",
        "1. On every sheet row 1 names the columns, row 2 holds the field keys (the program reads these: do not change them); data start on row 3, one item per row.",
        "2. Amounts are in the unit on the Scenario sheet (default 万元), at most 2 decimals, never negative. A blank cell means not given.",
        "   A cost, own funds or budget not yet known may be a range low~expected~high (e.g. 400~640~700): subsidy risk draws it (triangular), every other command uses expected.",
        "3. Enterprises: one row per enterprise; region (as a path, e.g. 湖北/咸宁/咸安) and industry are required. Costs: one row per enterprise and cost category. OwnFunds: one row per source of own funds (e.g. asset_sales).",
        "4. Funds: one row per fund. FundRules: which categories each fund pays, the regions/industries/enterprises it may pay, its cap per unit of capacity; one rule per row.",
        "   A fund with no region/industry/enterprise rule pays everyone.",
        "5. Categories, levels and rules can be picked from the drop-downs, or typed as the code (resettlement) or its name (职工安置费). See the Codes sheet.",
        "6. Fill Categories only to change a default weight/order or add a category; Assumptions records how estimates were made.",
        "   Commitments: decisions already taken (e.g. minutes of a meeting): what a fund pays an enterprise (for a category, or blank: all), as an amount or at least / at most.",
        "   Match (配套): a fund paid only with co-funding: for each enterprise, the listed funds together pay at least ratio × what the fund pays; one row per matching fund, the ratio on the first.",
        "   MinimumCoverage: per category, a share 0-1: on each of its cost lines own funds + public money must reach that share of the cost (resettlement 1: in full).",
        "   A programme over several years: years on the Scenario sheet (2025, 2026, 2027); costs due and own funds arriving by year on ByYear",
        "   (one row per year), a fund's money by year on FundTranches; carry over 否 no on Funds: what is unspent at the end of its year lapses (default: it stays).",
        "   The amount of such a line on Costs / Funds may be blank or the sum of its years.",
        "7. Check: subsidy validate THIS.xlsx ; solve: subsidy solve THIS.xlsx --xlsx result.xlsx",
        "   Errors list every problem with its sheet and cell, e.g. Costs!C7.",
        "",
        "Example data: the Wenquan carbide plant of 咸安区 (see scenarios/xianan-2025.yaml); overwrite or delete it.",
    ],
}


def scenario_workbook(scenario: Scenario, lang: str = "zh") -> bytes:
    """The input workbook for `scenario`: instructions, data sheets with drop-downs, code lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from subsidy.scenario.xlsx_style import autosize, style_header

    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS[0] if lang == "zh" else INSTRUCTIONS[1]
    for line in INSTRUCTION_LINES[lang] + [""] + INSTRUCTION_LINES["en" if lang == "zh" else "zh"]:
        ws.append([line])
    ws.column_dimensions["A"].width = 120
    ws["A1"].font = Font(bold=True, size=14)

    rows = scenario_rows(scenario)
    titles = {s.name: s.title(lang) for s in DATA_SHEETS}
    for spec in DATA_SHEETS:
        sheet = wb.create_sheet(titles[spec.name])
        sheet.append([c.zh if lang == "zh" else c.en for c in spec.cols])
        sheet.append([c.key for c in spec.cols])
        for row in rows[spec.name]:
            sheet.append(row)
        style_header(sheet, header_rows=2)
        for i, col in enumerate(spec.cols, start=1):
            if col.kind in ("money", "estimate", "quantity"):
                fmt = "0.00" if col.kind != "quantity" else "General"
                sheet.column_dimensions[get_column_letter(i)].number_format = fmt  # rows yet to be typed
                for (cell,) in sheet.iter_rows(min_row=FIRST_ROW, min_col=i, max_col=i):
                    cell.number_format = fmt
        autosize(sheet, minimum={i: c.width or 0 for i, c in enumerate(spec.cols, start=1)})
    codes = wb.create_sheet(CODES[0] if lang == "zh" else CODES[1])
    lists = code_lists(scenario.category_table)
    _write_codes(codes, lists, lang)
    _add_validations(wb, titles, codes.title, lists)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_CODE_HEADERS = {"category": ("费用类别", "category"), "level": ("资金层级", "fund level"),
                 "rule": ("自有资金使用规则", "own-funds rule"), "fund_rule": ("资金规则", "fund rule")}


def _write_codes(ws, lists: dict[str, list[str]], lang: str) -> None:
    from subsidy.scenario.xlsx_style import autosize, style_header

    for j, (name, values) in enumerate(lists.items(), start=1):
        zh, en = _CODE_HEADERS[name]
        ws.cell(row=1, column=j, value=zh if lang == "zh" else en)
        ws.cell(row=2, column=j, value=name)
        for i, value in enumerate(values, start=FIRST_ROW):
            ws.cell(row=i, column=j, value=value)
    style_header(ws, header_rows=2)
    autosize(ws)


def _add_validations(wb, titles: dict[str, str], codes_title: str, lists: dict[str, list[str]]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    code_column = {name: get_column_letter(j) for j, name in enumerate(lists, start=1)}
    last = FIRST_ROW + MAX_ROWS - 1

    def number(kind: str) -> DataValidation:
        if kind == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        elif kind == "share":
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
        elif kind == "class":
            dv = DataValidation(type="whole", operator="between", formula1="0", formula2="3")
        else:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        dv.error = {"share": "0 到 1 之间的数 / a number from 0 to 1", "class": "0、1、2 或 3 / 0, 1, 2 or 3",
                    "int": "≥ 0 的整数 / a whole number ≥ 0"}.get(kind, "≥ 0 的数 / a number ≥ 0")
        dv.errorTitle = "数值无效 Invalid number"
        if kind == "estimate":  # a range is text: Excel warns, and the clerk may keep it
            dv.errorStyle = "warning"
            dv.error = "≥ 0 的数，或区间 低~预期~高（如 400~640~700）/ a number ≥ 0, or a range low~expected~high (e.g. 400~640~700)"
        return dv

    for spec in DATA_SHEETS:
        ws = wb[titles[spec.name]]
        for j, col in enumerate(spec.cols, start=1):
            rng = f"{get_column_letter(j)}{FIRST_ROW}:{get_column_letter(j)}{last}"
            if col.kind in ("money", "estimate", "quantity", "int", "share", "weight", "class"):
                dv = number(col.kind)
            elif col.kind == "bool":
                dv = DataValidation(type="list", formula1='"是 yes,否 no"', allow_blank=True)
            elif col.kind.startswith("code:"):
                name = col.kind[5:]
                letter = code_column[name]
                dv = DataValidation(type="list", formula1=f"'{codes_title}'!${letter}${FIRST_ROW}:${letter}${FIRST_ROW + len(lists[name]) - 1}")
                # A warning, not a stop: a code typed by hand or a custom category must stay possible.
                dv.errorStyle = "warning"
                dv.error = "不在代码表中 / not in the Codes sheet"
            elif col.kind.startswith("ref:"):
                letter = "A"
                dv = DataValidation(type="list", formula1=f"'{titles[col.kind[4:]]}'!${letter}${FIRST_ROW}:${letter}${last}")
                dv.errorStyle = "warning"
                dv.error = "未找到该代码 / no such id"
            else:
                continue
            dv.showErrorMessage = True
            dv.add(rng)
            ws.add_data_validation(dv)
    ws = wb[titles["scenario"]]
    dv = DataValidation(type="list", formula1='"是 yes,否 no"', allow_blank=True)
    dv.add(f"C{FIRST_ROW + [f[0] for f in SCENARIO_FIELDS].index('fairness')}")
    ws.add_data_validation(dv)
