"""Remote tickets ("lấy số từ xa"): a citizen takes a number from a phone.

Off unless the configuration has::

    [booking]
    enabled = true
    per_phone_per_day = 1        # tickets one phone number may take a day
    rate_limit = 5               # attempts per client address …
    rate_window_s = 600          # … in this many seconds
    services = []                # fields open to booking; empty = all
    cutoff_min = 30              # stop taking bookings this long before closing

A booked ticket is issued by the same queue as the kiosk's (``channel =
"remote"``), so it waits in the same line by issue time. Bookings are taken
only inside ``site.hours`` (when set) and a booked ticket still waiting at
closing time is cancelled by :func:`expire_bookings` (the day's end when no
hours are set).

The phone number is never stored: an HMAC of it (keyed with the hub's secret)
goes into a ``booked`` row of ``ticket_events``, which is what the daily cap
counts. The cap is checked and the ticket issued under one process-wide lock;
with several hub processes two simultaneous bookings from one phone could both
pass (the limit is a courtesy, not a security boundary). The rate limit is kept
per process in memory, keyed by the client's address as the hub sees it.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import logging
import re
import threading
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from config.booking import BookingSettings
from hub import errors
from hub.accounts import Actor
from hub.clock import Clock
from hub.store.db import read, write
from hub.store.tables import ticket_events, tickets
from hub.tickets import TicketService

__all__ = ["BookingService", "expire_bookings", "normalise_phone"]

logger = logging.getLogger(__name__)

BOOKER = Actor("public", name="booking")
EXPIRER = Actor("public", name="booking_expiry")
CHANNEL = "remote"
EVENT_KIND = "booked"
_MAX_CLIENTS = 10_000  # addresses remembered by the rate limiter
# Vietnamese mobile numbers: 0 + 9 digits (03x, 05x, 07x, 08x, 09x), or +84 / 84 + 9 digits.
_PHONE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")


def normalise_phone(raw: str) -> str:
    """``"+84 912 345 678"`` → ``"0912345678"``.

    Raises:
        BadRequest: Not a Vietnamese mobile number.
    """
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    match = _PHONE.match(digits)
    if match is None:
        raise errors.BadRequest(
            "Số điện thoại di động không hợp lệ (ví dụ: 0912 345 678)", code="invalid_phone"
        )
    return "0" + match.group(1)


class BookingService:
    """Takes remote tickets for one hub (see the module doc for the rules).

    Args:
        engine: the hub's database.
        tickets: the ticket service (its configuration is the one in force).
        clock: UTC now.
        secret: the hub's secret key (the phone numbers' HMAC key).
    """

    def __init__(self, engine: Engine, tickets: TicketService, clock: Clock, secret: str) -> None:
        self.engine = engine
        self.tickets = tickets
        self.clock = clock
        self.secret = secret
        self._lock = threading.Lock()
        self._attempts: dict[str, collections.deque[float]] = {}
        self._attempts_lock = threading.Lock()

    def settings(self) -> BookingSettings:
        """The ``[booking]`` section of the current configuration."""
        return self.tickets.config.booking

    def enabled(self) -> bool:
        """True when remote tickets are on."""
        return self.settings().enabled

    def services(self) -> list[dict[str, Any]]:
        """The fields open to booking, with waiting counts and estimated waits."""
        allowed = set(self.settings().services)
        return [s for s in self.tickets.services() if not allowed or s["id"] in allowed]

    def window(self, on: date) -> tuple[datetime, datetime] | None:
        """When bookings are taken on ``on`` (UTC instants), or None on a closed day.

        Without ``site.hours``, the whole day.
        """
        site = self.tickets.config.site
        zone = ZoneInfo(site.timezone)
        if site.hours is None:
            start = datetime.combine(on, time(0), zone)
            return start, start + timedelta(days=1)
        if on.isoweekday() not in site.hours.weekdays:
            return None
        opens = datetime.combine(on, time.fromisoformat(site.hours.open), zone)
        closes = datetime.combine(on, time.fromisoformat(site.hours.close), zone)
        return opens, closes - timedelta(minutes=self.settings().cutoff_min)

    def closing(self, on: date) -> datetime:
        """When remote tickets of ``on`` expire: closing time, else the day's end."""
        site = self.tickets.config.site
        zone = ZoneInfo(site.timezone)
        if site.hours is None:
            return datetime.combine(on + timedelta(days=1), time(0), zone)
        return datetime.combine(on, time.fromisoformat(site.hours.close), zone)

    def _today(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.tickets.config.site.timezone)).date()

    def check_rate(self, address: str) -> None:
        """Count one attempt from ``address``.

        Raises:
            TooManyAttempts: More than ``rate_limit`` attempts in ``rate_window_s``.
        """
        rules = self.settings()
        now = self.clock().timestamp()
        with self._attempts_lock:
            seen = self._attempts.setdefault(address, collections.deque())
            while seen and seen[0] <= now - rules.rate_window_s:
                seen.popleft()
            if len(seen) >= rules.rate_limit:
                raise errors.TooManyAttempts(
                    "Quá nhiều lượt lấy số từ thiết bị này, vui lòng thử lại sau",
                    code="rate_limited",
                )
            seen.append(now)
            if len(self._attempts) > _MAX_CLIENTS:
                # Forget addresses whose last attempt left the window (dicts keep
                # insertion order, so the oldest clients are looked at first).
                stale = [k for k, v in self._attempts.items() if v[-1] <= now - rules.rate_window_s]
                for key in stale or list(self._attempts)[: _MAX_CLIENTS // 10]:
                    if key != address:
                        del self._attempts[key]

    def book(self, service_id: str, phone: str, address: str) -> dict[str, Any]:
        """Issue a remote ticket (the answer of ``POST /api/v1/bookings``).

        Raises:
            NotFound: Booking is off (``booking_disabled``) or the field is unknown.
            TooManyAttempts: Rate limit of this client.
            BadRequest: Bad phone number, or a field not open to booking.
            Conflict: Outside hours (``outside_hours``), the phone's daily cap
                (``phone_limit_reached``), or the field's daily limit.
        """
        rules = self.settings()
        if not rules.enabled:
            raise errors.NotFound("Trung tâm chưa mở lấy số từ xa", code="booking_disabled")
        self.check_rate(address)
        number = normalise_phone(phone)
        if rules.services and service_id not in rules.services:
            if self.tickets.config.service(service_id) is None:
                raise errors.NotFound(f"Không có lĩnh vực '{service_id}'", code="unknown_service")
            raise errors.BadRequest(
                "Lĩnh vực này không nhận lấy số từ xa", code="service_not_bookable"
            )
        now = self.clock()
        today = self._today(now)
        window = self.window(today)
        if window is None or not window[0] <= now < window[1]:
            raise errors.Conflict(
                "Ngoài giờ làm việc: hiện không nhận lấy số từ xa", code="outside_hours"
            )
        digest = self._digest(number)
        with self._lock:
            if self._count_today(digest, today) >= rules.per_phone_per_day:
                raise errors.Conflict(
                    f"Số điện thoại này đã lấy đủ {rules.per_phone_per_day} số trong ngày",
                    code="phone_limit_reached",
                )
            ticket = self.tickets.issue_with_retry(
                service_id, priority=None, actor=BOOKER, channel=CHANNEL
            )
            with write(self.engine) as conn:
                conn.execute(
                    insert(ticket_events).values(
                        ticket_id=ticket["id"],
                        at=self.clock(),
                        kind=EVENT_KIND,
                        actor=BOOKER.label,
                        detail={"phone": digest},
                    )
                )
        logger.info("remote ticket %s issued for %s", ticket["number"], service_id)
        return ticket

    def _digest(self, phone: str) -> str:
        key = self.secret.encode()
        message = f"{self.tickets.config.site.id}:{phone}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

    def _count_today(self, digest: str, today: date) -> int:
        with read(self.engine) as conn:
            rows = conn.execute(
                select(ticket_events.c.detail)
                .select_from(ticket_events.join(tickets, tickets.c.id == ticket_events.c.ticket_id))
                .where(ticket_events.c.kind == EVENT_KIND, tickets.c.day == today)
            )
            return sum(1 for (detail,) in rows if (detail or {}).get("phone") == digest)


def expire_bookings(service: BookingService) -> int:
    """Cancel remote tickets still waiting once their day's closing time has passed.

    Returns:
        How many tickets were cancelled.
    """
    now = service.clock()
    with read(service.engine) as conn:
        rows = conn.execute(
            select(tickets.c.id, tickets.c.day).where(
                tickets.c.channel == CHANNEL, tickets.c.status == "waiting"
            )
        ).all()
    cancelled = 0
    for ticket_id, day in rows:
        if now < service.closing(day):
            continue
        try:
            service.tickets.cancel(ticket_id, actor=EXPIRER)
        except errors.HubError as err:  # called or cancelled meanwhile
            logger.info("remote ticket %s not expired: %s", ticket_id, err)
            continue
        cancelled += 1
    if cancelled:
        logger.info("expired %d remote tickets at closing time", cancelled)
    return cancelled
