"""Validating a scenario: plain data (from YAML, JSON, a workbook or an overlay chain) into a
`Scenario`, every problem at once, each located in its file (line) or workbook (cell).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from subsidy.scenario.documents import SUFFIXES, ScenarioError, one_line, parse_document, read_bytes, read_text
from subsidy.scenario.labels import Lang, Phrases, language_of_data
from subsidy.scenario.model import Problem, Scenario, cross_field_problems, shown
from subsidy.scenario.ranges import split_ranges
from subsidy.scenario.slips import Slip
from subsidy.scenario.vocabulary import vocabulary_problems

__all__ = ["ScenarioError", "one_line", "SUFFIXES", "read_bytes", "load_scenario", "load_scenario_with_hash", "load_data",
           "scenario_from_data"]


def _describe_loc(data: Any, loc: tuple) -> str:
    """('enterprises', 0, 'costs', 'x') → 'enterprises[0] (wenquan).costs.x'."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" ({node['id']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


# pydantic's wording ("Input should be a valid integer", "String should match pattern") in a
# clerk's terms, in English and Chinese: what the field must be. `{...}` are filled from the
# error's context.
CLERK_TERMS = Phrases({
    "extra_forbidden": {"en": "unknown field (check the spelling; see the scenario format in the README)",
                        "zh": "未知字段（请检查拼写；方案格式见 README）"},
    "missing": {"en": "required field is missing", "zh": "缺少必填字段"},
    "string_type": {"en": "must be text", "zh": "必须是文字"},
    "int_type": {"en": "must be a whole number", "zh": "必须是整数"},
    "int_parsing": {"en": "must be a whole number", "zh": "必须是整数"},
    "int_from_float": {"en": "must be a whole number", "zh": "必须是整数"},
    "float_type": {"en": "must be a number", "zh": "必须是数字"},
    "float_parsing": {"en": "must be a number", "zh": "必须是数字"},
    "finite_number": {"en": "must be a finite number", "zh": "必须是有限的数字"},
    "bool_type": {"en": "must be yes or no (true/false, 是/否)", "zh": "必须是“是”或“否”（true/false）"},
    "bool_parsing": {"en": "must be yes or no (true/false, 是/否)", "zh": "必须是“是”或“否”（true/false）"},
    "list_type": {"en": "must be a list (in YAML: [a, b] or one '- item' per line)", "zh": "必须是列表（YAML 中写作 [a, b]，或每行一个“- 项”）"},
    "dict_type": {"en": "must be a mapping (key: value)", "zh": "必须是“键: 值”的映射"},
    "model_type": {"en": "must be a mapping of fields (key: value)", "zh": "必须是字段的映射（键: 值）"},
    "model_attributes_type": {"en": "must be a mapping of fields (key: value)", "zh": "必须是字段的映射（键: 值）"},
    "literal_error": {"en": "must be one of {expected}", "zh": "必须是以下之一：{expected}"},
    "greater_than_equal": {"en": "must be at least {ge}", "zh": "不得小于 {ge}"},
    "greater_than": {"en": "must be more than {gt}", "zh": "必须大于 {gt}"},
    "less_than_equal": {"en": "must be at most {le}", "zh": "不得大于 {le}"},
    "less_than": {"en": "must be less than {lt}", "zh": "必须小于 {lt}"},
    "string_too_short": {"en": "must not be empty", "zh": "不得为空"},
    "string_too_long": {"en": "must be at most {max_length} characters long", "zh": "最多 {max_length} 个字符"},
    "too_short": {"en": "must have at least {min_length} item(s)", "zh": "至少要有 {min_length} 项"},
    "too_long": {"en": "must have at most {max_length} item(s)", "zh": "最多 {max_length} 项"},
    "got": {"en": ", got {value}", "zh": "，实际为 {value}"},
})


def _clerk_terms(err: dict, lang: Lang = "en") -> str:
    """One validation error as a clerk reads it, in `lang`: our own messages as they are,
    pydantic's translated (no library wording, no Python repr)."""
    if err["type"] in ("extra_forbidden", "missing"):
        return CLERK_TERMS(err["type"], lang)
    if err["type"] == "value_error":
        slip = (err.get("ctx") or {}).get("error")
        return slip.said(lang) if isinstance(slip, Slip) else err["msg"].removeprefix("Value error, ")
    if err["type"] not in CLERK_TERMS:
        message = err["msg"]
    else:
        context = {k: (str(v).replace("'", "") if k == "expected" else shown(int(v) if isinstance(v, float) and v.is_integer() else v))
                   for k, v in (err.get("ctx") or {}).items()}
        try:
            message = CLERK_TERMS(err["type"], lang, **context)
        except KeyError:
            message = CLERK_TERMS[err["type"]][lang].split(" {")[0].split("{")[0].rstrip("：")
    if "input" in err:
        message += CLERK_TERMS("got", lang, value=shown(err["input"]))
    return message


def _problems_from_validation(exc: ValidationError, data: Any) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        problems.append(Problem(loc=loc, message=_clerk_terms(err), message_zh=_clerk_terms(err, "zh")))
    return problems


def _located(problems: list[Problem], data: Any, lines: dict[tuple, Any], places: dict[tuple, str] | None = None) -> list[Problem]:
    """Fill in where each problem is: a line of a text file (an overlay's lines are (file, line):
    its values come from several files), or a cell of a workbook (`places`)."""
    for p in problems:
        place = _place_for(places, p.loc) if places else None
        p.where = place or _describe_loc(data, p.loc)
        found = _line_for(lines, p.loc) if p.loc else None
        p.file, p.line = found if isinstance(found, tuple) else (None, found)
    return sorted(problems, key=lambda p: (p.file or "", p.line or 0))  # in file order, as a clerk reads it


def _place_for(places: dict[tuple, str], loc: tuple) -> str | None:
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in places:
            return places[loc[:cut]]
    return None


def scenario_from_data(data: dict, path: str | Path = "<scenario>", lines: dict[tuple, int] | None = None,
                       places: dict[tuple, str] | None = None, found: list[Problem] = (),
                       warnings: list[Problem] | None = None) -> Scenario:
    """Validate plain data as a scenario; every problem at once in a ScenarioError.

    `places` maps data paths to where they are in a file without lines (a workbook's cells);
    `found` are problems the reader already found, reported together with the model's. The
    vocabulary's warnings (scenario.vocabulary), located like the problems, are appended to
    `warnings` when given.
    """
    lines = lines or {}
    data, ranges, range_problems = split_ranges(data)  # amounts given as ranges: their expected values
    cross = cross_field_problems(data)
    broken: list[dict] = []
    try:
        scenario = Scenario.model_validate(data)
        scenario._ranges = tuple(ranges)
        problems: list[Problem] = []
    except ValidationError as exc:
        broken = exc.errors(include_url=False)
        problems = _problems_from_validation(exc, data)
    problems += range_problems
    flagged = {p.loc for p in [*found, *problems] if p.loc}
    problems = problems + [p for p in cross if p.loc not in flagged]
    said: list[Problem] = []
    if not found and not problems:
        problems, said = vocabulary_problems(scenario)
    else:  # a clerk's slips all in one round: the vocabulary's errors too, over what parsed
        flagged = {p.loc for p in [*found, *problems] if p.loc}
        problems += [p for p in _vocabulary_errors_despite(data, broken) if p.loc not in flagged]
    problems = _located(problems, data, lines, places)
    if found or problems:
        raise ScenarioError(path, list(found) + problems, language_of_data(data))
    if warnings is not None:
        warnings += _located(said, data, lines, places)
    return scenario


def _vocabulary_errors_despite(data: dict, broken: list[dict]) -> list[Problem]:
    """The vocabulary's errors (an enterprise's region or industry left blank) when other cells
    are broken, so that a clerk sees every slip at once instead of fixing in two rounds (a text
    `三十` in 费用!C3 used to hide a blank 企业!D3 until it was fixed). The check runs on a copy
    of the data where each broken cell is taken as 0 (most are amounts) and any enterprise, fund or
    other list entry still broken after that is left out (0 is no region, industry or id, so a
    broken word leaves its entry out rather than passing for one): only checks that need a broken cell are skipped
    (a left-out enterprise is not checked; the others are, against the funds that parsed).
    Warnings are not given: they come with a scenario that passes. Located by the caller."""
    import copy

    if not isinstance(data, dict):
        return []
    trial = copy.deepcopy(data)
    for err in broken:
        _set_at(trial, tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))), 0)
    kept = {k: list(range(len(v))) for k, v in trial.items() if isinstance(v, list)}  # each list's entries still in
    for _round in range(3):
        try:
            scenario = Scenario.model_validate({k: [v[i] for i in kept[k]] if k in kept else v for k, v in trial.items()})
            break
        except ValidationError as exc:
            out = {(loc[0], kept[loc[0]][loc[1]]) if len(loc) >= 2 and loc[0] in kept and isinstance(loc[1], int)
                   and 0 <= loc[1] < len(kept[loc[0]]) else None for loc in (e["loc"] for e in exc.errors(include_url=False))}
            if None in out:
                return []  # broken beyond one entry of a list: nothing sound to check
            kept = {k: [i for i in v if (k, i) not in out] for k, v in kept.items()}
    else:
        return []
    kept = kept.get("enterprises", [])
    errors, _warnings = vocabulary_problems(scenario)
    for p in errors:  # ("enterprises", i among the kept, field) → the enterprise's place in the data
        if p.loc[:1] == ("enterprises",) and isinstance(p.loc[1], int):
            p.loc = ("enterprises", kept[p.loc[1]], *p.loc[2:])
    return errors


