"""The analyses in words: sentences and plain-text tables for `subsidy explain`, `close-gap` and
`compare`, from the tables the analyses compute (subsidy/analysis/). The sentences' templates
are in output/phrases.py.

    explanation_sentences(ex, lang), explanation_text(ex, lang)   an `Explanation`
    conflict_sentences(scenario, conflict, lang)                  a `RulesConflict` (solve's exit 3)
    gap_closure_sentences(gc, lang), gap_closure_text(gc, lang)   a `GapClosure`
    comparison_summary(c, lang), comparison_text(c, lang)         a `Comparison`
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from subsidy.analysis.close_gap import GapClosure
from subsidy.analysis.compare import PRESENT, Comparison
from subsidy.analysis.explain import Explanation
from subsidy.allocate.stages import RulesConflict
from subsidy.allocate.waterfall import from_fen
from subsidy.output.phrases import CLOSE_GAP, COMPARE, CONFLICT, EXPLAIN, REASON_ZH, TABLE_ZH, Names
from subsidy.scenario.labels import Lang, column, money, table

_num = money  # prices, like amounts, with two decimals


# --- explain --------------------------------------------------------------------------------------
def explanation_sentences(ex: Explanation, lang: Lang = "en") -> list[str]:
    s, r = ex.scenario, ex.result
    names = Names(s, lang)
    unit = s.unit
    residual = sum(r.exact("enterprises")["residual_need"], Decimal(0))
    gap = r.total("gaps", "gap")
    out = [EXPLAIN("headline", lang, name=s.name, gap=money(gap), residual=money(residual), unit=unit,
                   share=float(gap / residual) if residual else 0.0, wg=r.weighted_gap, ms=r.max_gap_share)]
    capped = {fund for line in ex.gaps.itertuples(index=False) for fund, kind, _ in line.blockers if kind.startswith("cap_")}
    split = {fund for line in ex.gaps.itertuples(index=False) for fund, kind, _ in line.blockers if kind == "distribution"}
    matched = {fund for line in ex.gaps.itertuples(index=False) for fund, kind, _ in line.blockers if kind == "match"}
    for rule in ex.rules.itertuples(index=False):
        less = ""
        if rule.kind in ("commitment", "coverage", "match"):
            effect = ""  # a commitment has sentences of its own below: one-sided prices, no ranges
        else:
            if rule.binding and rule.less_weighted is not None and (rule.less_weighted or rule.less_unweighted):
                less = EXPLAIN("less_impossible", lang, unit=unit) if rule.less_weighted == float("inf") else \
                    EXPLAIN("less", lang, lw=_num(rule.less_weighted), lu=_num(rule.less_unweighted), unit=unit,
                            down=money(min(rule.decrease_weighted, rule.decrease_unweighted)))
            # Both prices hold up to the nearer end of their two ranges (a price of 0 holds without end).
            up = min((r for r in (rule.increase_weighted, rule.increase_unweighted) if not _missing(r)), default=None)
            effect = EXPLAIN("effect" if up is not None else "no_effect", lang, unit=unit, up=money(up) if up is not None else "",
                             pw=_num(rule.shadow_weighted), pu=_num(rule.shadow_unweighted))
        values = dict(fund=names.fund(rule.fund), bound=money(rule.bound), left=money(rule.left), unit=unit, less=less,
                      effect=effect,
                      enterprise=names.enterprise(rule.enterprise) if rule.enterprise else "",
                      category=names.category(rule.category) if rule.category else "")
        if rule.kind == "budget":
            # "fully used" only when nothing is left, to the fen (a binding budget may keep 0.99 of its unit)
            key = ("budget_used" if rule.left == 0 else "budget_binding_left") if rule.binding \
                else "budget_left_matched" if rule.fund in matched else "budget_left_split" if rule.fund in split else "budget_left_capped" if rule.fund in capped else "budget_left"
            out.append(EXPLAIN(key, lang, **values))
        elif rule.kind == "commitment" and rule.binding:
            sw = rule.shadow_weighted
            key = "commit_impossible" if sw == float("-inf") else "commit_saves" if sw > 0 else "commit_costs" if sw < 0 else "commit_free"
            effect = EXPLAIN(key, lang, unit=unit, pw=_num(abs(sw)))
            source = next((c.source for c in s.commitments if c.rule == rule.rule), "")
            out.append(EXPLAIN("commitment", lang, rule=rule.rule, bound=money(rule.bound), unit=unit, effect=effect,
                               source=EXPLAIN("cap_terms", lang, terms=source) if source else ""))
        elif rule.kind == "coverage" and rule.binding:
            sw = rule.shadow_weighted
            key = "commit_impossible" if sw == float("-inf") else "commit_saves" if sw > 0 else "commit_costs" if sw < 0 else "commit_free"
            share = s.policy.minimum_coverage.get(rule.category)
            out.append(EXPLAIN("coverage", lang, rule=names.rule("coverage", rule.rule, None, rule.enterprise, rule.category),
                               bound=money(rule.bound), unit=unit, share=f"{share:g}", effect=EXPLAIN(key, lang, unit=unit, pw=_num(abs(sw))),
                               range="" if _missing(rule.increase_weighted) or not rule.increase_weighted or not sw else
                               EXPLAIN("coverage_range", lang, up=money(rule.increase_weighted), unit=unit)))
        elif rule.kind == "match" and rule.binding:
            fund = next(f for f in s.funds if f.id == rule.fund)
            out.append(EXPLAIN("match", lang, rule=names.rule("match", rule.rule, rule.fund, rule.enterprise, ""), fund=names.fund(rule.fund),
                               funds=EXPLAIN("and", lang).join(names.fund(f) for f in fund.match.funds), ratio=str(fund.match.ratio),
                               used=money(rule.used), bound=money(rule.bound), unit=unit, pw=_num(rule.shadow_weighted)))
        elif rule.kind == "cap_enterprise" and rule.binding:
            out.append(EXPLAIN(rule.kind, lang, terms=_cap_terms(s, rule.fund, rule.enterprise, lang), **values))
        elif rule.binding:
            out.append(EXPLAIN(rule.kind, lang, **values))
    totals = r.exact("enterprises").set_index("enterprise")
    if ex.gaps.empty:
        out.append(EXPLAIN("no_gap", lang))
    for eid, lines in ex.gaps.groupby("enterprise", sort=False):
        parts = []
        for line in lines.itertuples(index=False):
            if line.reason in ("category_not_payable", "no_eligible_fund"):
                why = EXPLAIN(line.reason, lang, funds=EXPLAIN("and", lang).join(names.fund(f) for f in line.payers))
            else:
                why = EXPLAIN("blocked", lang, blockers=EXPLAIN("and", lang).join(
                    EXPLAIN(f"by_{kind}", lang, fund=names.fund(fund)) for fund, kind, _ in line.blockers))
            parts.append(EXPLAIN("line", lang, category=names.category(line.category), gap=money(line.gap), unit=unit, why=why))
        row = totals.loc[eid]
        out.append(EXPLAIN("enterprise_gap", lang, enterprise=names.enterprise(eid), gap=money(row["gap"]), unit=unit,
                           share=float(row["gap_share"]), lines=EXPLAIN("sep", lang).join(parts)))
    return out


def conflict_sentences(scenario, conflict: RulesConflict, lang: Lang = "en") -> list[str]:
    """Why `solve` ends with exit 3 when rules that ask for money conflict: the smallest set of
    rules in conflict (in words in Chinese, ids in English), and the least extra budget per fund."""
    names = Names(scenario, lang)
    out = [CONFLICT("rules", lang, rules=EXPLAIN("and", lang).join(names.rule_id(r) + (f"（{r}）" if lang == "zh" and names.rule_id(r) != r else "")
                                                                 for r in conflict.rules))]
    extra = conflict.extra_budget
    if extra is None:
        out.append(CONFLICT("no_extra", lang))
    elif extra:
        funds = EXPLAIN("and", lang).join(CONFLICT("fund_extra", lang, fund=names.fund(f), amount=money(from_fen(fen)), unit=scenario.unit)
                                          for f, fen in extra.items())
        out.append(CONFLICT("extra", lang, funds=funds, total=money(from_fen(sum(extra.values()))), unit=scenario.unit))
    return out


def _cap_terms(scenario, fund_id: str, enterprise_id: str, lang: Lang) -> str:
    """Which of the fund's caps sets its limit for the enterprise (the least; ties all named),
    e.g. ' (per_worker 0.8 × 100 workers)'; '' when only per_enterprise applies."""
    fund = next(f for f in scenario.funds if f.id == fund_id)
    ent = next(e for e in scenario.enterprises if e.id == enterprise_id)
    terms = fund.enterprise_cap_terms(ent)
    if set(terms) == {"per_enterprise"}:
        return ""
    least = min(terms.values())
    words = []
    for name, amount in terms.items():
        if amount != least:
            continue
        if name == "per_enterprise":
            words.append(EXPLAIN("cap_per_enterprise", lang))
        elif name == "per_capacity":
            words.append(EXPLAIN("cap_per_capacity", lang, rate=fund.caps.per_capacity[ent.industry],
                                 amount=ent.capacity.amount if ent.capacity else 0, cunit=ent.capacity.unit if ent.capacity else ""))
        else:
            words.append(EXPLAIN("cap_per_worker", lang, rate=fund.caps.per_worker, workers=ent.workers or 0))
    return EXPLAIN("cap_terms", lang, terms=EXPLAIN("sep", lang).join(words))


def explanation_tables(ex: Explanation) -> dict[str, pd.DataFrame]:
    """What `explain --out DIR` writes, so that every reason can be checked: reasons.csv (each line
    with a gap: enterprise, category, gap, reason code, the rules that hold it back, ';'-joined)
    and bindings.csv (each rule the final allocation leaves no room in: its value used, its bound,
    the weighted gap one more unit of it saves, and the range in which that price and the one of
    a unit less hold)."""
    reasons = pd.DataFrame({
        "enterprise": ex.gaps["enterprise"].tolist(), "category": ex.gaps["category"].tolist(),
        "gap": ex.gaps["gap"].tolist(), "reason": ex.gaps["reason"].tolist(),
        "rule": ["; ".join(rule for _, _, rule in blockers if rule) for blockers in ex.gaps["blockers"]],
    }, columns=["enterprise", "category", "gap", "reason", "rule"])
    bound = ex.binding
    bindings = pd.DataFrame({"rule": bound["rule"].tolist(), "value": bound["used"].tolist(), "bound": bound["bound"].tolist(),
                             "shadow_price": [float(v) for v in bound["shadow_weighted"]],
                             # the range it holds in (empty: without end, the price being 0)
                             "allowable_increase": [None if _missing(v) else v for v in bound["increase_weighted"]],
                             "allowable_decrease": bound["decrease_weighted"].tolist()},
                            columns=["rule", "value", "bound", "shadow_price", "allowable_increase", "allowable_decrease"])
    return {"reasons.csv": reasons, "bindings.csv": bindings}


def _named(lang: Lang, name_key: str, id_key: str, en_header: str) -> list[str]:
    """The headers of a row's subject: in Chinese its name, then its id in a column of its own
    (企业名称, 企业代码); in English the id alone."""
    return [TABLE_ZH[name_key], TABLE_ZH[id_key]] if lang == "zh" else [column(en_header, lang)]


def explanation_text(ex: Explanation, lang: Lang = "en") -> str:
    lines = explanation_sentences(ex, lang)
    names = Names(ex.scenario, lang)
    zh = lang == "zh"
    shown = ex.rules[(ex.rules["kind"] == "budget") | ex.rules["binding"]]
    keys = ["bound", "used", "left", "shadow_weighted", "increase_weighted", "decrease_weighted", "shadow_unweighted"]
    rows = [[*([names.rule(r.kind, r.rule, r.fund, r.enterprise, r.category)] if zh else []), r.rule,
             r.bound, r.used, r.left, _num(r.shadow_weighted), *_range_cells(r), _num(r.shadow_unweighted)]
            for r in shown.itertuples(index=False)]
    headers = _named(lang, "rule_name", "rule_id", "rule") + [column(k, lang) for k in keys]
    lines += ["", EXPLAIN("rules_title", lang), table(headers, rows, numeric_from=2 if zh else 1)]
    if not ex.gaps.empty:
        gkeys = ["category", "reason", "gap"]
        grows = [[*([g.name] if zh else []), g.enterprise, names.category(g.category),
                  "、".join(REASON_ZH[c] for c in g.reason.split("+")) if zh else g.reason, g.gap]
                 for g in ex.gaps.itertuples(index=False)]
        headers = _named(lang, "enterprise_name", "enterprise_id", "enterprise") + [column(k, lang) for k in gkeys]
        lines += ["", EXPLAIN("gaps_title", lang), table(headers, grows, numeric_from=len(headers) - 1)]
    return "\n".join(lines)


# --- close-gap ------------------------------------------------------------------------------------
def gap_closure_sentences(gc: GapClosure, lang: Lang = "en") -> list[str]:
    s = gc.scenario
    unit = s.unit
    names = Names(s, lang)
    ent = gc.enterprises
    total = lambda col: sum(ent[col], Decimal(0))  # noqa: E731
    out = [CLOSE_GAP("now", lang, name=s.name, gap=money(total("gap_now")), unpayable=money(total("unpayable")),
                     capped=money(total("cap_held")), closable=money(total("closable")), unit=unit)]
    out.append(CLOSE_GAP("goal_target", lang, target=money(gc.target), unit=unit) if gc.target != gc.floor
               else CLOSE_GAP("goal_floor", lang, target=money(gc.target), unit=unit))
    if not gc.reachable:
        out.append(CLOSE_GAP("unreachable", lang, floor=money(gc.floor), unit=unit))
    elif gc.total_extra is None:
        out.append(CLOSE_GAP("impossible", lang))
    elif gc.total_extra == 0:
        out.append(CLOSE_GAP("nothing", lang))
    else:
        parts = CLOSE_GAP("sep", lang).join(CLOSE_GAP("part", lang, fund=names.fund(r.fund), extra=money(r.extra), unit=unit)
                                                    for r in gc.funds.itertuples(index=False) if r.extra)
        after = gc.after.total("gaps", "gap")
        note = CLOSE_GAP("rounding", lang, d=money(after - gc.target), unit=unit) if after > gc.target else ""
        out.append(CLOSE_GAP("least", lang, total=money(gc.total_extra), parts=parts, unit=unit, after=money(after), note=note))
        alone = [CLOSE_GAP("alone_part", lang, fund=names.fund(r.fund), extra=money(r.extra_alone), unit=unit) if r.extra_alone is not None
                 else CLOSE_GAP("alone_none", lang, fund=names.fund(r.fund)) for r in gc.funds.itertuples(index=False) if r.may_grow]
        if len(alone) > 1:
            out.append(CLOSE_GAP("alone", lang, parts=CLOSE_GAP("sep", lang).join(alone)))
    cats = gc.unpayable[gc.unpayable["reason"] == "category_not_payable"]
    if not cats.empty:
        sums = cats.groupby("category", sort=True)["amount"].apply(lambda v: sum(v, Decimal(0)))
        out.append(CLOSE_GAP("no_category", lang, cats=CLOSE_GAP("sep", lang).join(f"{names.category(c)} {money(a)}" for c, a in sums.items())))
    scoped = gc.unpayable[gc.unpayable["reason"] == "no_eligible_fund"]
    if not scoped.empty:
        out.append(CLOSE_GAP("no_scope", lang, lines=CLOSE_GAP("sep", lang).join(f"{names.enterprise(r.enterprise)}/{names.category(r.category)} {money(r.amount)}"
                                                                                  for r in scoped.itertuples(index=False))))
    if not gc.caps.empty:
        out.append(CLOSE_GAP("caps", lang, unit=unit, caps=CLOSE_GAP("sep", lang).join(f"{names.rule_id(r.rule)} ({money(r.bound)}): {r.closes_per_unit:.4g}"
                                                                                        for r in gc.caps.itertuples(index=False))))
    return out


def gap_closure_text(gc: GapClosure, lang: Lang = "en") -> str:
    lines = gap_closure_sentences(gc, lang)
    zh = lang == "zh"
    keys = ["budget", "extra", "new_budget", "extra_alone"]
    rows = [[*([r.name] if zh else []), r.fund, *(money(getattr(r, k)) for k in keys)] for r in gc.funds.itertuples(index=False)]
    headers = _named(lang, "fund_name", "fund_id", "fund") + [column(k, lang) for k in keys]
    lines += ["", CLOSE_GAP("funds_title", lang), table(headers, rows, numeric_from=2 if zh else 1)]
    ekeys = ["gap_now", "unpayable", "cap_held", "closable", "gap_after"]
    erows = [[*([r.name] if zh else []), r.enterprise, *(money(getattr(r, k)) for k in ekeys)] for r in gc.enterprises.itertuples(index=False)]
    headers = _named(lang, "enterprise_name", "enterprise_id", "enterprise") + [column(k, lang) for k in ekeys]
    lines += ["", CLOSE_GAP("enterprises_title", lang), table(headers, erows, numeric_from=2 if zh else 1)]
    return "\n".join(lines)


# --- compare --------------------------------------------------------------------------------------
def _signed(value: Decimal) -> str:
    return f"{value:+,.2f}"


def _range_cells(rule) -> list[str]:
    """Allowable increase and decrease as printed: ∞ where the price (0) holds without end, — for a
    commitment, whose one-sided price comes with no range."""
    if rule.kind == "commitment":
        return ["—", "—"]
    return ["∞" if _missing(rule.increase_weighted) else money(rule.increase_weighted), money(rule.decrease_weighted)]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # pandas may turn None into NaN


def _show(value) -> str:
    if _missing(value):
        return "—"
    if isinstance(value, Decimal):
        return money(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _names_in(c: Comparison, lang: Lang) -> Names:
    """Names from every option, the base's first: a fund or enterprise an option adds has its name too."""
    names = Names(c.scenarios[0], lang)
    for scenario in c.scenarios[1:]:
        other = Names(scenario, lang)
        names.funds = {**other.funds, **names.funds}
        names.enterprises = {**other.enterprises, **names.enterprises}
    return names


