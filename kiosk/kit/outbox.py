"""The on-disk outbox of the rating pad's presses: a press is on disk before anything else happens.

A SQLite file (``synchronous=FULL``: a committed press survives a power cut)
holds every press until the hub has answered for it. Each press gets a key
made of the pad's device name, a random epoch chosen when the file was
created, and a sequence number kept in the same file, so keys never repeat,
not even after the file is lost and recreated. The pad's Pi has no clock
battery: with each press the outbox stores the wall time and the hub's clock
offset last measured *in this boot* (``/proc/sys/kernel/random/boot_id``), so
the hub can put the press at the right time.

The wall clock may also be stepped while the pad runs (NTP setting a clock that
booted hours behind). The outbox follows such a step by the monotonic clock: the
offset measured before it is corrected by the step (else a press made after it
would be placed hours away, and linked to no ticket or to the wrong one), and the
presses waiting to be sent keep the waits they had (else a step back would hold
them for as long as the step).
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

BOOT_ID_PATH = Path("/proc/sys/kernel/random/boot_id")
MAX_BACKOFF_S = 120.0
STEP_S = 1.0
"""A difference this large between the wall clock's and the monotonic clock's progress
is a step of the wall clock, not drift."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS presses (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    counter TEXT NOT NULL,
    level TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    at TEXT NOT NULL,
    clock_offset_s REAL,
    not_before TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT NOT NULL,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS dead (
    key TEXT PRIMARY KEY, counter TEXT NOT NULL, payload TEXT NOT NULL,
    error TEXT NOT NULL, at TEXT NOT NULL
);
"""


def current_boot_id() -> str:
    """This boot's id (a reboot changes it); ``"unknown"`` off Linux."""
    try:
        return BOOT_ID_PATH.read_text().strip()
    except OSError:
        return "unknown"


@dataclass(frozen=True)
class Press:
    """One stored press waiting for the hub's answer."""

    seq: int
    key: str
    counter: str
    level: str
    reasons: tuple[str, ...]
    at: datetime
    clock_offset_s: float | None
    attempts: int

    def wire(self) -> dict[str, Any]:
        """The item of ``POST /ratings/batch``."""
        item: dict[str, Any] = {"key": self.key, "level": self.level, "at": self.at.isoformat()}
        if self.reasons:
            item["reasons"] = list(self.reasons)
        if self.clock_offset_s is not None:
            item["clock_offset_s"] = self.clock_offset_s
        return item


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _shift(iso: str, by: timedelta) -> str:
    return _iso(datetime.fromisoformat(iso) + by)


