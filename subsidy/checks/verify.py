"""An independent check of an allocation table against a scenario's rules, in whole fen.

Independent: nothing here comes from the LP (`subsidy.lp`, `subsidy.solve`). Eligibility and
caps are read off the schema, every amount is an integer number of fen, and every bound that is
not a whole fen is rounded down, so a table passes only if each rule holds to the cent. The same
check runs on every `subsidy solve` result before anything is written, and on any table a clerk
made by hand (`subsidy verify SCENARIO TABLE.csv`).

Rules, named as in the LP so that a violation can be looked up in the model:
  eligible[f,e,c]       money only where fund f may pay category c of enterprise e
  budget[f]             Σ over f's rows ≤ its budget
  cap_enterprise[f,e]   Σ_c x[f,e,c] ≤ min(per_enterprise, per_capacity[industry] × capacity,
                                           per_worker × workers)
  cap_share[f,e,c]      x[f,e,c] ≤ share_of_need × residual need
  need[e,c]             own funds + Σ_f x[f,e,c] ≤ the cost line
  coverage[e,c]         own funds + Σ_f x[f,e,c] ≥ policy.minimum_coverage[c] × the cost line
  commitment[f,e,c]     x[f,e,c] (or Σ_c x[f,e,c] when the category is left out) = amount,
                        ≥ at_least, ≤ at_most
  match[f,e]            Σ over the matching funds' rows to e ≥ ratio × Σ over f's rows to e
                        (配套; ratio the exact decimal written: den·matching ≥ num·paid in fen)
  distribution[f,r]     Σ of f's rows to region r's enterprises ≤ r's amount by the factor method
                        (recomputed on its own: `verify_distribution`)
  distribution_pool[f]  with share < 1: Σ_r max(0, paid_r − r's amount) ≤ the pool (budget less
                        the part split by the factors)
  own_funds[e]          own funds applied by the enterprise's rule (see below)
  waterfall[e]          the statutory/proportional split itself keeps its rule (a self-check)
  total[row N]          a total row equals the sum of the rows
  reconcile[...]        gaps/funds/summary agree with the allocations (when given)

How. The scenario's cost lines and their own-funds split are integer arrays (`waterfall.cost_lines`,
the split itself checked against its rule), each table row becomes a (source, line) code with its
fen, and every rule is an array comparison; only what breaks a rule is put into words. So the check
of a 100,000-enterprise result takes about a second, and it runs on the very columns the CSV files
are written from.

Own funds. Under `statutory` and `proportional` the waterfall is fixed, so the residual need of
every line is known and own-funds rows are optional; if a table carries them they must equal the
waterfall. Under `free` own funds are one more source: a table may carry them as rows whose fund
is `(own funds)` (also `自有资金`); their sum may not exceed the enterprise's own funds. A table
without such rows is read as "no own funds used", unless a gaps table is given alongside, whose
`own_funds` column then supplies them (this is how our own export, which lists public money
only in allocations.csv, is checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Iterable

import numpy as np

from subsidy.scenario.labels import OWN_FUNDS_NAMES, OWN_FUNDS_SOURCE
from subsidy.checks.verify_read import (ALLOCATION_COLUMNS, parse_amount)
from subsidy.checks.verify_commitments import check_commitments
from subsidy.checks.verify_distribution import check_distributions
from subsidy.checks.verify_reconcile import reconcile
from subsidy.checks.verify_terms import VERIFY
from subsidy.scenario.slips import Slip
from subsidy.scenario.model import Enterprise, Fund, Scenario, ScopeGroups
from subsidy.allocate.table import Table
from subsidy.allocate.waterfall import CostLines, OwnFundsSplit, cost_lines, floor_fen, from_fen, to_fen

if TYPE_CHECKING:
    import pandas as pd

@dataclass(frozen=True)
class Violation:
    """One rule an allocation breaks: the rule's name as in the LP, and the amounts in words
    (English; `message_zh` the same in Chinese, `said(lang)` either)."""

    rule: str
    message: str
    message_zh: str = ""

    @classmethod
    def of(cls, rule: str, key: str, /, **values) -> "Violation":
        """The violation of `rule` said by `verify_terms.VERIFY[key]` in both languages."""
        return cls(rule, VERIFY(key, "en", **values), VERIFY(key, "zh", **values))

    def said(self, lang: str) -> str:
        return f"{self.rule}: {self.message_zh if lang == 'zh' and self.message_zh else self.message}"

    def __str__(self) -> str:
        return self.said("en")


# --- the rules ------------------------------------------------------------------------------


def _money(fen: int) -> str:
    """An amount in fen as the verifier says it (exact; numpy integers too)."""
    return f"{from_fen(int(fen)):,.2f}"


def _resolver(pairs: Iterable[tuple[str, Iterable[str | None]]]) -> dict[str, str]:
    """Names a person may write (id, or a name/label that is unique) → id."""
    pairs = [(ident, list(names)) for ident, names in pairs]
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for ident, names in pairs:
        for name in names:
            if not name or name == ident:
                continue
            if name in out and out[name] != ident:
                ambiguous.add(name)
            out[name] = ident
    for ident, _ in pairs:
        out[ident] = ident
    return {k: v for k, v in out.items() if k not in ambiguous or k == v}


def _scope_refusal(fund: Fund, ent: Enterprise) -> tuple[str, dict] | None:
    """Why the fund's scope does not admit the enterprise (a VERIFY key and its values); None when it does."""
    scope = fund.scope
    if scope.admits(ent):
        return None
    if scope.enterprises and ent.id not in scope.enterprises:
        return "scope_enterprise", {"ent": ent.id, "listed": ", ".join(scope.enterprises)}
    if scope.industries and ent.industry not in scope.industries:
        return "scope_industry", {"industry": repr(ent.industry or ""), "listed": ", ".join(scope.industries)}
    return "scope_region", {"region": repr(ent.region or ""), "listed": ", ".join(scope.regions)}


