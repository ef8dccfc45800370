"""The day's HTTP side: keep-alive asyncio connections that time and record every request.

Each actor of the day (a kiosk, a counter's officer, a rating pad, the citizens'
phones) owns one :class:`Connection`: raw HTTP/1.1 on a socket
(:mod:`bench.rawhttp`), so that the clients cost the machine little. Every
answer is timed by operation in the shared :class:`Recorder`; an answer out of
the operation's expected statuses (a 5xx, a lost connection) is a failure of
the day.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.rawhttp import encode_request, read_response
from bench.servers import HOST

API = "/api/v1"
TIMEOUT_S = 60.0
IDLE_REOPEN_S = 20.0
"""A connection idle this long is opened afresh: the hub closes idle keep-alive
connections after 30 s (gunicorn's ``keepalive``), and a request sent just as it
does so would find the connection closed under it."""


@dataclass
class Answer:
    """One answer, with the wall-clock instants around it (the hub's clock is the same)."""

    status: int
    data: Any
    sent: datetime
    answered: datetime

    def code(self) -> str | None:
        """The error ``code`` of an error answer."""
        if isinstance(self.data, dict) and isinstance(self.data.get("error"), dict):
            return str(self.data["error"].get("code"))
        return None


@dataclass
class Recorder:
    """Latencies (ms) and statuses of every operation, and what went wrong."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)

    def add(self, op: str, ms: float, status: int) -> None:
        self.latencies[op].append(ms)
        self.statuses[op][status] += 1

    def fail(self, what: str) -> None:
        if len(self.failures) < 1000:
            self.failures.append(what)

    def count(self, op: str) -> int:
        return sum(self.statuses[op].values())


class Connection:
    """A keep-alive connection to the hub; reconnects when the hub closed it."""

    def __init__(self, port: int, recorder: Recorder, token: str | None = None) -> None:
        self.port = port
        self.recorder = recorder
        self.token = token
        self.authority = f"{HOST}:{port}"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()
        self._used = 0.0

    async def request(
        self,
        op: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        expect: tuple[int, ...] = (200,),
        token: str | None = None,
    ) -> Answer:
        """Send one request and time it under ``op``; status 0 when the connection failed."""
        raw = encode_request(
            method, API + path, self.authority, token=token or self.token, body=body
        )
        async with self._lock:
            sent = datetime.now(UTC)
            started = time.perf_counter_ns()
            if self._writer is not None and time.monotonic() - self._used > IDLE_REOPEN_S:
                await self.aclose()
            try:
                if self._writer is None:
                    self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
                assert self._reader is not None
                self._writer.write(raw)
                status, data, close = await asyncio.wait_for(read_response(self._reader), TIMEOUT_S)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as err:
                self.close()
                self.recorder.fail(f"{op}: {method} {path}: {type(err).__name__} {err}")
                return Answer(0, None, sent, datetime.now(UTC))
            ms = (time.perf_counter_ns() - started) / 1e6
            answered = datetime.now(UTC)
            self._used = time.monotonic()
            if close:
                self.close()
        self.recorder.add(op, ms, status)
        parsed = json.loads(data) if data else None
        if status not in expect:
            self.recorder.fail(f"{op}: {method} {path}: {status} {data[:200]!r}")
        return Answer(status, parsed, sent, answered)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def aclose(self) -> None:
        """Close and wait until the socket is closed."""
        writer = self._writer
        self.close()
        if writer is not None:
            try:
                await writer.wait_closed()
            except OSError:
                pass


class Pool:
    """Several connections used in turn (the citizens' phones: cancel, rate)."""

    def __init__(self, port: int, recorder: Recorder, size: int) -> None:
        self.conns = [Connection(port, recorder) for _ in range(size)]
        self._next = 0

    async def request(
        self, op: str, method: str, path: str, body: Any = None, *, expect: tuple[int, ...] = (200,)
    ) -> Answer:
        conn = self.conns[self._next % len(self.conns)]
        self._next += 1
        return await conn.request(op, method, path, body, expect=expect)

    async def aclose(self) -> None:
        for conn in self.conns:
            await conn.aclose()


def parse_time(text: str | None) -> datetime | None:
    """A hub time (ISO 8601 with ``Z``) as an aware datetime."""
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))
