"""The people and devices of the simulated day, each an asyncio task on its own connection.

- a **kiosk** issues the tickets of the citizens who come to it, in their arrival
  order, each with an idempotency key (now and then sent twice: a lost answer);
- an **officer** logs in and opens a counter before the doors open, then calls,
  serves, completes; recalls once then marks a no-show when nobody comes; sends a
  ticket to another field; pauses for lunch; closes the counter once the floor is
  empty. An officer calls
  only when someone waits for one of the counter's fields, as the console's
  queue count shows (here: the driver's own record);
- a **pad** sends its counter's presses in order (``POST /ratings`` with ``at``,
  the instant of the press), now and then one twice with the same key;
- the **citizens** rate on the pad or on their ticket's page, give up and cancel,
  press twice; and the odd presses: a stray one, a child's burst instead of a rating.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

from bench.day.plan import BURST_PRESSES, LUNCH_S, Citizen
from bench.day.state import (
    CALLED,
    CANCELLED,
    DONE,
    NO_SHOW,
    WAITING,
    CallSent,
    Day,
    Press,
    TicketRecord,
)
from bench.day.wire import Answer, Connection, parse_time

IDLE_SIM_S = 600.0
"""An idle officer looks at the queue at least this often (simulated seconds)."""


async def kiosk(day: Day, conn: Connection, index: int) -> None:
    """Issue the tickets of this kiosk's citizens, each when they arrive."""
    try:
        for citizen in day.plan.citizens:
            if citizen.kiosk != index:
                continue
            await day.until(citizen.arrive_s)
            key = f"day.{citizen.index:05d}.{secrets.token_hex(6)}"
            body = {"service": citizen.field, "priority": citizen.priority, "key": key}
            answer = await conn.request("issue", "POST", "/tickets", body, expect=(201,))
            if answer.status != 201:
                continue
            data = answer.data
            record = TicketRecord(
                data["id"], data["number"], citizen.field, citizen.index, key, answer
            )
            citizen.ticket_id = record.id
            day.issued(record)
            if citizen.resend_issue:
                again = await conn.request("issue_again", "POST", "/tickets", body, expect=(200,))
                record.actions.append(("issue_again", again))
            if citizen.patience_s is not None:
                day.spawn(give_up(day, citizen, record))
    finally:
        day.kiosks_left -= 1
        day.changed()


async def give_up(day: Day, citizen: Citizen, record: TicketRecord) -> None:
    """A citizen tired of waiting cancels the ticket on its page (if still waiting)."""
    await day.until(citizen.arrive_s + (citizen.patience_s or 0.0))
    if record.status != WAITING:
        return
    citizen.left = True
    answer = await day.phones.request(
        "cancel", "POST", f"/tickets/{record.id}/cancel", expect=(200, 409)
    )
    day.cancels.append((record.id, answer))
    if answer.status == 200 and record.status == WAITING:
        day.move(record, CANCELLED)


