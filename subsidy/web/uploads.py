"""An uploaded scenario file into plain data, refusing what could hurt the server.

Limits: MAX_UPLOAD bytes per request (app.py refuses larger bodies before reading them); a
workbook (.xlsx is a zip of XML) is opened only when its entries unpack to at most MAX_UNPACKED
bytes in at most MAX_ENTRIES entries, each at most MAX_RATIO times its packed size (a zip
bomb of 10 MB → 10 GB is refused from its directory, without unpacking), and when no XML part
declares a DOCTYPE or ENTITY (the "billion laughs" and external-entity attacks need one).
YAML and JSON go through the library's own reader (duplicate keys, aliases bounded).

A workbook's structural problems (a row for an unknown enterprise, a missing sheet) refuse the
upload, listed by cell; problems of values (a bad amount) are kept with the draft and shown at
their cells on the scenario page, where the clerk fixes them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from subsidy.scenario.documents import ScenarioError, parse_document
from subsidy.scenario.model import Problem

MAX_UPLOAD = 5 * 2**20
MAX_UNPACKED = 64 * 2**20
MAX_ENTRIES = 2000
MAX_RATIO = 200
PROLOG_BYTES = 64 * 2**10


class UploadRefused(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("; ".join(lines))


def check_workbook(raw: bytes) -> None:
    """Refuse a zip bomb or an XML entity declaration before any XML parser sees the workbook."""
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise UploadRefused(["is not an .xlsx workbook (not a zip file); save it from Excel or WPS as .xlsx"]) from None
    infos = z.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UploadRefused([f"has {len(infos)} parts; a workbook has at most {MAX_ENTRIES}"])
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise UploadRefused([f"unpacks to {total:,} bytes; at most {MAX_UNPACKED:,} are accepted"])
    for i in infos:
        if i.file_size > MAX_RATIO * max(i.compress_size, 1) and i.file_size > 2**20:
            raise UploadRefused([f"part {i.filename} unpacks {i.file_size // max(i.compress_size, 1)} times its size (a zip bomb?)"])
    for i in infos:
        if i.filename.endswith((".xml", ".rels", ".vml")):
            with z.open(i) as part:
                head = part.read(PROLOG_BYTES).upper()
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UploadRefused([f"part {i.filename} declares a DOCTYPE or ENTITY; a workbook saved by Excel or WPS has none"])


def read_upload(filename: str, raw: bytes) -> dict:
    """Plain scenario data from an uploaded file; UploadRefused with one line per problem."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        check_workbook(raw)
        from subsidy.scenario.scenario_xlsx_read import read_workbook

        book = read_workbook(PurePath(filename), raw)
        if not book.data or book.problems:
            raise UploadRefused([_line(p) for p in book.problems] or ["the workbook holds no scenario"])
        return book.data
    if suffix not in (".yaml", ".yml", ".json"):
        raise UploadRefused([f"{filename}: upload a .yaml, .yml, .json or .xlsx file"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused([f"is not UTF-8 text (byte {exc.start})"]) from None
    try:
        data, _lines = parse_document(PurePath(filename), text)
    except ScenarioError as exc:
        raise UploadRefused([_line(p) for p in exc.problems]) from None
    if not isinstance(data, dict):
        raise UploadRefused(["does not hold a scenario (a mapping of name, enterprises, funds …)"])
    if "base" in data:
        raise UploadRefused(["is an overlay (base:); upload the merged scenario (subsidy convert) or its base"])
    return data


def _line(p: Problem) -> str:
    where = f"line {p.line}: " if p.line is not None else ""
    return f"{where}{p}"
