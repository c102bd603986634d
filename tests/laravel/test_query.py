"""PHP's query parser, Laravel's input cleaning and ``http_build_query`` (RFC 3986)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callvault.laravel.query import (
    PhpArray,
    build_query,
    clean,
    clean_query,
    parse_query,
    trim_string,
)


def test_plain_pairs_keep_request_order() -> None:
    assert parse_query(b"status=completed&type=web&page=2") == {
        "status": "completed",
        "type": "web",
        "page": "2",
    }


def test_repeated_key_keeps_first_position_and_last_value() -> None:
    assert list(parse_query(b"a=1&b=2&a=3").items()) == [("a", "3"), ("b", "2")]


def test_plus_is_space_and_percent_escapes_decode() -> None:
    assert parse_query(b"q=a+b%2Bc%20d") == {"q": "a b+c d"}


def test_stray_percent_is_kept_literally() -> None:
    assert parse_query(b"q=100%&r=%zz") == {"q": "100%", "r": "%zz"}


def test_name_without_value_is_an_empty_string() -> None:
    assert parse_query(b"flag&x=") == {"flag": "", "x": ""}


def test_empty_pairs_and_empty_names_are_skipped() -> None:
    assert parse_query(b"&&=x&a=1&") == {"a": "1"}


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (b"per.page=5", "per_page"),
        (b"per+page=5", "per_page"),
        (b"per%20page=5", "per_page"),
        (b"per[page=5", "per_page"),
        (b"+per_page=5", "per_page"),
        (b"per_page%00junk=5", "per_page"),
    ],
)
def test_key_mangling(raw: bytes, key: str) -> None:
    assert parse_query(raw) == {key: "5"}


def test_only_the_first_unterminated_bracket_becomes_an_underscore() -> None:
    assert parse_query(b"a[b.c=1") == {"a_b_c": "1"}


def test_arrays_append_and_nest() -> None:
    assert parse_query(b"a[]=1&a[]=2&b[x][]=3&b[x][y]=4") == {
        "a": {0: "1", 1: "2"},
        "b": {"x": {0: "3", "y": "4"}},
    }


def test_numeric_keys_become_integers() -> None:
    assert parse_query(b"5=a&a[7]=b&a[]=c&a[-1]=d&a[01]=e") == {
        5: "a",
        "a": {7: "b", 8: "c", -1: "d", "01": "e"},
    }


def test_integer_keys_beyond_php_int_stay_strings() -> None:
    long = "1" * 4301  # past Python's int-string limit too
    assert parse_query(f"9223372036854775808=a&{long}=b&a[{long}]=c".encode()) == {
        "9223372036854775808": "a",
        long: "b",
        "a": {long: "c"},
    }
    assert parse_query(b"-9223372036854775808=a&9223372036854775807=b") == {
        -(2**63): "a",
        2**63 - 1: "b",
    }


def test_scalar_then_array_replaces_in_place() -> None:
    assert list(parse_query(b"a=1&b=2&a[]=3").items()) == [("a", {0: "3"}), ("b", "2")]
    assert parse_query(b"a[]=1&a=2") == {"a": "2"}


def test_name_starting_with_bracket_is_dropped() -> None:
    assert parse_query(b"[a]=1&b=2") == {"b": "2"}


def test_non_utf8_bytes_survive_and_re_encode() -> None:
    parsed = parse_query(b"q=%FF%FE")
    assert build_query(parsed) == "q=%FF%FE"


@pytest.mark.parametrize(
    "padded",
    [
        " x ",
        "\tx\n",
        "\u00a0x\u3000",
        "\ufeffx\ufeff",
        "\u200bx\u200b",
        "\u2028x\u2029",
        "\x85x\x0c",
        "\u180ex\u2003",
    ],
)
def test_trim_strings_removes_unicode_space_bom_and_zero_width(padded: str) -> None:
    assert trim_string(padded) == "x"


def test_trim_keeps_inner_spaces_and_other_invisible_characters() -> None:
    assert trim_string(" a  b ") == "a  b"
    assert trim_string("\u200ex\u200d") == "\u200ex\u200d"  # LRM, ZWJ: not Laravel 10's set


def test_invalid_utf8_falls_back_to_ascii_trim() -> None:
    value = b"\x00 \xff \xa0".decode("utf-8", "surrogateescape")
    assert trim_string(value) == b"\xff \xa0".decode("utf-8", "surrogateescape")


def test_clean_turns_empties_into_null_recursively() -> None:
    assert clean({0: " ", 1: " a ", "k": {"z": "\u200b"}}) == {0: None, 1: "a", "k": {"z": None}}


def test_clean_query_does_not_trim_password_fields() -> None:
    cleaned = clean_query(parse_query(b"password=+x+&password_confirmation=&name=+y+"))
    assert cleaned == {"password": " x ", "password_confirmation": None, "name": "y"}


def test_build_query_is_rfc3986() -> None:
    table: PhpArray = {"q": "a b+c~d/é", "x": "*'()!"}
    assert build_query(table) == "q=a%20b%2Bc~d%2F%C3%A9&x=%2A%27%28%29%21"


def test_build_query_nests_arrays_and_drops_nulls() -> None:
    table: PhpArray = {"a": {0: "1", 1: None, "k": {0: "2"}}, "n": None, 3: "z", "e": {}}
    assert build_query(table) == "a%5B0%5D=1&a%5Bk%5D%5B0%5D=2&3=z"


def test_build_query_encodes_keys() -> None:
    assert build_query({"a b": "1", "ü": "2"}) == "a%20b=1&%C3%BC=2"


_keys = st.text(alphabet="abcxyz_", min_size=1, max_size=6)
_values = st.text(min_size=1, max_size=8).filter(lambda s: "\x00" not in s)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=5))
def test_build_then_parse_round_trips(table: dict[str, str]) -> None:
    assert parse_query(build_query(table).encode()) == table  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=12))
def test_trim_is_idempotent_and_never_grows(text: str) -> None:
    once = trim_string(text)
    assert trim_string(once) == once
    assert once in text
