"""``loads_stored``: what a JSON column reads back, value and type as ``json.loads`` gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callvault.db.json_columns import loads_stored

STORED = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


def _typed(value: Any) -> Any:
    """``value`` with every leaf paired with its type (so 1 and 1.0 differ)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value), value)


@given(STORED)
def test_reads_what_the_standard_library_reads(value: object) -> None:
    encoded = json.dumps(value)  # ASCII: lone surrogates travel as \ud800 escapes
    expected = _typed(json.loads(encoded))
    assert _typed(loads_stored(encoded)) == expected
    assert _typed(loads_stored(encoded.encode())) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("-9223372036854775809", -9223372036854775809),
        ("18446744073709551616", 18446744073709551616),
        ('["\\ud800"]', ["\ud800"]),
        ("{}", {}),
    ],
)
def test_edges_orjson_would_read_differently_or_refuse(text: str, value: object) -> None:
    assert _typed(loads_stored(text)) == _typed(value)
