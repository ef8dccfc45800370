"""The counter keypad agent (``motcua counter-keypad``): a counter without a PC,
worked from a keypad.

A USB numeric keypad (evdev) or a few GPIO buttons at the counter call next,
recall, mark a no-show, complete, and pause/resume. The device token is bound
to its counter (``motcua device add NAME --kind counter-keypad --counter ID``,
or the admin page), and the hub lets it act for the staff member who opened
that counter. The counter's LED board shows the result: the number called,
``---`` when nobody waits, ``P`` while paused, ``E`` for a moment after a
refused action (texts configurable).

The section and an example: :mod:`config.counter_keypad`.

Design: the key reader only enqueues; one loop thread owns the state, talks to
the hub through :class:`~kiosk.kit.hub_client.HubClient`, drives the LED board and
sends a heartbeat (``keypad`` and ``led_board`` health) every ``heartbeat_s``.
A request that fails is never retried by itself: a retried call-next could
skip a citizen. A second call-next within ``min_call_gap_s`` of the last call
is dropped for the same reason. The LED board is driven through the agent's
firewall (:class:`kiosk.kit.runner.Firewall`), which keeps its health for the
heartbeat; a failing loop step is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config.counter_keypad import COMMANDS
from config.wire import DeviceKind, ErrorCode
from hardware.ports import CounterDisplay, Indicator, KeypadReader
from kiosk.kit.hub_client import HubClient, HubRejected, HubUnreachable, agent_version
from kiosk.kit.runner import Firewall

__all__ = ["VERSION", "CounterKeypadAgent", "Result", "Texts"]

logger = logging.getLogger(__name__)

VERSION = agent_version(DeviceKind.COUNTER_KEYPAD)
RETRY_S = 3.0
LED_BOARD = "led_board"
"""The board's name in the heartbeat's status."""
ENDPOINTS = {
    "call_next": "call-next",
    "recall": "recall",
    "no_show": "no-show",
    "complete": "complete",
}


@dataclass(frozen=True)
class Texts:
    """What the LED board shows besides numbers ("" blanks it)."""

    nobody: str = "---"
    paused: str = "P"
    error: str = "E"


@dataclass(frozen=True)
class Result:
    """What one command did: ``ok``, the hub's status or error code, what is shown."""

    command: str
    ok: bool
    status: int | None = None
    code: str | None = None
    number: str | None = None
    shown: str | None = None


