"""``php_json``: bytes exactly as PHP's ``json_encode`` writes Laravel's arrays."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callvault.api.responses import encode_php_values, php_float, php_json, php_values


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "-0"),
        (1.0, "1"),
        (245.0, "245"),
        (0.02, "0.02"),
        (0.025, "0.025"),
        (8.5, "8.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (0.0001, "0.0001"),
        (0.00001, "1.0e-5"),
        (1.5e-7, "1.5e-7"),
        (1e16, "10000000000000000"),
        (1e17, "1.0e+17"),
        (1.2345e20, "1.2345e+20"),
        (-2.5, "-2.5"),
    ],
)
def test_floats_print_like_php(number: float, text: str) -> None:
    assert php_float(number) == text


def test_non_finite_floats_cannot_be_encoded() -> None:
    with pytest.raises(ValueError, match="INF"):
        php_float(float("inf"))


def test_slashes_and_non_ascii_are_escaped() -> None:
    body = php_json({"url": "http://x/a", "t": "Здравей 😀 \u2028", "c": "\x01\t"})
    assert body == (
        b'{"url":"http:\\/\\/x\\/a",'
        b'"t":"\\u0417\\u0434\\u0440\\u0430\\u0432\\u0435\\u0439 \\ud83d\\ude00 \\u2028",'
        b'"c":"\\u0001\\t"}'
    )


def test_delete_characters_are_written_as_they_are_like_php() -> None:
    """PHP escapes only controls below 0x20 (and ``"``, ``\\``, ``/``, non-ASCII): DEL stays
    a raw byte, on ASCII pages and on pages that take the non-ASCII encoder alike."""
    assert php_json({"t": "a\x7fb"}) == b'{"t":"a\x7fb"}'
    assert php_json({"t": "\u00e9\x7f \\\x7f \\u007f"}) == (
        b'{"t":"\\u00e9\x7f \\\\\x7f \\\\u007f"}'
    )


def test_values_orjson_refuses_take_the_escaping_encoder() -> None:
    assert php_json({"big": 2**70, "t": "a/b"}) == b'{"big":1180591620717411303424,"t":"a\\/b"}'


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_floats_in_a_document_are_refused(number: float) -> None:
    with pytest.raises(ValueError, match="INF or NAN"):
        php_json({"cost": [number]})


def test_php_arrays_print_as_lists_when_empty_or_sequential() -> None:
    assert php_json({}) == b"[]"
    assert php_json({"v": {}, "w": {"0": "a", "1": "b"}, "x": {"1": "a"}, "y": []}) == (
        b'{"v":[],"w":["a","b"],"x":{"1":"a"},"y":[]}'
    )


def test_list_detection_looks_past_a_leading_zero_key() -> None:
    assert php_json({"0": "a", "2": "b"}) == b'{"0":"a","2":"b"}'
    assert php_json({0: "a", 1: {1: 0.5, 0: [1e-5]}}) == b'["a",{"1":0.5,"0":[1.0e-5]}]'
    assert php_json({False: 1}) == b'{"False":1}'


def test_scalars_and_key_order() -> None:
    assert php_json({"b": True, "a": None, "n": 3, "f": 2.0}) == b'{"b":true,"a":null,"n":3,"f":2}'


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet="abc", min_size=1, max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(_json)
def test_any_json_parser_reads_it_back(value: object) -> None:
    decoded = json.loads(php_json(value))
    assert json.dumps(decoded, sort_keys=True) == json.dumps(_as_php(value), sort_keys=True)


def _as_php(value: object) -> object:
    if isinstance(value, dict):
        return {k: _as_php(v) for k, v in value.items()} if value else []
    if isinstance(value, list):
        return [_as_php(v) for v in value]
    return value


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_inside_a_document_is_spelled_by_php_float(number: float) -> None:
    """The fast encoder agrees with the reference spelling for every finite float."""
    assert php_json({"n": [number]}) == f'{{"n":[{php_float(number)}]}}'.encode()


def test_a_string_that_looks_like_the_float_marker_is_left_alone() -> None:
    assert php_json(["php-float-0:1.0e-5"]) == b'["php-float-0:1.0e-5"]'


_ascii_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(max_codepoint=127), max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), children, max_size=4)
    ),
    max_leaves=16,
)


def _standard_library_spelling(values: object) -> bytes:
    """PHP's bytes by the slow road: the standard library's ASCII-only encoder, the float
    marks spliced back, DEL left raw, ``/`` escaped."""
    text = json.dumps(values, ensure_ascii=True, separators=(",", ":"))
    text = re.sub(r'"php-float-[0-9a-f]+:([^"]*)"', r"\1", text)
    text = re.sub(r"(?<!\\)((?:\\\\)*)\\u007f", lambda m: m.group(1) + "\x7f", text)
    return text.encode("ascii").replace(b"/", b"\\/")


@settings(max_examples=300, deadline=None)
@given(_ascii_json)
def test_ascii_pages_encode_the_same_through_either_encoder(value: object) -> None:
    """orjson (taken for ASCII content) writes what the standard library's encoder writes:
    the same escapes for controls, quotes and backslashes, and the same float spellings."""
    values = php_values(value)
    assert encode_php_values(values) == _standard_library_spelling(values)


_any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)
_any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _any_text
    | st.sampled_from(["\x7f", "\\x7f", "é", "\\xe9", "\U0001f44b", "\ud800", "a/b"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_any_text, children, max_size=4)
    ),
    max_leaves=16,
)


@settings(max_examples=400, deadline=None)
@given(_any_json)
def test_pages_of_any_text_encode_as_the_standard_library_spells_php(value: object) -> None:
    """Non-ASCII pages take the fast escaping encoder (``\\uXXXX``, surrogate pairs past
    the BMP, ``\\/``): byte for byte the slow road's spelling, lone surrogates, DEL,
    integers past 64 bits and every float included."""
    values = php_values(value)
    assert encode_php_values(values) == _standard_library_spelling(values)
