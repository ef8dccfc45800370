"""The ``[booking]`` section: remote tickets taken from the public ``/book`` page.

Example::

    [booking]
    enabled = true
    per_phone_per_day = 1             # tickets one (verified) phone may take a day
    per_service_per_hour = 30         # remote tickets one field takes an hour
    unverified_per_service_per_hour = 5   # the same while no sender is configured
    form_ttl_s = 600                  # a /book form is good for one booking, this long
    code_ttl_s = 300                  # a verification code is good this long

    [booking.sender]                  # the one-time code to the citizen's phone
    kind = "sms"                      # an SMS gateway's HTTP API, or "zalo" (Zalo OA)
    url = "https://sms-gateway.example/api/send"
    message = "Mã xác minh lấy số tại {site}: {code} (hiệu lực {minutes} phút)"
    body = { to = "{phone}", text = "{message}" }      # the JSON sent; optional
    headers = { Authorization = "Bearer KEY" }
    timeout_s = 5

Without ``[booking.sender]`` phone numbers are not verified: bookings are taken
under ``unverified_per_service_per_hour`` and flagged as unverified.
"""

# No ``from __future__ import annotations``: the config loader reads the field types
# of nested dataclasses to suggest "did you mean" for a misspelt key in [booking.sender].

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic.dataclasses import dataclass

from config.base import STRICT, Slug

__all__ = ["BODY_PLACEHOLDERS", "MESSAGE_PLACEHOLDERS", "BookingSettings", "SenderSettings"]

#: What a sender's ``message`` may say: the code, the centre's name, the minutes left.
MESSAGE_PLACEHOLDERS = frozenset({"code", "site", "minutes"})
#: What the strings of a sender's ``body`` may hold besides: the phone number as
#: ``0912345678`` and as ``84912345678``, and the whole message.
BODY_PLACEHOLDERS = MESSAGE_PLACEHOLDERS | {"phone", "phone_intl", "message"}
PLACEHOLDER = re.compile(r"\{(\w*)\}")
DEFAULT_MESSAGE = "Mã xác minh lấy số tại {site}: {code}. Mã có hiệu lực {minutes} phút."


def _check_placeholders(text: str, allowed: frozenset[str]) -> None:
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in allowed})
    if unknown:
        known = ", ".join("{" + n + "}" for n in sorted(allowed))
        raise ValueError(f"unknown placeholder {{{unknown[0]}}} (known: {known})")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@dataclass(frozen=True, config=STRICT)
class SenderSettings:
    """``[booking.sender]``: where the one-time codes go (an HTTP POST of JSON).

    ``kind = "sms"``: an SMS gateway; any 2xx answer means sent. ``kind = "zalo"``:
    a Zalo Official Account webhook (e.g. the ZNS API); a 2xx answer must also say
    ``{"error": 0}``. ``body`` is the JSON sent, its strings filled in; without it
    ``{to, text}`` for ``sms`` and ``{phone, template_data: {otp}}`` for ``zalo``.
    """

    kind: Literal["sms", "zalo"]
    url: Annotated[str, Field(pattern=r"^https?://[^\s/]+\S*$", max_length=500)]
    message: Annotated[str, Field(min_length=1, max_length=320)] = DEFAULT_MESSAGE
    body: dict[str, Any] | None = None
    headers: dict[str, Annotated[str, Field(max_length=2000)]] = Field(default_factory=dict)
    timeout_s: Annotated[float, Field(gt=0, le=15)] = 5.0

    @field_validator("message")
    @classmethod
    def _message_placeholders(cls, value: str) -> str:
        _check_placeholders(value, MESSAGE_PLACEHOLDERS)
        if "{code}" not in value:
            raise ValueError("the message must contain {code}")
        return value

    @field_validator("body")
    @classmethod
    def _body_placeholders(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        strings = _strings(value)
        for text in strings:
            _check_placeholders(text, BODY_PLACEHOLDERS)
        if not any("{code}" in s or "{message}" in s for s in strings):
            raise ValueError("the body must carry {code} or {message}")
        return value


@dataclass(frozen=True, config=STRICT)
class BookingSettings:
    """Remote tickets (off by default)."""

    enabled: bool = False
    per_phone_per_day: Annotated[int, Field(ge=1, le=20)] = 1
    rate_limit: Annotated[int, Field(ge=1, le=1000)] = 5
    rate_window_s: Annotated[int, Field(ge=10, le=86_400)] = 600
    services: tuple[Slug, ...] = ()
    cutoff_min: Annotated[int, Field(ge=0, le=600)] = 30
    per_service_per_hour: Annotated[int, Field(ge=1, le=10_000)] = 30
    unverified_per_service_per_hour: Annotated[int, Field(ge=1, le=10_000)] = 5
    form_ttl_s: Annotated[int, Field(ge=60, le=3600)] = 600
    code_ttl_s: Annotated[int, Field(ge=60, le=1800)] = 300
    sender: SenderSettings | None = None
