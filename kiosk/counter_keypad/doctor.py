"""``motcua doctor``'s checks of a counter keypad (the entry ``counter_keypad``).

``[counter_keypad]`` through the one loader, as :mod:`kiosk.counter_keypad.cli`
reads it; then the hub and the token (bound to a counter, the section's
``counter`` if it names one), the keypad or the GPIO buttons and status LED as
:func:`~kiosk.counter_keypad.settings.build_agent` builds them, and the LED
board's serial line (:func:`~kiosk.counter_keypad.settings.make_board`).
"""

from __future__ import annotations

from pathlib import Path

from config import counter_keypad
from config.counter_keypad import CounterKeypadSettings, KeypadSection
from config.doctor import Check, failed
from config.loader import load_section
from config.wire import DeviceKind
from hardware.keypad import EvdevKeypad
from kiosk.counter_keypad.settings import make_board
from kiosk.kit.device_doctor import gpio_checks, keypad_check, serial_check
from kiosk.kit.doctor import DeviceToken, agent_checks

__all__ = ["checks"]

AGENT = "counter-keypad"


def checks(path: Path) -> list[Check]:
    """The counter keypad's lines for the configuration file ``path``.

    Raises:
        ConfigError: ``[counter_keypad]`` is missing or invalid.
    """
    settings: CounterKeypadSettings = load_section(
        path, "counter_keypad", CounterKeypadSettings, counter_keypad.PATHS
    )
    token = DeviceToken(
        settings.token,
        settings.token_file,
        DeviceKind.COUNTER_KEYPAD,
        counter=settings.counter,
        bound=True,
    )
    lines = agent_checks(AGENT, settings, [token], timeout_s=settings.timeout_s)
    keypad, buttons = settings.keypad, settings.buttons
    if keypad is not None:
        lines += keypad_check(
            "keypad", lambda: _reader(keypad), name=keypad.name, path=keypad.path, agent=AGENT
        )
    elif buttons is not None:
        lines += gpio_checks(
            {f"{command} button": pin for command, pin in buttons.pins.items()},
            {"status LED": buttons.led} if buttons.led is not None else {},
            pull_up=buttons.pull_up,
            debounce_ms=buttons.debounce_ms,
            agent=AGENT,
        )
    if settings.led_board is not None:
        try:
            board = make_board(settings.led_board, settings.counter or "-")
        except ValueError as err:
            lines.append(failed(f"LED board: {err}", "correct [counter_keypad] led_board"))
        else:
            lines += serial_check("LED board on", settings.led_board.port, board)
    return lines


def _reader(keypad: KeypadSection) -> EvdevKeypad:
    """The reader the agent builds for its keypad."""
    return EvdevKeypad(keypad.keymap, name=keypad.name, path=keypad.path, grab=keypad.grab)
