"""The counter keypad's settings: the devices ``[counter_keypad]``
(:mod:`config.counter_keypad`) names, built into a
:class:`~kiosk.counter_keypad.loop.CounterKeypadAgent` bound to the token's counter.

The section itself is read through the one loader (``load_section(path,
"counter_keypad")``, as :mod:`kiosk.counter_keypad.cli` does).
"""

from __future__ import annotations

import logging

from config.counter_keypad import CounterKeypadSettings, LedBoardSection
from config.tokens import read_token
from config.wire import DeviceKind
from hardware.buttons import GpioButtons, GpioIndicator
from hardware.errors import HardwareError
from hardware.keypad import EvdevKeypad
from hardware.led_board import Framing, ModbusRtuFraming, SerialLedBoard, StxEtxFraming
from hardware.ports import CounterDisplay, KeypadReader
from kiosk.counter_keypad.devices import ButtonSource
from kiosk.counter_keypad.loop import CounterKeypadAgent, Texts
from kiosk.kit.hub_client import HubClient, HubUnreachable

__all__ = ["build_agent", "device_counter", "make_board"]

logger = logging.getLogger(__name__)


def device_counter(client: HubClient) -> str | None:
    """The counter the hub binds this device token to (``GET /devices/me``)."""
    me = client.get("/devices/me") or {}
    return me.get("counter") if isinstance(me, dict) else None


def build_agent(settings: CounterKeypadSettings) -> CounterKeypadAgent:
    """The agent with its real adapters, as the configuration says.

    Raises:
        ValueError: a bad keymap, or a counter that does not match the token's.
        HardwareError: GPIO pins that cannot be used.
        HubUnreachable, HubRejected: the hub cannot tell the token's counter.
    """
    client = HubClient(
        settings.hub_url,
        read_token(settings.token, settings.token_file),
        timeout_s=settings.timeout_s,
        ca_file=settings.ca_file,
    )
    try:
        bound = device_counter(client)
    except HubUnreachable:
        if settings.counter is None:
            raise
        # Started before the hub (a power cut): trust the file; the hub still
        # refuses the token on any other counter.
        logger.warning("counter keypad: hub unreachable; using counter %s", settings.counter)
        bound = settings.counter
    if bound is None:
        raise ValueError(
            f"this token is not bound to a counter: register a {DeviceKind.COUNTER_KEYPAD}"
        )
    if settings.counter is not None and settings.counter != bound:
        raise ValueError(f"counter = {settings.counter!r}, but the token belongs to {bound!r}")
    indicator = None
    source: KeypadReader
    if settings.keypad is not None:
        kp = settings.keypad
        source = EvdevKeypad(kp.keymap, name=kp.name, path=kp.path, grab=kp.grab)
    else:
        pins = settings.buttons
        if pins is None:  # pragma: no cover - the settings validator requires one of the two
            raise ValueError("give a `keypad` or GPIO `buttons`")
        source = ButtonSource(
            GpioButtons(dict(pins.pins), pull_up=pins.pull_up, debounce_ms=pins.debounce_ms)
        )
        indicator = GpioIndicator(pins.led) if pins.led is not None else None
    board = None
    if settings.led_board is not None:
        board = _board(settings.led_board, bound)
    texts = Texts(settings.nobody_text, settings.paused_text, settings.error_text)
    return CounterKeypadAgent(
        client,
        bound,
        source,
        board,
        indicator,
        min_call_gap_s=settings.min_call_gap_s,
        error_show_s=settings.error_show_s,
        heartbeat_s=settings.heartbeat_s,
        texts=texts,
    )


def make_board(section: LedBoardSection, counter_id: str) -> SerialLedBoard:
    """The counter's LED board as ``led_board`` describes it (not opened)."""
    framing: Framing = (
        ModbusRtuFraming(section.register, section.digits)
        if section.protocol == "modbus"
        else StxEtxFraming(section.digits)
    )
    return SerialLedBoard(
        section.port,
        section.baudrate,
        framing,
        {counter_id: section.address},
        timeout=section.timeout_s,
    )


def _board(section: LedBoardSection, counter_id: str) -> CounterDisplay:
    board = make_board(section, counter_id)
    try:
        board.open()
    except HardwareError as err:
        # The board is not essential: keep working and report it in heartbeats.
        logger.warning("counter keypad: LED board not available: %s", err)
    return board
