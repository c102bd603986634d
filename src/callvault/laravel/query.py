"""PHP's query-string parser, Laravel's input-cleaning middleware and ``http_build_query``.

Values are ``str`` (bytes that are not UTF-8 are kept with ``surrogateescape`` so they can
be re-encoded exactly), ``None`` (an empty value after cleaning) or a PHP array, modelled
as a ``dict`` keyed by ``int`` or ``str`` in insertion order.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Union
from urllib.parse import quote

QueryValue = Union[str, None, "PhpArray"]
PhpArray = dict[int | str, QueryValue]

MAX_INPUT_VARS = 1000
MAX_INPUT_NESTING_LEVEL = 64

_HEX = re.compile(rb"%([0-9A-Fa-f]{2})")
_PHP_INT_KEY = re.compile(r"-?(0|[1-9][0-9]*)\Z")
_PHP_INT_MAX = 2**63 - 1


def _url_decode(raw: bytes) -> bytes:
    """PHP ``urldecode``: ``+`` is a space, ``%XX`` a byte, a stray ``%`` stays as it is."""
    return _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw.replace(b"+", b" "))


def _to_str(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _symtable_key(key: str) -> int | str:
    """PHP arrays turn canonical decimal integer strings into integer keys."""
    if _PHP_INT_KEY.match(key) and len(key.lstrip("-")) <= len(str(_PHP_INT_MAX)):
        number = int(key)
        if -_PHP_INT_MAX - 1 <= number <= _PHP_INT_MAX:
            return number
    return key


def _next_index(table: PhpArray) -> int:
    ints = [k for k in table if isinstance(k, int)]
    return max(ints) + 1 if ints and max(ints) >= 0 else 0


def _register(table: PhpArray, name: bytes, value: str) -> None:
    """``php_register_variable_ex``: mangle the name and store the value, arrays included."""
    name = name.split(b"\0", 1)[0].lstrip(b" ")
    bracket = -1
    chars = bytearray(name)
    for i, byte in enumerate(chars):
        if byte in b" .":
            chars[i] = ord("_")
        elif byte == ord("["):
            bracket = i
            break
    if bracket == 0 or not chars:
        return
    if bracket < 0:
        table[_symtable_key(_to_str(bytes(chars)))] = value
        return

    base = bytes(chars[:bracket])
    rest = bytes(chars[bracket:])  # starts with "["
    indexes: list[bytes | None] = []
    position = 0
    while True:
        if len(indexes) + 1 > MAX_INPUT_NESTING_LEVEL:
            return
        start = position + 1
        cursor = start
        if cursor < len(rest) and rest[cursor : cursor + 1].isspace():
            cursor += 1
        if cursor < len(rest) and rest[cursor : cursor + 1] == b"]":
            indexes.append(None)
            close = cursor
        else:
            close = rest.find(b"]", cursor)
            if close < 0:
                if not indexes:
                    # An unterminated bracket is no index: the name runs on, mangled.
                    tail = bytearray(rest[start:])
                    for i, byte in enumerate(tail):
                        if byte in b" .[":
                            tail[i] = ord("_")
                    table[_symtable_key(_to_str(base + b"_" + bytes(tail)))] = value
                    return
                break
            indexes.append(rest[start:close])
        position = close + 1
        if position >= len(rest) or rest[position : position + 1] != b"[":
            break

    current = table
    key: int | str = _symtable_key(_to_str(base))
    for index in indexes:
        child = current.get(key)
        if not isinstance(child, dict):
            child = {}
            current[key] = child
        current = child
        key = _next_index(current) if index is None else _symtable_key(_to_str(index))
    current[key] = value


def parse_query(raw: bytes) -> PhpArray:
    """Parse a raw query string the way PHP fills ``$_GET``.

    A repeated name keeps its first position and takes its last value; ``a[]=x`` builds
    arrays; dots and spaces in names become underscores.
    """
    table: PhpArray = {}
    count = 0
    for pair in raw.split(b"&"):
        if not pair:
            continue
        count += 1
        if count > MAX_INPUT_VARS:
            break
        name, has_value, value = pair.partition(b"=")
        decoded_value = _to_str(_url_decode(value)) if has_value else ""
        _register(table, _url_decode(name), decoded_value)
    return table


_EXTRA_TRIM = {"\ufeff", "\u200b"}
# PCRE2's ``\s`` under PHP's ``/u`` (UCP): ``\p{Z}``, ``\h`` and ``\v``.
_PCRE_SPACE = {"\t", "\n", "\x0b", "\x0c", "\r", "\x85", "\u180e"}
_PHP_TRIM = " \t\n\r\0\x0b"


def _is_trimmable(char: str) -> bool:
    return char in _PCRE_SPACE or char in _EXTRA_TRIM or unicodedata.category(char).startswith("Z")


def trim_string(value: str) -> str:
    """Laravel ``TrimStrings``: Unicode whitespace, BOM and zero-width space at both ends.

    A value that is not valid UTF-8 makes the Unicode pattern fail, so Laravel falls back
    to PHP's ASCII ``trim``.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.strip(_PHP_TRIM)
    start, end = 0, len(value)
    while start < end and _is_trimmable(value[start]):
        start += 1
    while end > start and _is_trimmable(value[end - 1]):
        end -= 1
    return value[start:end]


# The keys a default Laravel 10 application's ``TrimStrings`` middleware leaves untrimmed.
TRIM_EXCEPT = frozenset({"current_password", "password", "password_confirmation"})


def clean(value: QueryValue, *, trim: bool = True) -> QueryValue:
    """Laravel's ``TrimStrings`` then ``ConvertEmptyStringsToNull``, recursively."""
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if value is None:
        return None
    if trim:
        value = trim_string(value)
    return value or None


def clean_query(table: PhpArray) -> PhpArray:
    """Clean every value; a top-level ``password``-like string is only emptied, never trimmed."""
    return {key: clean(value, trim=key not in TRIM_EXCEPT) for key, value in table.items()}


def _raw_url_encode(text: int | str) -> str:
    """PHP ``rawurlencode``: everything but ``A-Za-z0-9-_.~`` is percent-encoded."""
    data = str(text).encode("utf-8", "surrogateescape")
    return quote(data, safe="-_.~")


def _build_pairs(prefix: str, value: QueryValue, out: list[str]) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _build_pairs(f"{prefix}%5B{_raw_url_encode(key)}%5D", item, out)
        return
    out.append(f"{prefix}={_raw_url_encode(value)}")


def build_query(table: PhpArray) -> str:
    """PHP ``http_build_query($table, '', '&', PHP_QUERY_RFC3986)``; null values vanish."""
    out: list[str] = []
    for key, value in table.items():
        _build_pairs(_raw_url_encode(key), value, out)
    return "&".join(out)
