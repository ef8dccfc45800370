"""hub.jsonio: the hub reads strict JSON only, however a body is built."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.jsonio import loads
from hub.store.db import read
from hub.store.tables import devices

NOT_JSON = ["NaN", "[Infinity]", '{"a": -Infinity}', "1e400", '{"a": [-1e999]}']


@pytest.mark.parametrize("text", NOT_JSON)
def test_nan_infinity_and_numbers_past_a_float_are_not_json(text) -> None:
    """GIVEN a text with NaN, Infinity or a number no float holds WHEN read THEN a
    ValueError (Python's json reads them; RFC 8259 has none of them)."""
    with pytest.raises(ValueError):
        loads(text)


def test_strict_json_reads_as_before() -> None:
    assert loads('{"a": [1, 2.5, -0.0, 1e300, 99999999999999999999999, null, "x"]}') == {
        "a": [1, 2.5, -0.0, 1e300, 99999999999999999999999, None, "x"]
    }


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_heartbeat_status_holding_nan_is_a_400_and_stores_nothing(api, hub, value) -> None:
    """GIVEN a kiosk WHEN its heartbeat's free-form status holds NaN or an infinity
    THEN 400 invalid_json and the device row is untouched (PostgreSQL refused the JSON
    column: a 500; SQLite stored JSON no reader accepts)."""
    kiosk = api.device("k1", "kiosk")
    body = '{"version": "1.0", "status": {"printer": "ok", "paper": ' + value + "}}"
    r = api.post("/devices/heartbeat", kiosk, data=body, content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_json"
    with read(hub.engine) as conn:
        assert conn.execute(select(devices.c.version, devices.c.status)).one() == (None, None)
