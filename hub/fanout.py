"""Socket.IO events shared between the hub's processes through Redis, and what the hub
does while Redis is away.

Each process emits an event to its own screens first, then publishes it on Redis
for the other processes (python-socketio's :class:`~socketio.PubSubManager`). When
Redis is unreachable:

- the process still serves its own screens and answers every request: publishing
  is tried once with short timeouts (:mod:`hub.redislink`), and not at all while the
  listener knows Redis is away (python-socketio's own manager has no timeouts: a
  Redis whose machine lost power held every call-next for good);
- ``/healthz`` says ``degraded`` with the reason ``redis_unreachable``
  (:meth:`RedisFanOut.problem`);
- the listener notices a dead link (a reset at once; silence by a PING unanswered),
  and tries again every :data:`RETRY_S` seconds, so the other processes' calls reach
  this process's screens again within about a second of Redis's return
  (python-socketio's own manager backs off up to a minute);
- a lost connection is logged once, and its return once, not every event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from socketio import PubSubManager

from hub.redislink import redis_client

logger = logging.getLogger(__name__)

RETRY_S = 1.0
"""Pause between two attempts of the listener to subscribe again."""
POLL_S = 1.0
"""The listener's longest wait for a message (then it checks its stop flag)."""
PING_EVERY_S = 3.0
REPLY_TIMEOUT_S = 3.0
REDIS_UNREACHABLE = "redis_unreachable"


class RedisFanOut(PubSubManager):  # type: ignore[misc]
    """Flask-SocketIO's client manager over Redis pub/sub (see the module doc).

    Args:
        url: the Redis every process of the hub shares.
        channel: the pub/sub channel (per installation).
    """

    name = "redis"

    def __init__(self, url: str, channel: str) -> None:
        import redis

        super().__init__(channel=channel)
        self.errors = redis.RedisError
        self.silent = redis.TimeoutError
        self.client = redis_client(url)
        self.listening = threading.Event()
        """Set while subscribed: other processes' events reach this one."""
        self.stopping = threading.Event()
        self._broken = False
        self._lock = threading.Lock()

    def problem(self) -> str | None:
        """``redis_unreachable`` while the other processes' events cannot reach this one."""
        return None if self.listening.is_set() else REDIS_UNREACHABLE

    def close(self) -> None:
        """End the listener (within :data:`POLL_S`) and close the connections."""
        self.stopping.set()
        self.client.close()

    def _publish(self, data: Any) -> None:
        if self._broken and not self.listening.is_set():
            return  # Redis is known to be away: no request waits on it meanwhile
        try:
            self.client.publish(self.channel, self.json.dumps(data))
        except self.errors as err:
            self._broke("could not share an event with the other processes", err)
            return
        if self._broken and self.listening.is_set():
            self._mended()

    def _listen(self) -> Iterator[Any]:
        while not self.stopping.is_set():
            pubsub = self.client.pubsub()
            try:
                pubsub.subscribe(self.channel)
                yield from self._messages(pubsub)
            except self.errors as err:
                self._broke("the other processes' events no longer reach this one", err)
            finally:
                self.listening.clear()
                try:
                    pubsub.close()
                except self.errors:
                    pass
            self.stopping.wait(RETRY_S)

    def _messages(self, pubsub: Any) -> Iterator[Any]:
        """The channel's messages until the stop, pinging Redis when it has been quiet
        for :data:`PING_EVERY_S` (a link that died without a reset answers nothing)."""
        heard = time.monotonic()
        pinged: float | None = None
        while not self.stopping.is_set():
            message = pubsub.get_message(timeout=POLL_S)
            now = time.monotonic()
            if message is not None:
                heard, pinged = now, None
                if message.get("type") == "message":
                    yield message["data"]
                elif message.get("type") == "subscribe":  # Redis confirms: we listen
                    self.listening.set()
                    self._mended()
            elif pinged is None and now - heard >= PING_EVERY_S:
                pubsub.ping()
                pinged = now
            elif pinged is not None and now - pinged >= REPLY_TIMEOUT_S:
                raise self.silent(f"no answer to PING within {REPLY_TIMEOUT_S:.0f} s")

    def _broke(self, what: str, err: Exception) -> None:
        with self._lock:
            first, self._broken = not self._broken, True
        if first:
            logger.warning("Redis unreachable: %s (%s); retrying every %.0f s", what, err, RETRY_S)

    def _mended(self) -> None:
        with self._lock:
            was, self._broken = self._broken, False
        if was:
            logger.info("Redis reachable again: events are shared with the other processes")
