"""A deterministic corpus of malformed inputs, generated (never committed): each must be refused.

`scenario_cases(rng)` and `allocation_cases(rng)` yield Case objects; `Case.make(folder)` puts
the input on disk (a file, a directory, a FIFO, a link...) and returns its path. Every case is
wrong by construction: a required field removed, a value of a wrong type or out of range, a
syntax error, bytes that are not UTF-8, a path that is not a regular file.
"""

from __future__ import annotations

import copy
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

BASE: dict = {
    "name": "咸安区 2025 淘汰落后产能",
    "unit": "万元",
    "enterprises": [
        {
            "id": "wenquan",
            "name": "咸安区温泉电石总厂",
            "region": "湖北/咸宁/咸安",
            "industry": "carbide",
            "capacity": {"amount": 1.0, "unit": "万吨"},
            "workers": 386,
            "costs": {"pooled_fund_repayment": 30, "resettlement": 453.6, "retiree_social_insurance": 110, "restructuring": 50, "bank_debt": 350},
            "own_funds": {"asset_sales": 640},
            "own_funds_rule": "statutory",
        },
        {
            "id": "hengda",
            "name": "恒达水泥",
            "region": "湖北/咸宁",
            "industry": "cement",
            "capacity": {"amount": 2.5},
            "costs": {"resettlement": 100.33, "bank_debt": 200},
            "own_funds": {"cash": 10},
            "own_funds_rule": "free",
        },
    ],
    "funds": [
        {
            "id": "central_reward",
            "name": "中央财政淘汰落后产能奖励资金",
            "level": "central",
            "budget": 300,
            "categories": ["resettlement", "retiree_social_insurance", "pooled_fund_repayment", "bank_debt"],
            "scope": {"regions": ["湖北"], "industries": ["carbide", "cement"]},
            "caps": {"per_enterprise": 200, "per_capacity": {"carbide": 150}, "share_of_need": 0.8},
        },
        {"id": "county", "name": "县级配套", "level": "county", "budget": 50.5, "categories": ["bank_debt", "restructuring"]},
    ],
    "policy": {"fairness": True},
}

