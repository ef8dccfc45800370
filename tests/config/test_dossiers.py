"""The ``[dossiers]`` and ``[export]`` sections: the shape of a dossier code, the webhook."""

from __future__ import annotations

import tomllib

import pytest

from config.dossiers import DEFAULT_PATTERN
from config.errors import ConfigError
from config.paths import EXAMPLES
from config.schema import parse_config


def _demo_with(**sections: dict) -> dict:
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text(encoding="utf-8"))
    return {**raw, **sections}


def test_defaults() -> None:
    """GIVEN no [dossiers] nor [export] THEN the one-stop codes' pattern and no webhook."""
    config = parse_config(_demo_with(), "demo.toml")
    assert config.dossiers.pattern == DEFAULT_PATTERN and config.dossiers.max_per_ticket == 10
    assert config.export.webhook_url is None


def test_a_centre_sets_its_pattern_and_webhook() -> None:
    config = parse_config(
        _demo_with(
            dossiers={"pattern": r"^H56\.\d+$", "scan_gap_ms": 80},
            export={"webhook_url": "https://tinh.example/danh-gia", "token": "abc"},
        ),
        "demo.toml",
    )
    assert config.dossiers.pattern == r"^H56\.\d+$" and config.dossiers.scan_gap_ms == 80
    assert config.export.webhook_url == "https://tinh.example/danh-gia"


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        ({"dossiers": {"pattern": "(unclosed"}}, "dossiers.pattern: not a regular expression"),
        ({"dossiers": {"pattern": ".*"}}, "must not match an empty code"),
        ({"dossiers": {"max_per_ticket": 0}}, "dossiers.max_per_ticket"),
        ({"dossiers": {"patern": "x"}}, 'unknown key (did you mean "pattern"?)'),
        ({"export": {"webhook_url": "ftp://x"}}, "export.webhook_url"),
        ({"export": {"url": "http://x"}}, "export"),
    ],
)  # fmt: skip
def test_bad_values_are_named(sections, expected) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(_demo_with(**sections), "demo.toml")
    assert expected in str(err.value) and "Traceback" not in str(err.value)
