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
"""

from __future__ import annotations

import argparse
import logging
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from display.agent_settings import AnnouncementSource, DisplayAgentSettings
from hardware.errors import DeviceTimeout, DeviceUnavailable, HardwareError
from hardware.ports import AudioOutput, CounterDisplay
from hub.events import EV_CALL, EV_SNAPSHOT, NS_DISPLAY
from kiosk.hub_client import HubClient, HubClientError, read_token

__all__ = [
    "BoardLine",
    "DisplayAgent",
    "Speaker",
    "add_command",
    "build_agent",
    "run_display_agent",
]

logger = logging.getLogger(__name__)

EV_SINCE = "since"
EV_ACK = "ack"
#: How long a call may wait for an earlier seq still in flight (messages are
#: delivered on separate threads, so two quick calls can arrive swapped).
REORDER_S = 0.25
#: How long live calls wait for the answer to ``since`` after a reconnect.
CATCH_UP_S = 3.0
#: Calls remembered to say each once (seqs only grow; older ones are forgotten).
SEEN_KEEP = 2000
_STOP = object()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("motcua")
    except PackageNotFoundError:
        return "0.0.0"


def _parse_at(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


Report = Callable[[tuple[Any, ...]], None]


class BoardLine:
    """The LED boards on one serial line, driven by their own thread.

    The loop says what each board should show (:meth:`want`); the thread sends
    it, and reports ``("shown", counter, token)`` and ``("line", key, state,
    timeouts_in_a_row)`` with ``state`` ``"ok"``, ``"timeout"`` or ``"offline"``.
    A board that does not answer is tried again on the next update and every
    ``retry_s``; the other boards of the line are sent their frames meanwhile.

    Args:
        key: The line's name (its port or URL).
        display: The boards (:class:`~hardware.led_board.SerialLedBoard` or a fake).
        counters: The counters whose boards are on this line.
        retry_s: Seconds between retries of a failed board or port.
    """

    def __init__(
        self, key: str, display: CounterDisplay, counters: tuple[str, ...], retry_s: float
    ) -> None:
        self.key = key
        self.display = display
        self.counters = counters
        self.retry_s = retry_s
        self.report: Report = lambda item: None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._desired: dict[str, tuple[str | None, int]] = {}
        self._applied: dict[str, int] = {}
        self._reported: tuple[str, int] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Open the port and start sending (in the background)."""
        self._thread = threading.Thread(target=self._run, name=f"board-{self.key}", daemon=True)
        self._thread.start()

    def want(self, counter_id: str, number: str | None, token: int) -> None:
        """Show ``number`` (None: blank) on ``counter_id``'s board; ``token`` names the update."""
        with self._lock:
            self._desired[counter_id] = (number, token)
        self._wake.set()

    def stop(self) -> None:
        """Ask the thread to end (after the frame being sent)."""
        self._stop.set()
        self._wake.set()

    def join(self, timeout: float) -> None:
        """Wait for the thread to end."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        is_open, state = False, ""
        try:
            while not self._stop.is_set():
                if not is_open:
                    try:
                        self.display.open()
                        is_open = True
                    except HardwareError as err:
                        state = self._state(state, "offline", err)
                        self._stop.wait(self.retry_s)
                        continue
                failed, is_open = self._send_all(is_open)
                state = self._state(state, failed or "ok", None)
                self._wake.wait(self.retry_s if failed else None)
                self._wake.clear()
        finally:
            self.display.close()

    def _send_all(self, is_open: bool) -> tuple[str | None, bool]:
        with self._lock:
            todo = [
                (c, n, t) for c, (n, t) in self._desired.items() if self._applied.get(c, -1) < t
            ]
        failed: str | None = None
        for counter_id, number, token in todo:
            if self._stop.is_set():
                break
            shown = True
            try:
                if number is None:
                    self.display.clear(counter_id)
                else:
                    self.display.show(counter_id, number)
            except DeviceTimeout:
                failed = "timeout"  # the adapter logged it; the next board may answer
                continue
            except DeviceUnavailable as err:
                logger.warning("LED boards on %s: %s", self.key, err)
                return "offline", False
            except ValueError as err:  # a number this board cannot show: never retried
                logger.error("LED board of counter %s cannot show %r: %s", counter_id, number, err)
                shown = False
            with self._lock:
                self._applied[counter_id] = token
            if shown:
                self.report(("shown", counter_id, token))
        return failed, is_open

    def _state(self, old: str, new: str, err: Exception | None) -> str:
        timeouts = self.display.health().consecutive_timeouts
        if new != old:
            level = logging.INFO if new == "ok" else logging.WARNING
            detail = f": {err}" if err is not None else ""
            logger.log(level, "LED boards on %s: %s%s", self.key, new, detail)
        if (new, timeouts) != self._reported:
            self._reported = (new, timeouts)
            self.report(("line", self.key, new, timeouts))
        return new


class Speaker:
    """Says calls one after another on its own thread, each ``repeat`` times.

    Reports ``("audio", "ok"|"error")`` and ``("spoken", seq)`` after a call was
    said in full.

    Args:
        settings: ``repeat`` and ``repeat_gap_s``.
        audio: The loudspeaker.
        source: Gives the WAV of a call (from the hub, else rendered here).
        report: Where reports go (the agent's queue).
    """

    def __init__(
        self,
        settings: DisplayAgentSettings,
        audio: AudioOutput,
        source: AnnouncementSource,
        report: Report,
    ) -> None:
        self.settings = settings
        self.audio = audio
        self.source = source
        self.report = report
        self._queue: queue.Queue[Any] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Check the player and start saying what :meth:`say` queues."""
        self._thread = threading.Thread(target=self._run, name="display-speaker", daemon=True)
        self._thread.start()

    def say(self, call: dict[str, Any]) -> None:
        """Queue ``call`` to be said after those before it."""
        self._queue.put(call)

    def stop(self) -> None:
        """End after the sound being played."""
        self._stop.set()
        self._queue.put(_STOP)

    def join(self, timeout: float) -> None:
        """Wait for the thread to end."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self.audio.open()
        except HardwareError as err:
            logger.error("loudspeaker: %s", err)
            self.report(("audio", "error"))
        while True:
            call = self._queue.get()
            if call is _STOP or self._stop.is_set():
                return
            if self._speak(call):
                self.report(("audio", "ok"))
                self.report(("spoken", call["seq"]))
            elif not self._stop.is_set():
                self.report(("audio", "error"))

    def _speak(self, call: dict[str, Any]) -> bool:
        wav = self.source.wav(call)
        if wav is None:
            return False
        for index in range(self.settings.repeat):
            if index and self._stop.wait(self.settings.repeat_gap_s):
                return False
            try:
                self.audio.play(wav)
            except (HardwareError, ValueError) as err:
                logger.warning("cannot say call %s: %s", call["seq"], err)
                return False
        return True


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
        import socketio

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
            source = AnnouncementSource(settings)
            self.speaker = Speaker(settings, audio, source, self._queue.put)
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=settings.reconnect_delay_s,
            reconnection_delay_max=settings.reconnect_max_s,
            randomization_factor=0.2,
        )
        put = self._queue.put
        self.sio.on("connect", lambda: put(("connected",)), namespace=NS_DISPLAY)
        self.sio.on(
            "disconnect", lambda reason=None: put(("disconnected", reason)), namespace=NS_DISPLAY
        )
        self.sio.on(EV_SNAPSHOT, lambda data: put(("snapshot", data)), namespace=NS_DISPLAY)
        self.sio.on(EV_CALL, lambda data: put(("call", data, False)), namespace=NS_DISPLAY)
        self._want_connect = threading.Event()
        self._heartbeat_due = threading.Event()
        self._threads: list[threading.Thread] = []
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
        self._pending_acks: dict[tuple[int, str], dict[str, Any]] = {}
        self._token = 0
        self._line_state = {line.key: ("offline", 0) for line in lines}
        self._audio_state = "ok" if self.speaker is not None else "off"
        self._status_lock = threading.Lock()
        self._status: dict[str, Any] = self._make_status()

    # ----------------------------------------------------------------- life
    def start(self) -> None:
        """Start every thread; the first connection is tried at once."""
        targets = [self._loop, self._connector, self._heartbeats]
        for target in targets:
            self._spawn(target, target.__name__.strip("_"))
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
        self._heartbeat_due.set()
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
            self.sio.shutdown()
        except Exception as err:  # shutting down: log whatever the client raises
            logger.debug("closing the Socket.IO client: %s", err)

    @property
    def status(self) -> dict[str, Any]:
        """The health last published for the heartbeat."""
        with self._status_lock:
            return dict(self._status)

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
                    wait_timeout=self.settings.hub_timeout_s,
                )
            except Exception as err:  # socketio raises several kinds; retry all
                logger.info("hub %s not reachable (%s); retry in %.1f s",
                            self.settings.hub_url, err, delay)  # fmt: skip
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, self.settings.reconnect_max_s)
                continue
            self._want_connect.clear()
            delay = self.settings.reconnect_delay_s

    # ------------------------------------------------------------ heartbeat
    def _heartbeats(self) -> None:
        version = _version()
        while not self._stop.is_set():
            try:
                self.hub.heartbeat(version, self.status)
            except HubClientError as err:
                logger.info("heartbeat not sent: %s", err)
            if self._heartbeat_due.wait(self.settings.heartbeat_s):
                self._stop.wait(0.2)  # let a burst of changes (start-up) make one report
            self._heartbeat_due.clear()

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
            self._heartbeat_due.set()

    # ----------------------------------------------------------------- loop
    def _loop(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=0.05 if self._held else 1.0)
            except queue.Empty:
                item = None
            if item is _STOP:
                return
            try:
                if item is not None:
                    self._handle(item)
                self._drain()
            except Exception:  # the firewall: one bad message never stops the agent
                logger.exception("display agent: cannot handle %r", item)

    def _handle(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "connected":
            self._connected = True
            logger.info("connected to %s", self.settings.hub_url)
            self._when_connected()
            self._publish()
        elif kind == "disconnected":
            self._connected = False
            reason = item[1]
            logger.warning("disconnected from the hub (%s)", reason)
            if reason != self.sio.reason.TRANSPORT_ERROR and not self._stop.is_set():
                self._want_connect.set()  # python-socketio retries transport errors only
            self._publish()
        elif kind == "snapshot":
            self._on_snapshot(item[1])
        elif kind == "call":
            self._on_call(item[1], missed=item[2])
        elif kind == "since":
            self._on_since(item[1])
        elif kind == "shown":
            self._on_shown(item[1], item[2])
        elif kind == "line":
            self._line_state[item[1]] = (item[2], item[3])
            self._publish()
        elif kind == "audio":
            self._audio_state = item[1]
            self._publish()
        elif kind == "spoken":
            self._ack(item[1], "spoken")
        elif kind == "acked":
            self._on_acked(item[1], item[2])

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
        self._flush_acks()

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
                    self._ack(seq, "shown")
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
                self._ack(seq, "shown")

    # ----------------------------------------------------------------- acks
    def _ack(self, seq: int, kind: str) -> None:
        payload = {"seq": seq, "kind": kind, "screen": self.settings.screen}
        self._pending_acks[(seq, kind)] = payload
        while len(self._pending_acks) > 200:  # the hub is long gone: keep the newest
            self._pending_acks.pop(next(iter(self._pending_acks)))
        self._send_ack(payload)

    def _send_ack(self, payload: dict[str, Any]) -> None:
        key = (payload["seq"], payload["kind"])

        def answered(answer: Any = None) -> None:
            self._queue.put(("acked", key, answer))

        try:
            self.sio.emit(EV_ACK, payload, namespace=NS_DISPLAY, callback=answered)
        except Exception as err:  # not connected: sent again on reconnect
            logger.debug("ack %s kept for later: %s", key, err)

    def _flush_acks(self) -> None:
        for payload in list(self._pending_acks.values()):
            self._send_ack(payload)

    def _on_acked(self, key: tuple[int, str], answer: Any) -> None:
        self._pending_acks.pop(key, None)
        if not (isinstance(answer, dict) and answer.get("ok")):
            logger.warning("the hub refused ack %s: %r", key, answer)


def build_agent(settings: DisplayAgentSettings) -> DisplayAgent:
    """The agent with the boards and loudspeaker its settings name (nothing opened yet)."""
    from display.agent_settings import make_audio, make_board

    token = read_token(settings.token, settings.token_file)
    lines = [
        BoardLine(b.key, make_board(b), tuple(b.address_map), settings.retry_s)
        for b in settings.boards
    ]
    hub = HubClient(settings.hub_url, token, timeout_s=settings.hub_timeout_s)
    return DisplayAgent(settings, lines, make_audio(settings), hub)


def add_command(subparsers: Any) -> None:
    """Add ``motcua display-agent`` to the command line."""
    parser = subparsers.add_parser(
        "display-agent", help="the display agent: LED boards and loudspeaker of a call screen"
    )
    parser.add_argument(
        "--check", action="store_true", help="check the [display_agent] configuration and exit"
    )
    parser.set_defaults(func=run_display_agent)


def run_display_agent(args: argparse.Namespace) -> int:
    """Run the agent until SIGTERM or Ctrl+C."""
    from config import config_path
    from display.agent_settings import load_display_agent_settings

    path = config_path(getattr(args, "config", None))
    settings = load_display_agent_settings(path)
    if args.check:
        print(f"{path}: [display_agent] is valid")
        return 0
    try:
        agent = build_agent(settings)
    except ValueError as err:
        print(f"motcua display-agent: {err}", file=sys.stderr, flush=True)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    agent.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        agent.stop()
    return 0
