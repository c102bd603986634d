"""A small Laravel validator: the rules the calls contract uses, Laravel 10's English messages.

Like Laravel, every rule of a field runs even after one fails, a field's identical messages
are kept once, null fields are skipped (they are ``nullable``), and the summary message is
the first error followed by ``(and N more errors)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from callvault.laravel.dates import matches_ymd, parse_date
from callvault.laravel.php import filter_validate_int, is_numeric, numeric_value
from callvault.laravel.query import QueryValue

Data = Mapping[int | str, QueryValue]


@dataclass(frozen=True)
class FieldContext:
    """What a rule may look at besides the value: the other fields and the field's own rules."""

    data: Data
    numeric: bool


class Rule:
    """One validation rule; ``message`` gets the attribute as Laravel displays it."""

    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        raise NotImplementedError

    def message(self, attribute: str) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class In(Rule):
    allowed: tuple[str, ...]

    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        return isinstance(value, str) and value in self.allowed

    def message(self, attribute: str) -> str:
        return f"The selected {attribute} is invalid."


@dataclass(frozen=True)
class Integer(Rule):
    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        return filter_validate_int(value) is not None

    def message(self, attribute: str) -> str:
        return f"The {attribute} field must be an integer."


@dataclass(frozen=True)
class String(Rule):
    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        return isinstance(value, str)

    def message(self, attribute: str) -> str:
        return f"The {attribute} field must be a string."


@dataclass(frozen=True)
class Regex(Rule):
    pattern: re.Pattern[str]

    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        return isinstance(value, str) and self.pattern.search(value) is not None

    def message(self, attribute: str) -> str:
        return f"The {attribute} field format is invalid."


def _size(value: QueryValue, context: FieldContext) -> Decimal | int:
    """Laravel's ``getSize``: the exact number for numeric fields, else a count or a length."""
    if isinstance(value, str) and context.numeric and is_numeric(value):
        return numeric_value(value)
    if isinstance(value, dict):
        return len(value)
    return len(value or "")


@dataclass(frozen=True)
class Min(Rule):
    minimum: int

    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        return _size(value, context) >= self.minimum

    def message(self, attribute: str) -> str:
        return f"The {attribute} field must be at least {self.minimum}."


@dataclass(frozen=True)
class Max(Rule):
    maximum: int

    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        return _size(value, context) <= self.maximum

    def message(self, attribute: str) -> str:
        return f"The {attribute} field must not be greater than {self.maximum}."


@dataclass(frozen=True)
class DateFormatYmd(Rule):
    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        return isinstance(value, str) and matches_ymd(value)

    def message(self, attribute: str) -> str:
        return f"The {attribute} field must match the format Y-m-d."


@dataclass(frozen=True)
class AfterOrEqual(Rule):
    """``after_or_equal:<other field>``, skipped while the other field is absent."""

    other: str

    def passes(self, value: QueryValue, context: FieldContext) -> bool:
        other = context.data.get(self.other)
        if not isinstance(value, str):
            return False  # checked before date_from is even looked at
        if other is None:
            return True
        if not isinstance(other, str):
            return False  # Laravel throws a TypeError here (a 500); a clear 422 is kinder
        mine, theirs = parse_date(value), parse_date(other)
        return mine is not None and theirs is not None and mine >= theirs

    def message(self, attribute: str) -> str:
        return f"The {attribute} field must be a date after or equal to {_display(self.other)}."


def _display(field: str) -> str:
    return field.replace("_", " ")


@dataclass(frozen=True)
class ValidationResult:
    errors: dict[str, list[str]]

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def summary(self) -> str:
        messages = [message for field in self.errors.values() for message in field]
        if not messages:
            return "The given data was invalid."
        others = len(messages) - 1
        if not others:
            return messages[0]
        noun = "error" if others == 1 else "errors"
        return f"{messages[0]} (and {others} more {noun})"


def validate(data: Data, rules: Mapping[str, Sequence[Rule]]) -> ValidationResult:
    """Run ``rules`` (field order is error order) over cleaned input ``data``."""
    errors: dict[str, list[str]] = {}
    for field, field_rules in rules.items():
        value = data.get(field)
        if value is None:
            continue
        context = FieldContext(data, numeric=any(isinstance(r, Integer) for r in field_rules))
        messages: list[str] = []
        for rule in field_rules:
            if not rule.passes(value, context):
                message = rule.message(_display(field))
                if message not in messages:
                    messages.append(message)
        if messages:
            errors[field] = messages
    return ValidationResult(errors)
