"""The only way a Pi agent talks to the hub: HTTP with a device token.

Agents (ticket kiosk, rating pad, counter keypad) know the hub through this
client exactly as a third-party device would, never through hub internals.
Failures are two exceptions: :class:`HubUnreachable` (network, timeout, 5xx —
try again later) and :class:`HubRejected` (a 4xx answer — do not retry the
same request).
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import requests
import urllib3

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 5.0


class HubClientError(Exception):
    """Root of the hub client's errors."""


class HubUnreachable(HubClientError):
    """The hub did not answer usefully (network down, timeout, 5xx)."""


def maybe_delivered(err: HubUnreachable) -> bool:
    """False only when the request surely never reached the hub (no connection could
    be made); a timeout or a connection lost mid-answer may hide a done request."""
    cause = err.__cause__
    if isinstance(cause, requests.ConnectTimeout):
        return False
    if isinstance(cause, requests.ConnectionError) and cause.args:
        reason = getattr(cause.args[0], "reason", None)
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            return False
    return True


class HubRejected(HubClientError):
    """The hub answered with a 4xx error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")


@dataclass(frozen=True)
class HubAnswer:
    """A successful answer: status and decoded JSON (``None`` for 204)."""

    status: int
    data: Any


def agent_version(agent: str) -> str:
    """What an agent reports as its version in heartbeats: ``motcua-<agent>/<release>``."""
    try:
        release = version("motcua")
    except PackageNotFoundError:
        release = "0.0.0"
    return f"motcua-{agent}/{release}"


class HubClient:
    """A small, thread-safe JSON client for the hub's ``/api/v1``.

    Args:
        base_url: the hub, e.g. ``http://10.0.0.2:8080``.
        token: the device token from ``motcua device add``.
        timeout_s: per-request timeout (connect and read).
    """

    def __init__(self, base_url: str, token: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self._local = threading.local()
        self.clock_offset_s: float | None = None
        """Hub time minus local time, measured from the last answer's ``Date``
        header (Pis have no clock battery; this lets the hub judge our clock)."""
        self.last_ok_at: float | None = None

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
            )
            self._local.session = session
        return session

    def request(self, method: str, path: str, json: Any = None) -> HubAnswer:
        """Send one request; returns the answer or raises a :class:`HubClientError`."""
        url = f"{self.base_url}/api/v1{path}"
        sent = time.time()
        try:
            response = self._session().request(method, url, json=json, timeout=self.timeout_s)
        except requests.RequestException as err:
            raise HubUnreachable(f"{method} {path}: {type(err).__name__}") from err
        self._measure_clock(response, sent)
        if response.status_code >= 500:
            raise HubUnreachable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code == 204 or not response.content:
            data: Any = None
        else:
            try:
                data = response.json()
            except ValueError as err:
                raise HubUnreachable(f"{method} {path}: answer is not JSON") from err
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise HubRejected(
                response.status_code,
                str(error.get("code", "http_error")),
                str(error.get("message", response.reason)),
            )
        self.last_ok_at = time.monotonic()
        return HubAnswer(response.status_code, data)

    def _measure_clock(self, response: requests.Response, sent: float) -> None:
        header = response.headers.get("Date")
        if not header:
            return
        try:
            hub_time = email.utils.parsedate_to_datetime(header).timestamp()
        except (TypeError, ValueError):
            return
        midpoint = (sent + time.time()) / 2
        self.clock_offset_s = round(hub_time - midpoint, 1)

    def get(self, path: str) -> Any:
        """``GET /api/v1<path>``: the decoded answer (see :meth:`request`)."""
        return self.request("GET", path).data

    def post(self, path: str, json: Any = None) -> HubAnswer:
        """``POST /api/v1<path>`` with ``json`` (see :meth:`request`)."""
        return self.request("POST", path, json)

    # Convenience calls shared by the agents.
    def services(self) -> list[dict[str, Any]]:
        """The fields (``GET /services``) with their waiting counts."""
        return list(self.get("/services") or [])

    def heartbeat(self, version: str, status: dict[str, Any]) -> None:
        """``POST /devices/heartbeat``: the agent's version and its status."""
        self.post("/devices/heartbeat", {"version": version, "status": status})

    def hub_now(self) -> datetime:
        """Our best idea of the hub's current time (local clock plus measured offset)."""
        return datetime.fromtimestamp(time.time() + (self.clock_offset_s or 0.0), UTC)

    def close(self) -> None:
        """Close this thread's connection to the hub."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
