"""JSONL and CSV of call items: streaming readers (with line numbers) and writers.

Both carry the list item's keys plus ``assistant_id`` and ``campaign_id``. In CSV the
JSON-valued columns hold JSON text and an empty cell is null (so an empty string and null
cannot be told apart there; JSONL keeps the difference).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from callvault.calls.fields import ITEM_KEYS
from callvault.ingest.json_text import loads_strict

FILE_KEYS: tuple[str, ...] = (*ITEM_KEYS, "assistant_id", "campaign_id")
FORMATS = ("jsonl", "csv")
_JSON_COLUMNS = {"variables", "evaluation", "webhook_response"}
_INT_COLUMNS = {"id", "duration", "assistant_id", "campaign_id"}
_FLOAT_COLUMNS = {"carrier_cost", "total_cost"}
_MAX_DIGITS = 100  # past every integer column; int() refuses more than 4300


@dataclass(frozen=True, slots=True)
class Line:
    """One record of a file: its (first) line number and the object, or why it is unreadable."""

    number: int
    data: Any
    error: str | None = None


def read_jsonl(stream: IO[bytes]) -> Iterator[Line]:
    for number, raw in enumerate(stream, 1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark some editors write
        if not raw.strip():
            continue
        try:
            yield Line(number, loads_strict(raw))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            yield Line(number, None, f"invalid JSON: {error}")


def _cell(column: str, text: str) -> Any:
    if text == "":
        return None
    if column in _JSON_COLUMNS:
        return loads_strict(text)
    if column in _INT_COLUMNS:
        digits = text.removeprefix("-")
        if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS:
            return int(text)
        return text  # for the record's rules to refuse ("²".isdigit() holds, int() fails)
    if column in _FLOAT_COLUMNS:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def read_csv(stream: IO[bytes]) -> Iterator[Line]:
    lines = (raw.decode("utf-8") for raw in stream)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (csv.Error, UnicodeDecodeError) as error:
        yield Line(1, None, f"unreadable header: {error}")
        return
    header = [name.strip().lstrip("\ufeff") for name in header]
    if "id" not in header:
        yield Line(1, None, "the header has no id column")
        return
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as error:
            yield Line(start, None, f"unreadable CSV: {error}")
            return
        number, start = start, reader.line_num + 1
        if not cells:
            continue
        if len(cells) != len(header):
            yield Line(number, None, f"expected {len(header)} cells, found {len(cells)}")
            continue
        try:
            data = {c: _cell(c, v) for c, v in zip(header, cells, strict=True) if c in FILE_KEYS}
        except (json.JSONDecodeError, RecursionError) as error:
            yield Line(number, None, f"invalid JSON in a cell: {error}")
            continue
        yield Line(number, data)


def read_lines(stream: IO[bytes], file_format: str) -> Iterator[Line]:
    return read_csv(stream) if file_format == "csv" else read_jsonl(stream)


def write_jsonl(items: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        count += 1
    return count


def _text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in _JSON_COLUMNS:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(items: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FILE_KEYS)
    count = 0
    for item in items:
        writer.writerow([_text(column, item.get(column)) for column in FILE_KEYS])
        count += 1
    return count
