"""The API the ticket pages and kiosks use: ``GET /site`` and ``POST /bookings``.

- ``GET /api/v1/site`` (public): the site's name, timezone, public URL, opening
  hours, priority categories and whether booking is on. A kiosk prints the name,
  the time in that timezone and a QR code of ``<public_url>/t/<id>``.
- ``POST /api/v1/bookings/code`` (public, with the form token): send a one-time
  code to the phone, when ``[booking.sender]`` is configured.
- ``POST /api/v1/bookings`` (public, with the ``/book`` page's form token in
  ``X-Booking-Token``): a remote ticket, with the code when codes are sent; see
  :mod:`hub.booking`.

The form token is signed with the hub's secret, lives ``[booking] form_ttl_s``
(10 minutes by default) and carries a random nonce that books once: only someone
who opened the page can book, once per page. A missing, forged or stale token is
a 401 (``unauthorized``, ``booking_token_expired``), a used one too
(``booking_token_used``).
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from flask import Blueprint, current_app, g, request
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from pydantic import BaseModel, ConfigDict, Field

from hub import errors
from hub.accounts import Actor
from hub.api.models import Slug, TicketOut
from hub.api.spec import PUBLIC, endpoint
from hub.context import current_hub, remote_address

__all__ = ["TOKEN_HEADER", "bp", "booking_token", "status_url"]

bp = Blueprint("ticket_pages_api", __name__, url_prefix="/api/v1")
TOKEN_HEADER = "X-Booking-Token"
_SALT = "motcua.booking-form"
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
_FORM_ENDPOINTS = ("create_booking", "send_booking_code")


class HoursOut(BaseModel):
    open: str
    close: str
    weekdays: list[int]


class SiteInfoOut(BaseModel):
    id: str
    name: str
    timezone: str
    public_url: str | None
    hours: HoursOut | None
    priority_categories: list[str]
    booking: bool


class BookingCodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    service: Slug
    phone: Annotated[str, Field(min_length=9, max_length=20)]


class BookingIn(BookingCodeIn):
    code: Annotated[str, Field(pattern=r"^[0-9]{4,8}$")] | None = None


class BookingCodeOut(BaseModel):
    sent_to: str
    expires_at: str
    digits: int


class BookingOut(TicketOut):
    status_url: str


class _HubClockSigner(TimestampSigner):
    """Form tokens age by the hub's clock (the one every other expiry uses)."""

    def get_timestamp(self) -> int:
        return int(current_hub().clock().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT, signer=_HubClockSigner)


def booking_token() -> str:
    """A fresh form token for the ``/book`` page: good for one booking."""
    return _serializer().dumps({"n": secrets.token_urlsafe(16)})


def status_url(ticket_id: str) -> str:
    """``<site.public_url>/t/<id>``, or the URL this request came to when none is set."""
    base = current_hub().config.site.public_url or request.host_url.rstrip("/")
    return f"{base}/t/{ticket_id}"


@bp.before_request
def _form_token() -> None:
    # Before the body is parsed: no token means 401, whatever the body holds.
    if request.endpoint not in {f"{bp.name}.{name}" for name in _FORM_ENDPOINTS}:
        return
    token = request.headers.get(TOKEN_HEADER, "")
    if not token or len(token) > 512:
        raise errors.Unauthorized("Vui lòng mở lại trang lấy số từ xa", code="unauthorized")
    max_age = current_hub().booking.settings().form_ttl_s
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except BadSignature:
        payload = None
    nonce = payload.get("n") if isinstance(payload, dict) else None
    if not isinstance(nonce, str) or not _NONCE.match(nonce):
        raise errors.Unauthorized(
            "Trang lấy số đã mở quá lâu, vui lòng tải lại trang", code="booking_token_expired"
        )
    g.booking_nonce = nonce


@endpoint(
    bp,
    "/site",
    "GET",
    summary="The site as kiosks print it: name, timezone, public URL, hours, priorities",
    access=PUBLIC,
    response=SiteInfoOut,
)
def site_info(*, actor: Actor | None) -> dict[str, Any]:
    hub = current_hub()
    site = hub.config.site
    hours = site.hours
    return {
        "id": site.id,
        "name": site.name,
        "timezone": site.timezone,
        "public_url": site.public_url,
        "hours": {"open": hours.open, "close": hours.close, "weekdays": list(hours.weekdays)}
        if hours
        else None,
        "priority_categories": list(hub.config.queue.priority_categories),
        "booking": hub.booking.enabled(),
    }


@endpoint(
    bp,
    "/bookings/code",
    "POST",
    summary="Send a one-time code to the phone of a remote ticket (needs X-Booking-Token)",
    access=PUBLIC,
    body=BookingCodeIn,
    response=BookingCodeOut,
    status=202,
    errors_=(400, 401, 404, 409, 429, 503),
)
def send_booking_code(*, actor: Actor | None, body: BookingCodeIn) -> dict[str, Any]:
    booking = current_hub().booking
    return booking.request_code(g.booking_nonce, body.service, body.phone, remote_address())


@endpoint(
    bp,
    "/bookings",
    "POST",
    summary="A remote ticket from a phone (needs the /book page's X-Booking-Token)",
    access=PUBLIC,
    body=BookingIn,
    response=BookingOut,
    status=201,
    errors_=(400, 401, 404, 409, 429),
)
def create_booking(*, actor: Actor | None, body: BookingIn) -> dict[str, Any]:
    booking = current_hub().booking
    ticket = booking.book(
        g.booking_nonce, body.service, body.phone, remote_address(), code=body.code
    )
    return {**ticket, "status_url": status_url(ticket["id"])}
