"""Reading scenario files, with errors a clerk can act on.

Every problem is reported as one line naming the file, the line in it where we know it, the entry
(list index and id) and the field; all problems at once, never a traceback.
"""

from __future__ import annotations

import functools
import hashlib
import json
import reprlib
import stat
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from subsidy.scenario.model import Problem, Scenario, cross_field_problems


class ScenarioError(Exception):
    """A scenario file that cannot be used, with every problem found in it."""

    def __init__(self, path: str | Path, problems: list[Problem]):
        self.path = str(path)
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        # One line per problem, always: a key or value with a line break in it is shown escaped.
        return "\n".join(one_line(f"{p.file or self.path}:{p}" if p.line is not None else f"{p.file or self.path}: {p}") for p in self.problems)

    def first_line(self) -> str:
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        return str(self).splitlines()[0] + tail


def one_line(text: str) -> str:
    """Control characters (line breaks, NUL, ...) and lone surrogates escaped, so that one
    problem is one printable line whatever a file's keys and values contain."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii") for ch in text)


_short = reprlib.Repr()
_short.maxstring = _short.maxother = 60
_short.maxlist = _short.maxdict = 4
_short.maxlevel = 1


def short_repr(value: Any) -> str:
    """repr() bounded in length: a wrong value may be a huge (or alias-bomb) structure."""
    return _short.repr(value)


SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}


@functools.cache
def _unique_key_loader() -> type:
    """A SafeLoader that refuses duplicate keys: a second `budget:` silently winning is a bug.
    Made on first use: yaml is imported only when a YAML file is read."""
    import yaml

    class _UniqueKeyLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
        mapping: dict = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, f"unhashable key {key!r}", key_node.start_mark) from None
            if key in mapping:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = loader.construct_object(value_node, deep=deep)
        return mapping

    _UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return _UniqueKeyLoader


def _line_index(node: yaml.Node, path: tuple, out: dict[tuple, int], seen: set[int] | None = None) -> None:
    """Map each data path (('enterprises', 0, 'costs')) to its 1-based line in the YAML file.

    A node reached again through an alias is not walked again: nested aliases (a "billion
    laughs" file) would otherwise make this walk exponential. Node kinds are told by their `id`
    ('mapping', 'sequence', 'scalar'), so that this module need not import yaml.
    """
    seen = set() if seen is None else seen
    out[path] = node.start_mark.line + 1
    if id(node) in seen:
        return
    seen.add(id(node))
    if node.id == "mapping":
        for key_node, value_node in node.value:
            key = key_node.value if key_node.id == "scalar" else None
            out[path + (key,)] = key_node.start_mark.line + 1
            _line_index(value_node, path + (key,), out, seen)
            out[path + (key,)] = key_node.start_mark.line + 1
    elif node.id == "sequence":
        for i, item in enumerate(node.value):
            _line_index(item, path + (i,), out, seen)


def read_bytes(path: Path, error: type[ScenarioError] = ScenarioError) -> bytes:
    """The bytes of a regular file, or `error` saying in plain words why not.

    Anything but a regular file is refused before opening it: reading a FIFO (or a device)
    would block forever waiting for a writer.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        message = "no such file (a dangling link)" if path.is_symlink() else "no such file"
        raise error(path, [Problem(message=message)]) from None
    except OSError as exc:
        raise error(path, [Problem(message=f"cannot be read ({exc.strerror or exc})")]) from None
    if stat.S_ISDIR(mode):
        raise error(path, [Problem(message="is a directory, not a file")])
    if not stat.S_ISREG(mode):
        raise error(path, [Problem(message="is not a regular file (a pipe, socket or device)")])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise error(path, [Problem(message=f"cannot be read ({exc.strerror or exc})")]) from None


def read_text(path: Path) -> tuple[str, bytes]:
    """The file's text (BOM stripped) and raw bytes, or a ScenarioError saying why not."""
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, [Problem(message=f"is not UTF-8 text (byte {exc.start})")]) from None
    if not text or text.isspace():  # as `not text.strip()`, without copying a large file's text
        raise ScenarioError(path, [Problem(message="is empty")])
    return text, raw


