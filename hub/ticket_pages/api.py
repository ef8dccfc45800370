"""The API the ticket pages and kiosks use: ``GET /site`` and ``POST /bookings``.

- ``GET /api/v1/site`` (public): the site's name, timezone, public URL, opening
  hours, priority categories and whether booking is on. A kiosk prints the name,
  the time in that timezone and a QR code of ``<public_url>/t/<id>``.
- ``POST /api/v1/bookings`` (public, with the ``/book`` page's form token in
  ``X-Booking-Token``): a remote ticket; see :mod:`hub.booking`.
  The token is signed with the hub's secret and lives 30 minutes, so only
  someone who opened the page can book; a missing or stale one is a 401.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Blueprint, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, ConfigDict, Field

from hub import errors
from hub.accounts import Actor
from hub.api.models import Slug, TicketOut
from hub.api.spec import PUBLIC, endpoint
from hub.context import current_hub, remote_address

__all__ = ["TOKEN_HEADER", "bp", "booking_token", "status_url"]

bp = Blueprint("ticket_pages_api", __name__, url_prefix="/api/v1")
TOKEN_HEADER = "X-Booking-Token"
TOKEN_MAX_AGE_S = 1800
_SALT = "motcua.booking-form"


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


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    service: Slug
    phone: Annotated[str, Field(min_length=9, max_length=20)]


class BookingOut(TicketOut):
    status_url: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def booking_token() -> str:
    """A fresh form token for the ``/book`` page."""
    return _serializer().dumps("book")


def status_url(ticket_id: str) -> str:
    """``<site.public_url>/t/<id>``, or the URL this request came to when none is set."""
    base = current_hub().config.site.public_url or request.host_url.rstrip("/")
    return f"{base}/t/{ticket_id}"


@bp.before_request
def _form_token() -> None:
    # Before the body is parsed: no token means 401, whatever the body holds.
    if request.endpoint != f"{bp.name}.create_booking":
        return
    token = request.headers.get(TOKEN_HEADER, "")
    if not token or len(token) > 512:
        raise errors.Unauthorized("Vui lòng mở lại trang lấy số từ xa", code="unauthorized")
    try:
        _serializer().loads(token, max_age=TOKEN_MAX_AGE_S)
    except BadSignature:
        raise errors.Unauthorized(
            "Trang lấy số đã mở quá lâu, vui lòng tải lại trang", code="booking_token_expired"
        ) from None


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
    ticket = current_hub().booking.book(body.service, body.phone, remote_address())
    return {**ticket, "status_url": status_url(ticket["id"])}
