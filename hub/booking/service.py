"""Remote tickets ("lấy số từ xa"): a citizen takes a number from a phone.

Off unless the configuration has ``[booking] enabled = true`` (the keys are in
:mod:`config.booking`). A booked ticket is issued by the same queue as the
kiosk's (``channel = "remote"``), so it waits in the same line by issue time.
Bookings are taken only inside ``site.hours`` (when set) and a booked ticket
still waiting at closing time is cancelled by :func:`expire_bookings` (the day's
end when no hours are set).

Every booking comes from a ``/book`` form whose token carries a random nonce:
the form books once (:mod:`hub.booking.forms`), and the token itself expires
after ``form_ttl_s``.

With a code sender (``[booking.sender]``, :mod:`hub.booking.sender`) the phone is
verified first: :meth:`BookingService.request_code` sends a one-time code of
:data:`CODE_DIGITS` digits, valid ``code_ttl_s``, and :meth:`BookingService.book`
takes the ticket only with that code (:data:`MAX_CODE_ATTEMPTS` guesses). The code
is sent after its row is committed and outside every lock, with the sender's
timeouts. Without a sender nothing proves the number is the citizen's: bookings
are capped at ``unverified_per_service_per_hour`` per field, and each is marked
unverified for the managers' dashboard.

The phone number is never stored: an HMAC of it (keyed with the hub's secret)
goes into the ``booked`` row of ``ticket_events`` (with ``verified``) and the
form's row, which is what the caps count. The caps are checked and the ticket
issued under one process-wide lock; with several hub processes two simultaneous
bookings could both pass a cap by one (the caps are a courtesy; the form's single
use holds across processes). The rate limit is kept per process in memory, keyed
by the client's address as the hub sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from config.booking import BookingSettings
from hub import errors
from hub.accounts import Actor
from hub.booking import forms
from hub.booking.limits import CHANNEL, EVENT_KIND, field_hour_count, phone_day_count
from hub.booking.phones import masked, normalise_phone
from hub.booking.ratelimit import RateLimiter
from hub.booking.sender import CodeSender, SendFailed, build_sender
from hub.clock import Clock, iso
from hub.store.db import read, write
from hub.store.tables import ticket_events, tickets
from hub.tickets import TicketService

__all__ = ["CODE_DIGITS", "MAX_CODE_ATTEMPTS", "BookingService", "expire_bookings"]

logger = logging.getLogger(__name__)

BOOKER = Actor("public", name="booking")
EXPIRER = Actor("public", name="booking_expiry")
CODE_DIGITS = 6
#: Guesses of one code; then the form is spent and the citizen reloads the page.
MAX_CODE_ATTEMPTS = 5
#: Codes one phone number may be sent a day (so the hub cannot be made to flood it).
CODES_PER_PHONE_PER_DAY = 5
#: How long used and abandoned forms are kept.
FORMS_KEPT = timedelta(days=1)


class BookingService:
    """Takes remote tickets for one hub (see the module doc for the rules).

    Args:
        engine: the hub's database.
        tickets: the ticket service (its configuration is the one in force).
        clock: UTC now.
        secret: the hub's secret key (the phone numbers' and codes' HMAC key).
        sender: the code sender to use whatever the configuration says (tests,
            demos); None builds it from ``[booking.sender]``.
    """

    def __init__(
        self,
        engine: Engine,
        tickets: TicketService,
        clock: Clock,
        secret: str,
        sender: CodeSender | None = None,
    ) -> None:
        self.engine = engine
        self.tickets = tickets
        self.clock = clock
        self.secret = secret
        self._fixed_sender = sender
        self._built: tuple[Any, CodeSender | None] = (None, None)
        self._lock = threading.Lock()
        self._rate = RateLimiter()

    def settings(self) -> BookingSettings:
        """The ``[booking]`` section of the current configuration."""
        return self.tickets.config.booking

    def enabled(self) -> bool:
        """True when remote tickets are on."""
        return self.settings().enabled

    def use_sender(self, sender: CodeSender | None) -> None:
        """Send codes with ``sender`` whatever the configuration says (tests, demos);
        None goes back to ``[booking.sender]``."""
        self._fixed_sender = sender

    def sender(self) -> CodeSender | None:
        """The code sender in force, or None while none is configured."""
        if self._fixed_sender is not None:
            return self._fixed_sender
        config = self.tickets.config
        key = (config.booking.sender, config.site.name)
        if self._built[0] != key:
            self._built = (key, build_sender(config.booking.sender, config.site.name))
        return self._built[1]

    def verifying(self) -> bool:
        """True when phone numbers are verified with a one-time code."""
        return self.sender() is not None

    def per_hour(self) -> int:
        """Remote tickets one field takes an hour (tighter without verification)."""
        rules = self.settings()
        if self.verifying():
            return rules.per_service_per_hour
        return min(rules.per_service_per_hour, rules.unverified_per_service_per_hour)

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
        if not self._rate.allow(address, self.clock().timestamp(), rules.rate_limit,
                                rules.rate_window_s):  # fmt: skip
            raise errors.TooManyAttempts(
                "Quá nhiều lượt lấy số từ thiết bị này, vui lòng thử lại sau",
                code="rate_limited",
            )

    def _admit(self, service_id: str, phone: str, address: str) -> tuple[str, str, date]:
        """The checks every request passes first; returns (number, its HMAC, today).

        Raises:
            NotFound, TooManyAttempts, BadRequest, Conflict: see :meth:`book`.
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
        return number, self._digest(number), today

    def _check_caps(self, service_id: str, digest: str, today: date) -> None:
        rules = self.settings()
        if phone_day_count(self.engine, digest, today) >= rules.per_phone_per_day:
            raise errors.Conflict(
                f"Số điện thoại này đã lấy đủ {rules.per_phone_per_day} số trong ngày",
                code="phone_limit_reached",
            )
        cap = self.per_hour()
        since = self.clock() - timedelta(hours=1)
        if field_hour_count(self.engine, service_id, today, since) >= cap:
            raise errors.Conflict(
                f"Lĩnh vực này đã nhận đủ {cap} số lấy từ xa trong một giờ; vui lòng thử lại "
                "sau hoặc lấy số tại máy lấy số ở sảnh",
                code="hourly_limit_reached",
            )

    def request_code(self, nonce: str, service_id: str, phone: str, address: str) -> dict[str, Any]:
        """Send a one-time code to ``phone`` for form ``nonce`` (``POST /bookings/code``).

        Raises:
            NotFound: Booking is off, the field is unknown, or no sender is
                configured (``verification_off``).
            TooManyAttempts: Rate limit of this client, or too many codes for the
                phone today (``too_many_codes``).
            BadRequest, Conflict: as :meth:`book`.
            Unauthorized: The form was used already (``booking_token_used``).
            Unavailable: The code could not be sent (``code_not_sent``).
        """
        number, digest, today = self._admit(service_id, phone, address)
        sender = self.sender()
        if sender is None:
            raise errors.NotFound(
                "Trung tâm chưa bật xác minh số điện thoại", code="verification_off"
            )
        self._check_caps(service_id, digest, today)
        now = self.clock()
        if forms.codes_sent_since(self.engine, digest, now - timedelta(days=1)) >= (
            CODES_PER_PHONE_PER_DAY
        ):
            raise errors.TooManyAttempts(
                "Số điện thoại này đã nhận quá nhiều mã xác minh hôm nay, vui lòng thử lại sau",
                code="too_many_codes",
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        ttl = self.settings().code_ttl_s
        expires = now + timedelta(seconds=ttl)
        opened = forms.open_code(
            self.engine,
            nonce,
            now=now,
            service_id=service_id,
            phone=digest,
            code_hash=self._code_hash(nonce, code),
            expires_at=expires,
        )
        if not opened:
            raise _used()
        try:
            sender.send(number, code, max(1, ttl // 60))
        except SendFailed as err:
            logger.warning("verification code for a booking not sent: %s", err)
            forms.drop_form(self.engine, nonce)
            raise errors.Unavailable(
                "Không gửi được mã xác minh, vui lòng thử lại sau", code="code_not_sent"
            ) from None
        logger.info("verification code sent for a booking of %s", service_id)
        return {"sent_to": masked(number), "expires_at": iso(expires), "digits": CODE_DIGITS}

    def book(
        self, nonce: str, service_id: str, phone: str, address: str, code: str | None = None
    ) -> dict[str, Any]:
        """Issue a remote ticket (the answer of ``POST /api/v1/bookings``).

        Raises:
            NotFound: Booking is off (``booking_disabled``) or the field is unknown.
            TooManyAttempts: Rate limit of this client, or too many wrong codes.
            BadRequest: Bad phone number, a field not open to booking, no code or a
                wrong one (``code_required``, ``wrong_code``).
            Conflict: Outside hours (``outside_hours``), the phone's daily cap
                (``phone_limit_reached``), the field's hourly cap
                (``hourly_limit_reached``), the field's daily limit, or a code not
                sent for this number and field, or expired.
            Unauthorized: The form was used already (``booking_token_used``).
        """
        _number, digest, today = self._admit(service_id, phone, address)
        verified = self.verifying()
        if verified:
            self._check_code(nonce, service_id, digest, code)
        with self._lock:
            now = self.clock()
            if verified:
                claimed = forms.claim_verified(self.engine, nonce, now)
            else:
                claimed = forms.claim_unverified(
                    self.engine, nonce, now=now, service_id=service_id, phone=digest
                )
            if not claimed:
                raise _used()
            try:
                self._check_caps(service_id, digest, today)
                ticket = self.tickets.issue_with_retry(
                    service_id, priority=None, actor=BOOKER, channel=CHANNEL
                )
            except errors.HubError:
                forms.release(self.engine, nonce, verified=verified)
                raise
            with write(self.engine) as conn:
                conn.execute(
                    insert(ticket_events).values(
                        ticket_id=ticket["id"],
                        at=self.clock(),
                        kind=EVENT_KIND,
                        actor=BOOKER.label,
                        detail={"phone": digest, "verified": verified},
                    )
                )
                forms.attach_ticket(conn, nonce, ticket["id"])
        logger.info(
            "remote ticket %s issued for %s (%s)",
            ticket["number"],
            service_id,
            "phone verified" if verified else "phone NOT verified",
        )
        return ticket

    def _check_code(self, nonce: str, service_id: str, digest: str, code: str | None) -> None:
        if not code:
            raise errors.BadRequest(
                "Vui lòng nhập mã xác minh đã gửi tới điện thoại", code="code_required"
            )
        found = forms.check_code(self.engine, nonce, max_attempts=MAX_CODE_ATTEMPTS)
        if found is not None and found.used:
            raise _used()
        if (
            found is None
            or found.code_hash is None
            or (found.service_id, found.phone) != (service_id, digest)
        ):
            raise errors.Conflict(
                "Chưa gửi mã xác minh cho số điện thoại và lĩnh vực này; vui lòng bấm "
                "“Gửi mã xác minh”",
                code="code_not_requested",
            )
        if not found.counted:
            raise errors.TooManyAttempts(
                "Nhập sai mã quá nhiều lần; vui lòng tải lại trang để nhận mã mới",
                code="too_many_code_attempts",
            )
        if found.expires_at is None or found.expires_at <= self.clock():
            raise errors.Conflict(
                "Mã xác minh đã hết hạn; vui lòng tải lại trang để nhận mã mới",
                code="code_expired",
            )
        if not hmac.compare_digest(found.code_hash, self._code_hash(nonce, code)):
            left = MAX_CODE_ATTEMPTS - found.attempts
            raise errors.BadRequest(
                f"Mã xác minh không đúng (còn {left} lần thử)", code="wrong_code"
            )

    def _digest(self, phone: str) -> str:
        key = self.secret.encode()
        message = f"{self.tickets.config.site.id}:{phone}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

    def _code_hash(self, nonce: str, code: str) -> str:
        message = f"code:{nonce}:{code}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()


def _used() -> errors.Unauthorized:
    return errors.Unauthorized(
        "Trang lấy số này đã được dùng; vui lòng tải lại trang", code="booking_token_used"
    )


def expire_bookings(service: BookingService) -> int:
    """Cancel remote tickets still waiting once their day's closing time has passed,
    and forget the forms of more than a day ago.

    Returns:
        How many tickets were cancelled.
    """
    now = service.clock()
    forms.purge_forms(service.engine, now - FORMS_KEPT)
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