def comparison_summary(c: Comparison, lang: Lang = "en") -> str:
    unit = c.scenarios[0].unit
    base = c.labels[0]
    totals = c.totals.set_index("scenario")
    parts = []
    for label in c.labels[1:]:
        text = COMPARE("option", lang, base=base, label=label)
        changed = c.inputs[c.inputs[base].map(repr) != c.inputs[label].map(repr)] if not c.inputs.empty else c.inputs
        if changed.empty:
            text += COMPARE("no_input", lang)
        else:
            field = _names_in(c, lang).field
            items = [COMPARE("added", lang, field=field(r["field"])) if r[label] == PRESENT and _missing(r[base])
                     else COMPARE("removed", lang, field=field(r["field"])) if r[base] == PRESENT and _missing(r[label])
                     else f"{field(r['field'])} {_show(r[base])} → {_show(r[label])}" for _, r in changed.head(4).iterrows()]
            text += COMPARE("changes", lang, fields=COMPARE("sep", lang).join(items))
            if len(changed) > 4:
                text += COMPARE("more", lang, n=len(changed) - 4)
        a, b = totals.loc[base], totals.loc[label]
        pct = f", {float(b['d_total_gap'] / a['total_gap']):+.1%}" if a["total_gap"] else ""
        text += COMPARE("effect", lang, a=money(a['total_gap']), b=money(b['total_gap']), unit=unit, d=_signed(b["d_total_gap"]),
                        pct=pct, wa=a["weighted_gap"], wb=b["weighted_gap"], sa=a["max_gap_share"], sb=b["max_gap_share"])
        funds = c.funds[(c.funds["scenario"] == label) & (c.funds["d_used"] != 0)]
        if not funds.empty:
            text += COMPARE("funds", lang, items=COMPARE("sep", lang).join(f"{r.name if lang == 'zh' else r.fund} {_signed(r.d_used)}" for r in funds.itertuples(index=False)))
        ents = c.enterprises[(c.enterprises["scenario"] == label) & (c.enterprises["d_gap"] != 0)]
        if ents.empty:
            text += COMPARE("same", lang)
        else:
            top = ents.assign(size=ents["d_gap"].map(abs)).sort_values(["size", "enterprise"], ascending=[False, True]).head(3)
            text += COMPARE("ents", lang, items=COMPARE("sep", lang).join(f"{r.name if lang == 'zh' else r.enterprise} {_signed(r.d_gap)}" for r in top.itertuples(index=False)))
            # Every enterprise both ways: what this option leaves open that the first funds, and the reverse.
            for key, rows in (("unfunded", ents[ents["d_gap"] > 0]), ("reverse", ents[ents["d_gap"] < 0])):
                items = COMPARE("sep", lang).join(f"{r.name if lang == 'zh' else r.enterprise} {money(abs(r.d_gap))}" for r in rows.itertuples(index=False))
                text += COMPARE(key, lang, base=base, items=items) if items else COMPARE(f"{key}_none", lang, base=base)
        parts.append(text + COMPARE("end", lang))
    return COMPARE("join", lang).join(parts)


