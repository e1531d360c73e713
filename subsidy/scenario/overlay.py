"""Scenario overlays: a policy option as a small file naming its base and only what it changes.

    base: ../xianan-2025.yaml          # relative to this file
    name: 咸安区 2025（中央奖励资金增加 100 万元）
    funds:
      - id: central_reward
        budget: 400

The merge rule, applied from the root base outwards:
- mappings merge key by key, recursively; `key: null` deletes the key (the field falls back to
  its default, e.g. removes a cap);
- the top-level lists `enterprises`, `funds` and `assumptions` merge by `id`: an entry whose id
  is in the base patches that entry (by these same rules), an entry with a new id is appended,
  and an entry `{id: x, remove: true}` deletes x;
- every other list (a fund's `categories`, a scope's `regions`) and every scalar replaces the
  base's value;
- a base may itself have a base (chains); a cycle is an error.
Errors name the file, and the line, where the offending value was written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from subsidy.scenario.model import Problem
from subsidy.scenario.paths import index_of, is_keyed

BASE = "base"
REMOVE = "remove"
ONE_OF = {"funds": ("budget", "tranches")}
"""Keys of which an entry gives one, not both (a fund's money at once or by year): an overlay that
gives one where its base gives the other is refused at the overlay's line, not the base's, and
told to delete the base's with `key: null`. (The schema's check, scenario.years, sees only the
merged entry, so it could name only the line of one key; the merge knows which file wrote each.)"""

Origins = dict[tuple, tuple[str, int]]
"""Path in the merged data → (file, line) where that value was written."""


def _fail(path: Path, lines: dict[tuple, int], loc: tuple, message: str):
    from subsidy.scenario.documents import ScenarioError

    raise ScenarioError(path, [Problem(loc=loc, where=".".join(map(str, loc)), line=lines.get(loc), message=message)])


def resolve(path: Path, data: dict, lines: dict[tuple, int], raw: bytes, _chain: tuple[Path, ...] = ()) -> tuple[dict, Origins, str]:
    """The scenario at `path` merged onto its base chain: (data, origins, sha256).

    A file without `base` is returned as it is, with the sha256 of its bytes. An overlay's sha256
    is sha256(base's sha256 + sha256 of the overlay's bytes), so a result records exactly which
    chain of files produced it.
    """
    from subsidy.scenario.documents import parse_document, read_text

    chain = _chain + (path.resolve(),)
    own = {k: v for k, v in data.items() if k != BASE}
    origins: Origins = {loc: (str(path), line) for loc, line in lines.items() if loc[:1] != (BASE,)}
    base_ref = data.get(BASE)
    if base_ref is None:
        return own, origins, hashlib.sha256(raw).hexdigest()
    if not isinstance(base_ref, str) or not base_ref.strip():
        _fail(path, lines, (BASE,), f"must be the path of the base scenario file, got {base_ref!r}")
    base_path = Path(os.path.normpath(path.parent / base_ref))  # errors show options/../x.yaml as x.yaml
    if base_path.resolve() in chain:
        loop = chain[chain.index(base_path.resolve()):] + (base_path.resolve(),)
        _fail(path, lines, (BASE,), "overlays form a cycle: " + " → ".join(p.name for p in loop))
    if base_path.suffix.lower() == ".xlsx":
        _fail(path, lines, (BASE,), f"a base must be a YAML or JSON file; convert the workbook first: subsidy convert {base_ref} {Path(base_ref).with_suffix('.yaml')}")
    if not base_path.is_file():
        _fail(path, lines, (BASE,), f"base file {base_ref!r} not found (looked for {base_path})")
    base_text, base_raw = read_text(base_path)
    base_data, base_lines = parse_document(base_path, base_text)
    base_merged, base_origins, base_sha = resolve(base_path, base_data, base_lines, base_raw, chain)
    merged, merged_origins = merge(base_merged, base_origins, own, origins)
    sha = hashlib.sha256(bytes.fromhex(base_sha) + hashlib.sha256(raw).digest()).hexdigest()
    return merged, merged_origins, sha


def merge(base: dict, base_origins: Origins, over: dict, over_origins: Origins) -> tuple[dict, Origins]:
    """Merge overlay data onto base data by the module's rule; origins follow each value."""
    return _value(base, base_origins, over, over_origins, ())


def _children(origins: Origins) -> dict[Any, Origins]:
    """Split an origin map by first path part, re-rooting each part at ()."""
    out: dict[Any, Origins] = {}
    for loc, where in origins.items():
        if loc:
            out.setdefault(loc[0], {})[loc[1:]] = where
    return out


def _under(origins: Origins, key: Any) -> Origins:
    return {(key,) + loc: where for loc, where in origins.items()}


def _value(base: Any, bo: Origins, over: Any, oo: Origins, mp: tuple) -> tuple[Any, Origins]:
    """Merge `over` onto `base` at merged path `mp`; origin maps are relative to the node."""
    if isinstance(base, dict) and isinstance(over, dict):
        return _mapping(base, bo, over, oo, mp)
    if isinstance(base, list) and isinstance(over, list) and is_keyed(mp):
        return _keyed(base, bo, over, oo, mp[0])
    return over, oo


