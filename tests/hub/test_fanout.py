"""Socket.IO events shared over Redis survive Redis's absence (``hub.fanout``).

Two managers (two hub processes) on one channel, each with its listener running,
reach a real Redis through a TCP proxy the test cuts, stalls and restores. The
whole outage against the shipped server is ``tests/e2e/test_redis_outage.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from hub.fanout import REDIS_UNREACHABLE, RedisFanOut
from tests.support.tcp_proxy import TcpProxy, target_of

pytestmark = pytest.mark.redis

WAIT_S = 15.0


class Process:
    """One manager with its listener in a thread, collecting what it receives."""

    def __init__(self, url: str, channel: str) -> None:
        self.fanout = RedisFanOut(url, channel)
        self.received: list[object] = []
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        for message in self.fanout._listen():
            self.received.append(json.loads(message))

    def close(self) -> None:
        self.fanout.close()
        self.thread.join(10)


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def processes(tcp_proxy: Callable[[tuple[str, int]], TcpProxy]) -> Iterator[tuple[Process, ...]]:
    url = os.environ.get("MOTCUA_TEST_REDIS_URL")
    if not url:
        pytest.skip("MOTCUA_TEST_REDIS_URL is not set")
    proxy = tcp_proxy(target_of(url, 6379))
    channel = f"motcua-test-{secrets.token_hex(4)}"
    started = (Process(proxy.url(url), channel), Process(proxy.url(url), channel), proxy)
    try:
        yield started
    finally:
        for process in started[:2]:
            process.close()  # type: ignore[union-attr]


def test_events_survive_a_redis_reset_and_a_redis_gone_silent(processes) -> None:  # noqa: ANN001
    """GIVEN two processes sharing events over Redis WHEN Redis resets every connection and
    refuses new ones, or stops answering without resetting anything THEN each process's
    listener says `redis_unreachable` and publishing returns at once instead of waiting on
    Redis; WHEN Redis is back THEN both listen again and events get through."""
    a, b, proxy = processes

    def shared(tag: str) -> bool:
        a.fanout._publish({"method": "emit", "tag": tag})
        return any(m.get("tag") == tag for m in b.received)  # type: ignore[union-attr]

    eventually(lambda: a.fanout.problem() is None and b.fanout.problem() is None, "listening")
    eventually(lambda: shared("before"), "an event from a reaches b")
    for fault in (proxy.cut, proxy.stall):
        fault()
        for process in (a, b):
            eventually(lambda p=process: p.fanout.problem() == REDIS_UNREACHABLE, "noticed")
        started = time.monotonic()
        for _ in range(20):
            a.fanout._publish({"method": "emit", "tag": "lost"})
        assert time.monotonic() - started < 1.0, "publishing waited on an absent Redis"
        proxy.restore()
        eventually(lambda: a.fanout.problem() is None and b.fanout.problem() is None, "back")
        eventually(lambda f=fault.__name__: shared(f"after-{f}"), "events get through again")
