"""The hub's own sections: ``[site]``, ``[[services]]``, ``[[counters]]``,
``[queue]``, ``[ratings]``, ``[display]`` and ``[security]``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, IPvAnyNetwork, field_validator, model_validator
from pydantic.dataclasses import dataclass

from config.base import HHMM, STRICT, CounterId, Name, Slug

DEFAULT_TEMPLATE = "Xin mời công dân có số {number} đến quầy số {counter}"
DEFAULT_PRIORITIES = ("elderly", "disabled", "pregnant", "veteran", "war_invalid")


@dataclass(frozen=True, config=STRICT)
class Hours:
    """Opening hours in the site's timezone; weekdays 1 = Monday … 7 = Sunday."""

    open: str = "07:30"
    close: str = "17:00"
    weekdays: tuple[Annotated[int, Field(ge=1, le=7)], ...] = (1, 2, 3, 4, 5)

    @field_validator("open", "close")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not HHMM.match(value):
            raise ValueError("must be a time written HH:MM, e.g. 07:30")
        return value


@dataclass(frozen=True, config=STRICT)
class Site:
    """The centre (or branch) this hub serves."""

    id: Slug
    name: Name
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str | None = None
    hours: Hours | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f'unknown timezone "{value}", e.g. "Asia/Ho_Chi_Minh"') from err
        return value

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError('must start with http:// or https://, e.g. "http://10.0.0.2:8080"')
        return value.rstrip("/") if value else value


@dataclass(frozen=True, config=STRICT)
class Service:
    """A field of procedures (lĩnh vực) with its own daily numbering."""

    id: Slug
    name: Name
    start: Annotated[int, Field(ge=0, le=999_999)] = 1
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{0,3}$")] = ""
    digits: Annotated[int, Field(ge=1, le=6)] = 3
    daily_limit: Annotated[int, Field(ge=1, le=999_999)] | None = None


@dataclass(frozen=True, config=STRICT)
class Counter:
    """A counter (quầy) and the fields it serves."""

    id: CounterId
    name: Name
    services: tuple[Slug, ...]


@dataclass(frozen=True, config=STRICT)
class Queue:
    """Call-order policy and wait estimation settings."""

    priority: Literal["strict", "interleave"] = "strict"
    priority_every: Annotated[int, Field(ge=1, le=100)] = 2
    priority_categories: tuple[Slug, ...] = DEFAULT_PRIORITIES
    estimate_sample: Annotated[int, Field(ge=1, le=500)] = 20
    default_service_s: Annotated[int, Field(ge=10, le=7200)] = 300


@dataclass(frozen=True, config=STRICT)
class Level:
    """One satisfaction level of the rating form."""

    id: Slug
    label: Name
    score: Annotated[float, Field(ge=0, le=100)]
    positive: bool
    label_en: str | None = None


@dataclass(frozen=True, config=STRICT)
class Reason:
    """A reason a citizen may give after a negative rating."""

    id: Slug
    label: Name
    label_en: str | None = None


DEFAULT_LEVELS = (
    Level(
        id="very_satisfied", label="Rất hài lòng", score=2, positive=True, label_en="Very satisfied"
    ),
    Level(id="satisfied", label="Hài lòng", score=1, positive=True, label_en="Satisfied"),
    Level(
        id="unsatisfied", label="Không hài lòng", score=0, positive=False, label_en="Not satisfied"
    ),
)

DEFAULT_REASONS = (
    Reason(id="attitude", label="Thái độ phục vụ", label_en="Attitude"),
    Reason(id="long_wait", label="Thời gian chờ lâu", label_en="Long wait"),
    Reason(id="unclear_guidance", label="Hướng dẫn chưa rõ ràng", label_en="Unclear guidance"),
    Reason(id="slow_handling", label="Giải quyết chậm", label_en="Slow handling"),
    Reason(id="harassment", label="Nhũng nhiễu, gây phiền hà", label_en="Harassment, red tape"),
    Reason(
        id="repeat_visits", label="Phải đi lại nhiều lần", label_en="Had to come back many times"
    ),
)