class CounterKeypadAgent:
    """The loop that turns key presses into counter actions on the hub.

    Args:
        client: the hub client with this keypad's device token.
        counter_id: the counter the token is bound to.
        source: a :class:`~hardware.ports.KeypadReader` (or a
            :class:`~kiosk.counter_keypad.devices.ButtonSource`) giving command names.
        board: the counter's LED board, or None.
        indicator: a status LED (ready / busy / error), or None.
        min_call_gap_s: a call-next this soon after the last call is dropped.
        error_show_s: how long the board shows the error text.
        heartbeat_s: seconds between heartbeats.
        texts: the board's texts.
        clock: monotonic seconds (tests pass their own).
    """

    def __init__(
        self,
        client: HubClient,
        counter_id: str,
        source: KeypadReader,
        board: CounterDisplay | None = None,
        indicator: Indicator | None = None,
        *,
        min_call_gap_s: float = 3.0,
        error_show_s: float = 3.0,
        heartbeat_s: float = 30.0,
        texts: Texts | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.counter_id = counter_id
        self.source = source
        self.board = board
        self.indicator = indicator
        self.min_call_gap_s = min_call_gap_s
        self.error_show_s = error_show_s
        self.heartbeat_s = heartbeat_s
        self.texts = texts or Texts()
        self.clock = clock
        self.results: queue.Queue[Result] = queue.Queue()
        self._commands: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._steady: str = ""  # what the board shows when no error is on it
        self._error_until: float | None = None
        self._last_call: float | None = None
        self._firewall = Firewall(logger)
        self._next_heartbeat = 0.0
        self._synced = False

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Sync with the hub, then read keys on the reader's thread and act on ours."""
        self._thread = threading.Thread(target=self._loop, name="counter-keypad", daemon=True)
        self._thread.start()
        self.source.start(self._commands.put)
        if self.indicator is not None:
            self.indicator.on()
        logger.info("counter keypad working counter %s", self.counter_id)

    def stop(self) -> None:
        """Stop reading and acting; idempotent."""
        try:
            self.source.close()
        finally:
            self._commands.put(None)
            if self._thread is not None:
                self._thread.join(timeout=10)
            if self.indicator is not None:
                self.indicator.off()

    def _loop(self) -> None:
        self.sync()
        while True:
            timeout = self._next_wake() - self.clock()
            try:
                command = self._commands.get(timeout=max(0.01, timeout))
            except queue.Empty:
                command = ""
            if command is None:
                return
            # The loop must outlive any single failure.
            with self._firewall.guard(f"counter keypad: {command or 'tick'}"):
                if command:
                    self.results.put(self.handle(command))
                self._tick()

    def _next_wake(self) -> float:
        wake = self._next_heartbeat
        if self._error_until is not None:
            wake = min(wake, self._error_until)
        return wake

    def _tick(self) -> None:
        now = self.clock()
        if self._error_until is not None and now >= self._error_until:
            self._error_until = None
            self._show(self._steady)
            if self.indicator is not None:
                self.indicator.on()
        if now >= self._next_heartbeat:
            ok = self.heartbeat()
            # Until the hub answers (it may start after us), look again soon.
            wait = self.heartbeat_s if ok else min(RETRY_S, self.heartbeat_s)
            self._next_heartbeat = now + wait
            if ok and not self._synced:
                self.sync()

    # ---------------------------------------------------------------- hub
    def sync(self) -> None:
        """Show what the counter is doing now (its number, paused, or blank)."""
        try:
            state = self._counter_state()
        except (HubUnreachable, HubRejected) as err:
            logger.warning("counter keypad: cannot read counter %s: %s", self.counter_id, err)
            return
        self._synced = True
        if state.get("paused"):
            self._set_steady(self.texts.paused)
        elif state.get("current"):
            self._set_steady(state["current"]["number"])
        else:
            self._set_steady("")

    def _counter_state(self) -> dict[str, Any]:
        for counter in self.client.get("/counters") or []:
            if counter.get("id") == self.counter_id:
                return counter
        raise HubRejected(404, "unknown_counter", f"no counter {self.counter_id}")

    def heartbeat(self) -> bool:
        """Tell the hub we are alive, with the keypad's and the board's health.

        Returns:
            True when the hub took it.
        """
        status = {"keypad": "ok" if getattr(self.source, "connected", True) else "offline"}
        if self.board is not None:
            status["led_board"] = self._firewall.health(LED_BOARD)
        try:
            self.client.heartbeat(VERSION, status)
        except (HubUnreachable, HubRejected) as err:
            logger.warning("counter keypad: heartbeat failed: %s", err)
            return False
        return True

    def handle(self, command: str) -> Result:
        """Carry out one command; the board and the LED show how it went."""
        if command not in COMMANDS:
            logger.warning("counter keypad: unknown command %r", command)
            return Result(command, False, code="unknown_command")
        if command == "call_next" and self._last_call is not None:
            if self.clock() - self._last_call < self.min_call_gap_s:
                logger.info(
                    "counter keypad: call-next %.1f s after a call dropped",
                    self.clock() - self._last_call,
                )
                return self._failed(command, None, "too_soon")
        if self.indicator is not None:
            self.indicator.blink("busy")
        try:
            result = self._send(command)
        except HubRejected as err:
            logger.info("counter keypad: %s refused: %s", command, err)
            return self._failed(command, err.status, err.code)
        except HubUnreachable as err:
            logger.warning("counter keypad: %s: hub unreachable: %s", command, err)
            return self._failed(command, None, ErrorCode.HUB_UNREACHABLE)
        if self.indicator is not None and self._error_until is None:
            self.indicator.on()
        return result

    def _send(self, command: str) -> Result:
        base = f"/counters/{self.counter_id}"
        if command == "pause":
            paused = bool(self._counter_state().get("paused"))
            self.client.post(f"{base}/{'resume' if paused else 'pause'}")
            if paused:
                self.sync()
            else:
                self._set_steady(self.texts.paused)
            return Result(command, True, 200, "resume" if paused else "pause", shown=self._steady)
        answer = self.client.post(f"{base}/{ENDPOINTS[command]}")
        number = answer.data.get("number") if isinstance(answer.data, dict) else None
        if command == "call_next":
            if number is None:
                self._set_steady(self.texts.nobody)
            else:
                self._last_call = self.clock()
                self._set_steady(number)
        elif command == "recall":
            self._set_steady(number or self._steady)
        else:  # complete, no_show: nobody is being served now
            self._set_steady("")
        return Result(command, True, answer.status, number=number, shown=self._steady)

    def _failed(self, command: str, status: int | None, code: str) -> Result:
        self._error_until = self.clock() + self.error_show_s
        self._show(self.texts.error)
        if self.indicator is not None:
            self.indicator.blink("error")
        return Result(command, False, status, code, shown=self.texts.error)

    # -------------------------------------------------------------- board
    def _set_steady(self, text: str) -> None:
        self._steady = text
        self._error_until = None
        self._show(text)

    def _show(self, text: str) -> None:
        board = self.board
        if board is None:
            return
        # The board is not essential: a fault is logged and reported in the heartbeat.
        with self._firewall.guard("counter keypad: LED board", device=LED_BOARD):
            if text:
                board.show(self.counter_id, text)
            else:
                board.clear(self.counter_id)