def _set_at(data: Any, loc: tuple, value: Any) -> None:
    if not loc:
        return
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(node, dict) or (isinstance(node, list) and isinstance(loc[-1], int) and 0 <= loc[-1] < len(node)):
        node[loc[-1]] = value


def scenario_with_changed_funds(base: Scenario, base_data: dict, data: dict) -> Scenario:
    """`data` validated as scenario_from_data does, where `data` is `base_data` (validated as
    `base`) with only funds' budgets and per-enterprise caps and the commitments changed: the
    what-if of a workbench or a sweep's point. The base's enterprises, already validated, are
    taken as they are (pydantic accepts validated instances as they are); the model's own checks
    and the cross-field ones (duplicates, unknown ids, commitments) run on the whole changed data;
    the vocabulary's, which read only enterprises and funds' scopes, stand as they were for the
    base. Commitments left as the base's are taken as validated too (an approval's 4,546 lines: ~100
ms of validation per what-if otherwise). Anything else changed, amounts given as ranges, or any problem found: scenario_from_data(data) itself, so the
    answer and the problems are always the full validation's. At 1,000 enterprises this takes
    ~5 ms where the full validation takes ~130-200 ms (bench/SERVE.md)."""
    if base.ranges or not _only_funds_changed(base_data, data):  # ranges are split off by the full path only
        return scenario_from_data(data)
    same_commitments = data.get("commitments") is base_data.get("commitments") or data.get("commitments") == base_data.get("commitments")
    kept = {"enterprises": base.enterprises} | ({"commitments": base.commitments} if same_commitments else {})
    try:
        scenario = Scenario.model_validate({**data, **kept})
    except ValidationError:
        return scenario_from_data(data)
    # the cross-field checks read ids, categories, scopes and commitments, none of which a budget or
    # a cap changes: with the commitments as they were, the base's answer (none) stands
    if not same_commitments and cross_field_problems(data):
        return scenario_from_data(data)
    return scenario


