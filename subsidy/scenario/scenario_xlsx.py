"""Scenarios as Excel workbooks: the template a bureau clerk fills in, and the reader for it.

One layout serves both directions, so a workbook written from a scenario reads back as the same
scenario. Every data sheet has two header rows: row 1 is the column's name for people (Chinese
with `--lang zh`, English otherwise), row 2 its field key (`workers`, `budget`, …), which is what
the reader goes by; data start on row 3. A column whose key cell is blank is recognised by its
row-1 name in either language. Sheets are found by their Chinese or English name.

Code cells (categories, fund levels, own-funds rules, fund rules) take the code (`resettlement`),
its Chinese or English name (`职工安置费`), or the drop-down's "职工安置费 resettlement".

The reader produces the same plain dict a YAML file gives, a map from each data path to the cell
it came from (`企业!C7`), and the problems it found itself (unknown sheet rows, duplicate lines);
`subsidy.io` then validates the dict with the same pydantic models as for YAML.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from subsidy.scenario.model import DEFAULT_CATEGORIES, Problem, Scenario

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
))
COSTS = SheetSpec("costs", "费用", "Costs", (
    Col("enterprise", "企业代码", "enterprise", "ref:enterprises"), Col("category", "费用类别", "category", "code:category"),
    Col("amount", "金额", "amount", "money"), Col("source", "数据来源", "source", width=40),
))
OWN_FUNDS = SheetSpec("own_funds", "自有资金", "OwnFunds", (
    Col("enterprise", "企业代码", "enterprise", "ref:enterprises"), Col("kind", "资金来源", "kind"),
    Col("amount", "金额", "amount", "money"),
))
FUNDS = SheetSpec("funds", "资金", "Funds", (
    Col("id", "资金代码", "id"), Col("name", "资金名称", "name", width=30), Col("level", "层级", "level", "code:level"),
    Col("budget", "预算", "budget", "money"), Col("per_enterprise", "每户上限", "cap per enterprise", "money"),
    Col("share_of_need", "占需求比例上限", "cap share of need", "share"),
    Col("source", "数据来源", "source", width=40), Col("notes", "备注", "notes", width=40),
))
FUND_RULES = SheetSpec("fund_rules", "资金规则", "FundRules", (
    Col("fund", "资金代码", "fund", "ref:funds"), Col("rule", "规则", "rule", "code:fund_rule"),
    Col("value", "类别/地区/行业/企业", "category / region / industry / enterprise", width=28),
    Col("amount", "单位产能上限", "cap per unit of capacity", "quantity"),
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
DATA_SHEETS = (SCENARIO, ENTERPRISES, COSTS, OWN_FUNDS, FUNDS, FUND_RULES, CATEGORIES, ASSUMPTIONS)
INSTRUCTIONS = ("说明", "Instructions")
CODES = ("代码表", "Codes")

# Fields of the Scenario sheet (key/value rows).
SCENARIO_FIELDS = (
    ("name", "方案名称", "scenario name", "text", "必填 required"),
    ("unit", "金额单位", "unit of amounts", "text", "默认 万元 / default 万元"),
    ("description", "方案说明", "description", "text", ""),
    ("fairness", "公平性（第二阶段）", "fairness (stage 2)", "bool", "是/否 yes/no: 缩小最大缺口比例 minimise the largest gap share"),
)

LEVELS = {"central": ("中央", "central"), "provincial": ("省级", "provincial"), "municipal": ("市级", "municipal"),
          "county": ("县级", "county"), "other": ("其他", "other")}
RULES = {"statutory": ("法定清偿顺序", "statutory order"), "proportional": ("按比例", "pro rata"),
         "free": ("由模型安排", "placed by the LP")}
FUND_RULE_KINDS = {
    "category": ("可支付类别", "pays category"), "region": ("适用地区", "region in scope"),
    "industry": ("适用行业", "industry in scope"), "enterprise": ("适用企业", "enterprise in scope"),
    "per_capacity": ("单位产能上限", "cap per unit of capacity"),
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
# Writing
# ------------------------------------------------------------------------------------------------


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
    values = {
        "name": scenario.name, "unit": scenario.unit if "unit" in set_fields else None,
        "description": scenario.description,
        "fairness": None if "policy" not in set_fields else ("是 yes" if scenario.policy.fairness else "否 no"),
    }
    for key, zh, en, _, help_ in SCENARIO_FIELDS:
        rows["scenario"].append([zh, key, values[key], help_])
    for e in scenario.enterprises:
        rows["enterprises"].append([
            e.id, e.name, e.region or None, e.industry or None,
            _number(e.capacity.amount) if e.capacity else None, e.capacity.unit if e.capacity else None,
            e.workers, display(e.own_funds_rule, RULES[e.own_funds_rule][0]),
            _number(e.net_fixed_assets), _number(e.net_equipment), _number(e.tax_paid), e.source or None, e.notes,
        ])
        for c, amount in e.costs.items():
            rows["costs"].append([e.id, cat(c), _number(amount), e.cost_sources.get(c)])
        for kind, amount in e.own_funds.items():
            rows["own_funds"].append([e.id, kind, _number(amount)])
    for f in scenario.funds:
        rows["funds"].append([
            f.id, f.name, display(f.level, LEVELS[f.level][0]), _number(f.budget), _number(f.caps.per_enterprise),
            f.caps.share_of_need, f.source or None, f.notes,
        ])
        rule = lambda k: display(k, FUND_RULE_KINDS[k][0])  # noqa: E731
        rows["fund_rules"] += [[f.id, rule("category"), cat(c), None] for c in f.categories]
        rows["fund_rules"] += [[f.id, rule("region"), r, None] for r in f.scope.regions]
        rows["fund_rules"] += [[f.id, rule("industry"), i, None] for i in f.scope.industries]
        rows["fund_rules"] += [[f.id, rule("enterprise"), x, None] for x in f.scope.enterprises]
        rows["fund_rules"] += [[f.id, rule("per_capacity"), i, _number(r)] for i, r in f.caps.per_capacity.items()]
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
        "3. “企业”表每户企业一行；“费用”表每户企业每个费用类别一行；“自有资金”表每笔自有资金一行（如 asset_sales 资产变现）。",
        "4. “资金”表每项资金一行；“资金规则”表写明每项资金可支付的费用类别、适用地区/行业/企业、单位产能上限，一条规则一行。",
        "   未列适用地区/行业/企业表示不限。",
        "5. 费用类别、层级、规则可从下拉列表选择，也可只填代码（如 resettlement）或中文名称（如 职工安置费）。代码表见“代码表”。",
        "6. “类别”表只在需要改变默认权重/顺序或新增类别时填写；“假设”表记录估算依据。",
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
        "3. Enterprises: one row per enterprise. Costs: one row per enterprise and cost category. OwnFunds: one row per source of own funds (e.g. asset_sales).",
        "4. Funds: one row per fund. FundRules: which categories each fund pays, the regions/industries/enterprises it may pay, its cap per unit of capacity; one rule per row.",
        "   A fund with no region/industry/enterprise rule pays everyone.",
        "5. Categories, levels and rules can be picked from the drop-downs, or typed as the code (resettlement) or its name (职工安置费). See the Codes sheet.",
        "6. Fill Categories only to change a default weight/order or add a category; Assumptions records how estimates were made.",
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
            if col.kind in ("money", "quantity"):
                fmt = "0.00" if col.kind == "money" else "General"
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
        return dv

    for spec in DATA_SHEETS:
        ws = wb[titles[spec.name]]
        for j, col in enumerate(spec.cols, start=1):
            rng = f"{get_column_letter(j)}{FIRST_ROW}:{get_column_letter(j)}{last}"
            if col.kind in ("money", "quantity", "int", "share", "weight", "class"):
                dv = number(col.kind)
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


# ------------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------------


@dataclass
class WorkbookData:
    """What the reader found: the scenario as plain data, where each part came from, and problems."""

    data: dict
    places: dict[tuple, str]
    problems: list[Problem]


def _ref(sheet: str, column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{_quote(sheet)}!{get_column_letter(column)}{row}"


def _quote(sheet: str) -> str:
    """A sheet name as Excel writes it in a reference ('Own funds'!A1 needs quotes, 企业!A1 not)."""
    return sheet if all(ch.isalnum() or ch == "_" for ch in sheet) else "'" + sheet.replace("'", "''") + "'"


def _clean(value: Any) -> Any:
    """A cell's value as a scenario value: text stripped, blanks None, Excel's floats at 15 digits."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float):
        # Excel shows and keeps 15 significant digits: 0.1+0.2 is 0.3 to a clerk, so to us too.
        value = float(f"{value:.15g}")
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if hasattr(value, "isoformat"):  # a date typed into a text cell
        return value.isoformat()
    return value


