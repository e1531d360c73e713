"""The scenario's vocabulary of regions and industries, and the slips it catches.

A fund's scope is words (`regions: [湖北]`, `industries: [cement]`) matched against what each
enterprise says of itself, and a slip on either side (`湖北省黄冈市` for `湖北/黄冈`, `水泥` for
`cement`, a region left blank) does not fail anything: it silently keeps the enterprise out of the
fund, and the money goes elsewhere. The vocabulary is what the scenario uses: the union of its
enterprises' regions (with every leading part: 湖北/黄冈/蕲春 brings 湖北 and 湖北/黄冈) and
industries. Against it:

- an enterprise without a region or an industry is an error when some fund's scope looks at that
  field (the enterprise would be silently out of it), a warning otherwise (required, but no money
  depends on it yet);
- a fund's scope word that matches no enterprise is a warning naming the nearest spelling, and so
  is an industry the fund caps per unit of capacity (a misspelt one silently lifts the cap);
- an enterprise that no fund's scope admits while some fund would pay its categories is a warning
  naming the funds, the scope part that failed and the nearest spelling.

Every finding is a `Problem` located at the field (line of a YAML/JSON file, cell of a workbook),
made by `load`. Cost: one pass over the enterprises per fund, by distinct (region, industry) pair
(`ScopeGroups`); 100k enterprises × 5 funds adds about 0.1 s to a load.
"""

from __future__ import annotations

import difflib
import re

from subsidy.scenario.model import Problem, Scenario, ScopeGroups, region_within

# The ids the documentation and the generator use, with their Chinese names: a clerk writing
# 水泥 against a scope of cement is told which code the scope means.
INDUSTRY_NAMES = {
    "cement": "水泥", "steel": "钢铁", "carbide": "电石", "glass": "玻璃", "coal": "煤炭", "refining": "炼油",
    "coke": "焦炭", "paper": "造纸", "ferroalloy": "铁合金", "aluminium": "电解铝", "printing_dyeing": "印染",
    "leather": "制革", "chemical_fiber": "化纤", "lead_battery": "铅蓄电池", "iron": "炼铁",
}

# Administrative suffixes a clerk writes in one run (湖北省黄冈市蕲春县): the path form splits there.
_LEVEL = re.compile(r"(.+?(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗))")
_DROP = ("特别行政区", "自治区", "省", "市")


def path_form(region: str) -> str:
    """湖北省黄冈市蕲春县 → 湖北/黄冈/蕲春县: the run of names cut at each level, province and city
    suffixes dropped (as the scenarios write them). A region already in path form is left as it is."""
    if "/" in region:
        return region
    parts = _LEVEL.findall(region)
    rest = region[sum(map(len, parts)):]
    parts = [next((p.removesuffix(s) for s in _DROP if p.endswith(s) and len(p) > len(s) + 1), p) for p in parts]
    return "/".join(parts + ([rest] if rest else []))


def _prefixes(region: str) -> list[str]:
    parts = [p for p in region.split("/") if p]
    return ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]


def nearest(word: str, known: list[str], cutoff: float = 0.6) -> str | None:
    """The known spelling closest to `word`: the shortest that contains it (湖北省 → 湖北省黄冈市),
    else difflib's closest ignoring case (湖北/黄岗 → 湖北/黄冈), else the longest it contains."""
    if not known or not word:
        return None
    longer = [k for k in known if word in k and k != word]
    if longer:
        return min(longer, key=lambda k: (len(k), k))
    folded = {k.casefold(): k for k in sorted(known, reverse=True)}
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=cutoff)
    if close:
        return folded[close[0]]
    shorter = [k for k in known if k in word]
    return max(shorter, key=lambda k: (len(k), k)) if shorter else None


def near_miss(word: str, known: list[str]) -> str | None:
    """A spelling in `known` that `word` is very likely a slip for (not the same word): difflib's
    closest above 0.75, ignoring case, or the code of a Chinese industry name, or a region's path
    form within one. None when nothing is that close."""
    if not word or word in known:
        return None
    code = next((k for k, zh in INDUSTRY_NAMES.items() if zh == word), None)
    if code in known:
        return code
    form = path_form(word)
    if form != word and any(region_within(form, k) for k in known):
        return form
    folded = {k.casefold(): k for k in sorted(known, reverse=True)}
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def _region_hint(word: str, regions: list[str]) -> str:
    near = nearest(word, regions)
    if near is None:
        return ""
    form = path_form(near)
    shown = f"{near!r}" + (f" (as a path: {form!r})" if form != near else "")
    return f"; nearest spelling: {shown} — scopes match whole path parts, so 湖北/黄冈 is within 湖北 but 湖北省黄冈市 is not"


def _path_hint(region: str, scope_regions: list[str]) -> str:
    """What the enterprise's region would be as a path, when that path is within the scope."""
    form = path_form(region)
    if form != region and any(region_within(form, r) for r in scope_regions):
        return f" (scopes match whole path parts: written as the path {form!r} it would be within them)"
    near = nearest(region, scope_regions)
    return f"; nearest spelling: {near!r}" if near is not None and region else ""


def _industry_hint(word: str, industries: list[str]) -> str:
    code = next((k for k, zh in INDUSTRY_NAMES.items() if zh == word), None)
    if code is not None and code != word:
        return f"; {word!r} is the Chinese name of the industry code {code!r}: write the code on both sides"
    near = nearest(word, industries)
    return f"; nearest spelling: {near!r}" if near is not None else ""