def _only_funds_changed(before: dict, after: dict) -> bool:
    """Whether `after` differs from `before` in funds' `budget` and `caps.per_enterprise` and in
    `commitments` alone (the enterprises the very same list)."""
    if after.get("enterprises") is not before.get("enterprises") and after.get("enterprises") != before.get("enterprises"):
        return False
    if {k for k in after if k not in ("funds", "commitments")} != {k for k in before if k not in ("funds", "commitments")}:
        return False
    if any(after[k] != before[k] for k in after if k not in ("funds", "commitments", "enterprises")):
        return False

    def shape(fund):
        if not isinstance(fund, dict):
            return fund
        caps = {k: v for k, v in (fund.get("caps") or {}).items() if k != "per_enterprise"} if isinstance(fund.get("caps"), dict) else fund.get("caps")
        return {**{k: v for k, v in fund.items() if k not in ("budget", "caps")}, "caps": caps or None}
    funds_before, funds_after = before.get("funds") or [], after.get("funds") or []
    return len(funds_before) == len(funds_after) and all(shape(a) == shape(b) for a, b in zip(funds_before, funds_after))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (YAML, JSON or an .xlsx workbook)."""
    scenario, _ = load_scenario_with_hash(path)
    return scenario


def load_scenario_with_hash(path: str | Path, warnings: list[Problem] | None = None) -> tuple[Scenario, str]:
    """The scenario and the sha256 of the file's bytes (for an overlay, of its chain of files),
    for provenance in summary.json; the vocabulary's located warnings go to `warnings` if given."""
    path = Path(path)
    if SUFFIXES.get(path.suffix.lower()) == "xlsx":
        from subsidy.scenario.scenario_xlsx_read import read_workbook

        raw = read_bytes(path)
        book = read_workbook(path, raw)
        if not book.data:
            raise ScenarioError(path, book.problems)
        return (scenario_from_data(book.data, path, places=book.places, found=book.problems, warnings=warnings),
                hashlib.sha256(raw).hexdigest())
    data, lines, sha = load_data(path)
    return scenario_from_data(data, path, lines, warnings=warnings), sha


def load_data(path: str | Path) -> tuple[dict, dict[tuple, Any], str]:
    """Plain data of a YAML or JSON scenario with any overlay chain (`base:`) merged in, its
    path → line map and its sha256. Overlay lines map to (file, line): values come from several
    files."""
    path = Path(path)
    text, raw = read_text(path)
    data, lines = parse_document(path, text)
    if "base" not in data:
        return data, lines, hashlib.sha256(raw).hexdigest()
    from subsidy.scenario.overlay import resolve

    return resolve(path, data, lines, raw)
