"""The driver's own record of the day: every ticket, call, press and rating as the hub
answered them, and the simulated clock the actors keep.

Simulated time runs ``speed`` times faster than the wall clock from the instant
the doors open (:attr:`Day.t0`). The hub runs on the real clock, so every time it
stores is a real instant of the run: the checks compare them with the instants
around each request (:class:`bench.day.wire.Answer`), never with the simulated ones.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench.day.plan import Plan
from bench.day.profile import Layout, Profile
from bench.day.wire import Answer, Recorder

WAITING, CALLED, DONE, NO_SHOW, CANCELLED = "waiting", "called", "done", "no_show", "cancelled"


@dataclass
class TicketRecord:
    """A ticket the hub acknowledged, and what happened to it since."""

    id: str
    number: str
    origin: str
    citizen: int
    key: str
    issued: Answer
    service: str = ""
    status: str = WAITING
    counter: str | None = None
    staff: str | None = None
    called_at: datetime | None = None
    completed_at: datetime | None = None
    actions: list[tuple[str, Answer]] = field(default_factory=list)
    """(operation, answer) of every counter action on it, in order."""


@dataclass
class Press:
    """One press of a rating pad (or the same press sent again)."""

    key: str
    pad: str
    counter: str
    level: str
    at: datetime
    kind: str
    """``citizen``, ``double``, ``stray`` or ``burst``."""
    answer: Answer | None = None
    resent: Answer | None = None


@dataclass
class CallSent:
    """A call (call-next or recall) as the counter sent it, for the screens' latency."""

    counter: str
    number: str
    recall: bool
    t0_ns: int


class Day:
    """Shared state of one simulated day; a single asyncio loop runs every actor."""

    def __init__(self, profile: Profile, site: Layout, plan: Plan, recorder: Recorder) -> None:
        self.profile, self.site, self.plan, self.recorder = profile, site, plan, recorder
        self.speed = profile.speed
        self.t0 = time.monotonic()
        self.tickets: dict[str, TicketRecord] = {}
        self.by_number: dict[str, str] = {}
        self.presses: list[Press] = []
        self.phone_ratings: list[tuple[str, str, Answer]] = []
        """(ticket id, level, answer)."""
        self.cancels: list[tuple[str, Answer]] = []
        self.counter_ops: list[tuple[str, str, Answer]] = []
        """(counter, operation, answer) of open, pause, resume, close."""
        self.calls: list[CallSent] = []
        self.counts: Counter[tuple[str, str]] = Counter()
        """(status, field) → tickets (own record)."""
        self.kiosks_left = profile.kiosks
        self.max_lag_s = 0.0
        self._change = asyncio.Event()
        self._numbers: dict[str, asyncio.Future[str]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.pads: dict[str, Any] = {}
        """Counter → its :class:`bench.day.actors.Pad`."""
        self.phones: Any = None
        """The citizens' phones (a :class:`bench.day.wire.Connection`)."""

    # ------------------------------------------------------------ the clock
    def start(self) -> None:
        """The doors open now (simulated 07:30)."""
        self.t0 = time.monotonic()

    def sim_now(self) -> float:
        return (time.monotonic() - self.t0) * self.speed

    async def until(self, sim_s: float) -> None:
        """Sleep until the simulated instant ``sim_s``; note how late the actors run."""
        wait = self.t0 + sim_s / self.speed - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        else:
            self.max_lag_s = max(self.max_lag_s, -wait * self.speed)

    async def pause(self, sim_s: float) -> None:
        """Sleep for ``sim_s`` simulated seconds."""
        await asyncio.sleep(max(0.0, sim_s / self.speed))

    def spawn(self, coro: Any) -> None:
        """Run ``coro`` alongside (a citizen's later steps); kept until it ends."""
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[Any]) -> None:
        """A spawned task ended: a failure is a failure of the day, never silent."""
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            trace = "".join(traceback.format_exception(error)[-3:]).strip()
            self.recorder.fail(f"a citizen's task failed: {error!r}: {trace}")

    # ------------------------------------------------------------ tickets
    def issued(self, record: TicketRecord) -> None:
        record.service = record.origin
        self.counts[(WAITING, record.origin)] += 1
        self.tickets[record.id] = record
        self.by_number[record.number] = record.id
        waiter = self._numbers.pop(record.number, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(record.id)
        self.changed()

    async def ticket_of(self, number: str) -> TicketRecord:
        """The ticket of a called number (its kiosk's answer may still be on its way)."""
        if number not in self.by_number:
            waiter = self._numbers.setdefault(number, asyncio.get_running_loop().create_future())
            await asyncio.wait_for(asyncio.shield(waiter), 60)
        return self.tickets[self.by_number[number]]

    def changed(self) -> None:
        """Wake the officers waiting for someone to call (the console's queue count)."""
        self._change.set()
        self._change = asyncio.Event()

    async def wait_change(self, sim_s: float) -> None:
        """Until the queue changes, or ``sim_s`` simulated seconds at most."""
        try:
            await asyncio.wait_for(self._change.wait(), sim_s / self.speed)
        except TimeoutError:
            pass

    def move(self, record: TicketRecord, status: str, service: str | None = None) -> None:
        """A ticket's new status (and field, on a transfer), as the hub answered it."""
        self.counts[(record.status, record.service)] -= 1
        record.status, record.service = status, service or record.service
        self.counts[(status, record.service)] += 1
        self.changed()

    def waiting_for(self, fields: tuple[str, ...]) -> int:
        return sum(self.counts[(WAITING, f)] for f in fields)

    def tally(self) -> dict[str, int]:
        """Tickets by status (own record)."""
        out = dict.fromkeys((WAITING, CALLED, DONE, NO_SHOW, CANCELLED), 0)
        for (status, _field), n in self.counts.items():
            out[status] += n
        return out

    def finished(self) -> bool:
        """Every kiosk done and nobody waiting or being served."""
        tally = self.tally()
        return self.kiosks_left == 0 and tally[WAITING] == 0 and tally[CALLED] == 0