def check_waterfall(ent: Enterprise, split: OwnFundsSplit, class_of: dict[str, int]) -> list[Violation]:
    """The own-funds split keeps its rule: it adds up, and money reached a later statutory class
    (or a line pro rata) only when the earlier ones were paid in full."""
    rule = f"waterfall[{ent.id}]"
    costs = {c: to_fen(a) for c, a in ent.costs.items()}
    total = to_fen(ent.own_funds_total)
    found: list[Violation] = []
    if sum(split.applied.values()) + split.unused != total:
        found.append(Violation.of(rule, "waterfall_sum", applied=_money(sum(split.applied.values())), unused=_money(split.unused), total=_money(total)))
    for c, cost in costs.items():
        if not 0 <= split.applied.get(c, 0) <= cost or split.applied.get(c, 0) + split.residual.get(c, 0) != cost:
            found.append(Violation.of(rule, "waterfall_line", cat=c, applied=_money(split.applied.get(c, 0)), residual=_money(split.residual.get(c, 0)), cost=_money(cost)))
    if ent.own_funds_rule == "free":
        if any(split.applied.values()):
            found.append(Violation.of(rule, "waterfall_free"))
        return found
    classes = sorted({class_of[c] for c in costs}) if ent.own_funds_rule == "statutory" else [0]
    members = {k: [c for c in costs if ent.own_funds_rule != "statutory" or class_of[c] == k] for k in classes}
    short = False
    for k in classes:
        need = sum(costs[c] for c in members[k])
        paid = sum(split.applied[c] for c in members[k])
        if short and paid:
            found.append(Violation.of(rule, "waterfall_order", k=k, paid=_money(paid)))
        for c in members[k]:  # pro rata within the class: within one fen of paid × cost / need
            if need and abs(split.applied[c] * need - paid * costs[c]) >= need:
                found.append(Violation.of(rule, "waterfall_pro_rata", cat=c, applied=_money(split.applied[c]), k=k))
        short = short or paid < need
    if short and split.unused:
        found.append(Violation.of(rule, "waterfall_unused", unused=_money(split.unused)))
    return found