def comparison_text(c: Comparison, lang: Lang = "en") -> str:
    base = c.labels[0]
    names_in = _names_in(c, lang)
    lines = [comparison_summary(c, lang), "", COMPARE("totals_title", lang)]
    keys = ["total_need", "total_own_funds", "total_funded", "total_gap", "weighted_gap", "max_gap_share"]
    rows = [[r["scenario"], *(money(r[k]) for k in keys[:5]), f"{r['max_gap_share']:.1%}"] for _, r in c.totals.iterrows()]
    lines.append(table([column("scenario", lang), *(column(k, lang) for k in keys)], rows))

    def side_by_side(long: pd.DataFrame, key: str, measure: str, share: str | None) -> str:
        headers = _named(lang, f"{key}_name", f"{key}_id", key) + [c.labels[0]] + [x for label in c.labels[1:] for x in (label, f"Δ {label}")]
        out = []
        for k, group in long.groupby(key, sort=False):
            by = group.set_index("scenario")
            row = [group["name"].iloc[0], k] if lang == "zh" else [k]
            for i, label in enumerate(c.labels):
                r = by.loc[label]
                cell = money(r[measure]) if r["present"] else "—"
                if share and r["present"]:
                    cell += f" ({r[share]:.0%})"
                row.append(cell)
                if i:
                    row.append(_signed(r[f"d_{measure}"]))
            out.append(row)
        return table(headers, out, numeric_from=2 if lang == "zh" else 1)

    lines += ["", COMPARE("enterprises_title", lang, base=base), side_by_side(c.enterprises, "enterprise", "gap", "gap_share")]
    lines += ["", COMPARE("funds_title", lang, base=base), side_by_side(c.funds, "fund", "used", None)]
    if c.allocations is not None and not c.allocations.empty:
        moved = c.allocations.assign(pair=c.allocations["fund"] + " → " + c.allocations["enterprise"], present=True,
                                     name=[f"{names_in.fund(f)} → {n}" for f, n in zip(c.allocations["fund"], c.allocations["name"])])
        lines += ["", COMPARE("moved_title", lang, base=base), side_by_side(moved, "pair", "amount", None)]
    if not c.inputs.empty:
        field = _names_in(c, lang).field
        rows = [[field(r["field"]), *(_show(r[label]) for label in c.labels)] for _, r in c.inputs.iterrows()]
        lines += ["", COMPARE("inputs_title", lang), table([COMPARE("h_field", lang), *c.labels], rows)]
    return "\n".join(lines)
