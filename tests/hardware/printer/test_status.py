"""Printer status over ``DLE EOT``: recorded replies (:mod:`hardware.printer.status`)."""

from __future__ import annotations

import json

import pytest

from hardware.printer import parse_status
from tests.support.paths import FIXTURES

STATUS_CASES = json.loads((FIXTURES / "hardware" / "dle_eot_replies.json").read_text())["cases"]


@pytest.mark.parametrize("case", STATUS_CASES, ids=[c["name"] for c in STATUS_CASES])
def test_parse_status_reads_dle_eot_replies(case: dict[str, str]) -> None:
    """GIVEN the replies to DLE EOT 1 and 4 WHEN parsed THEN the wire status is as documented."""
    status = parse_status(bytes.fromhex(case["online"]), bytes.fromhex(case["paper"]))
    assert status.value == case["status"]