class _Sheet:
    """One data sheet: its columns by key, and its data rows with their row numbers."""

    def __init__(self, ws, spec: SheetSpec, problems: list[Problem]):
        self.title = ws.title
        self.spec = spec
        labels = {}
        for c in spec.cols:
            labels[c.key] = c.key
            labels[c.zh] = c.key
            labels[c.en.lower()] = c.key
        header1 = [_clean(v) for v in next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())]
        header2 = [_clean(v) for v in next(ws.iter_rows(min_row=2, max_row=2, values_only=True), ())]
        self.columns: dict[str, int] = {}
        for j in range(max(len(header1), len(header2))):
            key = header2[j] if j < len(header2) else None
            label = header1[j] if j < len(header1) else None
            name = key if key is not None else label
            if name is None:
                continue
            found = labels.get(str(name)) or labels.get(str(name).lower())
            if found is None:
                problems.append(Problem(message=f"unknown column {name!r}; known: {', '.join(c.key for c in spec.cols)}",
                                        where=_ref(self.title, j + 1, 2 if key is not None else 1)))
            elif found in self.columns:
                problems.append(Problem(message=f"column {found!r} appears twice", where=_ref(self.title, j + 1, 2)))
            else:
                self.columns[found] = j + 1
        self.rows: list[tuple[int, dict[str, Any]]] = []
        for i, values in enumerate(ws.iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW):
            row = {key: _clean(values[j - 1]) if j - 1 < len(values) else None for key, j in self.columns.items()}
            if any(v is not None for k, v in row.items() if not (spec.name == "scenario" and k in ("label", "help"))):
                self.rows.append((i, row))

    def cell(self, key: str, row: int, what: str | None = None) -> str:
        """'费用!C7 (金额 amount)': the cell as Excel names it, and what it holds. A column that is
        not on the sheet at all is reported on the row ('企业!5:5')."""
        column = self.columns.get(key)
        ref = _ref(self.title, column, row) if column else f"{_quote(self.title)}!{row}:{row}"
        if what is None:
            col = next(c for c in self.spec.cols if c.key == key)
            what = f"{col.zh} {col.key}"
        return f"{ref} ({what})"