# (path into BASE, wrong values): each value is refused by the schema at that place.
WRONG_VALUES: list[tuple[tuple, list[Any]]] = [
    (("name",), [None, 5, ["a"], {"a": 1}, True]),
    (("unit",), [None, [1], {"x": 1}]),
    (("enterprises",), ["wenquan", 5, {"id": "x"}, True]),
    (("funds",), ["county", 7, {"id": "x"}]),
    (("policy",), ["yes", 1, [True]]),
    (("policy", "fairness"), ["maybe", [1], {"a": 1}, 2]),
    (("categories",), [["resettlement"], "resettlement", 3]),
    # 温泉 and WENQUAN are ids since issue 11 (any letters); full-width ｗｅｎ and punctuation are not
    (("enterprises", 0, "id"), ["Wen Quan", "", "a" * 65, "wen\u200bquan", "ｗｅｎ", "wen/quan", None, 12, "wen\u202equan", "温泉。"]),
    (("enterprises", 0, "name"), [None, 3, ["x"]]),
    (("enterprises", 0, "costs"), [["bank_debt", 5], "350", 5]),
    (("enterprises", 0, "costs", "bank_debt"), ["abc", -5, "1.234", 1.005, None, [1], {"a": 1}, True, "1e400", float("inf"), float("nan"),
                                                   10**13, 1e13, "9999999999999.99", int("1" + "0" * 400), "−5", "5元", "", "0x10", "1/2"]),
    (("enterprises", 0, "costs", "bank_debt\u200b"), [5]),
    (("enterprises", 0, "costs", "bаnk_debt"), [5]),  # Cyrillic а
    (("enterprises", 0, "costs", "Bank_Debt"), [5]),
    (("enterprises", 0, "own_funds"), [640, ["asset_sales"], "640"]),
    (("enterprises", 0, "own_funds", "asset_sales"), [-1, "lots", 1.001, float("nan"), 10**15]),
    (("enterprises", 0, "own_funds_rule"), ["Statutory", "other", "", None, 1, "free "]),
    (("enterprises", 0, "workers"), [-1, "many", 1.5, [386]]),
    (("enterprises", 0, "capacity"), [1.0, "1 万吨", [1]]),
    (("enterprises", 0, "capacity", "amount"), [-1, "one", None, float("inf"), 1e20]),
    (("enterprises", 0, "region"), [None, ["湖北"], 5]),
    (("enterprises", 0, "cost_sources"), [{"dismantling": "seed"}, ["seed"]]),
    (("enterprises", 0, "net_fixed_assets"), [-3, "n/a", 0.001]),
    (("enterprises", 0, "typo_field"), [1, "x", None]),
    (("enterprises", 1, "id"), ["wenquan"]),  # duplicate id
    (("funds", 0, "id"), ["county", "Central Reward", "", None]),
    (("funds", 0, "budget"), ["abc", -300, "300.001", None, [300], True, "1e400", float("inf"), 10**13, "", "¥"]),
    (("funds", 0, "level"), ["national", "Central", 1, None]),
    (("funds", 0, "categories"), ["bank_debt", ["bank_debt", "bank_debt"], ["unknown_cat"], ["银行债务"], [1], None, {"bank_debt": 1}]),
    (("funds", 0, "scope"), ["湖北", ["湖北"], 5]),
    (("funds", 0, "scope", "regions"), ["湖北", 5, {"a": 1}]),
    (("funds", 0, "scope", "enterprises"), [["nobody"], ["WENQUAN"], "wenquan"]),
    (("funds", 0, "scope", "countries"), [["中国"]]),
    (("funds", 0, "caps"), [200, "none", [200]]),
    (("funds", 0, "caps", "per_enterprise"), [-200, "two hundred", 200.001, float("nan")]),
    (("funds", 0, "caps", "per_capacity"), [150, ["carbide"], {"carbide": -150}, {"carbide": "lots"}, {"carbide": 1e13}]),
    (("funds", 0, "caps", "share_of_need"), [1.5, -0.1, "half", float("nan"), float("inf"), [0.8]]),
    (("funds", 0, "caps", "per_worker"), [-1, "lots", 1e13, [0.8]]),
    (("funds", 1, "budget"), [-0.01, "five"]),
    (("categories", "bank_debt"), [3, "heavy", [1]]),
    (("categories", "bank_debt", "weight"), [-1, "heavy", float("inf"), float("nan"), None]),
    (("categories", "bank_debt", "class"), [4, -1, "first", 1.5]),
    (("categories", "new_line", "colour"), ["red"]),
    (("assumptions",), ["none", [{"text": "no id"}], [5]]),
]

REQUIRED: list[tuple] = [
    ("name",), ("enterprises", 0, "id"), ("enterprises", 0, "name"), ("enterprises", 1, "id"),
    ("funds", 0, "id"), ("funds", 0, "name"), ("funds", 0, "budget"), ("funds", 0, "categories"),
    ("funds", 1, "budget"), ("enterprises", 1, "capacity", "amount"),
]

BAD_LINES = ["bad: a: b", "- stray item", "\tindented: with a tab", "key: [unclosed", "key: {unclosed", "]", "? ? ?", "@reserved: x",
             "`backtick: x", "key: 'unclosed", "%DIRECTIVE", "!!python/object:os.system x: 1", "{: }", ": no key"]
BAD_YAML_DOCS = ["---\n- a\n- b\n", "just a string\n", "42\n", "~\n", "null\n", "[]\n", "---\n...\n", "!!binary aGVsbG8=\n",
                 "name: x\nname: y\n", "name: !!python/object/apply:os.system [ls]\n", "a: &a [*a]\n", "name: x\n---\nname: y\n",
                 "{}\n", "name: x\nenterprises: []\n", "funds: []\n"]
BAD_JSON_DOCS = ["", " ", "null", "[]", "\"name\"", "5", "{\"name\": NaN}", "{\"name\": \"x\", \"name\": \"y\"", "{'name': 'x'}",
                 "{\"name\": \"x\",}", "{\"name\": \"x\"} trailing", "{\"name\": Infinity}", "{\"name\": \"x\", \"enterprises\": []}",
                 "{\"name\": \"\\ud800\", \"enterprises\": 1}", "{}"]


@dataclass
class Case:
    kind: str
    name: str  # file name, suffix included
    make_content: Callable[[Path], None] | None = None
    data: bytes | None = None

    def make(self, folder: Path) -> Path:
        path = folder / self.name
        if self.make_content is not None:
            self.make_content(path)
        else:
            path.write_bytes(self.data or b"")
        return path


