"""Pages for a citizen's phone: a ticket's status (``/t/<id>``) and remote tickets (``/book``).

``/t/<id>`` is what the QR code on a printed ticket opens: number, field,
status, people ahead and estimated wait, updated live; cancel while waiting;
once served, the rating form (levels, then reasons after a negative level), and
once rated, an optional short comment (``[ratings] comment_chars``).
Knowing the ticket's long random id is the permission (a capability URL).

How it stays live without polling: the page joins the Socket.IO namespace
``/ticket`` and sends ``follow {ticket: id}``; the hub then pushes ``ticket
{change, status}`` to that ticket's room after each committed change of it
(called, recalled, done, no-show, transferred, cancelled, expired, rated), and the
page shows the new status at once (the rating prompt on ``done``) and fetches
``GET /api/v1/tickets/<id>`` for the rest. Only the holder of the id can follow
it; no public event carries it. For the queue in front of it the page also
joins ``/display`` (the public events of the hall screens) and, when an event
concerns it — a ``queue`` change of its field, a ``call`` of its field, number or
counter — fetches the ticket once (debounced). While its channel is down the page
asks every 60 s until it is back; without the display package (no Socket.IO
client to load) every 20 s. The page is plain JavaScript; the Socket.IO client is
the one the display package vendors.

``/book`` exists when ``[booking] enabled = true`` (see :mod:`hub.booking`): pick a
field, type a mobile number and, when ``[booking.sender]`` is configured, the
one-time code sent to it. Its words go through Flask-Babel (Vietnamese first).
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Flask, Response, current_app, render_template, url_for
from flask_babel import gettext as _

from hub import errors
from hub.context import Hub, current_hub
from hub.fonts import font_response
from hub.ticket_pages.api import booking_token
from hub.ticket_pages.api import bp as api_bp

__all__ = ["CSP", "TICKET_ID", "bp", "page_headers", "register", "socket_script", "weekdays_text"]

logger = logging.getLogger(__name__)

bp = Blueprint(
    "ticket_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/ticket-pages/static",
)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
TICKET_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""What a ticket's id may look like (a page or a follow that does not match is refused)."""
_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_FONT_WEIGHTS = ("Medium", "SemiBold", "Bold", "ExtraBold")
#: Glossary wording of the hub's priority categories (as on the printed ticket).
PRIORITY_LABELS = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "veteran": "Người có công với cách mạng",
    "war_invalid": "Thương binh – bệnh binh",
}


def weekdays_text(days: tuple[int, ...]) -> str:
    """``(1, 2, 3, 4, 5)`` → ``"Thứ Hai – Thứ Sáu"``; gaps are listed: ``"Thứ Hai, Thứ Tư"``."""
    ordered = sorted(set(days))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        f"{_WEEKDAYS[r[0] - 1]} – {_WEEKDAYS[r[-1] - 1]}"
        if len(r) > 2
        else ", ".join(_WEEKDAYS[d - 1] for d in r)
        for r in runs
    ]
    return ", ".join(parts)


def book_script_strings() -> dict[str, str]:
    """The words ``book.js`` shows, in the page's language."""
    return {
        "choose_field": _("Please choose a field."),
        "enter_phone": _("Please enter a mobile phone number."),
        "enter_code": _("Please enter the verification code sent to your phone."),
        "code_sent": _("A verification code was sent to %(phone)s."),
        "failed": _("Could not take a number, please try again."),
        "offline": _("Cannot reach the centre, please try again."),
    }


def _hub() -> Hub:
    return current_hub()


def socket_script() -> str | None:
    # The display package vendors the Socket.IO client; without it the page polls.
    if "display.static" in current_app.view_functions:
        return url_for("display.static", filename="socket.io.min.js")
    return None


def _missing(title: str, text: str, status: int = 404) -> Response:
    html = render_template("ticket_missing.html", title=title, text=text, site=_hub().config.site)
    return Response(html, status=status, mimetype="text/html")


@bp.get("/t/<ticket_id>")
def ticket_status(ticket_id: str) -> Response:
    """The status page of one ticket."""
    hub = _hub()
    if not TICKET_ID.match(ticket_id):
        return _missing("Không tìm thấy phiếu", "Mã phiếu không hợp lệ. Vui lòng quét lại mã QR.")
    try:
        ticket = hub.tickets.ticket(ticket_id)
    except errors.NotFound:
        return _missing(
            "Không tìm thấy phiếu",
            "Phiếu số thứ tự này không tồn tại. Vui lòng quét lại mã QR trên phiếu.",
        )
    config = hub.config
    page = {
        "ticket": ticket,
        "api": f"/api/v1/tickets/{ticket_id}",
        "rated": _hub().ratings.is_rated(ticket_id),
        "site": {"name": config.site.name, "timezone": config.site.timezone},
        "levels": [
            {"id": level.id, "label": level.label, "positive": level.positive}
            for level in config.ratings.levels
        ],
        "reasons": [{"id": r.id, "label": r.label} for r in config.ratings.reasons],
        "comment_chars": config.ratings.comment_chars,
        "priority_labels": PRIORITY_LABELS,
        "socket": socket_script() is not None,
    }
    html = render_template(
        "ticket_status.html", page=page, ticket=ticket, site=config.site, socket=socket_script()
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/book")
def book_page() -> Response:
    """The remote-ticket form, or a 404 page while booking is off."""
    hub = _hub()
    booking = hub.booking
    if not booking.enabled():
        return _missing(
            "Chưa mở lấy số từ xa",
            "Trung tâm hiện chưa nhận lấy số thứ tự qua điện thoại. "
            "Vui lòng lấy số tại máy lấy số ở sảnh.",
        )
    rules = booking.settings()
    hours = hub.config.site.hours
    page = {
        "token": booking_token(),
        "api": url_for("ticket_pages_api.create_booking"),
        "code_api": url_for("ticket_pages_api.send_booking_code"),
        "verify": booking.verifying(),
        "t": book_script_strings(),
    }
    html = render_template(
        "book.html",
        page=page,
        site=hub.config.site,
        services=booking.services(),
        rules=rules,
        hours=hours,
        weekdays=weekdays_text(hours.weekdays) if hours else "",
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/ticket-pages/fonts/<name>.ttf")
def font(name: str) -> Response:
    """The pages' font (Be Vietnam Pro, shipped with the font package)."""
    weight = name.removeprefix("BeVietnamPro-")
    found = font_response(weight) if weight in _FONT_WEIGHTS else None
    return found or _missing("Không tìm thấy", "Không có tệp này.")


@bp.after_request
def page_headers(response: Response) -> Response:
    """The public pages' headers: a strict CSP, no sniffing, no referrer."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def register(app: Flask) -> None:
    """Add the status page, the booking page and their API to the hub."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
