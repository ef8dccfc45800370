"""The ``[reports]`` section: the cut-off day of the reporting periods and the form's words."""

from __future__ import annotations

import tomllib

import pytest

from config.errors import ConfigError
from config.paths import EXAMPLES
from config.reports import DEFAULT_QUESTION
from config.schema import load_config, parse_config


def _demo_with(reports: dict) -> dict:
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text(encoding="utf-8"))
    return {**raw, "reports": reports}


def test_defaults_close_on_the_14th() -> None:
    """GIVEN a file without [reports] WHEN loaded THEN a reporting month runs from the 15th."""
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text(encoding="utf-8"))
    del raw["reports"]
    reports = parse_config(raw, "demo.toml").reports
    assert reports.period_cutoff_day == 15
    assert (reports.place, reports.authority, reports.question) == ("", "", DEFAULT_QUESTION)


@pytest.mark.parametrize("name", ["demo", "commune", "centre"])
def test_the_examples_name_their_place_and_authority(name) -> None:
    reports = load_config(EXAMPLES / f"{name}.toml").reports
    assert reports.period_cutoff_day == 15 and reports.place and reports.authority


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ({"period_cutoff_day": 29}, "period_cutoff_day: Input should be less than or equal to 28"),
        ({"period_cutoff_day": 0}, "period_cutoff_day: Input should be greater than or equal to 1"),
        ({"period_cutoff_day": "mười lăm"}, "reports.period_cutoff_day"),
        ({"period_cutof_day": 15}, 'unknown key (did you mean "period_cutoff_day"?)'),
        ({"place": "Thanh Hóa\nx"}, "reports.place"),
        ({"question": ""}, "reports.question"),
    ],
)  # fmt: skip
def test_bad_values_are_named(reports, expected) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(_demo_with(reports), "demo.toml")
    assert expected in str(err.value) and "Traceback" not in str(err.value)


def test_calendar_periods() -> None:
    config = parse_config(_demo_with({"period_cutoff_day": 1, "place": "Đà Nẵng"}), "demo.toml")
    assert config.reports.period_cutoff_day == 1 and config.reports.place == "Đà Nẵng"
