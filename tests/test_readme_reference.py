"""The README's "Scenario format reference" is the only description of the format users get:
keep it in step with the models. A field added to (or removed from) a scenario model, a new
nested model, a changed default category or a new allowed value fails here until the README
says so."""

from __future__ import annotations

import importlib
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel


def _model_module():
    # The package layout is being reorganised (subsidy/model.py → subsidy/scenario/model.py).
    for name in ("subsidy.model", "subsidy.scenario.model"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError("the scenario models are neither in subsidy.model nor in subsidy.scenario.model")


model = _model_module()

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## Scenario format reference"
NOT_SCENARIO = {"Problem"}  # pydantic models of the module that are not part of the file format
COLUMNS = ["field", "type", "required / default", "meaning", "validation"]


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    assert text.count(f"\n{SECTION}\n") == 1, f"README.md must have exactly one {SECTION!r} section"
    body = text.split(f"\n{SECTION}\n", 1)[1]
    return re.split(r"^## ", body, maxsplit=1, flags=re.M)[0]


def _subsections() -> dict[str, str]:
    """First word of each '### ' heading → its text."""
    parts = re.split(r"^### ", _section(), flags=re.M)[1:]
    return {part.split(None, 1)[0]: part for part in parts}


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def _table(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the first Markdown table in `text`."""
    lines = [line for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    block = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        block.append(line)
    header, rows = _cells(block[0]), [_cells(line) for line in block[2:]]
    return header, rows


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _scenario_models() -> list[type[BaseModel]]:
    """Scenario and every model reachable from its fields, in order of first appearance."""
    seen: list[type[BaseModel]] = []
    todo = [model.Scenario]
    while todo:
        cls = todo.pop(0)
        if cls in seen:
            continue
        seen.append(cls)
        for field in cls.model_fields.values():
            todo += _models_in(field.annotation)
    return seen


def _key(name: str, field) -> str:
    """How the field is written in a file: its alias if it has one."""
    return field.alias or name


MODELS = _scenario_models()


def test_every_model_of_the_module_is_part_of_the_format_or_known_not_to_be():
    defined = {name for name, v in vars(model).items()
               if isinstance(v, type) and issubclass(v, BaseModel) and v is not BaseModel
               and not name.startswith("_") and v.__module__.startswith("subsidy")}
    stray = defined - {m.__name__ for m in MODELS} - NOT_SCENARIO
    assert not stray, f"models not reachable from Scenario: {sorted(stray)}; document them or list them in NOT_SCENARIO"


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_every_field_has_a_row_and_every_row_a_field(cls):
    sections = _subsections()
    assert cls.__name__ in sections, f"README {SECTION}: no '### {cls.__name__}' subsection"
    header, rows = _table(sections[cls.__name__])
    assert header == COLUMNS, f"### {cls.__name__}: table columns {header}, expected {COLUMNS}"
    documented = [(_ticked(row[0]) or [row[0]])[0] for row in rows]
    fields = {_key(name, f): f for name, f in cls.model_fields.items()}
    missing = [k for k in fields if k not in documented]
    extra = [k for k in documented if k not in fields]
    repeated = sorted({k for k in documented if documented.count(k) > 1})
    assert not missing, f"### {cls.__name__}: fields without a row in README.md: {missing}"
    assert not extra, f"### {cls.__name__}: rows for fields the model does not have: {extra}"
    assert not repeated, f"### {cls.__name__}: fields with two rows: {repeated}"


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_required_and_allowed_values_match_the_model(cls):
    _, rows = _table(_subsections()[cls.__name__])
    by_key = {(_ticked(row[0]) or [row[0]])[0]: row for row in rows}
    for name, field in cls.model_fields.items():
        row = by_key[_key(name, field)]
        said_required = row[2] == "required"
        assert said_required == field.is_required(), f"{cls.__name__}.{name}: README says {row[2]!r}"
        if typing.get_origin(field.annotation) is typing.Literal:
            allowed = set(typing.get_args(field.annotation))
            listed = set(_ticked(row[1]))
            assert allowed == listed, f"{cls.__name__}.{name}: model allows {sorted(allowed)}, README lists {sorted(listed)}"
            assert f"`{field.default}`" in row[2], f"{cls.__name__}.{name}: default {field.default!r} not in {row[2]!r}"


def test_built_in_categories_table_is_the_model_defaults():
    header, rows = _table(_subsections()["Built-in"])
    assert header == ["key", "中文", "English", "weight", "class"]
    documented = {(_ticked(r[0]) or [r[0]])[0]: r[1:] for r in rows}
    expected = {k: [c.label_zh, c.label_en, f"{c.weight:g}", str(c.own_funds_class)]
                for k, c in model.DEFAULT_CATEGORIES.items()}
    assert documented == expected


def test_amount_limit_and_id_length_are_those_of_the_model():
    section = _section()
    exponent = len(str(int(model.MAX_AMOUNT))) - 1
    assert model.MAX_AMOUNT == 10 ** exponent
    assert f"at most 10^{exponent}" in section
    lengths = [m.max_length for m in model.Enterprise.model_fields["id"].metadata if hasattr(m, "max_length")]
    assert lengths and f"1 to {lengths[0]} characters" in section


def test_links_in_the_section_point_at_headings_of_the_readme():
    text = README.read_text(encoding="utf-8")

    def slug(heading: str) -> str:  # GitHub's anchors
        return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")

    anchors = {slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", _section())
    assert links and not [a for a in links if a not in anchors]
    assert "shared/spec" not in text, "users do not have shared/: the README must not send them there"