def parse_document(path: Path, text: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML or JSON (by suffix) into plain data and a path → line map."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None or kind == "xlsx":
        raise ScenarioError(path, [Problem(message=f"unsupported file type {path.suffix or '(none)'!r}; use .yaml, .yml, .json or .xlsx")])
    lines: dict[tuple, int] = {}
    if kind == "json":
        try:
            # Floats as floats, as YAML gives them: amounts (≤ 15 significant digits) come back exact
            # through repr in the Money validator, and an assumption's `value` stays a number.
            data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_object)
        except RecursionError:
            raise ScenarioError(path, [Problem(message="not valid JSON: nested too deeply")]) from None
        except (json.JSONDecodeError, ValueError) as exc:
            line = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise ScenarioError(path, [Problem(line=line, message=f"not valid JSON: {msg}")]) from None
    else:
        import yaml

        try:
            data = _parse_yaml(text, lines)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ScenarioError(path, [Problem(line=line, message=f"not valid YAML: {problem}")]) from None
        except RecursionError:
            raise ScenarioError(path, [Problem(message="not valid YAML: nested too deeply")]) from None
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            raise ScenarioError(path, [Problem(message=f"not valid YAML: {str(exc).split(';')[0]}")]) from None
    if not isinstance(data, dict):
        raise ScenarioError(path, [Problem(message=f"must be a mapping of scenario fields (name, enterprises, funds, ...), got {type(data).__name__}")])
    return data, lines


def _parse_yaml(text: str, lines: dict[tuple, int]) -> Any:
    """yaml.load's data, parsed once (yaml.compose and then yaml.load parsed the text twice),
    with the line map filled in from the nodes before they are constructed: constructing
    flattens merge keys (<<) into the nodes in place."""
    loader = _unique_key_loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _line_index(node, (), lines)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _unique_object(pairs: list[tuple[str, Any]]) -> dict:
    """JSON objects refuse duplicate keys, as YAML mappings do: a second "budget" silently
    winning would be a quiet wrong answer."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a scenario may contain")


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


_MESSAGES = {
    "extra_forbidden": "unknown field (check the spelling; see the scenario format in the README)",
    "missing": "required field is missing",
}


def _problems_from_validation(exc: ValidationError, data: Any) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        message = _MESSAGES.get(err["type"]) or err["msg"].removeprefix("Value error, ")
        if err["type"] not in _MESSAGES and "input" in err and err["type"] != "value_error":
            # pydantic sometimes says "got a number with a fractional part" itself: then just show it
            shown = short_repr(err["input"])
            message += f" ({shown})" if ", got " in message else f", got {shown}"
        problems.append(Problem(loc=loc, message=message))
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
                       places: dict[tuple, str] | None = None, found: list[Problem] = ()) -> Scenario:
    """Validate plain data as a scenario; every problem at once in a ScenarioError.

    `places` maps data paths to where they are in a file without lines (a workbook's cells);
    `found` are problems the reader already found, reported together with the model's.
    """
    lines = lines or {}
    cross = cross_field_problems(data)
    try:
        scenario = Scenario.model_validate(data)
        problems: list[Problem] = []
    except ValidationError as exc:
        problems = _problems_from_validation(exc, data)
    flagged = {p.loc for p in [*found, *problems] if p.loc}
    problems = _located(problems + [p for p in cross if p.loc not in flagged], data, lines, places)
    if found or problems:
        raise ScenarioError(path, list(found) + problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (YAML, JSON or an .xlsx workbook)."""
    scenario, _ = load_scenario_with_hash(path)
    return scenario


def load_scenario_with_hash(path: str | Path) -> tuple[Scenario, str]:
    """The scenario and the sha256 of the file's bytes (for an overlay, of its chain of files),
    for provenance in summary.json."""
    path = Path(path)
    if SUFFIXES.get(path.suffix.lower()) == "xlsx":
        from subsidy.scenario.scenario_xlsx import read_workbook

        raw = read_bytes(path)
        book = read_workbook(path, raw)
        if not book.data:
            raise ScenarioError(path, book.problems)
        return scenario_from_data(book.data, path, places=book.places, found=book.problems), hashlib.sha256(raw).hexdigest()
    data, lines, sha = load_data(path)
    return scenario_from_data(data, path, lines), sha


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
