"""Every setting is documented in the README's table; list settings parse as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from callvault.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme_table(name: str) -> None:
    assert f"| `CALLVAULT_{name.upper()}` |" in README


def test_allowed_hosts_default_to_a_local_install() -> None:
    assert Settings().allowed_hosts == ["localhost", "127.0.0.1", "[::1]"]
    assert "| `CALLVAULT_ALLOWED_HOSTS` | `localhost,127.0.0.1,[::1]` |" in README


def test_allowed_hosts_are_comma_separated_and_written_as_a_host_header_would() -> None:
    settings = Settings(allowed_hosts=" Calls.Example.com, *.hooks.example ,::1,,[::2]")
    assert settings.allowed_hosts == ["calls.example.com", "*.hooks.example", "[::1]", "[::2]"]
    assert Settings(allowed_hosts="*").allowed_hosts == ["*"]


@pytest.mark.parametrize(
    "entry", ["*example.com", "calls.*.example", "**", "calls.example.com:443"]
)
def test_allowed_hosts_refuse_what_could_never_match(entry: str) -> None:
    with pytest.raises(ValidationError, match="allowed_hosts"):
        Settings(allowed_hosts=entry)