def _find_sheets(wb) -> dict[str, Any]:
    by_title = {ws.title.strip().lower(): ws for ws in wb.worksheets}
    found = {}
    for spec in DATA_SHEETS:
        for name in (spec.zh, spec.en, spec.name):
            if name.lower() in by_title:
                found[spec.name] = by_title[name.lower()]
                break
    return found


def read_workbook(path: Path, raw: bytes) -> WorkbookData:
    """Read an input workbook into scenario data; problems located as sheet!cell."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return WorkbookData({}, {}, [Problem(message=f"is not an .xlsx workbook ({type(exc).__name__}: {exc}); save it from Excel or WPS as .xlsx")])
    problems: list[Problem] = []
    worksheets = _find_sheets(wb)
    missing = [s for s in (SCENARIO, ENTERPRISES, FUNDS) if s.name not in worksheets]
    if missing:
        names = ", ".join(f"{s.zh} / {s.en}" for s in missing)
        return WorkbookData({}, {}, [Problem(message=f"has no sheet {names}; start from `subsidy template`")])
    sheets = {name: _Sheet(ws, next(s for s in DATA_SHEETS if s.name == name), problems) for name, ws in worksheets.items()}
    reader = _Reader(sheets, problems)
    return WorkbookData(reader.data, reader.places, problems)


class _Reader:
    """Turns the sheets into the scenario dict, recording each value's cell as it goes."""

    def __init__(self, sheets: dict[str, _Sheet], problems: list[Problem]):
        self.sheets = sheets
        self.problems = problems
        self.places: dict[tuple, str] = {}
        self.data: dict[str, Any] = {}
        self._scenario()
        self.categories = self._categories()
        self._enterprises()
        self._costs()
        self._own_funds()
        self._funds()
        self._fund_rules()
        self._assumptions()

    def _rows(self, name: str) -> Iterable[tuple[int, dict]]:
        sheet = self.sheets.get(name)
        return sheet.rows if sheet else ()

    def _put(self, target: dict, key: str, value: Any, loc: tuple, sheet: str, column: str, row: int, what: str | None = None) -> None:
        self.places[loc] = self.sheets[sheet].cell(column, row, what)
        if value is not None:
            target[key] = value

    def _problem(self, sheet: str, column: str, row: int, message: str, loc: tuple = ()) -> None:
        """A problem the reader found; `loc` (when the value is in the data) keeps the model's
        own check of the same thing from reporting it a second time."""
        self.problems.append(Problem(loc=loc, message=message, where=self.sheets[sheet].cell(column, row)))

    def _scenario(self) -> None:
        labels = {f[0]: f"{f[1]} {f[0]}" for f in SCENARIO_FIELDS}
        for row, values in self._rows("scenario"):
            field, value = values.get("field"), values.get("value")
            if field not in labels:
                self._problem("scenario", "field", row, f"unknown field {field!r}; known: {', '.join(labels)}")
                continue
            if field == "fairness":
                where = self.sheets["scenario"].cell("value", row, labels[field])
                self.places[("policy",)] = self.places[("policy", "fairness")] = where
                if value is not None:
                    self.data["policy"] = {"fairness": self._bool(value)}
            else:
                self._put(self.data, field, value if value is None else str(value), (field,), "scenario", "value", row, labels[field])

    def _bool(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        words = str(value).lower().split()
        if words and all(w in YES for w in words):
            return True
        if words and all(w in NO for w in words):
            return False
        return value  # pydantic reports it

    def _categories(self) -> dict[str, tuple[str | None, str | None]]:
        table = {k: (c.label_zh, c.label_en) for k, c in DEFAULT_CATEGORIES.items()}
        given: dict[str, dict] = {}
        for row, values in self._rows("categories"):
            key = values.get("key")
            if key is None:
                self._problem("categories", "key", row, "category code is missing")
                continue
            key = str(key)
            if key in given:
                self._problem("categories", "key", row, f"category {key!r} appears twice")
                continue
            entry: dict[str, Any] = {}
            for field in ("label_zh", "label_en", "weight", "class"):
                value = values.get(field)
                if field.startswith("label") and value is not None:
                    value = str(value)
                self._put(entry, field, value, ("categories", key, field), "categories", field, row)
            self.places[("categories", key)] = self.sheets["categories"].cell("key", row)
            given[key] = entry
            base = table.get(key, (None, None))
            table[key] = (entry.get("label_zh", base[0]), entry.get("label_en", base[1]))
        if given:
            self.data["categories"] = given
        return table

    def _enterprises(self) -> None:
        self.enterprise_index: dict[str, int] = {}
        ents = self.data["enterprises"] = []
        rules = {k: v for k, v in RULES.items()}
        for row, values in self._rows("enterprises"):
            i = len(ents)
            e: dict[str, Any] = {}
            loc = ("enterprises", i)
            self.places[loc] = self.sheets["enterprises"].cell("id", row)
            for field in ("id", "name", "region", "industry", "source", "notes"):
                value = values.get(field)
                self._put(e, field, None if value is None else str(value), loc + (field,), "enterprises", field, row)
            for field in ("workers", "net_fixed_assets", "net_equipment", "tax_paid"):
                self._put(e, field, values.get(field), loc + (field,), "enterprises", field, row)
            rule = values.get("own_funds_rule")
            self._put(e, "own_funds_rule", None if rule is None else parse_code(str(rule), rules), loc + ("own_funds_rule",), "enterprises", "own_funds_rule", row)
            amount, unit = values.get("capacity"), values.get("capacity_unit")
            if amount is not None or unit is not None:
                e["capacity"] = {"amount": amount} if unit is None else {"amount": amount, "unit": str(unit)}
            for part, column in (((), "capacity"), (("amount",), "capacity"), (("unit",), "capacity_unit")):
                self.places[loc + ("capacity",) + part] = self.sheets["enterprises"].cell(column, row)
            if isinstance(e.get("id"), str):
                if e["id"] in self.enterprise_index:
                    first = self.sheets["enterprises"].rows[self.enterprise_index[e["id"]]][0]
                    self._problem("enterprises", "id", row, f"duplicate enterprise id {e['id']!r} (first in row {first})", loc + ("id",))
                else:
                    self.enterprise_index[e["id"]] = i
            ents.append(e)

    def _owner(self, sheet: str, row: int, values: dict, column: str = "enterprise") -> int | None:
        """The index of the enterprise a cost/own-funds row belongs to, or a problem."""
        ref = values.get(column)
        if ref is None:
            self._problem(sheet, column, row, "enterprise id is missing")
            return None
        index = self.enterprise_index.get(str(ref))
        if index is None:
            self._problem(sheet, column, row, f"unknown enterprise {ref!r}; it must be an id on the {self.sheets['enterprises'].title} sheet")
        return index

    def _costs(self) -> None:
        seen: dict[tuple[int, str], int] = {}
        for row, values in self._rows("costs"):
            i = self._owner("costs", row, values)
            raw = values.get("category")
            if raw is None:
                self._problem("costs", "category", row, "cost category is missing")
                continue
            cat = parse_code(str(raw), self.categories)
            if cat not in self.categories:
                self._problem("costs", "category", row, f"unknown category {raw!r}; known: {', '.join(self.categories)}")
                continue
            if i is None:
                continue
            if (i, cat) in seen:
                self._problem("costs", "category", row, f"cost line {cat!r} of this enterprise appears twice (first in row {seen[(i, cat)]})")
                continue
            seen[(i, cat)] = row
            e = self.data["enterprises"][i]
            loc = ("enterprises", i)
            self.places.setdefault(loc + ("costs",), self.sheets["costs"].cell("enterprise", row))
            what = display(cat, self.categories[cat][0])
            self._put(e.setdefault("costs", {}), cat, values.get("amount"), loc + ("costs", cat), "costs", "amount", row, what)
            e["costs"].setdefault(cat, None)  # a blank amount is a missing number, not a missing line
            if values.get("source") is not None:
                self._put(e.setdefault("cost_sources", {}), cat, str(values["source"]), loc + ("cost_sources", cat), "costs", "source", row)

    def _own_funds(self) -> None:
        seen: dict[tuple[int, str], int] = {}
        for row, values in self._rows("own_funds"):
            i = self._owner("own_funds", row, values)
            kind = values.get("kind")
            if kind is None:
                self._problem("own_funds", "kind", row, "source of own funds is missing (e.g. asset_sales)")
                continue
            kind = str(kind)
            if i is None:
                continue
            if (i, kind) in seen:
                self._problem("own_funds", "kind", row, f"own funds {kind!r} of this enterprise appear twice (first in row {seen[(i, kind)]})")
                continue
            seen[(i, kind)] = row
            e = self.data["enterprises"][i]
            self.places.setdefault(("enterprises", i, "own_funds"), self.sheets["own_funds"].cell("enterprise", row))
            self._put(e.setdefault("own_funds", {}), kind, values.get("amount"), ("enterprises", i, "own_funds", kind), "own_funds", "amount", row, f"自有资金 {kind}")
            e["own_funds"].setdefault(kind, None)

    def _funds(self) -> None:
        self.fund_index: dict[str, int] = {}
        funds = self.data["funds"] = []
        for row, values in self._rows("funds"):
            j = len(funds)
            f: dict[str, Any] = {"categories": []}
            loc = ("funds", j)
            self.places[loc] = self.places[loc + ("categories",)] = self.sheets["funds"].cell("id", row)
            for field in ("id", "name", "source", "notes"):
                value = values.get(field)
                self._put(f, field, None if value is None else str(value), loc + (field,), "funds", field, row)
            level = values.get("level")
            self._put(f, "level", None if level is None else parse_code(str(level), LEVELS), loc + ("level",), "funds", "level", row)
            self._put(f, "budget", values.get("budget"), loc + ("budget",), "funds", "budget", row)
            caps: dict[str, Any] = {}
            for field in ("per_enterprise", "share_of_need"):
                self._put(caps, field, values.get(field), loc + ("caps", field), "funds", field, row)
            if caps:
                f["caps"] = caps
            if isinstance(f.get("id"), str):
                if f["id"] in self.fund_index:
                    first = self.sheets["funds"].rows[self.fund_index[f["id"]]][0]
                    self._problem("funds", "id", row, f"duplicate fund id {f['id']!r} (first in row {first})", loc + ("id",))
                else:
                    self.fund_index[f["id"]] = j
            funds.append(f)

    def _fund_rules(self) -> None:
        for row, values in self._rows("fund_rules"):
            ref = values.get("fund")
            j = self.fund_index.get(str(ref)) if ref is not None else None
            if j is None:
                self._problem("fund_rules", "fund", row, "fund id is missing" if ref is None else
                              f"unknown fund {ref!r}; it must be an id on the {self.sheets['funds'].title} sheet")
                continue
            raw_kind, value = values.get("rule"), values.get("value")
            kind = parse_code(str(raw_kind), FUND_RULE_KINDS) if raw_kind is not None else None
            if kind not in FUND_RULE_KINDS:
                self._problem("fund_rules", "rule", row, f"unknown rule {raw_kind!r}; known: {', '.join(FUND_RULE_KINDS)}")
                continue
            if value is None:
                self._problem("fund_rules", "value", row, f"a {kind} rule needs a value")
                continue
            f = self.data["funds"][j]
            loc = ("funds", j)
            if kind == "category":
                cat = parse_code(str(value), self.categories)
                if cat not in self.categories:
                    self._problem("fund_rules", "value", row, f"unknown category {value!r}; known: {', '.join(self.categories)}")
                    continue
                self.places[loc + ("categories", len(f["categories"]))] = self.sheets["fund_rules"].cell("value", row)
                f["categories"].append(cat)
            elif kind == "per_capacity":
                per = f.setdefault("caps", {}).setdefault("per_capacity", {})
                if str(value) in per:
                    self._problem("fund_rules", "value", row, f"per-capacity cap for {value!r} appears twice")
                    continue
                self.places[loc + ("caps", "per_capacity", str(value))] = self.sheets["fund_rules"].cell("amount", row)
                per[str(value)] = values.get("amount")
            else:
                field = {"region": "regions", "industry": "industries", "enterprise": "enterprises"}[kind]
                items = f.setdefault("scope", {}).setdefault(field, [])
                self.places[loc + ("scope", field, len(items))] = self.sheets["fund_rules"].cell("value", row)
                items.append(str(value))
            if kind != "per_capacity" and values.get("amount") is not None:
                self._problem("fund_rules", "amount", row, f"only a per_capacity rule takes an amount; leave it blank for a {kind} rule")

    def _assumptions(self) -> None:
        items = []
        for row, values in self._rows("assumptions"):
            loc = ("assumptions", len(items))
            a: dict[str, Any] = {}
            self.places[loc] = self.sheets["assumptions"].cell("id", row)
            for field in ("id", "text", "unit", "source"):
                value = values.get(field)
                self._put(a, field, None if value is None else str(value), loc + (field,), "assumptions", field, row)
            value = values.get("value")
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            self._put(a, "value", value, loc + ("value",), "assumptions", "value", row)
            items.append(a)
        if items:
            self.data["assumptions"] = items


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
