"""The Redis client every part of the hub uses: it fails fast.

Only a hub with several processes uses Redis (Socket.IO events and token
revocations shared between them). While Redis is away every attempt fails at
once, with short timeouts and no retries with back-off: the callers retry at
their own pace (the listeners), or not at all inside a request (without
timeouts, a request that publishes would wait for good on a Redis whose machine
lost power). This module imports
nothing heavy: the server's master process loads it before gevent patches the
workers.
"""

from __future__ import annotations

from typing import Any

CONNECT_TIMEOUT_S = 1.0
COMMAND_TIMEOUT_S = 2.0
HEALTH_CHECK_S = 5.0
"""An idle connection pings Redis this often, so a silently dead link is noticed."""


def redis_client(url: str) -> Any:
    """A Redis client with short timeouts and no retries."""
    import redis  # only a hub with several processes (and Redis) loads it
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        socket_keepalive=True,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=HEALTH_CHECK_S,
    )