class _Checker:
    """Works through one table on arrays in fen: the scenario's cost lines (enterprises by id,
    categories by name) and, per table row, its source and its line as integer codes."""

    def __init__(self, scenario: Scenario, lines: CostLines | None = None):
        self.scenario = scenario
        self.categories = scenario.category_table
        self.enterprises = {e.id: e for e in scenario.enterprises}
        self.funds = {f.id: f for f in scenario.funds}
        self.fund_ids = [f.id for f in scenario.funds]
        self.violations: list[Violation] = []
        # The waterfall (a solve hands over its own): checked against its rule in own_funds().
        self.lines = lines if lines is not None else cost_lines(scenario)
        n = len(self.lines)
        self.own = np.zeros(n, dtype=np.int64)  # per line, what the table (or the rule) says own funds paid
        self.funded = np.zeros(n, dtype=np.int64)
        self.used = np.zeros(len(self.fund_ids), dtype=np.int64)

    @cached_property
    def names(self) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """Names a person may write for funds, enterprises and categories → ids."""
        return (_resolver((f.id, [f.name]) for f in self.scenario.funds),
                _resolver((e.id, [e.name]) for e in self.scenario.enterprises),
                _resolver((c, [k.label_zh, k.label_en]) for c, k in self.categories.items()))

    @cached_property
    def line_names(self) -> tuple[list[str], list[str]]:
        return self.lines.names()

    def flag(self, rule: str, key: str, /, **values) -> None:
        """`rule` is broken, as `verify_terms.VERIFY[key]` says with `values`, in both languages."""
        self.violations.append(Violation.of(rule, key, **values))

    def rows_of_frame(self, allocations: "pd.DataFrame") -> "_Rows":
        """A clerk's table: names resolved to ids, amounts parsed (bad ones flagged fen[...])."""
        funds, ents, cats = self.names
        fund_col, ent_col, cat_col, fen_col = [], [], [], []
        for fund, ent, cat, amount in zip(*(allocations[k].tolist() for k in ALLOCATION_COLUMNS)):
            fund, ent, cat = (str(v).strip() for v in (fund, ent, cat))
            fund = OWN_FUNDS_SOURCE if fund.lower() in OWN_FUNDS_NAMES else funds.get(fund, fund)
            ent, cat = ents.get(ent, ent), cats.get(cat, cat)
            try:
                fen = parse_amount(amount)
            except ValueError as exc:
                self.flag(f"fen[{fund},{ent},{cat}]", "bad_amount", text=str(exc), text_zh=exc.said("zh") if isinstance(exc, Slip) else str(exc))
                continue
            fund_col.append(fund)
            ent_col.append(ent)
            cat_col.append(cat)
            fen_col.append(fen)
        return _Rows(fund_col, ent_col, cat_col, np.array(fen_col, dtype=np.int64))

    def codes(self, rows: "_Rows") -> tuple[np.ndarray, np.ndarray]:
        """Per row: source (fund index, len(funds) for own funds, -1, -2, … for each fund name the
        scenario lacks, so that each is reported) and line (-1 unknown)."""
        src_of = {f: i for i, f in enumerate(self.fund_ids)}
        src_of[OWN_FUNDS_SOURCE] = len(self.fund_ids)
        unknown: dict[str, int] = {}
        src = np.array([src_of[f] if f in src_of else unknown.setdefault(f, -1 - len(unknown)) for f in rows.fund], dtype=np.int64)
        line = self.lines.locate(rows.enterprise, rows.category)
        return src, line

    def eligible(self, key: tuple[str, str, str]) -> bool:
        """Flags eligible[f,e,c] when the row may not exist; True when the cost line is known."""
        source, eid, cat = key
        rule = f"eligible[{','.join(key)}]"
        ent = self.enterprises.get(eid)
        if source != OWN_FUNDS_SOURCE and source not in self.funds:
            self.flag(rule, "no_fund", fund=repr(source))
        if ent is None:
            self.flag(rule, "no_enterprise", ent=repr(eid))
            return False
        if cat not in ent.costs:
            self.flag(rule, "no_line", ent=eid, cat=repr(cat))
            return False
        fund = self.funds.get(source)
        if fund is not None:
            if cat not in fund.categories:
                self.flag(rule, "not_payable" if fund.categories else "not_payable_any", fund=source, cat=repr(cat), paid=", ".join(fund.categories))
            refusal = _scope_refusal(fund, ent)
            if refusal:
                self.flag(rule, refusal[0], **refusal[1])
        return True

    def may_pay(self) -> np.ndarray:
        """[fund, line]: the fund pays the line's category and its scope admits the enterprise."""
        lines = self.lines
        by_id = {e.id: e for e in self.scenario.enterprises}
        ents = [by_id[e] for e in lines.enterprises]
        out = np.zeros((len(self.fund_ids), len(lines)), dtype=bool)
        groups = ScopeGroups.of(ents)
        for f, fund in enumerate(self.scenario.funds):
            pays = np.array([c in fund.categories for c in lines.categories], dtype=bool)
            admits = np.array(fund.admits_each(ents, groups), dtype=bool)
            out[f] = pays[lines.category] & admits[lines.enterprise] if len(lines) else False
        return out

    def own_funds(self, given: np.ndarray, has_given: np.ndarray) -> None:
        """Own funds per cost line as the rules apply them; flags own_funds[e] and waterfall[e].
        `given` per line from the table, `has_given` per enterprise: the table lists own funds."""
        lines = self.lines
        n_ent = len(lines.enterprises)
        starts = lines.starts
        free_line = lines.free[lines.enterprise]
        used = np.zeros(n_ent, dtype=np.int64)
        np.add.at(used, lines.enterprise, np.where(free_line, given, 0))
        over = lines.free & (used > lines.available)
        differs = np.zeros(n_ent, dtype=bool)
        np.logical_or.at(differs, lines.enterprise, ~free_line & (given != lines.applied))
        differs &= has_given & ~lines.free
        statutory = np.array([self.enterprises[e].own_funds_rule == "statutory" for e in lines.enterprises], dtype=bool)
        class_index = np.array([self.categories[c].own_funds_class for c in lines.categories], dtype=np.int64)
        faulty = _waterfall_faults(lines, statutory, class_index)
        self.own = np.where(free_line, given, lines.applied)
        class_of = {c: k.own_funds_class for c, k in self.categories.items()}
        for i in np.flatnonzero(faulty | over | differs).tolist():  # in enterprise order, as the rules read
            eid = lines.enterprises[i]
            ent = self.enterprises[eid]
            cats = [lines.categories[c] for c in lines.category[starts[i]:starts[i + 1]].tolist()]
            span = slice(starts[i], starts[i + 1])
            if faulty[i]:
                split = OwnFundsSplit(dict(zip(cats, lines.applied[span].tolist())), dict(zip(cats, lines.residual[span].tolist())), int(lines.unused[i]))
                self.violations += check_waterfall(ent, split, class_of)
            if over[i]:
                u, available = int(used[i]), int(lines.available[i])
                self.flag(f"own_funds[{eid}]", "own_over", used=_money(u), available=_money(available), over=_money(u - available))
            if differs[i]:
                for c, have, rule in zip(cats, given[span].tolist(), lines.applied[span].tolist()):
                    if have != rule:
                        self.flag(f"own_funds[{eid}]", "own_rule", cat=c, have=_money(have), by=ent.own_funds_rule, applies=_money(rule))

    def caps(self, src: np.ndarray, line: np.ndarray, fen: np.ndarray, stray: dict) -> None:
        """Budgets, enterprise caps and share caps. `src`/`line`/`fen`: public rows on known lines
        (src -1 for a fund the scenario lacks); `stray`: (fund, enterprise, category) → fen of
        rows on unknown lines, which still count against a known fund's budget and caps."""
        lines = self.lines
        known = src >= 0
        np.add.at(self.used, src[known], fen[known])
        np.add.at(self.funded, line, fen)
        ent_of = {e: i for i, e in enumerate(lines.enterprises)}
        src_of = {f: i for i, f in enumerate(self.fund_ids)}
        stray_pairs: dict[tuple[int, int], int] = {}
        for (f, e, _), amount in stray.items():
            if f in src_of:
                self.used[src_of[f]] += amount
                if e in ent_of:
                    stray_pairs[(src_of[f], ent_of[e])] = stray_pairs.get((src_of[f], ent_of[e]), 0) + amount
        for f, fund in enumerate(self.scenario.funds):
            budget = to_fen(fund.budget)
            if self.used[f] > budget:
                self.flag(f"budget[{fund.id}]", "budget_over", got=_money(int(self.used[f])), bound=_money(budget), over=_money(int(self.used[f]) - budget))
        # Per (fund, enterprise): known rows grouped by a combined key, stray rows added.
        n_ent = len(lines.enterprises)
        pair = src[known] * n_ent + lines.enterprise[line[known]]
        keys, inverse = np.unique(pair, return_inverse=True)
        sums = np.zeros(len(keys), dtype=np.int64)
        np.add.at(sums, inverse, fen[known])
        per_pair = dict(zip(keys.tolist(), sums.tolist()))
        for (f, e), amount in stray_pairs.items():
            per_pair[f * n_ent + e] = per_pair.get(f * n_ent + e, 0) + amount
        by_id = {e.id: e for e in self.scenario.enterprises}
        over = []
        for f, fund in enumerate(self.scenario.funds):
            if fund.caps.per_enterprise is None and not fund.caps.per_capacity and fund.caps.per_worker is None:
                continue
            mine = sorted(k for k in per_pair if k // n_ent == f)
            ents = [by_id[lines.enterprises[k % n_ent]] for k in mine]
            for k, ent, cap in zip(mine, ents, fund.enterprise_caps(ents)):
                if cap is not None and per_pair[k] > floor_fen(cap):
                    over.append(((fund.id, ent.id), per_pair[k], floor_fen(cap)))
        for (f, e), amount, bound in sorted(over):
            self.flag(f"cap_enterprise[{f},{e}]", "cap_over", got=_money(amount), bound=_money(bound), over=_money(amount - bound))
        # Share caps as exact fractions p/q of the residual need (the waterfall's): integer
        # arithmetic per row, and only the rows over their cap are sorted (to report them in order).
        over = []
        names = self.line_names
        for f, fund in enumerate(self.scenario.funds):
            share = fund.caps.share_of_need
            if share is None or share >= 1:
                continue
            p, q = Decimal(repr(share)).as_integer_ratio()
            rows = np.flatnonzero(src == f)
            base = lines.residual[line[rows]]
            if float(p) * float(base.max(initial=0)) < 2**62:
                bound = p * base // q
            else:
                bound = np.array([p * b // q for b in base.tolist()], dtype=object)
            for k in np.flatnonzero(fen[rows] > bound).tolist():
                i = int(line[rows[k]])
                over.append(((fund.id, names[0][i], names[1][i]), int(fen[rows[k]]), share, int(bound[k]), int(lines.residual[i])))
        for (f, e, c), amount, share, bound, base in sorted(over):
            self.flag(f"cap_share[{f},{e},{c}]", "share_over", got=_money(amount), share=f"{share:g}", base=_money(base), bound=_money(bound), over=_money(amount - bound))

    def needs(self) -> None:
        lines = self.lines
        names = self.line_names
        for i in np.flatnonzero(self.own + self.funded > lines.cost).tolist():
            cost, own, funded = int(lines.cost[i]), int(self.own[i]), int(self.funded[i])
            self.flag(f"need[{names[0][i]},{names[1][i]}]", "need_over", got=_money(funded), need=_money(cost - own),
                      cost=_money(cost), own=_money(own), over=_money(own + funded - cost))

    def coverage(self) -> None:
        """policy.minimum_coverage: own funds + public money ≥ share × cost on each line of the
        category, compared exactly (q·(own + funded) ≥ p·cost, in integer fen)."""
        lines = self.lines
        names = self.line_names
        for k, cat in enumerate(lines.categories):
            share = self.scenario.policy.minimum_coverage.get(cat)
            if share is None:
                continue
            p, q = Decimal(repr(share)).as_integer_ratio()
            mine = np.flatnonzero(lines.category == k)
            for i, cost, have in zip(mine.tolist(), lines.cost[mine].tolist(), (self.own + self.funded)[mine].tolist()):
                if have * q < p * cost:
                    least = -(-p * cost // q)
                    self.flag(f"coverage[{names[0][i]},{cat}]", "coverage_short", have=_money(have), share=f"{share:g}",
                              cost=_money(cost), least=_money(least), short=_money(least - have))


@dataclass
class _Rows:
    """Allocation rows by column: ids (names already resolved) and whole fen."""

    fund: list[str]
    enterprise: list[str]
    category: list[str]
    fen: np.ndarray


def _waterfall_faults(lines: CostLines, statutory: np.ndarray, class_of: np.ndarray) -> np.ndarray:
    """Per enterprise: may its own-funds split break its rule? The conditions `check_waterfall`
    words, over all enterprises at once; a True only sends the enterprise to that exact check.
    `statutory` per enterprise, `class_of` per category index."""
    n_ent = len(lines.enterprises)
    spent = np.zeros(n_ent, dtype=np.int64)
    np.add.at(spent, lines.enterprise, lines.applied)
    bad = spent + lines.unused != lines.available
    line_bad = (lines.applied < 0) | (lines.applied > lines.cost) | (lines.applied + lines.residual != lines.cost)
    line_bad |= lines.free[lines.enterprise] & (lines.applied != 0)
    np.logical_or.at(bad, lines.enterprise, line_bad)
    paying = np.flatnonzero(~lines.free[lines.enterprise])
    if not len(paying):
        return bad
    ent, cat = lines.enterprise[paying], lines.category[paying]
    klass = np.where(statutory[ent], class_of[cat], 0)
    order = np.lexsort((cat, klass, ent))
    ent, klass, where = ent[order], klass[order], paying[order]
    cost, applied = lines.cost[where], lines.applied[where]
    new_group = np.ones(len(ent), dtype=bool)
    new_group[1:] = (ent[1:] != ent[:-1]) | (klass[1:] != klass[:-1])
    first = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1
    need, paid = np.add.reduceat(cost, first), np.add.reduceat(applied, first)
    g_ent = ent[first]
    short = paid < need
    # An earlier class of the same enterprise short, and money in this one: out of order.
    shorts_before = np.cumsum(short) - short
    starts = np.ones(len(first), dtype=bool)
    starts[1:] = g_ent[1:] != g_ent[:-1]
    at_start = np.maximum.accumulate(np.where(starts, shorts_before, 0))
    bad[g_ent[(shorts_before - at_start > 0) & (paid > 0)]] = True
    # Pro rata within the class: applied·need within one need of paid·cost.
    if float(need.max()) * float(max(cost.max(), 1)) < 2**62:
        n, p = need[group], paid[group]
        off = (n > 0) & (np.abs(applied * n - p * cost) >= n)
        bad[ent[off]] = True
    else:  # beyond int64: let the exact check look at every enterprise
        bad[g_ent] = True
    # Money left unused while a line is unpaid.
    any_short = np.zeros(n_ent, dtype=bool)
    any_short[g_ent[short]] = True
    bad |= any_short & (lines.unused > 0)
    return bad


def verify(scenario: Scenario, allocations: "pd.DataFrame", *, gaps: "pd.DataFrame | None" = None,
           funds: "pd.DataFrame | None" = None, summary: dict | None = None) -> list[Violation]:
    """Every rule the table breaks (empty when it keeps them all).

    `allocations` has columns fund, enterprise, category, amount (Decimal, int, str or float
    holding whole fen); ids or the scenario's names/labels; repeated rows are added up; rows of
    0 are ignored. `gaps`, `funds` and `summary` (as our export writes them) are optional:
    given, they must agree with the allocations to the fen.
    """
    checker = _Checker(scenario)
    return _check(checker, checker.rows_of_frame(allocations), allocations.attrs.get("totals", []), gaps, funds, summary)


def _check(checker: _Checker, rows: _Rows, totals: list, gaps, funds, summary) -> list[Violation]:
    lines, nf = checker.lines, len(checker.fund_ids)
    src, line = checker.codes(rows)
    fen = rows.fen
    # Repeated rows are added up: known rows by (source, line), the rest by their names.
    coded = np.flatnonzero(line >= 0)
    key = (src[coded] - src.min(initial=0)) * (len(lines) + 1) + line[coded]
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sums = np.zeros(len(keys), dtype=np.int64)
    np.add.at(sums, inverse, fen[coded])
    k_src, k_line = src[coded[first]], line[coded[first]]
    nonzero = sums != 0
    k_src, k_line, sums, k_first = k_src[nonzero], k_line[nonzero], sums[nonzero], coded[first][nonzero]
    stray: dict[tuple[str, str, str], int] = {}
    for i in np.flatnonzero(line < 0).tolist():
        k = (rows.fund[i], rows.enterprise[i], rows.category[i])
        stray[k] = stray.get(k, 0) + int(fen[i])
    stray = {k: v for k, v in stray.items() if v != 0}
    all_fen = sum(fen.tolist())
    public_fen = all_fen - sum(fen[src == nf].tolist())
    # Eligibility: rows on known lines from a fund that may not pay them, from an unknown
    # fund, and every row on an unknown line, worded in the order of their names.
    public = k_src != nf
    may = checker.may_pay()
    ok = np.zeros(len(k_src), dtype=bool)
    inside = public & (k_src >= 0)
    ok[inside] = may[k_src[inside], k_line[inside]]
    ok[~public] = True
    suspects = [(rows.fund[i], rows.enterprise[i], rows.category[i]) for i in k_first[~ok].tolist()]
    for k in sorted(suspects + list(stray)):
        checker.eligible(k)
    stray = {k: v for k, v in stray.items() if k[0] != OWN_FUNDS_SOURCE}
    given = np.zeros(len(lines), dtype=np.int64)
    np.add.at(given, k_line[~public], sums[~public])
    has_given = np.zeros(len(lines.enterprises), dtype=bool)
    has_given[lines.enterprise[k_line[~public]]] = True
    if gaps is not None:
        _own_from_gaps(checker, gaps, given, has_given)
    checker.own_funds(given, has_given)
    checker.caps(k_src[public], k_line[public], sums[public], stray)
    checker.needs()
    checker.coverage()
    check_commitments(checker.scenario, rows.fund, rows.enterprise, rows.category, rows.fen, checker.flag, _money)
    _matches(checker, rows)
    check_distributions(checker.scenario, rows.fund, rows.enterprise, rows.fen.tolist(), checker.flag, _money)
    for row, total in totals:
        if total not in (all_fen, public_fen):
            checker.flag(f"total[row {row}]", "total_row", total=_money(total), rows=_money(public_fen))
    reconcile(checker, gaps, funds, summary)
    return checker.violations


def _matches(checker: _Checker, rows: _Rows) -> None:
    """配套: for each fund with a match and each enterprise it pays, the matching funds' rows to
    that enterprise ≥ ratio × its own, in integers (den·matching ≥ num·paid, the ratio read from
    its decimal text on its own here)."""
    matched = [f for f in checker.scenario.funds if f.match is not None]
    if not matched:
        return
    paid: dict[tuple[str, str], int] = {}
    for f, e, a in zip(rows.fund, rows.enterprise, rows.fen.tolist()):
        paid[(f, e)] = paid.get((f, e), 0) + a
    for fund in matched:
        num, den = Decimal(str(fund.match.ratio)).as_integer_ratio()
        for (f, e), mine in sorted(paid.items()):
            if f != fund.id or mine <= 0:
                continue
            got = sum(paid.get((g, e), 0) for g in fund.match.funds)
            if den * got < num * mine:
                least = -(-num * mine // den)
                checker.flag(f"match[{fund.id},{e}]", "match_short", got=_money(got), ratio=str(fund.match.ratio),
                             paid=_money(mine), least=_money(least), short=_money(least - got))


def _own_from_gaps(checker: _Checker, gaps, given: np.ndarray, has_given: np.ndarray) -> None:
    """Own funds of `free` enterprises the table does not list, taken from a gaps table."""
    lines = checker.lines
    unlisted = lines.free & ~has_given
    if not unlisted.any():
        return
    names = checker.line_names
    if isinstance(gaps, Table) and gaps.columns["enterprise"] == names[0] and gaps.columns["category"] == names[1]:
        take = unlisted[lines.enterprise]
        given[take] = gaps.columns["own_funds"][take]
        return
    if isinstance(gaps, Table):
        gaps = gaps.frame()
    index = {(e, c): i for i, (e, c) in enumerate(zip(*names))}
    ent_of = {e: i for i, e in enumerate(lines.enterprises)}
    for ent, cat, own in zip(*(gaps[k].tolist() for k in ("enterprise", "category", "own_funds"))):
        i = index.get((ent, cat))
        if i is None or not unlisted[ent_of[ent]]:
            continue
        try:
            fen = parse_amount(own)
        except ValueError:
            continue  # reported by reconcile
        given[i] = fen


def allocation_frame(allocation_fen: Mapping) -> "pd.DataFrame":
    """An allocation in fen keyed by (source, enterprise, category) objects (such as the LP's
    arcs) as the table `verify` reads, own-funds rows included."""
    import pandas as pd

    rows = [(a.source, a.enterprise, a.category, from_fen(fen)) for a, fen in allocation_fen.items() if fen > 0]
    return pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS))


def verify_result(result, tables: bool = True) -> list[Violation]:
    """A solved result checked as a clerk's table would be: the allocations table it writes,
    own funds spent as a source, its summary totals and, when `tables`, its gaps and funds
    tables (what `subsidy solve` writes). Works on the result's fen columns: no DataFrame."""
    checker = _Checker(result.scenario, result.lines)
    alloc = result.table("allocations").columns
    own = result.own_funds_rows()
    rows = _Rows(alloc["fund"] + [OWN_FUNDS_SOURCE] * len(own[0]), alloc["enterprise"] + own[0], alloc["category"] + own[1],
                 np.concatenate([alloc["amount"], own[2]]).astype(np.int64))
    gaps, funds = (result.table("gaps"), result.table("funds")) if tables else (None, None)
    return _check(checker, rows, [], gaps, funds, result.summary)
