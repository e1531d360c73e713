"""The scenario schema: enterprises, their cost lines, funds and the rules funds pay under.

Amounts are `Decimal` with at most two decimals of the scenario's unit, never floats: the schema is the edge where a clerk's
numbers enter, and they must come out exact. The code calls a hundredth of the unit a "fen"; it is a real fen (0.01 元) only
when the unit is 元: in 万元 it is 100 元. Cross-field rules (unknown categories, duplicate ids) live in `Scenario.problems()`
so that every error can be reported at once with its location, not only the first.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, WrapValidator, field_serializer, model_serializer, model_validator

from subsidy.scenario.asks import Match, asking_problems, entries
from subsidy.scenario.factors import Distribution, Region
from subsidy.scenario.years import Year, budget_of_tranches, by_year, schedules_aside, with_schedules, year_problems

from subsidy.scenario.slips import Slip, said

# The range the tool promises: every amount (and quantity) at most 10^10 of the unit. In 万元 that is about three times China's
# whole national general budget (≈ 3×10^9 万元): no real scenario comes near it, and within it every method writes the exact
# whole-fen optimum (tested on the corpus of tests/rational_lp.py, amounts from one fen to 10^10 in one scenario). 10^10 units are
# 10^12 fen, so sums of a few thousand such amounts stay exact in a double (2^53 ≈ 9×10^15). Beyond it the input is refused (exit
# 2) rather than solved wrongly: with amounts of 10^11-10^12 CBC's stage 1 was off by 1.2×10^-4 and some scenarios failed on every
# method.
MAX_AMOUNT = Decimal(10) ** 10


_BLANKS = str.maketrans("", "", " \u00a0\u3000\u2009\u202f")
_GROUPED = re.compile(r"^[+]?\d{1,3}(,\d{3})+(\.\d*)?$")


def number_text(text: str) -> str:
    """A number as spreadsheets and clerks write it, made plain: blanks (also no-break and
    full-width), a leading ¥ and thousands separators go. A comma that does not separate
    thousands ('1,23': a decimal comma?) is refused rather than dropped, which would read 123."""
    plain = text.translate(_BLANKS).lstrip("¥￥").replace("，", ",")
    if "," in plain:
        if not _GROUPED.match(plain):
            raise Slip("comma", value=repr(text))
        plain = plain.replace(",", "")
    return plain


def shown(value: Any) -> str:
    """A value as the clerk wrote it, for a message: text in quotes, a number as digits (never a
    Python repr such as Decimal('-100'))."""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    return f"a {'list' if isinstance(value, list) else 'mapping' if isinstance(value, dict) else type(value).__name__}"


def _to_decimal(value: Any, *, places: int | None) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise Slip("number", value=shown(value))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise Slip("finite", value=shown(value))
        value = repr(value)
    if isinstance(value, str):
        text = number_text(value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Slip("number", value=shown(value)) from None
    elif isinstance(value, (int, Decimal)):
        number = Decimal(value)
    else:
        raise Slip("number", value=shown(value))
    if not number.is_finite():
        raise Slip("finite", value=shown(value))
    if number < 0:
        raise Slip("negative", value=shown(value))
    if number > MAX_AMOUNT:
        raise Slip("out_of_range", value=shown(value))
    if places is not None and number != number.quantize(Decimal(1).scaleb(-places)):
        raise Slip("places", places=str(places), value=shown(value))
    return number + 0  # normalise -0


# Fast paths for the values a JSON or YAML file almost always holds: a plain int or float in
# range. They give exactly what _to_decimal gives for them (the float's repr read as a Decimal)
# and leave everything else, errors included, to _to_decimal: at 100k enterprises an amount is
# validated over half a million times.
_MAX_FLOAT = float(MAX_AMOUNT)
_MAX_INT = int(MAX_AMOUNT)


def _plain_money(value: Any) -> Decimal | None:
    """_to_decimal(value, places=2) for an in-range int, or float of at most 2 decimals; else None."""
    kind = type(value)
    if kind is float:
        if 0.0 < value <= _MAX_FLOAT:  # False for nan
            text = repr(value)  # digits '.' digits here, or an exponent ('1.5e-05') below 1e-4
            if "." in text[-3:]:
                return Decimal(text)  # positive with ≤ 17 digits: `+ 0` would change nothing
        elif value == 0.0:
            return Decimal(repr(value)) + 0  # -0.0 → Decimal('0.0'), as _to_decimal
    elif kind is int and 0 <= value <= _MAX_INT:
        return Decimal(value)
    return None


def _money(value: Any) -> Decimal:
    number = _plain_money(value)
    return _to_decimal(value, places=2) if number is None else number


def _money_map(value: Any, handler: Any) -> Any:
    """A whole table of amounts (an enterprise's costs, its own funds) in one call when every key
    is a str and every amount plain; anything else goes through the per-amount validation, so
    errors and their locations are the same as without this shortcut."""
    if type(value) is dict:
        out = {}
        for key, amount in value.items():
            if type(key) is not str:
                break
            if type(amount) is float and 0.0 < amount <= _MAX_FLOAT:  # _plain_money's commonest case, inlined
                text = repr(amount)
                if "." in text[-3:]:
                    out[key] = Decimal(text)
                    continue
            number = _plain_money(amount)
            if number is None:
                break
            out[key] = number
        else:
            return out
    return handler(value)


def _quantity(value: Any) -> Decimal:
    kind = type(value)
    if kind is float:
        if 0.0 <= value <= _MAX_FLOAT:
            return Decimal(repr(value)) + 0
    elif kind is int and 0 <= value <= _MAX_INT:
        return Decimal(value)
    return _to_decimal(value, places=None)


parse_money = _money
"""The schema's reading of one amount, for tables read outside pydantic (subsidy.verify)."""

Money = Annotated[Decimal, BeforeValidator(_money)]
"""An amount in the scenario's unit: ≥ 0, finite, at most 2 decimals."""

MoneyTable = Annotated[dict[str, Money], WrapValidator(_money_map)]
"""Amounts by name (cost category, own-funds source)."""

# An amount, or (a programme over several years, `scenario.years`) `{year: amount}`; tables of them.
YearAmount = Annotated[Decimal | dict[int, Decimal], BeforeValidator(lambda v: by_year(v, _money))]
ScheduleTable = Annotated[dict[str, YearAmount], WrapValidator(_money_map)]

Quantity = Annotated[Decimal, BeforeValidator(_quantity)]
"""A non-negative quantity (capacity, a rate per unit of capacity)."""

def _word(value: Any) -> Any:
    """Blanks around a region or an industry are a slip ('湖北 ' is not 湖北 to a scope): dropped."""
    return value.strip(" \t\u00a0\u3000") if isinstance(value, str) else value


Word = Annotated[str, BeforeValidator(_word)]
"""A region path or an industry code: the words scopes match, without surrounding blanks."""

def _identifier(value: str) -> str:
    """An id: 1 to 64 letters (any script: 宏鲁水泥 needs no pinyin code), digits, _ and -. The
    characters are what file names, CSV cells, rule names (budget[id]) and overlay paths
    (funds.id.budget) can all carry."""
    wide = next((ch for ch in value if "\uff01" <= ch <= "\uff5e"), None)
    if wide is not None:  # ｗｅｎ is not wen: a slip of the input method, not another id
        raise Slip("full_width", char=repr(wide), value=repr(value))
    bad = next((ch for ch in value if not (ch.isalnum() or ch in "_-")), None)
    if bad is not None:
        raise Slip("id_space", value=repr(value)) if bad.isspace() else Slip("id_chars", char=repr(bad), value=repr(value))
    return value


# For editors (JSON Schema regexes are ASCII-minded): no blank and no ASCII punctuation but _ and -.
# Any other character passes the schema; `_identifier` is the full check.
_ID_PATTERN = r"^[^\s!-,./:-@\[-^`{-~]+$"
Identifier = Annotated[str, Field(min_length=1, max_length=64, json_schema_extra={"pattern": _ID_PATTERN}), AfterValidator(_identifier)]

OwnFundsRule = Literal["statutory", "proportional", "free"]
FundLevel = Literal["central", "provincial", "municipal", "county", "other"]


class _Strict(BaseModel):
    # Unknown fields are typos in a clerk's file far more often than intent: reject them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    label_zh: str | None = None
    label_en: str | None = None
    weight: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    own_funds_class: int = Field(default=3, ge=0, le=3, alias="class")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# Defaults from the spec. Classes follow the Enterprise Bankruptcy Law order (arts. 41-43, 113):
# 0 closure costs, 1 worker claims, 2 social insurance, 3 ordinary claims.
DEFAULT_CATEGORIES: dict[str, Category] = {
    "resettlement": Category(label_zh="职工安置费", label_en="worker resettlement", weight=3, own_funds_class=1),
    "living_allowance": Category(label_zh="停产期间职工生活费", label_en="living allowance during shutdown", weight=3, own_funds_class=1),
    "retiree_social_insurance": Category(label_zh="退休职工进社保", label_en="retirees into social insurance", weight=3, own_funds_class=2),
    "pooled_fund_repayment": Category(label_zh="职工集资偿还", label_en="repayment of workers' pooled funds", weight=2, own_funds_class=3),
    "bank_debt": Category(label_zh="银行债务", label_en="bank debt", weight=1, own_funds_class=3),
    "restructuring": Category(label_zh="改制费用", label_en="restructuring", weight=1, own_funds_class=0),
    "dismantling": Category(label_zh="拆除费用", label_en="dismantling", weight=1, own_funds_class=0),
    "land_restoration": Category(label_zh="土地恢复及其它补偿", label_en="land restoration and other compensation", weight=1, own_funds_class=0),
    "conversion": Category(label_zh="企业转产", label_en="enterprise conversion", weight=1, own_funds_class=3),
    "operating_loss": Category(label_zh="经营亏损", label_en="operating loss", weight=0, own_funds_class=3),
}


class Capacity(_Strict):
    amount: Quantity
    unit: str = "万吨"


class Enterprise(_Strict):
    id: Identifier
    name: str
    region: Word = ""
    industry: Word = ""
    capacity: Capacity | None = None
    workers: int | None = Field(default=None, ge=0)
    exit_year: int | None = Field(default=None, ge=1900, le=2100)
    costs: ScheduleTable = Field(default_factory=dict)  # totals once validated; `costs_due` by year
    cost_sources: dict[str, str] = Field(default_factory=dict)
    own_funds: ScheduleTable = Field(default_factory=dict)  # totals once validated; `own_funds_arrive` by year
    own_funds_rule: OwnFundsRule = "statutory"
    net_fixed_assets: Money | None = None
    net_equipment: Money | None = None
    tax_paid: Money | None = None
    source: str = ""
    notes: str | None = None
    _costs_due: dict[str, dict[int, Decimal]] = PrivateAttr(default_factory=dict)
    _own_funds_arrive: dict[str, dict[int, Decimal]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _schedules_aside(self) -> "Enterprise":  # totals in costs/own_funds (every table reads them), schedules aside
        return schedules_aside(self)

    @field_serializer("costs", "own_funds")
    def _with_schedules(self, table: dict[str, Decimal], info) -> dict[str, Any]:  # as the file wrote them
        return with_schedules(self, table, info.field_name)

    costs_due = property(lambda self: self.__pydantic_private__["_costs_due"], doc="Lines written by year: category → {year: due}.")
    own_funds_arrive = property(lambda self: self.__pydantic_private__["_own_funds_arrive"], doc="Own funds by year: source → {year: arriving}.")

    @property
    def own_funds_total(self) -> Decimal:
        return sum(self.own_funds.values(), Decimal(0))

    @property
    def total_cost(self) -> Decimal:
        return sum(self.costs.values(), Decimal(0))


class Scope(_Strict):
    """Who a fund may pay. Every non-empty list must match (AND); an empty list matches all."""

    regions: list[Word] = Field(default_factory=list)
    industries: list[Word] = Field(default_factory=list)
    enterprises: list[str] = Field(default_factory=list)

    def admits(self, enterprise: Enterprise) -> bool:
        return (self.admits_region(enterprise.region) and (not self.industries or enterprise.industry in self.industries)
                and (not self.enterprises or enterprise.id in self.enterprises))

    def admits_region(self, region: str) -> bool:
        return not self.regions or any(region_within(region, r) for r in self.regions)


@lru_cache(maxsize=1 << 16)
def region_within(region: str, scope: str) -> bool:
    """Prefix match on whole path parts: 湖北/咸宁 is within 湖北, 湖北省 is not within 湖北."""
    parts = [p for p in region.split("/") if p]
    scope_parts = [p for p in scope.split("/") if p]
    return parts[: len(scope_parts)] == scope_parts


class Caps(_Strict):
    per_enterprise: Money | None = None
    per_capacity: dict[str, Quantity] = Field(default_factory=dict)
    per_worker: Quantity | None = None
    share_of_need: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)


class Fund(_Strict):
    id: Identifier
    name: str
    level: FundLevel = "other"
    budget: Money  # with tranches: their sum (set once validated)
    tranches: dict[Year, Money] | None = None
    carry_over: bool = True
    categories: list[str]
    scope: Scope = Field(default_factory=Scope)
    caps: Caps = Field(default_factory=Caps)
    distribution: Distribution | None = None
    match: Match | None = None  # 配套 (scenario.asks)
    source: str = ""
    notes: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _budget_of_tranches(cls, data: Any) -> Any:  # with tranches, the budget is their sum (set below)
        has = isinstance(data, dict) and data.get("tranches") is not None and data.get("budget") is None
        return {**data, "budget": 0} if has else data

    @model_validator(mode="after")
    def _budget_is_sum(self) -> "Fund":
        return budget_of_tranches(self)

    @model_serializer(mode="wrap")
    def _tranches_or_budget(self, handler) -> dict[str, Any]:  # a file gives one of the two
        return {k: v for k, v in handler(self).items() if not (k == "budget" and self.tranches is not None)}

    def enterprise_cap(self, enterprise: Enterprise) -> Decimal | None:
        """min(per_enterprise, per_capacity[industry] × capacity, per_worker × workers); None
        when uncapped.

        An industry absent from `per_capacity` gets no per-capacity cap: scope decides who is
        eligible, caps only bound what the eligible receive. A per-worker standard (安置标准,
        e.g. 0.8 万元 per worker) caps the fund's total to the enterprise at the rate times its
        `workers`; an enterprise without `workers` gets 0 from such a fund (diagnose warns).
        """
        terms = self.enterprise_cap_terms(enterprise)
        return min(terms.values()) if terms else None

    def enterprise_cap_terms(self, enterprise: Enterprise) -> dict[str, Decimal]:
        """Each cap that applies to the enterprise by its field name (`per_enterprise`,
        `per_capacity`, `per_worker`) → its amount; `enterprise_cap` is the least (explain says
        which one sets it)."""
        terms: dict[str, Decimal] = {}
        if self.caps.per_enterprise is not None:
            terms["per_enterprise"] = self.caps.per_enterprise
        rate = self.caps.per_capacity.get(enterprise.industry)
        if rate is not None:
            terms["per_capacity"] = rate * (enterprise.capacity.amount if enterprise.capacity else Decimal(0))
        if self.caps.per_worker is not None:
            terms["per_worker"] = self.caps.per_worker * (enterprise.workers or 0)
        return terms

    def enterprise_caps(self, enterprises: list[Enterprise]) -> list[Decimal | None]:
        """`enterprise_cap` of each, computed once per (industry, capacity): national scenarios
        repeat a handful of pairs across hundreds of thousands of enterprises."""
        if not self.caps.per_capacity and self.caps.per_worker is None:
            return [self.caps.per_enterprise] * len(enterprises)
        seen: dict[tuple, Decimal | None] = {}
        out = []
        for e in enterprises:
            key = (e.industry, e.capacity.amount if e.capacity else None, e.workers)
            if key not in seen:
                seen[key] = self.enterprise_cap(e)
            out.append(seen[key])
        return out

    def admits_each(self, enterprises: list[Enterprise], groups: "ScopeGroups | None" = None) -> list[bool]:
        """`scope.admits` of each. Region and industry are tested once per distinct pair (`groups`,
        shared by all funds), the region once per distinct region; a list of enterprises is looked
        up as a set."""
        groups = groups or ScopeGroups.of(enterprises)
        scope = self.scope
        industries = set(scope.industries)
        inside: dict[str, bool] = {}  # region → admitted; a region recurs in many groups (one per industry)
        ok = []
        for e in groups.first:
            region = inside.get(e.region)
            if region is None:
                region = inside[e.region] = scope.admits_region(e.region)
            ok.append(region and (not industries or e.industry in industries))
        if not scope.enterprises:
            return [ok[k] for k in groups.code]
        # The list through a set: admits scans it once per enterprise, quadratic for a long list.
        listed = set(scope.enterprises)
        return [ok[k] and e.id in listed for e, k in zip(enterprises, groups.code)]


class ScopeGroups:
    """Enterprises grouped by (region, industry), the two fields a scope without an
    enterprise list looks at: `code` per enterprise, `first` one enterprise per group."""

    def __init__(self, code: list[int], first: list[Enterprise]):
        self.code, self.first = code, first

    @classmethod
    def of(cls, enterprises: list[Enterprise]) -> "ScopeGroups":
        index: dict[tuple[str, str], int] = {}
        code = [index.setdefault((e.region, e.industry), len(index)) for e in enterprises]
        first: list[Enterprise] = [None] * len(index)  # type: ignore[list-item]
        for e, k in zip(reversed(enterprises), reversed(code)):
            first[k] = e
        return cls(code, first)


class Commitment(_Strict):
    """A decision already taken (常务会纪要, an approved allocation): what one fund pays one
    enterprise, for one category or (category omitted) all its categories together. `amount`
    fixes it; `at_least` / `at_most` bound it. A hard rule of every stage. In a programme over
    several years, `year` binds what is paid in that year; omitted, the total over the years."""

    fund: Identifier
    enterprise: Identifier
    category: str | None = None
    year: Year | None = None
    amount: Money | None = None
    at_least: Money | None = None
    at_most: Money | None = None
    source: str = ""

    @property
    def lower(self) -> Decimal | None:
        return self.amount if self.amount is not None else self.at_least

    @property
    def upper(self) -> Decimal | None:
        return self.amount if self.amount is not None else self.at_most

    @property
    def rule(self) -> str:
        """Its readable name, as the model, the verifier and explain call it."""
        return (f"commitment[{self.fund},{self.enterprise}{',' + self.category if self.category else ''}"
                f"{',' + str(self.year) if self.year is not None else ''}]")


class Policy(_Strict):
    fairness: bool = True
    minimum_coverage: dict[str, Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]] = Field(default_factory=dict)  # see asks.py


