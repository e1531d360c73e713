"""Addressing a scenario's fields by dotted paths that name list entries by id.

`funds.central_reward.budget`, `enterprises.wenquan.own_funds.asset_sales`,
`categories.bank_debt.weight`: one way of naming a field, shared by overlays (which entries a
file patches), sweeps (which field a grid varies) and comparisons (which inputs differ).
Paths work on plain scenario data (dicts and lists as read from YAML), not on the pydantic model,
so that a changed value is validated exactly like a value typed into a file.
"""

from __future__ import annotations

import copy
from typing import Any

KEYED_LISTS = ("enterprises", "funds", "assumptions")
"""Top-level lists whose entries carry a unique `id` and are addressed (and merged) by it."""


class PathError(ValueError):
    """A path that does not name a field of the scenario."""


def split(path: str) -> tuple[str, ...]:
    parts = tuple(path.split("."))
    if not path or any(not p for p in parts):
        raise PathError(f"{path!r} is not a field path (use dots, e.g. funds.central_reward.budget)")
    return parts


def is_keyed(parents: tuple) -> bool:
    """Whether the list at `parents` (a path of mapping keys) is merged and addressed by id."""
    return len(parents) == 1 and parents[0] in KEYED_LISTS


def index_of(entries: list, entry_id: str) -> int | None:
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and entry.get("id") == entry_id:
            return i
    return None


def _ids(entries: list) -> str:
    return ", ".join(str(e.get("id")) for e in entries if isinstance(e, dict)) or "(none)"


def with_value(data: dict, path: str, value: Any) -> dict:
    """A deep copy of `data` with the field at `path` set to `value`.

    Missing mapping keys on the way are created (a category override, an own-funds source, a
    cap), so that any field a file could hold can be set; a list entry must already exist.
    """
    parts = split(path)
    out = copy.deepcopy(data)
    node: Any = out
    walked: tuple = ()
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        if isinstance(node, list):
            if not is_keyed(walked):
                raise PathError(f"{path}: {'.'.join(walked)} is a list that is not addressed by id")
            i = index_of(node, part)
            if i is None:
                raise PathError(f"{path}: no entry {part!r} in {'.'.join(walked)} (known: {_ids(node)})")
            if last:
                raise PathError(f"{path}: names a whole entry; name one of its fields")
            node = node[i]
        elif isinstance(node, dict):
            if last:
                node[part] = value
                return out
            child = node.get(part)
            if child is None:
                child = [] if is_keyed(walked + (part,)) else {}
                node[part] = child
            if not isinstance(child, (dict, list)):
                raise PathError(f"{path}: {'.'.join(walked + (part,))} is a value, not a group of fields")
            node = child
        else:  # pragma: no cover - guarded above
            raise PathError(f"{path}: cannot descend into {'.'.join(walked)}")
        walked += (part,)
    raise PathError(f"{path}: does not name a field")


def get_value(data: dict, path: str, default: Any = None) -> Any:
    """The value at `path`, or `default` when any part of it is absent."""
    node: Any = data
    walked: tuple = ()
    for part in split(path):
        if isinstance(node, list) and is_keyed(walked):
            i = index_of(node, part)
            node = node[i] if i is not None else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = None
        if node is None:
            return default
        walked += (part,)
    return node


def flatten(data: Any, prefix: tuple = ()) -> dict[str, Any]:
    """Every leaf as `dotted.path → value`; keyed list entries by id, other lists as one value."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, prefix + (str(key),)))
    elif isinstance(data, list) and is_keyed(prefix):
        for entry in data:
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            body = {k: v for k, v in entry.items() if k != "id"} if entry_id is not None else entry
            out.update(flatten(body, prefix + (str(entry_id),)))
    else:
        out[".".join(prefix)] = tuple(data) if isinstance(data, list) else data
    return out
