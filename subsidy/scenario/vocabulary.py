"""The scenario's vocabulary of regions and industries, and the slips it catches.

A fund's scope is words (`regions: [湖北]`, `industries: [cement]`) matched against what each
enterprise says of itself, and a slip on either side (`湖北省黄冈市` for `湖北/黄冈`, `水泥` for
`cement`, a region left blank) does not fail anything: it silently keeps the enterprise out of the
fund, and the money goes elsewhere. The vocabulary is what the scenario uses: the union of its
enterprises' regions (with every leading part: 湖北/黄冈/蕲春 brings 湖北 and 湖北/黄冈) and
industries. Against it:

- an enterprise without a region or an industry is an error (exit 2): both are required of every
  enterprise, and the message says why when some fund's scope looks at that field (the enterprise
  would be silently out of it); without such a scope today, one added later would do the same;
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

from subsidy.scenario.labels import Lang, Phrases
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


# Every sentence of this module, in English and Chinese; a finding is a Problem carrying both,
# and the command prints the one its --lang (or the scenario's language) asks for.
VOCABULARY = Phrases({
    "region_hint": {"en": "; nearest spelling: {near}{form} — scopes match whole path parts, so 湖北/黄冈 is within 湖北 but 湖北省黄冈市 is not",
                    "zh": "；最接近的写法：{near}{form}——适用范围按地区路径的整段匹配，所以“湖北/黄冈”在“湖北”之内，“湖北省黄冈市”则不在"},
    "as_path": {"en": " (as a path: {form})", "zh": "（路径写法：{form}）"},
    "path_hint": {"en": " (scopes match whole path parts: written as the path {form} it would be within them)",
                  "zh": "（适用范围按地区路径的整段匹配：写成路径 {form} 即在其内）"},
    "nearest": {"en": "; nearest spelling: {near}", "zh": "；最接近的写法：{near}"},
    "industry_code": {"en": "; {word} is the Chinese name of the industry code {code}: write the code on both sides",
                      "zh": "；{word} 是行业代码 {code} 的中文名称：两处都请填写代码"},
    "blank_scoped": {"en": "{field} is empty, but fund(s) {funds} pay only within their {field} scope: "
                           "this enterprise would silently get nothing from them; fill in the {field}{example}",
                     "zh": "{field}为空，但资金 {funds} 只在其{field}范围内支付：该企业将得不到这些资金且无任何提示；请填写{field}{example}"},
    "example_region": {"en": " as a path, e.g. 湖北/黄冈/蕲春", "zh": "，用路径写法，例如 湖北/黄冈/蕲春"},
    "example_industry": {"en": ", e.g. cement", "zh": "，例如 cement"},
    "blank": {"en": "{field} is empty; every enterprise needs one (no fund is limited by {field} yet, "
                    "but a scope added later would silently leave this enterprise out); fill in the {field}{example}",
              "zh": "{field}为空；每家企业都必须填写（目前没有资金按{field}限定范围，但以后加上范围时该企业会被悄悄排除在外）；请填写{field}{example}"},
    "region": {"en": "region", "zh": "地区"},
    "industry": {"en": "industry", "zh": "行业"},
    "scope_region_unmatched": {"en": "fund {fund}'s region scope {word} matches no enterprise's region",
                               "zh": "资金 {fund} 的地区范围 {word} 与任何企业的地区都不匹配"},
    "scope_industry_unmatched": {"en": "fund {fund}'s industry scope {word} matches no enterprise's industry",
                                 "zh": "资金 {fund} 的行业范围 {word} 与任何企业的行业都不匹配"},
    "capacity_cap_unmatched": {"en": "fund {fund} caps industry {word} per unit of capacity, but no enterprise has that industry, so the cap limits nobody",
                               "zh": "资金 {fund} 按产能对行业 {word} 设上限，但没有企业属于该行业，该上限对谁都不起作用"},
    "left_out": {"en": "enterprise {ent} is within no fund's scope, so it can receive nothing, although fund(s) {funds} pay its cost categories: {why}",
                 "zh": "企业 {ent} 不在任何资金的适用范围内，因此得不到任何资金，尽管资金 {funds} 支付其费用类别：{why}"},
    "and_only": {"en": "; and only ", "zh": "；且只支付"},
    "sep": {"en": "; ", "zh": "；"},
    "why_out": {"en": "{fund} pays only {failed}", "zh": "{fund} 只支付{failed}"},
    "out_region": {"en": "region(s) {scope}, and {region} is not within them{hint}", "zh": "地区 {scope}，而 {region} 不在其内{hint}"},
    "out_industry": {"en": "industry(ies) {scope}, not {industry}{hint}", "zh": "行业 {scope}，不是 {industry}{hint}"},
    "out_listed": {"en": "the enterprises it lists", "zh": "其列出的企业"},
    "empty": {"en": "(empty)", "zh": "（空）"},
    "slip_region": {"en": "enterprise {ent}: region {region} is not within fund {fund}'s scope ({scope}), but looks like a slip for {near}, "
                          "so the fund pays it nothing; scopes match whole path parts",
                    "zh": "企业 {ent}：地区 {region} 不在资金 {fund} 的范围（{scope}）内，但看来是 {near} 的笔误，"
                          "因此该资金对其不支付；适用范围按地区路径的整段匹配"},
    "slip_industry": {"en": "enterprise {ent}: industry {industry} is not in fund {fund}'s scope ({scope}), but looks like a slip for {near}, so the fund pays it nothing",
                      "zh": "企业 {ent}：行业 {industry} 不在资金 {fund} 的范围（{scope}）内，但看来是 {near} 的笔误，因此该资金对其不支付"},
    "slip_capacity": {"en": "enterprise {ent}: industry {industry} escapes fund {fund}'s per-capacity cap on {near}, which it looks like a slip for",
                      "zh": "企业 {ent}：行业 {industry} 看来是 {near} 的笔误，因此逃过了资金 {fund} 对 {near} 的按产能上限"},
})


def _q(text: str, lang: Lang) -> str:
    """A word quoted as the sentence's language quotes it: '湖北' in English, “湖北” in Chinese."""
    return f"“{text}”" if lang == "zh" else repr(text)


