"""The HTTP code sender against the fake gateway on 127.0.0.1, and its settings."""

from __future__ import annotations

import pytest

from config.booking import SenderSettings
from config.errors import ConfigError
from hub.booking import HttpCodeSender, SendFailed
from tests.conftest import build_app
from tests.hub.booking.conftest import booking_config
from tests.hub.booking.gateway import Gateway
from tests.support.live import free_port


def _sender(gateway_url: str, site: str = "UBND xã Điện Bàn Bắc", **settings) -> HttpCodeSender:
    return HttpCodeSender(SenderSettings(kind="sms", url=gateway_url, **settings), site)


def test_the_default_sms_body_and_a_site_name_that_looks_like_json(gateway: Gateway) -> None:
    """GIVEN the sms kind without a body WHEN a code is sent for a centre whose name holds
    quotes and braces THEN the gateway gets {to, text} as JSON, the name unchanged inside
    the text (values are filled in after the template is parsed)."""
    site = 'Trung tâm "Một cửa" {code}'
    _sender(gateway.url, site).send("0912345678", "123456", 5)
    [got] = gateway.received
    assert got.headers["Content-Type"] == "application/json"
    assert got.body == {
        "to": "0912345678",
        "text": f"Mã xác minh lấy số tại {site}: 123456. Mã có hiệu lực 5 phút.",
    }


@pytest.mark.parametrize("status", [302, 400, 500])
def test_an_answer_other_than_2xx_is_a_failure(gateway: Gateway, status: int) -> None:
    """GIVEN a gateway answering 302 (not followed), 400 or 500 WHEN a code is sent THEN
    SendFailed, naming the status."""
    gateway.status = status
    with pytest.raises(SendFailed, match=str(status)):
        _sender(gateway.url).send("0912345678", "123456", 5)


def test_an_unreachable_gateway_is_a_failure() -> None:
    """GIVEN nothing listening WHEN a code is sent THEN SendFailed, not an exception of
    the HTTP library."""
    with pytest.raises(SendFailed, match="unreachable"):
        _sender(f"http://127.0.0.1:{free_port()}/send", timeout_s=1).send("0912345678", "1", 5)


def test_zalo_needs_error_zero(gateway: Gateway) -> None:
    """GIVEN the zalo kind WHEN Zalo answers 200 without "error": 0 THEN SendFailed; with
    it, sent (the default body: the number as 84…, the code as template_data.otp)."""
    sender = HttpCodeSender(SenderSettings(kind="zalo", url=gateway.url), "UBND xã")
    gateway.answer = {"message": "ok?"}
    with pytest.raises(SendFailed, match="Zalo"):
        sender.send("0912345678", "654321", 5)
    gateway.answer = {"error": 0}
    sender.send("0912345678", "654321", 5)
    assert gateway.received[-1].body == {"phone": "84912345678", "template_data": {"otp": "654321"}}


@pytest.mark.parametrize(
    ("sender", "problem"),
    [
        ({"kind": "sms", "url": "http://127.0.0.1/s", "message": "Mã: {cod}"}, "{cod}"),
        ({"kind": "sms", "url": "http://127.0.0.1/s", "message": "Xin chào"}, "{code}"),
        ({"kind": "sms", "url": "http://127.0.0.1/s", "body": {"to": "{phone}"}}, "body"),
        ({"kind": "viber", "url": "http://127.0.0.1/s"}, "kind"),
        ({"kind": "sms", "url": "ftp://127.0.0.1/s"}, "url"),
        ({"kind": "sms", "url": "http://127.0.0.1/s", "timeout_s": 60}, "timeout_s"),
    ],
    ids=["unknown-placeholder", "no-code", "body-without-code", "kind", "url", "timeout"],
)
def test_bad_sender_settings_stop_the_hub(sqlite_database, tmp_path, sender, problem) -> None:
    """GIVEN a [booking.sender] with a mistake WHEN the hub starts THEN a ConfigError
    names booking.sender and the problem."""
    with pytest.raises(ConfigError) as caught:
        build_app(booking_config({"enabled": True, "sender": sender}), sqlite_database, tmp_path)
    text = caught.value.render()
    assert "booking.sender" in text and problem in text, text