class Assumption(_Strict):
    id: str
    text: str
    value: Any = None
    unit: str | None = None
    source: str = ""


class Problem(BaseModel):
    """One thing wrong with an input, located as precisely as we can.

    `loc` is the path into the data (('funds', 2, 'budget')); `where` is how a person reads it
    ('funds[2] (county).budget'); `line` is the line in the file when the format has lines.
    """

    loc: tuple = ()
    message: str
    where: str = ""
    line: int | None = None
    file: str | None = None  # set when the value came from another file than the one loaded (an overlay's base)
    message_zh: str = ""  # the same sentence in Chinese, when the check that found it wrote one

    def __str__(self) -> str:
        return self.said("en")

    def said(self, lang: str) -> str:
        """The located sentence in `lang` (English when no Chinese one was written)."""
        head = ":".join(str(x) for x in (self.line,) if x is not None)
        where = self.where or ".".join(str(x) for x in self.loc)
        parts = [p for p in (head, where) if p]
        return ": ".join(parts + [self.message_zh if lang == "zh" and self.message_zh else self.message])


class Scenario(_Strict):
    name: str
    unit: str = "万元"
    description: str | None = None
    years: list[Year] | None = None  # a programme over several years (scenario.years); None: one year
    categories: dict[str, Category] = Field(default_factory=dict)
    enterprises: list[Enterprise] = Field(default_factory=list)
    funds: list[Fund] = Field(default_factory=list)
    policy: Policy = Field(default_factory=Policy)
    commitments: list[Commitment] = Field(default_factory=list)
    regions: list[Region] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list)
    # Amounts written as ranges (scenario/ranges.py), each field above holding its expected value;
    # set when a file is loaded, read by `subsidy risk`. Not a field: a file writes ranges in place.
    _ranges: tuple = PrivateAttr(default=())

    @property
    def ranges(self) -> tuple:
        """The `AmountRange`s of the amounts given as ranges (empty when every amount is a number)."""
        return self._ranges

    @property
    def category_table(self) -> dict[str, Category]:
        """Defaults overlaid with the scenario's own entries (field by field)."""
        table = dict(DEFAULT_CATEGORIES)
        for name, given in self.categories.items():
            base = table.get(name)
            if base is None:
                table[name] = given
            else:
                table[name] = base.model_copy(update=given.model_dump(exclude_unset=True, by_alias=False))
        return table

    def problems(self) -> list[Problem]:
        """Cross-field rules a single field validator cannot see."""
        return cross_field_problems(self.model_dump(by_alias=True))