def _both(loc: tuple, sentence) -> Problem:
    """A Problem at `loc` whose message `sentence(lang)` writes in both languages."""
    return Problem(loc=loc, message=sentence("en"), message_zh=sentence("zh"))


def _region_hint(word: str, regions: list[str], lang: Lang) -> str:
    near = nearest(word, regions)
    if near is None:
        return ""
    form = path_form(near)
    shown = VOCABULARY("as_path", lang, form=_q(form, lang)) if form != near else ""
    return VOCABULARY("region_hint", lang, near=_q(near, lang), form=shown)


def _path_hint(region: str, scope_regions: list[str], lang: Lang) -> str:
    """What the enterprise's region would be as a path, when that path is within the scope."""
    form = path_form(region)
    if form != region and any(region_within(form, r) for r in scope_regions):
        return VOCABULARY("path_hint", lang, form=_q(form, lang))
    near = nearest(region, scope_regions)
    return VOCABULARY("nearest", lang, near=_q(near, lang)) if near is not None and region else ""


def _industry_hint(word: str, industries: list[str], lang: Lang) -> str:
    code = next((k for k, zh in INDUSTRY_NAMES.items() if zh == word), None)
    if code is not None and code != word:
        return VOCABULARY("industry_code", lang, word=_q(word, lang), code=_q(code, lang))
    near = nearest(word, industries)
    return VOCABULARY("nearest", lang, near=_q(near, lang)) if near is not None else ""


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
                errors.append(_both(("enterprises", i, field), lambda lang, field=field: VOCABULARY(
                    "blank_scoped", lang, field=VOCABULARY(field, lang), funds=", ".join(scoped[field]),
                    example=VOCABULARY(f"example_{field}", lang))))
            else:  # required all the same (issue 11): no scope reads it yet, but one added later would
                errors.append(_both(("enterprises", i, field), lambda lang, field=field: VOCABULARY(
                    "blank", lang, field=VOCABULARY(field, lang), example=VOCABULARY(f"example_{field}", lang))))
    for j, fund in enumerate(scenario.funds):
        for k, word in enumerate(fund.scope.regions):
            if not any(region_within(e.region, word) for e in _first_of_regions(enterprises)):
                warnings.append(_both(("funds", j, "scope", "regions", k), lambda lang, word=word: VOCABULARY(
                    "scope_region_unmatched", lang, fund=fund.id, word=_q(word, lang)) + _region_hint(word, regions, lang)))
        for k, word in enumerate(fund.scope.industries):
            if word not in industries:
                warnings.append(_both(("funds", j, "scope", "industries", k), lambda lang, word=word: VOCABULARY(
                    "scope_industry_unmatched", lang, fund=fund.id, word=_q(word, lang)) + _industry_hint(word, industries, lang)))
        for word in fund.caps.per_capacity:
            if word not in industries:
                warnings.append(_both(("funds", j, "caps", "per_capacity", word), lambda lang, word=word: VOCABULARY(
                    "capacity_cap_unmatched", lang, fund=fund.id, word=_q(word, lang)) + _industry_hint(word, industries, lang)))
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
    misses: dict[tuple, str | None] = {}  # (word, known) → near_miss: 10,000 enterprises share a few regions

    def near(word: str, known) -> str | None:
        key = (word, tuple(known))
        if key not in misses:
            misses[key] = near_miss(word, list(known))
        return misses[key]

    for i, ent in enumerate(enterprises):
        if not ent.costs:
            continue
        payers = [k for k, cats in enumerate(categories) if not cats.isdisjoint(ent.costs)]
        if not payers:
            continue
        if not any(admits[k][i] for k in payers) and not any(a[i] for a in admits):
            funds = [scenario.funds[k] for k in payers]
            field = "region" if not any(f.scope.admits_region(ent.region) for f in funds) else "industry"
            found.append(_both(("enterprises", i, field), lambda lang, ent=ent, funds=funds: VOCABULARY(
                "left_out", lang, ent=ent.id, funds=", ".join(f.id for f in funds),
                why=VOCABULARY("sep", lang).join(_why_out(ent, f, lang) for f in funds))))
            continue
        for k in payers:
            fund = scenario.funds[k]
            slip = _slip(ent, fund, admits[k][i], near)
            if slip is not None:
                field, sentence = slip
                found.append(_both(("enterprises", i, field), sentence))
    return found


