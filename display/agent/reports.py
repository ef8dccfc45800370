"""What the display agent tells the hub: its health and its acknowledgements.

- :class:`HealthReporter` holds the health the agent's loop last published and
  sends it in ``POST /devices/heartbeat`` (display device token) on its own
  thread, every ``heartbeat_s`` and at once when a state changes:
  ``{"boards": {line: "ok"|"timeout"|"offline"}, "board_timeouts": {line: n in a
  row}, "audio": "ok"|"error"|"off", "socket": "connected"|"disconnected"}``.
- :class:`AckOutbox` sends the ``ack`` of a call ``shown`` or ``spoken`` over
  Socket.IO and keeps it until the hub answers, so a reconnect sends it again.

Both are changed on the loop thread of :class:`display.agent.loop.DisplayAgent` only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from config.wire import EV_ACK, NS_DISPLAY
from display.agent.devices import Report
from kiosk.kit.hub_client import HubClient, HubClientError, agent_version

__all__ = ["EV_ACK", "AckOutbox", "HealthReporter"]

logger = logging.getLogger(__name__)


class HealthReporter:
    """The agent's health, as its heartbeats report it.

    Args:
        hub: The HTTP client with the display device token.
        heartbeat_s: Seconds between heartbeats when nothing changes.
        line_keys: The serial lines of LED boards (each ``"offline"`` until it reports).
        audio: Whether the agent has a loudspeaker (else audio is ``"off"``).
        stop: Set when the agent stops; :meth:`run` then returns.
    """

    def __init__(
        self,
        hub: HubClient,
        heartbeat_s: float,
        line_keys: Iterable[str],
        audio: bool,
        stop: threading.Event,
    ) -> None:
        self.hub = hub
        self.heartbeat_s = heartbeat_s
        self._stop = stop
        self._due = threading.Event()
        # Written by the loop thread only; the heartbeat thread reads _status.
        self._line_state = {key: ("offline", 0) for key in line_keys}
        self._audio_state = "ok" if audio else "off"
        self._connected = False
        self._status_lock = threading.Lock()
        self._status: dict[str, Any] = self._make_status()

    @property
    def status(self) -> dict[str, Any]:
        """The health last published for the heartbeat."""
        with self._status_lock:
            return dict(self._status)

    def set_line(self, key: str, state: str, timeouts: int) -> None:
        """A line of boards is now ``state``, after ``timeouts`` timeouts in a row."""
        self._line_state[key] = (state, timeouts)
        self._publish()

    def set_audio(self, state: str) -> None:
        """The loudspeaker is now ``"ok"`` or ``"error"``."""
        self._audio_state = state
        self._publish()

    def set_socket(self, connected: bool) -> None:
        """The Socket.IO connection to the hub is now up or down."""
        self._connected = connected
        self._publish()

    def wake(self) -> None:
        """Make :meth:`run` look at once (to send, or to see that the agent stopped)."""
        self._due.set()

    def run(self) -> None:
        """Send heartbeats until the agent stops (the body of the heartbeat thread)."""
        version = agent_version("display-agent")
        while not self._stop.is_set():
            try:
                self.hub.heartbeat(version, self.status)
            except HubClientError as err:
                logger.info("heartbeat not sent: %s", err)
            if self._due.wait(self.heartbeat_s):
                self._stop.wait(0.2)  # let a burst of changes (start-up) make one report
            self._due.clear()

    def _make_status(self) -> dict[str, Any]:
        return {
            "boards": {key: state for key, (state, _) in self._line_state.items()},
            "board_timeouts": {key: n for key, (_, n) in self._line_state.items()},
            "audio": self._audio_state,
            "socket": "connected" if self._connected else "disconnected",
        }

    def _publish(self) -> None:
        status = self._make_status()
        with self._status_lock:
            old, self._status = self._status, status
        # A changed state is reported at once; timeout counts wait for the next beat.
        if any(status[k] != old[k] for k in ("boards", "audio", "socket")):
            self._due.set()


class AckOutbox:
    """Acks sent to the hub and not yet answered.

    Args:
        sio: The agent's ``socketio.Client``.
        screen: The agent's screen name, sent in every ack.
        report: Where the hub's answers go: ``("acked", (seq, kind), answer)``
            (the agent's queue, so that :meth:`answered` runs on its loop).
    """

    #: Acks kept at most: past this the hub is long gone, and the newest are kept.
    KEEP = 200

    def __init__(self, sio: Any, screen: str, report: Report) -> None:
        self.sio = sio
        self.screen = screen
        self.report = report
        self._pending: dict[tuple[int, str], dict[str, Any]] = {}

    def add(self, seq: int, kind: str) -> None:
        """Acknowledge call ``seq`` as ``kind`` (``"shown"`` or ``"spoken"``)."""
        payload = {"seq": seq, "kind": kind, "screen": self.screen}
        self._pending[(seq, kind)] = payload
        while len(self._pending) > self.KEEP:
            self._pending.pop(next(iter(self._pending)))
        self._send(payload)

    def resend(self) -> None:
        """Send again every ack the hub has not answered (after a reconnect)."""
        for payload in list(self._pending.values()):
            self._send(payload)

    def answered(self, key: tuple[int, str], answer: Any) -> None:
        """The hub answered the ack ``key`` (``(seq, kind)``)."""
        self._pending.pop(key, None)
        if not (isinstance(answer, dict) and answer.get("ok")):
            logger.warning("the hub refused ack %s: %r", key, answer)

    def _send(self, payload: dict[str, Any]) -> None:
        key = (payload["seq"], payload["kind"])

        def answered(answer: Any = None) -> None:
            self.report(("acked", key, answer))

        try:
            self.sio.emit(EV_ACK, payload, namespace=NS_DISPLAY, callback=answered)
        except Exception as err:  # not connected: sent again on reconnect
            logger.debug("ack %s kept for later: %s", key, err)