class Outbox:
    """The pad's durable queue of presses (thread-safe).

    Args:
        path: the SQLite file (created with its folder).
        device: the pad's name, the first part of every key.
        boot_id: this boot's id (tests pass their own).
        max_backoff_s: the longest wait between two tries of a press.
        wall: the wall clock (seconds since the epoch).
        monotonic: the clock that never steps (seconds, within one boot).
    """

    def __init__(
        self,
        path: str | Path,
        device: str,
        *,
        boot_id: str | None = None,
        max_backoff_s: float = MAX_BACKOFF_S,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.wall = wall
        self.monotonic = monotonic
        self.max_backoff_s = max_backoff_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.device = device
        self.boot_id = boot_id or current_boot_id()
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        with self._tx():
            if self._meta("epoch") is None:
                self._set_meta("epoch", secrets.token_hex(4))
        self.epoch = self._meta("epoch") or ""
        self._offset: float | None = None
        # Both clocks when last compared: the wall clock has stepped since by the
        # difference of their progress.
        self._ref = (self.wall(), self.monotonic())
        if self._meta("boot_id") == self.boot_id and self._meta("offset") is not None:
            self._offset = float(self._meta("offset") or 0)
            if self._meta("offset_mono") is not None:  # the clocks when it was measured
                self._ref = (
                    float(self._meta("offset_wall") or 0),
                    float(self._meta("offset_mono") or 0),
                )
        with self._lock:
            self._follow_clock()

    # ------------------------------------------------------------- plumbing
    def _tx(self) -> Any:
        db = self._db

        class _Tx:
            def __enter__(self_inner) -> sqlite3.Connection:
                db.execute("BEGIN IMMEDIATE")
                return db

            def __exit__(self_inner, kind: Any, *_: Any) -> None:
                db.execute("ROLLBACK" if kind else "COMMIT")

        return _Tx()

    def _meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, name: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta(name, value) VALUES(?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    # ---------------------------------------------------------- clock offset
    @property
    def clock_offset_s(self) -> float | None:
        """Hub clock minus ours, measured in this boot (None before the first answer),
        corrected by any step of our clock since."""
        with self._lock:
            self._follow_clock()
            return self._offset

    def set_clock_offset(self, offset_s: float | None) -> None:
        """Remember the offset measured at the last successful request."""
        if offset_s is None:
            return
        with self._lock:
            self._follow_clock()
            self._offset = offset_s
            with self._tx():
                self._save_offset()

    def _save_offset(self) -> None:
        self._set_meta("offset", repr(self._offset))
        self._set_meta("offset_wall", repr(self._ref[0]))
        self._set_meta("offset_mono", repr(self._ref[1]))
        self._set_meta("boot_id", self.boot_id)

    def _follow_clock(self) -> None:
        """Notice a step of the wall clock since the last look (with the lock held): the
        offset and the waiting presses' times move by it."""
        wall, mono = self.wall(), self.monotonic()
        step = (wall - self._ref[0]) - (mono - self._ref[1])
        self._ref = (wall, mono)
        if abs(step) < STEP_S:
            return
        logger.warning("the clock was stepped by %+.1f s; the pending presses follow it", step)
        with self._tx() as db:
            if self._offset is not None:
                self._offset -= step
                self._save_offset()
            moved = timedelta(seconds=step)
            rows = db.execute("SELECT key, not_before, next_try_at FROM presses").fetchall()
            for key, not_before, next_try_at in rows:
                db.execute(
                    "UPDATE presses SET not_before = ?, next_try_at = ? WHERE key = ?",
                    (_shift(not_before, moved), _shift(next_try_at, moved), key),
                )

    # ---------------------------------------------------------------- presses
    def add(
        self,
        counter: str,
        level: str,
        at: datetime,
        *,
        hold_s: float = 0.0,
    ) -> str:
        """Store a press (committed and synced on return); returns its key.

        Args:
            counter: the counter whose token sends it.
            level: the rating level id.
            at: the pad's wall time of the press.
            hold_s: keep it unsent this long (a reason may still be added).
        """
        with self._lock:
            self._follow_clock()
        with self._lock, self._tx() as db:
            seq = int(self._meta("seq") or 0) + 1
            self._set_meta("seq", str(seq))
            key = f"{self.device}.{self.epoch}.{seq:08d}"
            ready = _iso(at + timedelta(seconds=hold_s))
            db.execute(
                "INSERT INTO presses(seq, key, counter, level, at, clock_offset_s, not_before, "
                "next_try_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, key, counter, level, _iso(at), self._offset, ready, ready),
            )
        return key

    def add_reason(self, key: str, reason: str) -> bool:
        """Add a reason to a press not sent yet; False if it is gone."""
        with self._lock, self._tx() as db:
            row = db.execute("SELECT reasons FROM presses WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            reasons = json.loads(row[0])
            if reason not in reasons:
                reasons.append(reason)
            db.execute("UPDATE presses SET reasons = ? WHERE key = ?", (json.dumps(reasons), key))
        return True

    def release(self, key: str, now: datetime) -> None:
        """Let a held press go now (the reason window closed early)."""
        with self._lock, self._tx() as db:
            db.execute(
                "UPDATE presses SET not_before = ?, next_try_at = ? WHERE key = ?",
                (_iso(now), _iso(now), key),
            )

    def due(self, now: datetime, limit: int = 100) -> list[Press]:
        """Presses ready to send, oldest first; never one of a counter while an earlier
        press of that counter waits (held for its reason, or backing off): the hub keeps
        the first rating of a ticket, so presses reach it in the order they were made."""
        with self._lock:
            self._follow_clock()
            rows = self._db.execute(
                "SELECT seq, key, counter, level, reasons, at, clock_offset_s, attempts "
                "FROM presses AS p WHERE p.not_before <= :now AND p.next_try_at <= :now "
                "AND NOT EXISTS (SELECT 1 FROM presses AS q WHERE q.counter = p.counter "
                "AND q.seq < p.seq AND (q.not_before > :now OR q.next_try_at > :now)) "
                "ORDER BY seq LIMIT :limit",
                {"now": _iso(now), "limit": limit},
            ).fetchall()
        return [
            Press(
                seq=r[0],
                key=r[1],
                counter=r[2],
                level=r[3],
                reasons=tuple(json.loads(r[4])),
                at=datetime.fromisoformat(r[5]),
                clock_offset_s=r[6],
                attempts=r[7],
            )
            for r in rows
        ]

    def delete(self, keys: list[str]) -> None:
        """Forget presses the hub has answered for."""
        if not keys:
            return
        with self._lock, self._tx() as db:
            db.executemany("DELETE FROM presses WHERE key = ?", [(k,) for k in keys])

    def backoff(self, presses: list[Press], error: str, now: datetime) -> float:
        """Try these again later (exponential backoff); returns the longest wait."""
        longest = 0.0
        with self._lock, self._tx() as db:
            for p in presses:
                wait = min(self.max_backoff_s, 0.5 * 2 ** min(p.attempts, 10))
                longest = max(longest, wait)
                db.execute(
                    "UPDATE presses SET attempts = attempts + 1, next_try_at = ?, last_error = ? "
                    "WHERE key = ?",
                    (_iso(now + timedelta(seconds=wait)), error[:300], p.key),
                )
        return longest

    def bury(self, press: Press, error: str, now: datetime) -> None:
        """Move a press the hub can never accept (malformed) aside, keeping it."""
        with self._lock, self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO dead(key, counter, payload, error, at) "
                "VALUES(?, ?, ?, ?, ?)",
                (press.key, press.counter, json.dumps(press.wire()), error[:300], _iso(now)),
            )
            db.execute("DELETE FROM presses WHERE key = ?", (press.key,))

    def count(self) -> int:
        """Presses not answered yet."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM presses").fetchone()[0])

    def next_wakeup(self) -> datetime | None:
        """When the earliest press that waits for nobody becomes due (the oldest of each
        counter: the later ones go with or after it)."""
        with self._lock:
            self._follow_clock()
            row = self._db.execute(
                "SELECT min(max(not_before, next_try_at)) FROM presses AS p "
                "WHERE p.seq = (SELECT min(seq) FROM presses AS q WHERE q.counter = p.counter)"
            ).fetchone()
        return None if row[0] is None else datetime.fromisoformat(row[0])

    def close(self) -> None:
        """Close the file (the presses in it stay for the next start)."""
        with self._lock:
            self._db.close()
