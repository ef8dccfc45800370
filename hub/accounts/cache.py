"""A short cache of resolved bearer tokens, which never outlives a revocation.

Every request resolves its token; two indexed SELECTs cost about a fifth of a
ticket's CPU. So a resolved token is kept for :data:`TTL_S` seconds. A change
of credentials (logout, a revoked or re-keyed device, a disabled user, a new
password) clears the whole cache at once in this process, and is announced on
Redis so every other process of the hub clears its own within milliseconds
(:class:`RedisInvalidation`). Should an announcement be lost, no process keeps
a revoked token longer than the TTL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from hub.accounts.actor import Actor
from hub.redislink import redis_client

logger = logging.getLogger(__name__)

TTL_S = 1.0
MAX_ENTRIES = 10_000


class TokenCache:
    """Resolved tokens by digest, each for at most ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float = TTL_S, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self.clock = clock
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()
        self.on_clear: list[Callable[[], None]] = []
        """Called after a local clear (e.g. to tell the other processes)."""

    def get(self, digest: str) -> Actor | None:
        """The cached actor of a token digest, if fresh."""
        entry = self._entries.get(digest)
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    def put(self, digest: str, actor: Actor) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (self.clock() + self.ttl_s, actor)

    def clear(self, *, announce: bool = True) -> None:
        """Forget every token (credentials changed); tell the others when ``announce``."""
        with self._lock:
            self._entries.clear()
        if announce:
            for hook in self.on_clear:
                hook()


class RedisInvalidation:
    """Tells the hub's other processes to clear their token caches, and listens.

    Args:
        url: the Redis the processes share.
        channel: the pub/sub channel (per installation).
        cache: this process's cache.
    """

    def __init__(self, url: str, channel: str, cache: TokenCache) -> None:
        import redis  # only a hub with several processes (and Redis) loads it

        self.errors = redis.RedisError
        self.client = redis_client(url)  # fails fast: a logout never waits for Redis
        self.channel = channel
        self.cache = cache
        self.origin = f"{id(self)}-{time.monotonic_ns()}"
        self._pubsub: Any = None
        cache.on_clear.append(self.announce)

    def announce(self) -> None:
        """Publish a clear (best effort: the TTL bounds a lost one)."""
        try:
            self.client.publish(self.channel, self.origin)
        except self.errors as err:
            logger.warning("could not announce a token revocation on Redis: %s", err)

    def listen(self, timeout_s: float = 1.0) -> None:
        """Apply the clears announced by other processes (one background turn)."""
        try:
            if self._pubsub is None:
                self._pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                self._pubsub.subscribe(self.channel)
                self.cache.clear(announce=False)  # anything missed while away
            message = self._pubsub.get_message(timeout=timeout_s)
            while message is not None:
                if message.get("data") != self.origin.encode():
                    self.cache.clear(announce=False)
                message = self._pubsub.get_message(timeout=0)
        except self.errors as err:
            self._pubsub = None
            self.cache.clear(announce=False)
            logger.warning("token revocations: Redis unreachable (%s); retrying", err)
            time.sleep(timeout_s)
