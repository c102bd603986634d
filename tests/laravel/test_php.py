"""``FILTER_VALIDATE_INT``, ``is_numeric`` and the exact numbers Laravel compares."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callvault.laravel.php import (
    PHP_INT_MAX,
    PHP_INT_MIN,
    filter_validate_int,
    is_numeric,
    numeric_value,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("5", 5),
        ("+5", 5),
        ("-5", -5),
        ("-0", 0),
        ("+0", 0),
        (" 7\n", 7),
        (str(PHP_INT_MAX), PHP_INT_MAX),
        (str(PHP_INT_MIN), PHP_INT_MIN),
    ],
)
def test_valid_integers(text: str, number: int) -> None:
    assert filter_validate_int(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "+",
        "-",
        "007",
        "-07",
        "1.0",
        "1.",
        "1e1",
        "0x10",
        "0b1",
        "1_000",
        "1 2",
        "abc",
        "٣",  # a digit, but not an ASCII one
        "\u00a05",
        str(PHP_INT_MAX + 1),
        str(PHP_INT_MIN - 1),
    ],
)
def test_invalid_integers(text: str) -> None:
    assert filter_validate_int(text) is None


@pytest.mark.parametrize("sign", ["", "+", "-"])
def test_integers_past_pythons_digit_limit_are_out_of_range_not_errors(sign: str) -> None:
    """4,301 digits and more: ``int()`` refuses them (CVE-2020-10735), PHP says false."""
    for digits in (20, 4300, 4301, 100_000):
        assert filter_validate_int(sign + "1" * digits) is None
    assert filter_validate_int(sign + "0" * 4301) is None  # leading zeros: not canonical


def test_non_strings_are_not_integers() -> None:
    assert filter_validate_int({0: "1"}) is None
    assert filter_validate_int(None) is None


@pytest.mark.parametrize("text", ["1", "-1.5", ".5", "1.", "1e3", "1E-3", " 1", "1 ", "+.5e+2"])
def test_numeric_strings(text: str) -> None:
    assert is_numeric(text)


@pytest.mark.parametrize("text", ["", ".", "e3", "1e", "0x1A", "1,5", "--1", "1 1", "inf", "nan"])
def test_non_numeric_strings(text: str) -> None:
    assert not is_numeric(text)


def test_numeric_value_is_exact() -> None:
    assert numeric_value("100.0000000000000000001") > 100
    assert numeric_value("1e3") == 1000
    assert numeric_value("1e1000") > Decimal(10) ** 999


def test_huge_exponents_compare_exactly_instead_of_raising() -> None:
    assert numeric_value("1e1001") > 100
    assert numeric_value("1E-1001") < 1
    assert numeric_value("-5e99999999999999999999") < 1
    assert numeric_value("1e" + "9" * 4301) > 100
    assert numeric_value("1e-" + "9" * 4301) < 1
    assert numeric_value("1e" + "0" * 5000 + "2") == 100


def test_clamped_exponents_keep_long_mantissas_on_their_side_of_one() -> None:
    tiny_mantissa = "0." + "0" * 12_000 + "1"
    assert numeric_value(f"{tiny_mantissa}e20000") > 100  # 10**7999
    assert numeric_value(f"{'9' * 12_000}e-20000") < 1
    assert numeric_value(f"{tiny_mantissa}e{'9' * 30}") > 100


def test_mantissas_past_pythons_digit_limit_are_exact() -> None:
    assert numeric_value("1" * 4301) > 100
    assert numeric_value("-" + "1" * 4301) < 1
    assert numeric_value("0" * 5000 + "7") == 7
    assert numeric_value("0." + "0" * 5000 + "1") < 1


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=PHP_INT_MIN, max_value=PHP_INT_MAX))
def test_every_php_int_round_trips(number: int) -> None:
    assert filter_validate_int(str(number)) == number
    assert filter_validate_int(f"+{number}" if number >= 0 else str(number)) == number