def _mapping(base: dict, bo: Origins, over: dict, oo: Origins, mp: tuple) -> tuple[dict, Origins]:
    b_kids, o_kids = _children(bo), _children(oo)
    out: dict = {}
    origins: Origins = {(): oo.get(()) or bo.get(())} if (oo.get(()) or bo.get(())) else {}
    for key in list(base) + [k for k in over if k not in base]:
        if key in over and over[key] is None:
            continue  # `key: null` deletes
        if key not in over:
            value, kid = base[key], b_kids.get(key, {})
        else:
            value, kid = _value(base.get(key), b_kids.get(key, {}), over[key], o_kids.get(key, {}), mp + (key,))
        out[key] = value
        origins.update(_under(kid, key))
    return out, origins


def _keyed(base: list, bo: Origins, over: list, oo: Origins, name: str) -> tuple[list, Origins]:
    b_kids, o_kids = _children(bo), _children(oo)
    for i, entry in enumerate(base):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            _error(b_kids.get(i, {}).get(()) or bo.get(()), f"{name}[{i}]",
                   f"this entry has no id, so an overlay cannot merge {name} by id")
    merged: list[tuple[dict, Origins]] = [(e, b_kids.get(i, {})) for i, e in enumerate(base)]
    for j, entry in enumerate(over):
        eo = o_kids.get(j, {})
        where = f"{name}[{j}]" + (f" ({entry['id']})" if isinstance(entry, dict) and isinstance(entry.get("id"), str) else "")
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            _error(eo.get(()) or oo.get(()), where, f"each entry of {name} in an overlay needs an id (to patch, add or remove that entry)")
        remove = entry.get(REMOVE, False)
        if remove not in (True, False):
            _error(eo.get((REMOVE,)), f"{where}.{REMOVE}", f"must be true or false, got {remove!r}")
        body = {k: v for k, v in entry.items() if k != REMOVE}
        at = index_of([e for e, _ in merged], entry["id"])
        if remove:
            if at is None:
                _error(eo.get(()), where, f"cannot remove {entry['id']!r}: the base has no such entry in {name}")
            if set(body) != {"id"}:
                _error(eo.get(()), where, f"an entry with remove: true has only id and remove, got also {', '.join(sorted(set(body) - {'id'}))}")
            del merged[at]
        elif at is None:
            merged.append((body, eo))
        else:
            old, old_o = merged[at]
            _one_of(name, where, old, old_o, body, eo)
            merged[at] = _mapping(old, old_o, body, eo, (name, entry["id"]))
    origins: Origins = {(): oo.get(()) or bo.get(())} if (oo.get(()) or bo.get(())) else {}
    for k, (_, eo) in enumerate(merged):
        origins.update(_under(eo, k))
    return [e for e, _ in merged], origins


def _one_of(name: str, where: str, old: dict, old_o: Origins, body: dict, eo: Origins) -> None:
    """Refuse, at the overlay's line, a key of `ONE_OF` the overlay gives to an entry whose base
    gives the other (which the overlay leaves in place: it does not write it, not even as null)."""
    if name not in ONE_OF:
        return
    for given, other in (ONE_OF[name], ONE_OF[name][::-1]):
        if body.get(given) is not None and other not in body and old.get(other) is not None:
            file, line = old_o.get((other,)) or old_o.get(()) or ("the base", None)
            there = f"{file}:{line}" if line is not None else file
            _error(eo.get((given,)) or eo.get(()), f"{where}.{given}",
                   f"the base gives {other} ({there}); give {' or '.join(ONE_OF[name])}, not both: "
                   f"write `{other}: null` in this entry to replace the base's {other} by this {given}",
                   f"基础方案已填写 {other}（{there}）；{' 与 '.join(ONE_OF[name])} 只能填写一项："
                   f"如要以此处的 {given} 替换基础方案的 {other}，请在本条中写 `{other}: null`")


def _error(origin: tuple[str, int] | None, where: str, message: str, message_zh: str = ""):
    from subsidy.scenario.documents import ScenarioError

    file, line = origin if origin else ("<overlay>", None)
    raise ScenarioError(file, [Problem(where=where, line=line, message=message, message_zh=message_zh)])


def input_files(path: str | Path) -> list[Path]:
    """The files a scenario is read from: itself and, for an overlay, every base down its chain,
    resolved. For the CLI's guard against writing an output over an input; a file that cannot be
    read or parsed ends the chain there (loading it reports the problem properly)."""
    from subsidy.scenario.documents import ScenarioError, parse_document, read_text

    path = Path(path)
    found = [Path(os.path.realpath(path))]  # realpath, unlike resolve, survives a symlink loop
    while path.suffix.lower() in (".yaml", ".yml", ".json"):
        try:
            data, _ = parse_document(path, read_text(path)[0])
        except (ScenarioError, OSError, ValueError, RuntimeError):
            break
        base_ref = data.get(BASE) if isinstance(data, dict) else None
        if not isinstance(base_ref, str) or not base_ref.strip():
            break
        path = Path(os.path.normpath(path.parent / base_ref))
        if Path(os.path.realpath(path)) in found:
            break
        found.append(Path(os.path.realpath(path)))
    return found
