"""Sending a one-time code to a citizen's phone, behind one small interface.

:class:`CodeSender` is what the booking service needs: ``send(phone, code,
minutes)``, raising :class:`SendFailed` when the code surely did not leave.
Two implementations:

- :class:`HttpCodeSender`: a JSON POST to ``[booking.sender] url``: an SMS
  gateway's HTTP API (``kind = "sms"``: any 2xx answer is a success) or a Zalo
  Official Account webhook (``kind = "zalo"``: a 2xx answer that also says
  ``{"error": 0}``, as Zalo's APIs do). The body is ``body`` (or the kind's
  default) with its strings filled in; the values are put in after parsing, so a
  phone number or a site name can never change the JSON's shape.
- :class:`RecordingSender`: keeps what it would send (tests, demos).

The HTTP call has a connect and a read timeout (``timeout_s``), so under gevent a
dead gateway costs one greenlet that long and never the loop; the booking service
makes it outside any database transaction and any lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from config.booking import PLACEHOLDER, SenderSettings

__all__ = [
    "CodeSender",
    "HttpCodeSender",
    "RecordingSender",
    "SendFailed",
    "SentCode",
    "build_sender",
    "fill",
]

logger = logging.getLogger(__name__)

DEFAULT_BODIES: dict[str, dict[str, Any]] = {
    "sms": {"to": "{phone}", "text": "{message}"},
    "zalo": {"phone": "{phone_intl}", "template_data": {"otp": "{code}"}},
}
#: The longest gateway answer read (its error, for the log).
MAX_ANSWER = 2000


class SendFailed(Exception):
    """The code could not be sent (the gateway is down, slow, or said no)."""


class CodeSender(Protocol):
    """Delivers one-time codes to phones."""

    def send(self, phone: str, code: str, minutes: int) -> None:
        """Send ``code`` (valid ``minutes``) to ``phone`` (``0912345678``).

        Raises:
            SendFailed: the code did not go out.
        """


def fill(template: Any, values: dict[str, str]) -> Any:
    """``template`` with every ``{name}`` in its strings replaced from ``values``."""
    if isinstance(template, str):
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, values) for value in template]
    return template


class HttpCodeSender:
    """POSTs the code as JSON to an SMS gateway or a Zalo OA webhook.

    Args:
        settings: ``[booking.sender]``.
        site: the centre's name (``{site}``).
    """

    def __init__(self, settings: SenderSettings, site: str) -> None:
        self.settings = settings
        self.site = site

    def payload(self, phone: str, code: str, minutes: int) -> Any:
        """The JSON body for ``phone`` and ``code``."""
        values = {"code": code, "site": self.site, "minutes": str(minutes)}
        values["message"] = fill(self.settings.message, values)
        values["phone"] = phone
        values["phone_intl"] = "84" + phone[1:]
        return fill(self.settings.body or DEFAULT_BODIES[self.settings.kind], values)

    def send(self, phone: str, code: str, minutes: int) -> None:
        settings = self.settings
        # A session of its own, closed at once: codes are rare, and no socket is left
        # behind in a greenlet (or thread) that served one request.
        try:
            with requests.Session() as session:
                answer = session.post(
                    settings.url,
                    json=self.payload(phone, code, minutes),
                    headers=settings.headers,
                    timeout=(settings.timeout_s, settings.timeout_s),
                    allow_redirects=False,
                )
        except requests.RequestException as err:
            raise SendFailed(f"{settings.kind} gateway unreachable: {err}") from None
        text = answer.text[:MAX_ANSWER]
        if not 200 <= answer.status_code < 300:
            raise SendFailed(f"{settings.kind} gateway answered {answer.status_code}: {text}")
        if settings.kind == "zalo" and _zalo_error(answer) != 0:
            raise SendFailed(f"Zalo answered an error: {text}")


def _zalo_error(answer: requests.Response) -> Any:
    try:
        body = answer.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


@dataclass(frozen=True)
class SentCode:
    """One code a :class:`RecordingSender` was asked to send."""

    phone: str
    code: str
    minutes: int


class RecordingSender:
    """Keeps the codes instead of sending them (``fail=True``: refuses them)."""

    def __init__(self, *, fail: bool = False) -> None:
        self.sent: list[SentCode] = []
        self.fail = fail

    def send(self, phone: str, code: str, minutes: int) -> None:
        if self.fail:
            raise SendFailed("the recording sender was told to fail")
        self.sent.append(SentCode(phone, code, minutes))


def build_sender(settings: SenderSettings | None, site: str) -> CodeSender | None:
    """The sender ``[booking.sender]`` describes, or None when there is none."""
    return None if settings is None else HttpCodeSender(settings, site)
