"""``loads_strict``: orjson's speed with the standard library's exact integers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callvault.ingest.json_text import loads_strict

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_reads_what_the_standard_library_reads(value: object) -> None:
    encoded = json.dumps(value, ensure_ascii=False)
    assert loads_strict(encoded) == json.loads(encoded)
    assert loads_strict(encoded.encode()) == json.loads(encoded)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": NaN}',
        '{"a": Infinity}',
        "[-Infinity]",
        "[1e400]",  # overflows a double: would be stored as Infinity
        '"\\ud800"',  # an unpaired surrogate cannot be stored as UTF-8
        "{broken",
        "",
    ],
)
def test_refuses_what_php_and_postgresql_refuse(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_strict(text)


def test_integers_beyond_64_bits_stay_exact() -> None:
    assert loads_strict(b'{"order": 123456789012345678901234567890}') == {
        "order": 123456789012345678901234567890
    }
    assert loads_strict("[-99999999999999999999]") == [-99999999999999999999]
    assert loads_strict("[-9223372036854775809]") == [-9223372036854775809]  # 19 digits
    assert loads_strict('"a string with 12345678901234567890123 digits"').startswith("a string")