@dataclass(frozen=True, config=STRICT)
class Ratings:
    """The rating form and how ratings are linked to tickets."""

    levels: tuple[Level, ...] = DEFAULT_LEVELS
    window_s: Annotated[int, Field(ge=10, le=86_400)] = 600
    reasons: tuple[Reason, ...] = DEFAULT_REASONS
    invite_s: Annotated[int, Field(ge=5, le=600)] = 30
    reason_s: Annotated[int, Field(ge=3, le=120)] = 10
    staff_see_own: bool = False
    comment_chars: Annotated[int, Field(ge=0, le=500)] = 200

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: tuple[Level, ...]) -> tuple[Level, ...]:
        if not 2 <= len(value) <= 5:
            raise ValueError("needs between 2 and 5 levels")
        ids = [level.id for level in value]
        if len(set(ids)) != len(ids):
            raise ValueError("level ids must be unique")
        return value


@dataclass(frozen=True, config=STRICT)
class Screen:
    """A TV screen in the hall and what it shows."""

    id: Slug
    name: Name
    counters: tuple[CounterId, ...] = ()
    services: tuple[Slug, ...] = ()
    orientation: Literal["landscape", "portrait"] = "landscape"
    notice: str | None = None


@dataclass(frozen=True, config=STRICT)
class Display:
    """The call screens and the voice."""

    template: Annotated[str, Field(min_length=1, max_length=300)] = DEFAULT_TEMPLATE
    region: Literal["north", "south"] = "north"
    four: Literal["tu", "bon"] = "tu"
    number_mode: Literal["whole", "digits"] = "whole"
    repeat: Annotated[int, Field(ge=1, le=3)] = 2
    recent_s: Annotated[int, Field(ge=0, le=3600)] = 60
    ack_timeout_s: Annotated[float, Field(gt=0, le=60)] = 3.0
    notice: str = ""
    clip_dir: str | None = None
    chime: bool = True
    screens: tuple[Screen, ...] = ()

    @field_validator("template")
    @classmethod
    def _template(cls, value: str) -> str:
        if "{number}" not in value:
            raise ValueError('must contain "{number}"')
        leftover = re.sub(r"\{(number|counter)\}", "", value)
        if "{" in leftover or "}" in leftover:
            raise ValueError('may only use the placeholders "{number}" and "{counter}"')
        return value


@dataclass(frozen=True, config=STRICT)
class Security:
    """Limits that protect the hub."""

    max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)] = 1024 * 1024
    token_ttl_s: Annotated[int, Field(ge=60, le=30 * 86_400)] = 12 * 3600
    login_max_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    lockout_s: Annotated[int, Field(ge=1, le=86_400)] = 300
    password_min_length: Annotated[int, Field(ge=6, le=128)] = 10
    secure_cookies: bool = False


@dataclass(frozen=True, config=STRICT)
class Server:
    """``[server]``: how ``motcua serve`` listens.

    With ``tls_cert`` and ``tls_key`` (PEM files, e.g. from ``motcua tls init``)
    the hub serves HTTPS only and its session cookies are Secure.

    ``trusted_proxies``: the addresses (or networks) of the reverse proxies in front
    of the hub. A request from one of them is taken to come from the client its
    ``X-Forwarded-For`` names (and over the scheme of ``X-Forwarded-Proto``); from
    anyone else, those headers are ignored. Empty (the default): always ignored.
    """

    tls_cert: str | None = None
    tls_key: str | None = None
    trusted_proxies: Annotated[tuple[IPvAnyNetwork, ...], Field(max_length=64)] = ()

    @model_validator(mode="after")
    def _both_or_neither(self) -> Server:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("give both tls_cert and tls_key (or neither)")
        for value in (self.tls_cert, self.tls_key):
            if value is not None and not Path(value).is_file():
                raise ValueError(f"no such file: {value} (run `motcua tls init`)")
        return self

    @property
    def tls(self) -> tuple[str, str] | None:
        """``(certificate, key)`` when HTTPS is configured."""
        if self.tls_cert is None or self.tls_key is None:
            return None
        return self.tls_cert, self.tls_key


SERVER_PATHS = ("tls_cert", "tls_key")


@dataclass(frozen=True, config=STRICT)
class Retention:
    """``[retention]``: how long personal data is kept (absent: until ``motcua purge``).

    With ``keep_personal_days``, the hub erases by itself, every night, the personal
    and per-person data of the days older than that (tickets and their QR ids, phone
    digests, raw presses, failed logins); figures and reports stay.
    """

    keep_personal_days: Annotated[int, Field(ge=7, le=3650)] | None = None
