"""USB keypads and button boxes through evdev (``/dev/input/event*``).

A keypad is found by a substring of its name (``evdev.InputDevice.name``, e.g.
``"Numeric Keypad"``; list them with ``python -m evdev.evtest``) or by path
(prefer ``/dev/input/by-id/…``, stable across reboots). It is grabbed
(``EVIOCGRAB``) so its keys do not also type into the console. The user needs
the ``input`` group.

:class:`KeypadDecoder` is the pure part: key-down events of mapped keys become
commands; repeats, releases, ``SYN`` and ``MSC_SCAN`` are ignored.
:func:`pump` is the read loop :class:`EvdevKeypad` runs on its thread: it waits
with ``select`` on the device and on a wake-up pipe (so ``close()`` returns at
once) and reads with evdev's own reader. Unplugging gives ``ENODEV``; the
reader then polls for the device again every ``poll_s`` seconds (hot-plug).
"""

from __future__ import annotations

import difflib
import errno
import logging
import os
import select
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from evdev import InputDevice, InputEvent

__all__ = ["EventSource", "EvdevKeypad", "KeypadDecoder", "KeypadDevice", "pump"]

logger = logging.getLogger(__name__)


class EventSource(Protocol):
    """What :func:`pump` reads: an ``evdev.InputDevice`` or any ``evdev.eventio.EventIO``."""

    def fileno(self) -> int:
        """The file descriptor to wait on."""
        ...

    def read(self) -> Iterable[InputEvent]:
        """The events available now (raises BlockingIOError when there are none)."""
        ...


class KeypadDevice(EventSource, Protocol):
    """What :class:`EvdevKeypad` opens: an ``evdev.InputDevice`` (tests use a pipe)."""

    def grab(self) -> None:
        """Take the device for this process alone (``EVIOCGRAB``)."""
        ...

    def close(self) -> None:
        """Release the device."""
        ...


class KeypadDecoder:
    """Turns evdev events into commands.

    Args:
        keymap: evdev key name → command, e.g. ``{"KEY_KP1": "dat-dai",
            "KEY_KPENTER": "confirm"}``.

    Raises:
        ValueError: A key name evdev does not know (with a suggestion).
    """

    def __init__(self, keymap: Mapping[str, str]) -> None:
        # why: evdev loads only when a real keypad is built, never with fakes
        from evdev import ecodes

        self._ev_key = ecodes.EV_KEY
        self._commands: dict[int, str] = {}
        for key_name, command in keymap.items():
            code = ecodes.ecodes.get(key_name)
            if code is None or not key_name.startswith(("KEY_", "BTN_")):
                keys = [k for k in ecodes.ecodes if k.startswith(("KEY_", "BTN_"))]
                close = difflib.get_close_matches(key_name, keys, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise ValueError(f"unknown key name {key_name!r}{hint}")
            self._commands[code] = command

    def feed(self, event: InputEvent) -> str | None:
        """The command for a key-down ``event`` of a mapped key, else None."""
        if event.type == self._ev_key and event.value == 1:
            return self._commands.get(event.code)
        return None


def pump(
    source: EventSource,
    decoder: KeypadDecoder,
    on_command: Callable[[str], None],
    wake_fd: int | None = None,
) -> None:
    """Read ``source`` until it ends or ``wake_fd`` becomes readable.

    Returns on a wake-up or at end of file (a pipe whose writer closed).

    Raises:
        OSError: From the device; ``errno.ENODEV`` when it was unplugged.
    """
    fds = [source.fileno()] if wake_fd is None else [source.fileno(), wake_fd]
    while True:
        readable, _, _ = select.select(fds, [], [])
        if wake_fd is not None and wake_fd in readable:
            return
        try:
            events = list(source.read())
        except BlockingIOError:
            continue
        if not events:
            return
        for event in events:
            command = decoder.feed(event)
            if command is None:
                continue
            try:
                on_command(command)
            except Exception:
                # A failing callback must not stop the keypad.
                logger.exception("keypad callback failed for %s", command)


def _find_device(name: str | None, path: str | None) -> InputDevice[str] | None:
    # why: evdev loads only when a real keypad is looked for
    from evdev import InputDevice, list_devices

    if path is not None:
        try:
            return InputDevice(path)
        except OSError as err:
            logger.debug("keypad %s not available: %s", path, err)
            return None
    for candidate in list_devices():
        try:
            device = InputDevice(candidate)
        except OSError:
            continue
        if name is not None and name in device.name:
            return device
        device.close()
    return None


class EvdevKeypad:
    """A :class:`~hardware.ports.KeypadReader` on an evdev input device.

    Args:
        keymap: Key name → command (see :class:`KeypadDecoder`).
        name: Substring of the device name to look for; or
        path: The device path. Exactly one of the two.
        grab: Grab the device so its keys reach nobody else.
        poll_s: Seconds between looks for the device while it is absent.
        open_device: Returns an open device or None; the default searches
            ``/dev/input`` by ``name``/``path``. Tests pass a pipe-backed source.

    Raises:
        ValueError: Bad keymap, or not exactly one of ``name`` and ``path``.
    """

    def __init__(
        self,
        keymap: Mapping[str, str],
        *,
        name: str | None = None,
        path: str | None = None,
        grab: bool = True,
        poll_s: float = 2.0,
        open_device: Callable[[], KeypadDevice | None] | None = None,
    ) -> None:
        if open_device is None and (name is None) == (path is None):
            raise ValueError("give the keypad's name or its path, not both and not neither")
        self._decoder = KeypadDecoder(keymap)
        self._label = name or path or "device"
        self._open_device = open_device or (lambda: _find_device(name, path))
        self._grab = grab
        self._poll_s = poll_s
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self._connected = threading.Event()

    @property
    def connected(self) -> bool:
        """True while a device is open and being read."""
        return self._connected.is_set()

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Block until a device is being read; True if it is."""
        return self._connected.wait(timeout)

    def start(self, on_command: Callable[[str], None]) -> None:
        """Start the reader thread; commands go to ``on_command`` (must only enqueue).

        Raises:
            RuntimeError: Already started, or closed.
        """
        if self._thread is not None or self._stop.is_set():
            raise RuntimeError("keypad reader already started or closed")
        self._thread = threading.Thread(
            target=self._run, args=(on_command,), name="keypad", daemon=True
        )
        self._thread.start()

    def _run(self, on_command: Callable[[str], None]) -> None:
        announced_missing = False
        while not self._stop.is_set():
            device = self._open_device()
            if device is None:
                if not announced_missing:
                    logger.warning(
                        "keypad %s not found; looking every %g s", self._label, self._poll_s
                    )
                    announced_missing = True
                self._stop.wait(self._poll_s)
                continue
            announced_missing = False
            try:
                if self._grab:
                    device.grab()
                self._connected.set()
                logger.info("keypad %s connected", self._label)
                pump(device, self._decoder, on_command, self._wake_r)
                if not self._stop.is_set():
                    logger.warning("keypad %s: input ended", self._label)
            except OSError as err:
                if err.errno == errno.ENODEV:
                    logger.warning("keypad %s unplugged", self._label)
                else:
                    logger.error("keypad %s: %s", self._label, err)
                    self._stop.wait(self._poll_s)  # do not spin on a persistent fault
            finally:
                self._connected.clear()
                try:
                    device.close()
                except OSError:
                    pass

    def close(self) -> None:
        """Stop the reader thread and release the device. Idempotent."""
        if self._stop.is_set():
            return
        self._stop.set()
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join()
        os.close(self._wake_r)
        os.close(self._wake_w)
