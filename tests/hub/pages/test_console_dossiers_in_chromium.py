"""Dossier codes at the staff console, in headless Chromium against a real server.

An officer types one code into the field and a USB scanner (a keyboard wedge) types
another as a fast burst ending in Enter while the focus is elsewhere: the burst's
letters and dashes ("H" is "complete", "-" is "no-show") are a code, not shortcuts.
Completing the number sends both codes; the hub stores them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from config.dossiers import DossierSettings
from hub.store.db import read
from hub.store.tables import ticket_dossiers, tickets
from tests.conftest import PASSWORD
from tests.hub.pages.test_console_in_chromium import log_in, pages  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

TYPED = "000.00.12.H56-261127-0001"
SCANNED = "000.00.12.H56-261127-0002"


@pytest.fixture
def demo_config(demo_config):  # noqa: ANN001, ANN201
    """A scanner's pause between characters, generous for a loaded test machine (a real
    scanner types a character every few milliseconds)."""
    return replace(demo_config, dossiers=DossierSettings(scan_gap_ms=1000))


def test_typed_and_scanned_codes_go_with_the_completion(app, hub, live, api, kiosk, pages):  # noqa: F811
    """GIVEN an officer serving 1001 WHEN a code is typed in lower case into the field
    with Enter, a scanner's burst of another code ending in Enter comes with the focus on
    the page, a too-short burst comes, and H is pressed THEN the field lists both codes in
    capitals, the short one is refused in Vietnamese, nothing else happened to 1001 before
    H, and 1001 is done with both codes stored."""
    api.issue(kiosk)
    api.issue(kiosk)
    hub.users.add_user("canbo1", PASSWORD, "staff", display_name="Nguyễn Thị Lan")
    console: Any = pages()
    log_in(console, live.url, "canbo1")
    console.wait_for_url(f"{live.url}/counter")
    console.click("li[data-counter='1'] button[type=submit]")
    console.wait_for_url(f"{live.url}/counter/1")
    assert console.is_disabled("#dossier-input")
    console.keyboard.press("NumpadEnter")
    console.wait_for_selector("#console[data-current='1001']")

    console.click("#dossier-input")
    console.keyboard.type(TYPED.lower())
    console.keyboard.press("Enter")
    console.wait_for_selector(f"#dossier-list li[data-code='{TYPED}']")
    assert console.input_value("#dossier-input") == ""
    console.keyboard.press("Escape")  # the focus leaves the field

    console.keyboard.type(SCANNED + "\n")  # the scanner: one burst, Enter last
    console.wait_for_selector(f"#dossier-list li[data-code='{SCANNED}']")
    console.keyboard.type("12AB\n")
    console.wait_for_selector("#toast:has-text('Không phải mã hồ sơ: 12AB')")
    assert console.get_attribute("#console", "data-dossiers") == f"{TYPED} {SCANNED}"
    assert console.get_attribute("#console", "data-current") == "1001"

    console.keyboard.press("KeyH")
    console.wait_for_selector("#toast:has-text('Số 1001 đã hoàn thành.')")
    assert console.get_attribute("#console", "data-dossiers") == ""
    with read(hub.engine) as conn:
        stored = conn.execute(
            select(ticket_dossiers.c.code, tickets.c.number, tickets.c.status)
            .join(tickets, tickets.c.id == ticket_dossiers.c.ticket_id)
            .order_by(ticket_dossiers.c.id)
        ).all()
    assert [tuple(r) for r in stored] == [(TYPED, "1001", "done"), (SCANNED, "1001", "done")]
    assert console.js_errors == []
