"""The display agent's devices, each driven by its own thread: LED boards and a loudspeaker.

:class:`BoardLine` sends each board of one serial line what the agent's loop
wants it to show, so a board that never answers delays no other line;
:class:`Speaker` says calls one after another. Neither touches the loop's
state: both only report back through a callable that puts on the loop's queue
(:class:`display.agent.loop.DisplayAgent`).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from config.display_agent import DisplayAgentSettings
from display.agent.announcements import AnnouncementSource
from hardware.errors import DeviceTimeout, DeviceUnavailable, HardwareError
from hardware.ports import AudioOutput, CounterDisplay

__all__ = ["BoardLine", "Report", "Speaker"]

logger = logging.getLogger(__name__)

_STOP = object()

#: Where a device thread sends its reports: a tuple whose first item names its kind.
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