def _first_of_each_id(data: dict, key: str, noun: str, found: list[Problem]) -> dict[str, int]:
    """id → index of its first entry; each later entry with the same id is a problem."""
    first: dict[str, int] = {}
    for i, entry in entries(data, key):
        ident = entry.get("id")
        if not isinstance(ident, str):
            continue
        if ident in first:
            found.append(Problem(loc=(key, i, "id"), **said(f"duplicate_{noun}", value=repr(ident), first=f"{key}[{first[ident]}]")))
        else:
            first[ident] = i
    return first


def cross_field_problems(data: dict) -> list[Problem]:
    """Duplicate ids, unknown categories and enterprises, on raw data.

    Works on plain (possibly invalid) data so that these problems are reported together with the
    field-level ones, not in a second round after the clerk fixed the first.
    """
    found: list[Problem] = []
    custom = data.get("categories")
    known = list(DEFAULT_CATEGORIES) + [c for c in (custom if isinstance(custom, dict) else {}) if c not in DEFAULT_CATEGORIES]
    known_set = set(known)
    names = ", ".join(known)
    seen = _first_of_each_id(data, "enterprises", "enterprise", found)
    for i, ent in entries(data, "enterprises"):
        # The problem-free case (every file that loads) is checked whole, as set operations.
        costs = ent.get("costs")
        if not isinstance(costs, dict):
            costs = {}
        elif not known_set.issuperset(costs):
            for cat in costs:
                if cat not in known_set:
                    found.append(Problem(loc=("enterprises", i, "costs", cat), **said("unknown_category", value=repr(cat), known=names)))
        sources = ent.get("cost_sources")
        if isinstance(sources, dict) and sources and not costs.keys() >= sources.keys():
            for cat in sources:
                if cat not in costs:
                    found.append(Problem(loc=("enterprises", i, "cost_sources", cat), **said("source_without_line", value=repr(cat))))
    _first_of_each_id(data, "funds", "fund", found)
    for i, fund in entries(data, "funds"):
        categories = fund.get("categories") if isinstance(fund.get("categories"), list) else []
        for j, cat in enumerate(categories):
            if not isinstance(cat, str):
                continue
            if cat not in known:
                found.append(Problem(loc=("funds", i, "categories", j), **said("unknown_category", value=repr(cat), known=names)))
            elif cat in categories[:j]:
                found.append(Problem(loc=("funds", i, "categories", j), **said("category_twice", value=repr(cat))))
        scope = fund.get("scope") if isinstance(fund.get("scope"), dict) else {}
        listed = scope.get("enterprises") if isinstance(scope.get("enterprises"), list) else []
        for j, eid in enumerate(listed):
            if isinstance(eid, str) and eid not in seen:
                found.append(Problem(loc=("funds", i, "scope", "enterprises", j), **said("unknown_enterprise", value=repr(eid))))
    found += [Problem(loc=loc, **said(key, **values)) for loc, key, values in asking_problems(data, seen, known_set, names)]
    found += [Problem(loc=loc, message=en, message_zh=zh) for loc, en, zh in year_problems(data)]
    return found
