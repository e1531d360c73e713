"""Reading a scenario file into plain data, with errors a clerk can act on.

The lowest step of reading: bytes of a regular file, text, YAML or JSON parsed into dicts and
lists with a map of where each value was written. `load` validates the data; `overlay` merges
chains of files; both read files through here.

Every problem is reported as one line naming the file, the line in it where we know it, the entry
(list index and id) and the field; all problems at once, never a traceback.
"""

from __future__ import annotations

import functools
import json
import reprlib
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from subsidy.scenario.model import Problem

if TYPE_CHECKING:
    import yaml


class ScenarioError(Exception):
    """A scenario file that cannot be used, with every problem found in it."""

    def __init__(self, path: str | Path, problems: list[Problem], lang: str = "en"):
        self.path = str(path)
        self.problems = problems
        self.lang = lang  # the scenario's language, when its data were read far enough to tell
        super().__init__(self.render())

    def render(self, lang: str = "en") -> str:
        # One line per problem, always: a key or value with a line break in it is shown escaped.
        return "\n".join(one_line(f"{p.file or self.path}:{p.said(lang)}" if p.line is not None else f"{p.file or self.path}: {p.said(lang)}")
                         for p in self.problems)


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
