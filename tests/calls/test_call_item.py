"""How a stored call's timestamps print in the item."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from callvault.calls.schemas import format_timestamp


@pytest.mark.parametrize(
    ("stored", "zone", "printed"),
    [
        (datetime(2026, 3, 29, 0, 30, 1), None, "2026-03-29 00:30:01"),
        (datetime(2026, 3, 29, 0, 30, 1, 999999), None, "2026-03-29 00:30:01"),
        (datetime(2026, 3, 29, 0, 30, 1), "Europe/Sofia", "2026-03-29 02:30:01"),
        (datetime(2026, 3, 29, 1, 30, 1), "Europe/Sofia", "2026-03-29 04:30:01"),
        (datetime(2026, 1, 1, 0, 0, 0), "America/New_York", "2025-12-31 19:00:00"),
        (datetime(999, 1, 2, 3, 4, 5), None, "0999-01-02 03:04:05"),
    ],
)
def test_timestamps_print_in_the_display_zone_to_the_second(
    stored: datetime, zone: str | None, printed: str
) -> None:
    assert format_timestamp(stored, ZoneInfo(zone) if zone else None) == printed
