"""The display agent (``motcua display-agent``): LED boards and a loudspeaker on a Pi.

It follows the hub's ``/display`` Socket.IO namespace (open to the LAN) and:

- sets the LED board of each counter to the number called there (boards on
  serial lines, :mod:`hardware.led_board`), and acknowledges ``shown``;
- says each call on the loudspeaker, one after another, ``repeat`` times, and
  acknowledges ``spoken``. The WAV comes from the hub (``GET
  /display/audio/<seq>.wav``, so the centre's clips and template are used), or
  is rendered here with :mod:`display.announcer` when the hub cannot give it;
- reports its health in ``POST /devices/heartbeat`` with its ``display`` device
  token: ``{"boards": {line: "ok"|"timeout"|"offline"}, "board_timeouts":
  {line: n in a row}, "audio": "ok"|"error"|"off", "socket":
  "connected"|"disconnected"}``.

Threads: one loop owns the state. Socket.IO callbacks, the board workers (one
per serial line, so a board that never answers delays no other line) and the
speaker only put messages on its queue. python-socketio reconnects by itself
after a dropped connection; a connector thread covers what it does not (the
first connection, a disconnect the hub asked for). On each (re)connect the hub
sends a ``snapshot``: the boards take each counter's current number, and the
agent asks ``since`` its last seq and says the missed calls at most
``recent_s`` old, each once.

The board and speaker threads are in :mod:`display.agent.devices`, heartbeats
and acks in :mod:`display.agent.reports`, the command in :mod:`display.agent.cli`.
A message the loop cannot handle goes through the agent's firewall
(:class:`kiosk.kit.runner.Firewall`): it is logged, and the loop goes on.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import datetime
from typing import Any

import socketio

from config.display_agent import DisplayAgentSettings
from config.wire import ACK_SHOWN, ACK_SPOKEN, EV_CALL, EV_SINCE, EV_SNAPSHOT, NS_DISPLAY
from display.agent.announcements import AnnouncementSource
from display.agent.devices import BoardLine, Speaker
from display.agent.reports import AckOutbox, HealthReporter
from hardware.ports import AudioOutput
from kiosk.kit.hub_client import HubClient
from kiosk.kit.runner import Firewall
from kiosk.kit.sockets import close_for_good
from kiosk.kit.tls import certificate_error, socketio_options

__all__ = ["DisplayAgent"]

logger = logging.getLogger(__name__)

#: How long a call may wait for an earlier seq still in flight (messages are
#: delivered on separate threads, so two quick calls can arrive swapped).
REORDER_S = 0.25
#: How long live calls wait for the answer to ``since`` after a reconnect.
CATCH_UP_S = 3.0
#: Calls remembered to say each once (seqs only grow; older ones are forgotten).
SEEN_KEEP = 2000
_STOP = object()


def _parse_at(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


class DisplayAgent:
    """The agent. Adapters come in; :func:`build_agent` builds them from the settings.

    Args:
        settings: The ``[display_agent]`` section.
        lines: The serial lines of LED boards (:class:`BoardLine`).
        audio: The loudspeaker, or None when the TV's browser speaks.
        hub: The HTTP client with the display device token (heartbeat, hub clock).
    """

    def __init__(
        self,
        settings: DisplayAgentSettings,
        lines: list[BoardLine],
        audio: AudioOutput | None,
        hub: HubClient,
    ) -> None:
        self.settings = settings
        self.hub = hub
        self._queue: queue.Queue[Any] = queue.Queue()
        self._stop = threading.Event()
        self.lines = lines
        self._line_of = {c: line for line in lines for c in line.counters}
        for line in lines:
            line.report = self._queue.put
        self.speaker = None
        if audio is not None:
            source = AnnouncementSource(settings, hub)
            self.speaker = Speaker(settings, audio, source, self._queue.put)
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=settings.reconnect_delay_s,
            reconnection_delay_max=settings.reconnect_max_s,
            randomization_factor=0.2,
            **socketio_options(settings.hub_url, hub.tls),
        )
        put = self._queue.put
        self.sio.on("connect", lambda: put(("connected",)), namespace=NS_DISPLAY)
        self.sio.on(
            "disconnect", lambda reason=None: put(("disconnected", reason)), namespace=NS_DISPLAY
        )
        self.sio.on(EV_SNAPSHOT, lambda data: put(("snapshot", data)), namespace=NS_DISPLAY)
        self.sio.on(EV_CALL, lambda data: put(("call", data, False)), namespace=NS_DISPLAY)
        self._want_connect = threading.Event()
        self._health = HealthReporter(
            hub, settings.heartbeat_s, [line.key for line in lines], audio is not None, self._stop
        )
        self._acks = AckOutbox(self.sio, settings.screen, put)
        self._threads: list[threading.Thread] = []
        self._firewall = Firewall(logger)
        # Loop state: only the loop thread touches what follows.
        self._connected = False
        self._last_seq: int | None = None
        self._seen: set[int] = set()
        self._held: dict[int, tuple[dict[str, Any], float, bool]] = {}
        self._catch_up_until = 0.0
        self._since_wanted = False
        self._board_seq: dict[str, int] = {}
        self._desired: dict[str, tuple[str | None, int]] = {}
        self._applied: dict[str, int] = {}
        # counter -> [(seq, token)]: calls to acknowledge once that board update is sent
        self._pending_shown: dict[str, list[tuple[int, int]]] = {}
        self._token = 0

    # ----------------------------------------------------------------- life
    def start(self) -> None:
        """Start every thread; the first connection is tried at once."""
        self._spawn(self._loop, "loop")
        self._spawn(self._connector, "connector")
        self._spawn(self._health.run, "heartbeats")
        for line in self.lines:
            line.start()
        if self.speaker is not None:
            self.speaker.start()
        self._want_connect.set()

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=f"display-agent-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 1.5) -> None:
        """Stop everything, within about ``timeout`` seconds (a sound being played
        by aplay is left to finish in its own process)."""
        deadline = time.monotonic() + timeout
        self._stop.set()
        self._want_connect.set()
        self._health.wake()
        self._queue.put(_STOP)
        closer = threading.Thread(target=self._close_socket, daemon=True)
        closer.start()
        for line in self.lines:
            line.stop()
        if self.speaker is not None:
            self.speaker.stop()
        workers: list[Any] = [*self._threads, *self.lines]
        if self.speaker is not None:
            workers.append(self.speaker)
        for worker in workers:
            worker.join(max(0.05, deadline - time.monotonic()))
        # A clean websocket close may wait seconds for the server's close frame; the
        # closer is a daemon thread, and the socket closes with the process anyway.
        closer.join(min(0.2, max(0.0, deadline - time.monotonic())))
        self.hub.close()
        logger.info("display agent stopped")

    def _close_socket(self) -> None:
        try:
            close_for_good(self.sio)
        except Exception as err:  # shutting down: log whatever the client raises
            logger.debug("closing the Socket.IO client: %s", err)

    @property
    def status(self) -> dict[str, Any]:
        """The health last published for the heartbeat."""
        return self._health.status

    # ------------------------------------------------------------ connector
    def _connector(self) -> None:
        """Connect when python-socketio will not: at start and after the hub hung up."""
        delay = self.settings.reconnect_delay_s
        while not self._stop.is_set():
            self._want_connect.wait()
            if self._stop.is_set():
                return
            if self.sio.connected:
                self._want_connect.clear()
                continue
            try:
                self.sio.connect(
                    self.settings.hub_url,
                    namespaces=[NS_DISPLAY],
                    transports=["websocket"],
                    # The display device's token: only a registered screen's acks count.
                    auth={"token": self.hub.token},
                    wait_timeout=self.settings.hub_timeout_s,
                )
            except Exception as err:  # socketio raises several kinds; retry all
                problem = certificate_error(err, self.settings.ca_file)
                if problem is not None:
                    logger.error("hub %s: %s; retry in %.1f s",
                                 self.settings.hub_url, problem, delay)  # fmt: skip
                else:
                    logger.info("hub %s not reachable (%s); retry in %.1f s",
                                self.settings.hub_url, err, delay)  # fmt: skip
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, self.settings.reconnect_max_s)
                continue
            self._want_connect.clear()
            delay = self.settings.reconnect_delay_s

    # ----------------------------------------------------------------- loop
    def _loop(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=0.05 if self._held else 1.0)
            except queue.Empty:
                item = None
            if item is _STOP:
                return
            # One bad message never stops the agent.
            with self._firewall.guard(lambda item=item: f"display agent: cannot handle {item!r}"):
                if item is not None:
                    self._handle(item)
                self._drain()

    def _handle(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "connected":
            self._connected = True
            logger.info("connected to %s", self.settings.hub_url)
            self._when_connected()
            self._health.set_socket(True)
        elif kind == "disconnected":
            self._connected = False
            reason = item[1]
            logger.warning("disconnected from the hub (%s)", reason)
            if reason != self.sio.reason.TRANSPORT_ERROR and not self._stop.is_set():
                self._want_connect.set()  # python-socketio retries transport errors only
            self._health.set_socket(False)
        elif kind == "snapshot":
            self._on_snapshot(item[1])
        elif kind == "call":
            self._on_call(item[1], missed=item[2])
        elif kind == "since":
            self._on_since(item[1])
        elif kind == "shown":
            self._on_shown(item[1], item[2])
        elif kind == "line":
            self._health.set_line(item[1], item[2], item[3])
        elif kind == "audio":
            self._health.set_audio(item[1])
        elif kind == "spoken":
            self._acks.add(item[1], ACK_SPOKEN)
        elif kind == "acked":
            self._acks.answered(item[1], item[2])

    def _wanted(self, counter_id: str) -> bool:
        return not self.settings.counters or counter_id in self.settings.counters

    def _on_snapshot(self, snap: Any) -> None:
        if not isinstance(snap, dict):
            return
        last = int(snap.get("last_seq") or 0)
        if self._last_seq is not None and last < self._last_seq:
            logger.warning("the hub's calls restart at %d (a new database?)", last)
            self._last_seq, self._seen, self._board_seq = None, set(), {}
        for counter in snap.get("counters") or []:
            counter_id = str(counter.get("id"))
            if counter_id not in self._line_of or self._board_seq.get(counter_id, -1) > last:
                continue  # no board here, or a newer call already reached it
            current = counter.get("current") or {}
            self._board_seq[counter_id] = last
            self._show(counter_id, current.get("number"))
        if self._last_seq is None:
            # First connection: what came before is not ours to say.
            self._last_seq = last
            self._held = {seq: held for seq, held in self._held.items() if seq > last}
        elif last > self._last_seq:
            self._catch_up_until = time.monotonic() + CATCH_UP_S
            self._since_wanted = True
        self._when_connected()

    def _when_connected(self) -> None:
        """Ask for missed calls and resend acks, once the namespace is connected: the
        snapshot can be handled before python-socketio marks it so."""
        if not self._connected:
            return
        if self._since_wanted:
            self._since_wanted = False
            asked = {"seq": self._last_seq}
            try:
                self.sio.emit(EV_SINCE, asked, namespace=NS_DISPLAY, callback=self._since_answer)
            except Exception as err:  # disconnected again: the next snapshot asks again
                logger.info("cannot ask for missed calls: %s", err)
                self._catch_up_until = 0.0
        self._acks.resend()

    def _since_answer(self, answer: Any = None) -> None:
        self._queue.put(("since", answer))

    def _on_since(self, answer: Any) -> None:
        self._catch_up_until = 0.0
        if not isinstance(answer, dict) or "calls" not in answer:
            logger.warning("the hub did not answer since: %r", answer)
            return
        for call in answer["calls"]:
            self._on_call(call, missed=True)

    def _on_call(self, call: Any, *, missed: bool) -> None:
        if not isinstance(call, dict) or not isinstance(call.get("seq"), int):
            return
        seq = call["seq"]
        if seq in self._seen or seq in self._held:
            return
        self._held[seq] = (call, time.monotonic(), missed)

    def _drain(self) -> None:
        """Handle held calls in seq order, waiting briefly for a missing one."""
        now = time.monotonic()
        while self._held and self._last_seq is not None:
            if now < self._catch_up_until:
                return
            seq = min(self._held)
            call, arrived, missed = self._held[seq]
            if seq > self._last_seq + 1 and now - arrived < REORDER_S:
                return
            del self._held[seq]
            self._handle_call(call, missed)

    def _handle_call(self, call: dict[str, Any], missed: bool) -> None:
        seq = call["seq"]
        if seq in self._seen:
            return
        self._seen.add(seq)
        if len(self._seen) > SEEN_KEEP:
            self._seen = {s for s in self._seen if s > seq - SEEN_KEEP // 2}
        self._last_seq = max(self._last_seq or 0, seq)
        counter_id = str((call.get("counter") or {}).get("id"))
        number = call.get("number")
        if not self._wanted(counter_id) or not isinstance(number, str):
            return
        if counter_id in self._line_of:
            if not missed and seq > self._board_seq.get(counter_id, -1):
                self._board_seq[counter_id] = seq
                self._show(counter_id, number)
                self._pending_shown.setdefault(counter_id, []).append((seq, self._token))
            elif missed and self._desired.get(counter_id, (None, 0))[0] == number:
                # The snapshot put this number on the board: it is being shown.
                token = self._desired[counter_id][1]
                if self._applied.get(counter_id, -1) >= token:
                    self._acks.add(seq, ACK_SHOWN)
                else:
                    self._pending_shown.setdefault(counter_id, []).append((seq, token))
        if self.speaker is not None and (not missed or self._recent(call)):
            self.speaker.say(call)

    def _recent(self, call: dict[str, Any]) -> bool:
        at = _parse_at(call.get("at"))
        if at is None:
            return False
        age = (self.hub.hub_now() - at).total_seconds()
        return age <= self.settings.recent_s

    def _show(self, counter_id: str, number: str | None) -> None:
        self._token += 1
        self._desired[counter_id] = (number, self._token)
        self._line_of[counter_id].want(counter_id, number, self._token)

    def _on_shown(self, counter_id: str, token: int) -> None:
        self._applied[counter_id] = max(token, self._applied.get(counter_id, -1))
        # A board is sent its updates in order: older ones were overtaken, never shown.
        waiting = self._pending_shown.pop(counter_id, [])
        later = [(seq, t) for seq, t in waiting if t > token]
        if later:
            self._pending_shown[counter_id] = later
        for seq, t in waiting:
            if t == token:
                self._acks.add(seq, ACK_SHOWN)
