"""Alert rules: a negative streak, a low rate, a silent pad; stored, logged, sent to a webhook."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from config.alerts import AlertSettings
from config.loader import validate_section
from hub.alerts import check_periodic
from hub.federation import OutboxSender
from hub.store.db import read
from hub.store.tables import alerts


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


@pytest.fixture
def webhook():
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", got
    server.shutdown()
    server.server_close()


def configure(hub, **alerts_section) -> None:
    alerts = validate_section(hub.config.path, "alerts", AlertSettings, alerts_section)
    hub.reconfigure(dataclasses.replace(hub.config, alerts=alerts))


def rated(api, clock, levels, batch: str = "a") -> None:
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo1")
    pad = api.device("pad1", "rating-pad", "1")
    for i, level in enumerate(levels):
        api.issue(kiosk)
        api.post("/counters/1/open", staff)
        api.post("/counters/1/call-next", staff)
        api.post("/counters/1/complete", staff)
        assert api.post("/ratings", pad, json={"key": f"pad1-{batch}-{i:04d}", "level": level}
                        ).status_code == 201  # fmt: skip
        clock.advance(200)


def stored(hub) -> list:
    with read(hub.engine) as conn:
        return conn.execute(select(alerts).order_by(alerts.c.id)).all()


def test_negative_streak_alerts_once_logs_and_calls_the_webhook(
    api, hub, clock, webhook, caplog
) -> None:
    """GIVEN a streak rule of 3 and a webhook WHEN three "Không hài lòng" follow each other at
    counter 1 THEN one alert is stored and logged; WHEN a fourth comes THEN the cooldown holds
    it back; the sender delivers the alert to the webhook once."""
    url, got = webhook
    configure(hub, negative_streak=3, webhook_url=url)
    caplog.set_level(logging.WARNING, logger="hub.alerts")
    rated(api, clock, ["satisfied", "unsatisfied", "unsatisfied"])
    assert stored(hub) == []
    rated(api, clock, ["unsatisfied", "unsatisfied"], "b")  # streak reaches 3, then 4
    (alert,) = stored(hub)
    assert alert.rule == "negative_streak" and alert.subject == "counter:1"
    assert "Quầy 1: 3 đánh giá không hài lòng liên tiếp" in alert.message
    assert any("negative_streak" in r.getMessage() for r in caplog.records)
    sender = OutboxSender(hub.engine, hub.config, clock)
    assert sender.flush_webhooks() == 1 and sender.flush_webhooks() == 0
    assert got[0]["rule"] == "negative_streak" and got[0]["site"]["id"] == "demo"


def test_low_rate_and_silent_pad(api, hub, clock) -> None:
    """GIVEN a 80 % threshold over 7 days (at least 4 ratings) WHEN counter 1 has 2 of 4
    satisfied THEN a low-rate alert; GIVEN a pad silent for 30 minutes during opening hours
    (Friday 09:00 local) THEN a silent-pad alert; outside opening hours none."""
    configure(hub, negative_streak=0, low_rate_below=0.8, low_rate_min_ratings=4, silent_pad_min=30)
    rated(api, clock, ["satisfied", "unsatisfied", "very_satisfied", "unsatisfied"])
    silent = hub.devices.add_device("pad-silent", "rating-pad", "2")
    assert silent
    now = datetime(2026, 11, 27, 2, 45, tzinfo=UTC)  # Friday 09:45 in Hà Nội
    assert check_periodic(hub.engine, hub.config, now) >= 2
    rules = {(a.rule, a.subject) for a in stored(hub)}
    assert ("low_rate", "counter:1") in rules and ("silent_pad", "device:pad-silent") in rules
    low = next(a for a in stored(hub) if a.rule == "low_rate")
    assert "50,0 %" in low.message
    count = len(stored(hub))
    assert check_periodic(hub.engine, hub.config, now + timedelta(minutes=5)) == 0  # cooldown
    sunday = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    configure(hub, negative_streak=0, low_rate_below=0, silent_pad_min=30, cooldown_min=0)
    assert check_periodic(hub.engine, hub.config, sunday) == 0
    assert len(stored(hub)) == count


def test_bad_alerts_section_names_the_key(hub) -> None:
    from config.errors import ConfigError

    with pytest.raises(ConfigError, match="negative_streek"):
        configure(hub, negative_streek=3)