def _why_out(ent, fund, lang: Lang) -> str:
    scope = fund.scope
    failed = []
    if not scope.admits_region(ent.region):
        failed.append(VOCABULARY("out_region", lang, scope=", ".join(scope.regions),
                                 region=_q(ent.region, lang) if ent.region else VOCABULARY("empty", lang),
                                 hint=_path_hint(ent.region, scope.regions, lang)))
    if scope.industries and ent.industry not in scope.industries:
        failed.append(VOCABULARY("out_industry", lang, scope=", ".join(scope.industries),
                                 industry=_q(ent.industry, lang) if ent.industry else VOCABULARY("empty", lang),
                                 hint=_industry_hint(ent.industry, scope.industries, lang)))
    if scope.enterprises and ent.id not in scope.enterprises:
        failed.append(VOCABULARY("out_listed", lang))
    return VOCABULARY("why_out", lang, fund=fund.id, failed=VOCABULARY("and_only", lang).join(failed))


def _slip(ent, fund, admitted: bool, near_miss=near_miss):
    """(field, sentence(lang)) when `fund` misses the enterprise by a near miss of spelling
    (`near_miss` as the module's, or one that remembers its answers for one scenario)."""
    scope = fund.scope
    if not admitted:
        if not scope.admits_region(ent.region):
            near = near_miss(ent.region, scope.regions)
            if near is not None:
                return "region", lambda lang: VOCABULARY("slip_region", lang, ent=ent.id, region=_q(ent.region, lang), fund=fund.id,
                                                         scope=", ".join(scope.regions), near=_q(near, lang))
        elif scope.industries and ent.industry not in scope.industries:
            near = near_miss(ent.industry, scope.industries)
            if near is not None:
                return "industry", lambda lang: VOCABULARY("slip_industry", lang, ent=ent.id, industry=_q(ent.industry, lang), fund=fund.id,
                                                           scope=", ".join(scope.industries), near=_q(near, lang))
        return None
    if fund.caps.per_capacity and ent.industry not in fund.caps.per_capacity:
        near = near_miss(ent.industry, list(fund.caps.per_capacity))
        if near is not None:
            return "industry", lambda lang: VOCABULARY("slip_capacity", lang, ent=ent.id, industry=_q(ent.industry, lang),
                                                       fund=fund.id, near=_q(near, lang))
    return None
