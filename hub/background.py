"""Every periodic job of a running hub, with one stop event.

Whatever runs the hub (``motcua serve``, ``motcua demo``, the WSGI entry) starts
it explicitly with :func:`start_background`; registering a blueprint never does,
and a test's app runs none unless the test asks. Each job runs in its own
thread, so a slow upstream cannot hold back the rating windows:

- ``rating-windows``: close rating windows whose time has passed (every second);
- ``day-expiry``: close tickets still waiting from an earlier day (every minute);
- ``unseen-calls``: log calls no screen showed in time (every second);
- ``outbox``: deliver upstream batches, alert webhooks and rated dossiers for
  ``[export]`` (woken after each commit that queued one, else every
  ``[upstream] interval_s``);
- ``closing``: close finished days' queue figures and check the periodic
  alert rules (every ``[alerts] check_every_s``);
- ``booking-expiry``: cancel remote tickets at closing time (every minute);
- ``retention``: erase the personal data older than ``[retention]
  keep_personal_days`` (every six hours; nothing without the setting);
- ``token-revocations``: clear this process's token cache when another process
  announces a revocation (with Redis; every process runs it).

With several server processes on PostgreSQL, only one runs each periodic job:
the one holding its advisory lock (:class:`Leadership`). When that process
dies, its connection closes, the lock is free, and another takes the job over
at its next turn. A job that fails runs again at its next turn; its failure is
logged once (:class:`FaultLog`), not at every turn while it lasts: a full disk or a
read-only database in one line, anything else with its traceback; and once more
when the job works again.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from hub.alerts import check_periodic
from hub.booking import expire_bookings
from hub.context import Hub, hub_of
from hub.errors import HubError
from hub.federation import OutboxSender, enqueue_queue_day
from hub.queue import site_day
from hub.retention import purge_personal
from hub.screens import check_unseen
from hub.stats import roll_queue_days

logger = logging.getLogger(__name__)

BACKGROUND_EXTENSION = "motcua.background"


@dataclass(frozen=True)
class Job:
    """One periodic job.

    Attributes:
        name: its name (and its thread's, prefixed ``motcua-``).
        run: the work of one turn.
        every_s: seconds until the next turn (read each turn: a reload applies).
        wake: when set, starts the next turn at once.
    """

    name: str
    run: Callable[[], object]
    every_s: Callable[[], float]
    wake: threading.Event | None = None
    leader_only: bool = True
    """Run by one process of the hub at a time (see :class:`Leadership`)."""


class Leadership:
    """Which of the hub's processes runs each periodic job.

    On PostgreSQL a process leads a job while it holds the job's session advisory
    lock, taken with ``pg_try_advisory_lock`` on a connection kept for that
    purpose; the lock goes with the connection when the process dies. On SQLite
    only one server process exists, and it leads every job.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._failing = False

    def leads(self, job: str) -> bool:
        """True when this process runs ``job`` (taking it over when it is free)."""
        if self.engine.dialect.name != "postgresql":
            return True
        with self._lock:
            try:
                conn = self._conn or self.engine.connect()
                self._conn = conn
                if job in self._held:
                    conn.execute(text("SELECT 1"))  # the lock lives as long as this works
                    conn.commit()
                    return True
                taken = conn.execute(ADVISORY_LOCK, {"key": lock_key(job)}).scalar()
                conn.commit()
            except DBAPIError as err:
                if not self._failing:  # once, not at every job's every turn
                    logger.warning(
                        "leadership of the periodic jobs lost (%s); retrying each turn",
                        type(err).__name__,
                    )
                self._failing = True
                self._drop()
                return False
            self._failing = False
            if taken:
                self._held.add(job)
                logger.info("process %d now runs the periodic job %s", os.getpid(), job)
            return bool(taken)

    def release(self) -> None:
        """Give every job up (at shutdown), so another process takes over at once."""
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except DBAPIError:
                pass
        self._conn = None
        self._held.clear()


ADVISORY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
LOCK_NAMESPACE = 0x6D63_7561  # "mcua": keeps our keys apart from other applications'


def lock_key(job: str) -> int:
    """The 64-bit advisory lock key of a job's name."""
    return (LOCK_NAMESPACE << 32 | zlib.crc32(job.encode())) - (1 << 63)


class Background:
    """The hub's periodic jobs, each in a daemon thread, all ended by :meth:`stop`."""

    def __init__(self, jobs: Sequence[Job], leadership: Leadership | None = None) -> None:
        self.jobs = list(jobs)
        self.leadership = leadership
        self.stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start every job's thread (once)."""
        if self._threads:
            return
        for job in self.jobs:
            thread = threading.Thread(
                target=self._loop, args=(job,), name=f"motcua-{job.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask every job to stop and wait for their threads."""
        self.stopping.set()
        for job in self.jobs:
            if job.wake is not None:
                job.wake.set()
        for thread in self._threads:
            thread.join(timeout_s)
        if self.leadership is not None:
            self.leadership.release()

    def _loop(self, job: Job) -> None:
        faults = FaultLog(job.name)
        while not self.stopping.is_set():
            try:
                if self._leads(job):
                    job.run()
                faults.ran()
            except Exception as err:  # noqa: BLE001 - a failed turn is logged; the next one retries
                faults.failed(err)
            if job.wake is None:
                self.stopping.wait(job.every_s())
            else:
                job.wake.wait(job.every_s())
                job.wake.clear()

    def _leads(self, job: Job) -> bool:
        return not job.leader_only or self.leadership is None or self.leadership.leads(job.name)


class FaultLog:
    """One job's failures, logged when they start or change and when they end.

    A job that meets the same fault at every turn (a full disk, a read-only
    database, a bug) would otherwise write a line, or a traceback, every second.
    """

    def __init__(self, job: str) -> None:
        self.job = job
        self.current: str | None = None

    def failed(self, err: Exception) -> None:
        key = err.code if isinstance(err, HubError) else type(err).__qualname__
        if key == self.current:
            return
        self.current = key
        if isinstance(err, HubError):
            logger.warning(
                "background job %s cannot run (%s: %s); it retries each turn and says when "
                "it works again",
                self.job,
                err.code,
                err.message,
            )
        else:
            logger.exception(
                "background job %s failed; it retries each turn and says when it works again",
                self.job,
            )

    def ran(self) -> None:
        if self.current is not None:
            logger.warning("background job %s works again (after %s)", self.job, self.current)
            self.current = None


def hub_jobs(hub: Hub, *, tick_s: float = 1.0) -> list[Job]:
    """The hub's periodic jobs (see the module doc); ``tick_s`` paces the fast ones."""
    sender = OutboxSender(hub.engine, hub.config, hub.clock, hub.outbox)

    def deliver() -> None:
        sender.config = hub.config
        sender.flush_upstream()
        sender.flush_webhooks()
        sender.flush_exports()

    def close_days() -> None:
        now = hub.clock()
        roll_queue_days(hub.engine, hub.config, now, on_rolled=enqueue_queue_day)
        if check_periodic(hub.engine, hub.config, now):
            hub.outbox.wake.set()

    def unseen() -> None:
        check_unseen(hub.engine, timeout_s=hub.config.display.ack_timeout_s, now=hub.clock())

    def retention() -> None:
        keep = hub.config.retention.keep_personal_days
        if keep is not None:
            now = hub.clock()
            today = site_day(now, hub.config.site.timezone)
            cut = today - timedelta(days=keep)
            purge_personal(hub.engine, hub.config, cut, now, hub.audit, "system")

    def bookings() -> None:
        if hub.booking.enabled():
            expire_bookings(hub.booking)

    return [
        Job("rating-windows", hub.ratings.expire_windows, lambda: tick_s),
        Job("day-expiry", hub.tickets.expire_past_days, lambda: 60 * tick_s),
        Job("unseen-calls", unseen, lambda: tick_s),
        Job(
            "outbox",
            deliver,
            lambda: upstream.interval_s if (upstream := hub.config.upstream) else 5.0,
            wake=hub.outbox.wake,
        ),
        Job("closing", close_days, lambda: float(hub.config.alerts.check_every_s)),
        Job("booking-expiry", bookings, lambda: 60 * tick_s),
        Job("retention", retention, lambda: 6 * 3600 * tick_s),
        *(
            [Job("token-revocations", hub.invalidation.listen, lambda: 0.0, leader_only=False)]
            if hub.invalidation is not None
            else []
        ),
    ]


def start_background(
    app: Flask, *, only: Iterable[str] | None = None, tick_s: float = 1.0
) -> Background:
    """Start (once per app) the hub's periodic jobs, or only the named ones.

    Returns:
        The running :class:`Background` (call ``stop()`` to end it).
    """
    running: Background | None = app.extensions.get(BACKGROUND_EXTENSION)
    if running is not None:
        return running
    hub = hub_of(app)
    wanted = set(only) if only is not None else None
    jobs = [job for job in hub_jobs(hub, tick_s=tick_s) if wanted is None or job.name in wanted]
    background = Background(jobs, Leadership(hub.engine))
    background.start()
    app.extensions[BACKGROUND_EXTENSION] = background
    return background
