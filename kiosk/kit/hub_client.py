"""The only way a Pi agent talks to the hub: HTTP with a device token.

Agents (ticket kiosk, rating pad, counter keypad) know the hub through this
client exactly as a third-party device would, never through hub internals.
Failures are two exceptions: :class:`HubUnreachable` (network, timeout, 5xx —
try again later) and :class:`HubRejected` (a 4xx answer — do not retry the
same request).

The client is the standard library's :mod:`http.client`, one keep-alive
connection per thread (an agent's process stays small: no ``requests``). With an
``https://`` hub it verifies the hub's certificate and name against ``ca_file``
(or the system's store); a certificate that does not verify is a
:class:`HubUnreachable` and one error line in the log (:mod:`kiosk.kit.tls`).
"""

from __future__ import annotations

import email.utils
import http.client
import json as jsonlib
import logging
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

from kiosk.kit.tls import certificate_error, client_context

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 5.0


class HubClientError(Exception):
    """Root of the hub client's errors."""


class HubUnreachable(HubClientError):
    """The hub did not answer usefully (network down, timeout, 5xx, a certificate that
    does not verify).

    Attributes:
        sent: False when the request surely never reached the hub (no connection
            could be made); see :func:`maybe_delivered`.
    """

    def __init__(self, message: str, *, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent


def maybe_delivered(err: HubUnreachable) -> bool:
    """False only when the request surely never reached the hub (no connection could
    be made); a timeout or a connection lost mid-answer may hide a done request."""
    return err.sent


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


@dataclass(frozen=True)
class RawAnswer:
    """A whole answer of :meth:`HubClient.fetch`: status, ``Date`` header and body."""

    status: int
    reason: str
    date: str | None
    body: bytes


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
        base_url: the hub, e.g. ``http://10.0.0.2:8080`` or ``https://hub.local:8443``.
        token: the device token from ``motcua device add``.
        timeout_s: per-request timeout (connect, and each read).
        ca_file: the CA that signed the hub's certificate (``https://`` only); None
            trusts the system's store.

    Raises:
        ValueError: ``base_url`` is not an http(s) URL, or ``ca_file`` is unusable.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        ca_file: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http:// or https:// URL: {base_url!r}")
        self.token = token
        self.timeout_s = timeout_s
        self.ca_file = ca_file
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path
        self.tls: ssl.SSLContext | None = (
            client_context(ca_file) if parts.scheme == "https" else None
        )
        self._local = threading.local()
        self._logged_certificate: str | None = None
        self.clock_offset_s: float | None = None
        """Hub time minus local time, measured from the last answer's ``Date``
        header (Pis have no clock battery; this lets the hub judge our clock)."""
        self.last_ok_at: float | None = None

    # ------------------------------------------------------------ transport
    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection and whether it was used before (kept alive)."""
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None and conn.sock is not None and not _dropped(conn.sock):
            return conn, True
        if conn is not None:
            conn.close()
        if self.tls is not None:
            conn = http.client.HTTPSConnection(
                self._host, self._port, timeout=self.timeout_s, context=self.tls
            )
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout_s)
        self._local.conn = conn
        return conn, False

    def fetch(
        self, method: str, path: str, body: bytes | None = None, *, timeout_s: float | None = None
    ) -> RawAnswer:
        """One request to ``<base_url><path>`` with the device token; the whole answer.

        ``timeout_s`` overrides the client's for this request.

        Raises:
            HubUnreachable: no answer (``sent`` False when no connection was made).
        """
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn, reused = self._connection()
        conn.timeout = timeout_s or self.timeout_s
        if conn.sock is not None:
            conn.sock.settimeout(conn.timeout)
        try:
            if not reused:
                conn.connect()
        except OSError as err:
            conn.close()
            raise self._unreachable(method, path, err, sent=False) from err
        try:
            conn.request(method, self._prefix + path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as err:
            conn.close()
            raise self._unreachable(method, path, err, sent=True) from err
        if response.will_close:
            conn.close()
        self._logged_certificate = None
        return RawAnswer(response.status, response.reason, response.getheader("Date"), data)

    def _unreachable(
        self, method: str, path: str, err: BaseException, *, sent: bool
    ) -> HubUnreachable:
        problem = certificate_error(err, self.ca_file)
        if problem is not None:
            if problem != self._logged_certificate:
                logger.error("%s: %s", self.base_url, problem)
                self._logged_certificate = problem
            return HubUnreachable(f"{method} {path}: {problem}", sent=False)
        name = "ConnectTimeout" if isinstance(err, TimeoutError) and not sent else None
        return HubUnreachable(f"{method} {path}: {name or type(err).__name__}", sent=sent)

    # ----------------------------------------------------------------- JSON
    def request(self, method: str, path: str, json: Any = None) -> HubAnswer:
        """Send one request; returns the answer or raises a :class:`HubClientError`."""
        body = None if json is None else jsonlib.dumps(json).encode()
        sent = time.time()
        answer = self.fetch(method, f"/api/v1{path}", body)
        self._measure_clock(answer.date, sent)
        if answer.status >= 500:
            raise HubUnreachable(f"{method} {path}: HTTP {answer.status}")
        if answer.status == 204 or not answer.body:
            data: Any = None
        else:
            try:
                data = jsonlib.loads(answer.body)
            except ValueError as err:
                raise HubUnreachable(f"{method} {path}: answer is not JSON") from err
        if answer.status >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise HubRejected(
                answer.status,
                str(error.get("code", "http_error")),
                str(error.get("message", answer.reason)),
            )
        self.last_ok_at = time.monotonic()
        return HubAnswer(answer.status, data)

    def _measure_clock(self, header: str | None, sent: float) -> None:
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
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _dropped(sock: socket.socket) -> bool:
    """True when a kept-alive connection was closed by the hub meanwhile (it is
    readable while no answer is due: end of file, or a TLS close alert)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