def _set(data: dict, path: tuple, value: Any) -> dict:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    node[path[-1]] = value
    return out


def _delete(data: dict, path: tuple) -> dict:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return out


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def _encode(text: str, rng: random.Random) -> bytes:
    """As a clerk's editor might save it: with or without a BOM, LF or CRLF."""
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    raw = text.encode("utf-8", "surrogatepass")
    return b"\xef\xbb\xbf" + raw if rng.random() < 0.3 else raw


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dangling(path: Path) -> None:
    path.symlink_to(path.with_name(path.name + ".missing"))


def _loop(path: Path) -> None:
    other = path.with_name(path.name + ".loop")
    path.symlink_to(other)
    other.symlink_to(path)


def _directory(path: Path) -> None:
    path.mkdir()


def _link_to_directory(path: Path) -> None:
    target = path.with_name(path.name + ".d")
    target.mkdir()
    path.symlink_to(target)


SPECIALS = [("directory", _directory), ("fifo", _fifo), ("dangling link", _dangling), ("link loop", _loop)]


class Corpus:
    """Numbered cases: contents (text is saved as an editor might, see _encode) or makers."""

    def __init__(self, prefix: str, suffix: str, rng: random.Random):
        self.prefix, self.suffix, self.rng = prefix, suffix, rng
        self.cases: list[Case] = []

    def _name(self, suffix: str | None) -> str:
        return f"{self.prefix}{len(self.cases) + 1:04d}{self.suffix if suffix is None else suffix}"

    def add(self, kind: str, content: str | bytes, suffix: str | None = None) -> None:
        raw = content if isinstance(content, bytes) else _encode(content, self.rng)
        self.cases.append(Case(kind, self._name(suffix), data=raw))

    def special(self, kind: str, maker: Callable[[Path], None], suffix: str | None = None) -> None:
        self.cases.append(Case(kind, self._name(suffix), make_content=maker))