class Officer:
    """One officer at one counter, from opening to the empty floor."""

    def __init__(self, day: Day, conn: Connection, counter: str, password: str) -> None:
        self.day, self.conn, self.counter = day, conn, counter
        self.fields = day.site.counters[counter]
        self.username = day.site.staff[counter][0]
        self.password = password
        self.lunch = counter in day.plan.lunch

    async def act(self, op: str, body: object = None, expect: tuple[int, ...] = (200,)) -> Answer:
        path = f"/counters/{self.counter}/{op}"
        return await self.conn.request(op.replace("-", "_"), "POST", path, body, expect=expect)

    async def prepare(self) -> None:
        """Before the doors open: log in and open the counter."""
        login = {"username": self.username, "password": self.password}
        answer = await self.conn.request("login", "POST", "/auth/login", login)
        self.conn.token = answer.data["token"]
        self.day.counter_ops.append((self.counter, "open", await self.act("open")))

    async def run(self) -> None:
        """From the doors opening to the empty floor, then close the counter."""
        day = self.day
        while not day.finished():
            if self.lunch and LUNCH_S[0] <= day.sim_now() < LUNCH_S[1]:
                await self.take_lunch()
            if not day.waiting_for(self.fields):
                await day.wait_change(IDLE_SIM_S)
                continue
            t0 = time.monotonic_ns()
            answer = await self.act("call-next", expect=(200, 204))
            if answer.status != 200:
                await day.wait_change(IDLE_SIM_S)
                continue
            await self.serve(answer, t0)
        day.counter_ops.append((self.counter, "close", await self.act("close")))

    async def take_lunch(self) -> None:
        self.lunch = False
        self.day.counter_ops.append((self.counter, "pause", await self.act("pause")))
        await self.day.until(LUNCH_S[1])
        self.day.counter_ops.append((self.counter, "resume", await self.act("resume")))

    async def serve(self, answer: Answer, t0: int) -> None:
        day = self.day
        data = answer.data
        record = await day.ticket_of(data["number"])
        day.calls.append(CallSent(self.counter, record.number, False, t0))
        record.actions.append(("call_next", answer))
        record.counter, record.staff = self.counter, self.username
        record.called_at = parse_time(data.get("called_at"))
        day.move(record, CALLED, data["service"]["id"])
        citizen = day.plan.citizens[record.citizen]
        if citizen.left or citizen.no_show:
            await day.pause(60)
            t0 = time.monotonic_ns()
            again = await self.act("recall")
            day.calls.append(CallSent(self.counter, record.number, True, t0))
            record.actions.append(("recall", again))
            await day.pause(60)
            gone = await self.act("no-show")
            record.actions.append(("no_show", gone))
            record.completed_at = parse_time(gone.data.get("completed_at"))
            day.move(record, NO_SHOW)
            return
        if citizen.transfer_to and not citizen.transferred:
            await day.pause(90)
            sent = await self.act("transfer", {"service": citizen.transfer_to})
            record.actions.append(("transfer", sent))
            citizen.transferred = True
            day.move(record, WAITING, citizen.transfer_to)
            return
        await day.pause(citizen.service_s)
        done = await self.act("complete")
        record.actions.append(("complete", done))
        record.completed_at = parse_time(done.data.get("completed_at"))
        day.move(record, DONE)
        day.spawn(rate(day, citizen, record, self.counter))


async def rate(day: Day, citizen: Citizen, record: TicketRecord, counter: str) -> None:
    """The citizen's rating after the errand: on the pad, on the ticket's page, both."""
    await day.pause(citizen.press_delay_s)
    pad = day.pads[counter]
    if citizen.burst:
        await pad.burst()
    elif citizen.rating in ("pad", "both"):
        await pad.press(citizen.level, "citizen", resend=citizen.resend_press)
        if citizen.double_press:
            await day.pause(2)
            await pad.press(citizen.level, "double")
    if citizen.rating in ("phone", "both"):
        await day.pause(60)
        path = f"/tickets/{record.id}/rating"
        answer = await day.phones.request(
            "phone_rating", "POST", path, {"level": citizen.level}, expect=(201, 409)
        )
        day.phone_ratings.append((record.id, citizen.level, answer))


class Pad:
    """A counter's rating pad: presses sent one after another, in the order pressed."""

    def __init__(self, day: Day, conn: Connection, name: str, counter: str) -> None:
        self.day, self.conn, self.name, self.counter = day, conn, name, counter
        self.sent = 0

    async def press(
        self, level: str, kind: str, *, resend: bool = False, at: datetime | None = None
    ) -> Press:
        self.sent += 1
        press = Press(
            f"{self.name}.{self.sent:06d}", self.name, self.counter, level,
            at or datetime.now(UTC), kind,
        )  # fmt: skip
        self.day.presses.append(press)
        body = {"key": press.key, "level": level, "at": press.at.isoformat()}
        press.answer = await self.conn.request("press", "POST", "/ratings", body, expect=(201, 409))
        if resend:
            press.resent = await self.conn.request(
                "press_again", "POST", "/ratings", body, expect=(200, 409)
            )
        return press

    async def stray(self, sim_s: float) -> None:
        """Someone presses the pad with nobody just served (a child, a passer-by)."""
        await self.day.until(sim_s)
        await self.press("very_satisfied", "stray")

    async def burst(self) -> None:
        """A child presses six times within a simulated few seconds: the first press is
        linked, the others refused, and the misuse rule flags the rating."""
        first = datetime.now(UTC)
        for i in range(BURST_PRESSES):
            at = first + timedelta(seconds=i / self.day.speed)
            await self.press("very_satisfied", "burst", at=at)