def vocabulary_problems(scenario: Scenario) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) about regions and industries; see the module docstring."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    enterprises = scenario.enterprises
    regions = sorted({p for e in enterprises for p in _prefixes(e.region)})
    industries = sorted({e.industry for e in enterprises if e.industry})
    scoped = {"region": [f.id for f in scenario.funds if f.scope.regions],
              "industry": [f.id for f in scenario.funds if f.scope.industries]}
    for i, ent in enumerate(enterprises):
        for field in ("region", "industry"):
            if getattr(ent, field).strip():
                continue
            if scoped[field]:
                errors.append(Problem(loc=("enterprises", i, field), message=(
                    f"{field} is empty, but fund(s) {', '.join(scoped[field])} pay only within their {field} scope: "
                    f"this enterprise would silently get nothing from them; fill in the {field}"
                    + (" as a path, e.g. 湖北/黄冈/蕲春" if field == "region" else ", e.g. cement"))))
            else:
                warnings.append(Problem(loc=("enterprises", i, field), message=(
                    f"{field} is empty; every enterprise needs one (no fund is limited by {field} yet, "
                    "but a scope added later would silently leave this enterprise out)")))
    for j, fund in enumerate(scenario.funds):
        for k, word in enumerate(fund.scope.regions):
            if not any(region_within(e.region, word) for e in _first_of_regions(enterprises)):
                warnings.append(Problem(loc=("funds", j, "scope", "regions", k), message=(
                    f"fund {fund.id}'s region scope {word!r} matches no enterprise's region" + _region_hint(word, regions))))
        for k, word in enumerate(fund.scope.industries):
            if word not in industries:
                warnings.append(Problem(loc=("funds", j, "scope", "industries", k), message=(
                    f"fund {fund.id}'s industry scope {word!r} matches no enterprise's industry" + _industry_hint(word, industries))))
        for word in fund.caps.per_capacity:
            if word not in industries:
                warnings.append(Problem(loc=("funds", j, "caps", "per_capacity", word), message=(
                    f"fund {fund.id} caps industry {word!r} per unit of capacity, but no enterprise has that industry, "
                    "so the cap limits nobody" + _industry_hint(word, industries))))
    warnings += _left_out(scenario)
    return errors, warnings


def _first_of_regions(enterprises) -> list:
    seen: dict[str, object] = {}
    for e in enterprises:
        seen.setdefault(e.region, e)
    return list(seen.values())


def _left_out(scenario: Scenario) -> list[Problem]:
    """Enterprises no fund's scope admits although some fund pays one of their categories; and
    enterprises a paying fund misses, or whose industry a fund's per-capacity cap misses, by a near
    miss of spelling (湖北/咸宁/咸安 vs 湖北/咸宁/咸按, carbide vs carbidex): the slips that move money
    while another fund still pays the enterprise."""
    enterprises = scenario.enterprises
    if not scenario.funds:
        return []
    groups = ScopeGroups.of(enterprises)
    admits = [fund.admits_each(enterprises, groups) for fund in scenario.funds]
    categories = [set(f.categories) for f in scenario.funds]
    found = []
    for i, ent in enumerate(enterprises):
        if not ent.costs:
            continue
        payers = [k for k, cats in enumerate(categories) if not cats.isdisjoint(ent.costs)]
        if not payers:
            continue
        if not any(admits[k][i] for k in payers) and not any(a[i] for a in admits):
            funds = [scenario.funds[k] for k in payers]
            field = "region" if not any(f.scope.admits_region(ent.region) for f in funds) else "industry"
            found.append(Problem(loc=("enterprises", i, field), message=(
                f"enterprise {ent.id} is within no fund's scope, so it can receive nothing, although "
                f"fund(s) {', '.join(f.id for f in funds)} pay its cost categories: " + "; ".join(map(lambda f: _why_out(ent, f), funds)))))
            continue
        for k in payers:
            fund = scenario.funds[k]
            slip = _slip(ent, fund, admits[k][i])
            if slip is not None:
                field, text = slip
                found.append(Problem(loc=("enterprises", i, field), message=f"enterprise {ent.id}: {text}"))
    return found


def _why_out(ent, fund) -> str:
    scope = fund.scope
    failed = []
    if not scope.admits_region(ent.region):
        failed.append(f"region(s) {', '.join(scope.regions)}, and {ent.region or '(empty)'!r} is not within them"
                      + _path_hint(ent.region, scope.regions))
    if scope.industries and ent.industry not in scope.industries:
        failed.append(f"industry(ies) {', '.join(scope.industries)}, not {ent.industry or '(empty)'!r}"
                      + _industry_hint(ent.industry, scope.industries))
    if scope.enterprises and ent.id not in scope.enterprises:
        failed.append("the enterprises it lists")
    return f"{fund.id} pays only " + "; and only ".join(failed)


def _slip(ent, fund, admitted: bool) -> tuple[str, str] | None:
    """(field, sentence) when `fund` misses the enterprise by a near miss of spelling."""
    scope = fund.scope
    if not admitted:
        if not scope.admits_region(ent.region):
            near = near_miss(ent.region, scope.regions)
            if near is not None:
                return "region", (f"region {ent.region!r} is not within fund {fund.id}'s scope ({', '.join(scope.regions)}), "
                                  f"but looks like a slip for {near!r}, so the fund pays it nothing; scopes match whole path parts")
        elif scope.industries and ent.industry not in scope.industries:
            near = near_miss(ent.industry, scope.industries)
            if near is not None:
                return "industry", (f"industry {ent.industry!r} is not in fund {fund.id}'s scope ({', '.join(scope.industries)}), "
                                    f"but looks like a slip for {near!r}, so the fund pays it nothing")
        return None
    if fund.caps.per_capacity and ent.industry not in fund.caps.per_capacity:
        near = near_miss(ent.industry, list(fund.caps.per_capacity))
        if near is not None:
            return "industry", (f"industry {ent.industry!r} escapes fund {fund.id}'s per-capacity cap on {near!r}, "
                                "which it looks like a slip for")
    return None