def scenario_cases(rng: random.Random) -> list[Case]:
    corpus = Corpus("s", ".yaml", rng)
    add = corpus.add

    for path, values in WRONG_VALUES:  # wrong types and values, in YAML and JSON
        for value in values:
            bad = _set(BASE, path, value)
            if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
                add("wrong value", _yaml(bad))  # JSON has no NaN/Infinity
                continue
            add("wrong value", _yaml(bad))
            add("wrong value", _json(bad), ".json")
    for path in REQUIRED:
        for fmt in (".yaml", ".json"):
            bad = _delete(BASE, path)
            add("missing field", _yaml(bad) if fmt == ".yaml" else _json(bad), fmt)
    base_lines = _yaml(BASE).splitlines()
    for i in range(300):  # a bad line dropped in somewhere
        lines = list(base_lines)
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(BAD_LINES))
        add("broken YAML", "\n".join(lines) + "\n")
    base_json = _json(BASE)
    structural = [i for i, ch in enumerate(base_json) if ch in '{}[]:,"']
    for i in range(150):  # one structural character removed, or the text cut short
        if i % 3:
            cut = rng.choice(structural)
            add("broken JSON", base_json[:cut] + base_json[cut + 1:], ".json")
        else:
            add("broken JSON", base_json[: rng.randrange(1, len(base_json) - 1)], ".json")
    add("duplicate key", base_json.replace('"budget": 300,', '"budget": 300, "budget": 3000,', 1), ".json")
    add("duplicate key", _yaml(BASE).replace("budget: 300\n", "budget: 300\n  budget: 3000\n", 1))
    for doc in BAD_YAML_DOCS:
        add("not a scenario", doc)
    for doc in BAD_JSON_DOCS:
        add("not a scenario", doc, ".json")
    for raw in [b"", b"\xef\xbb\xbf", b"   \n\n", b"\xef\xbb\xbf\n", b"\x00", b"\x00\x00\x00\x00"]:
        add("empty", raw)
        add("empty", raw, ".json")
    text = _yaml(BASE)
    for encoding in ("utf-16", "utf-32", "gb18030", "big5", "utf-16-le"):
        add("wrong encoding", text.encode(encoding, "replace"))
    for i in range(40):  # bytes that are not UTF-8 dropped in
        raw = bytearray(text.encode("utf-8"))
        pos = rng.randrange(len(raw))
        raw[pos:pos] = bytes([rng.choice([0x80, 0xC0, 0xFF, 0xFE, 0xED])])
        add("wrong encoding", bytes(raw))
    for i in range(40):  # control characters YAML refuses
        lines = list(base_lines)
        j = rng.randrange(len(lines))
        ch = rng.choice(["\x00", "\x01", "\x07", "\x1b", "\x7f", "\ufffe"])
        lines[j] = lines[j] + " " + ch if ":" in lines[j] else lines[j] + ch
        add("unicode oddity", ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    for ch in ["\ud800", "\udfff"]:  # lone surrogates through escapes
        add("unicode oddity", f'name: "{ch.encode("unicode_escape").decode()}"\nenterprises: 1\n')
        add("unicode oddity", f'{{"name": "{ch.encode("unicode_escape").decode()}", "funds": "x"}}', ".json")
    add("unicode oddity", "name: x\n\u2028enterprises: 5\n")
    for depth in (200, 5000, 100_000):
        add("deep nesting", "name: x\nnotes: " + "[" * depth + "]" * depth + "\n")
        add("deep nesting", '{"name": "x", "notes": ' + "[" * depth + "]" * depth + "}", ".json")
    bomb = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))
    add("alias bomb", bomb + "name: *a8\n")
    add("alias bomb", bomb + "name: x\nenterprises: *a8\n")
    add("huge file", "name: x\nenterprises: 1\n" + "# padding\n" * 50_000)
    add("huge number", "name: x\nfunds: [{id: f, name: f, categories: [], budget: " + "9" * 5000 + "}]\n")
    add("huge number", '{"name": "x", "funds": [{"id": "f", "name": "f", "categories": [], "budget": 1' + "0" * 400 + "}]}", ".json")
    add("huge number", '{"name": "x", "funds": [{"id": "f", "name": "f", "categories": [], "budget": 1e400}]}', ".json")
    for suffix in (".txt", ".yml.bak", "", ".xlsx", ".YAML.tmp"):  # valid content, wrong kind of file
        add("wrong suffix", text, suffix)
    add("diagnosis", _yaml({"name": "no enterprises", "funds": BASE["funds"]}))
    add("diagnosis", _json({"name": "nothing at all"}), ".json")
    for kind, maker in SPECIALS + [("link to directory", _link_to_directory)]:
        for suffix in (".yaml", ".json"):
            corpus.special(kind, maker, suffix)
    corpus.special("no such file", lambda p: None)
    return corpus.cases


ALLOCATION_HEADER = "fund,enterprise,category,amount\r\n"
GOOD_ROWS = ["central_reward,wenquan,bank_debt,127.67", "county,hengda,bank_debt,5.57"]
BAD_AMOUNTS = ["abc", "-1", "1.234", "1,23", "(5.00)", "1e400", "nan", "inf", "", "1..2", "12,34,567", "5元", "--5", "0x10", "1/2", "1,000,00"]


def allocation_cases(rng: random.Random) -> list[Case]:
    corpus = Corpus("a", ".csv", rng)
    add = corpus.add

    for amount in BAD_AMOUNTS:
        add("bad amount", ALLOCATION_HEADER + f'central_reward,wenquan,bank_debt,"{amount}"\r\n')
        add("bad amount", "资金,企业,费用类别,金额\r\n" + f'county,hengda,bank_debt,"{amount}"\r\n')
    for i in range(60):  # one cell emptied, or a row given too many cells
        rows = list(GOOD_ROWS)
        j = rng.randrange(len(rows))
        cells = rows[j].split(",")
        if i % 2:
            cells[rng.randrange(3)] = ""
        else:
            cells.append("extra")
        rows[j] = ",".join(cells)
        add("bad row", ALLOCATION_HEADER + "\r\n".join(rows) + "\r\n")
    for header in ["fund,enterprise,category", "fund,enterprise,amount", "funds,enterprises,categories,amounts", "a,b,c,d",
                   "fund,fund,category,amount", "资金,企业,类别,金额", "amount"]:
        add("bad header", header + "\r\n" + "\r\n".join(GOOD_ROWS) + "\r\n")
    for raw in [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"\xff\xfe\x00\x01\xff", bytes(range(128, 256))]:
        add("empty or binary", raw)
    for kind, maker in SPECIALS:
        corpus.special(kind, maker)
    return corpus.cases
