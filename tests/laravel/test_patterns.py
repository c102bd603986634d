"""The JSON Schema patterns say exactly what PHP and Laravel accept: checked with the
validator schemathesis uses (``jsonschema-rs``, ECMAScript regexes)."""

from __future__ import annotations

import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callvault.laravel.dates import matches_ymd
from callvault.laravel.patterns import TRIMMED, YMD_DATE, cleaned, decimal_range, php_integer
from callvault.laravel.php import PHP_INT_MAX, PHP_INT_MIN, filter_validate_int
from callvault.laravel.query import trim_string


def matcher(pattern: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for({"type": "string", "pattern": f"^(?:{pattern})$"})


def test_trimmed_is_every_character_trim_strings_removes() -> None:
    trimmed = matcher(TRIMMED)
    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000]
    matched = {character for character in characters if trimmed.is_valid(character)}
    removed = {character for character in characters if not trim_string(character)}
    assert matched == removed


RANGES = [(0, 0), (1, 100), (0, 2_592_000), (1, PHP_INT_MAX), (PHP_INT_MIN, PHP_INT_MAX), (7, 1234)]


@pytest.mark.parametrize(("low", "high"), RANGES)
def test_php_integer_is_filter_validate_int_within_bounds(low: int, high: int) -> None:
    pattern = matcher(php_integer(low, high))
    edges = [low - 1, low, low + 1, high - 1, high, high + 1, 0, -1, 10, 99, 100, 2**64]
    texts = [str(n) for n in edges] + ["+0", "-0", "+5", "05", "-05", "00", "5.0", "1e3"]
    for text in texts:
        number = filter_validate_int(text)
        assert pattern.is_valid(text) == (number is not None and low <= number <= high), text


@given(st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from(RANGES))
def test_php_integer_on_any_number(number: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    assert matcher(php_integer(low, high)).is_valid(str(number)) == (low <= number <= high)


def test_decimal_range_has_no_leading_zeros() -> None:
    pattern = matcher(decimal_range(0, 1000))
    assert [text for text in ("0", "7", "10", "999", "1000") if not pattern.is_valid(text)] == []
    assert [text for text in ("00", "07", "1001", "-1", "") if pattern.is_valid(text)] == []


def test_ymd_date_is_date_format_y_m_d() -> None:
    pattern = matcher(YMD_DATE)
    years = [*range(0, 410), 1900, 2000, 2024, 2025, 2100, 9999]
    for year in years:
        for month in range(14):
            for day in range(33):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                assert pattern.is_valid(text) == matches_ymd(text), text
    for text in ("2025-8-04", "25-08-04", "2025-08-4", "2025/08/04", "12025-08-04"):
        assert not pattern.is_valid(text), text


def test_cleaned_takes_blank_and_padded_values() -> None:
    schema = jsonschema_rs.validator_for({"type": "string", "pattern": cleaned("a|b")})
    accepted = ["", " ", "a", " a\t", "\u3000b\ufeff", "\u200b"]
    refused = ["c", "a b", "ab", "a\x00", "\x00"]
    assert [value for value in accepted if not schema.is_valid(value)] == []
    assert [value for value in refused if schema.is_valid(value)] == []
