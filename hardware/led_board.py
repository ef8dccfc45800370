"""Serial LED number boards above the counters, over pyserial.

Queue-display boards have no standard protocol: each vendor has its own frame,
usually at 9600 8N1. The framing is therefore pluggable: :class:`StxEtxFraming`
(the common ASCII STX…ETX style) and :class:`ModbusRtuFraming` (boards such as
the LED-485 modules). A new vendor needs one small class with the same four
members.

RS-485: all boards share one two-wire bus, one address each, and only one
device may talk at a time. Use a USB-RS485 adapter with automatic direction
control; ``serial.rs485.RS485Settings`` needs kernel support that most USB
adapters and every pty lack. Terminate both ends of the bus (120 Ω). An
Ethernet-RS485 converter works too: pass ``socket://host:port`` as the port.

Any pyserial URL works as ``port_or_url`` (``serial.serial_for_url``): a device
path, ``socket://…``, ``rfc2217://…``, or ``loop://`` in tests.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from config.extras import PI_EXTRAS, not_installed
from hardware.errors import DeviceTimeout, DeviceUnavailable, HardwareError
from hardware.ports import DisplayHealth

if TYPE_CHECKING:
    import serial

__all__ = ["Framing", "ModbusRtuFraming", "SerialLedBoard", "StxEtxFraming", "crc16_modbus"]

logger = logging.getLogger(__name__)

STX, ETX, ACK, NAK = 0x02, 0x03, 0x06, 0x15
_DEV = "led_board"  # the device name carried by our errors

Read = Callable[[int], bytes]


class Framing(Protocol):
    """How one vendor's boards are addressed and answer."""

    expects_reply: bool

    def check_address(self, address: int) -> None:
        """Raise ValueError if ``address`` cannot be used on this protocol."""
        ...

    def show_frame(self, address: int, number: str) -> bytes:
        """Bytes that make board ``address`` show ``number`` (ValueError if it cannot)."""
        ...

    def clear_frame(self, address: int) -> bytes:
        """Bytes that blank board ``address``."""
        ...

    def read_reply(self, address: int, read: Read) -> None:
        """Read and check the board's answer; ``read(n)`` returns up to n bytes.

        Raises:
            DeviceTimeout: The answer did not come (in full).
            DeviceUnavailable: The board rejected the frame or answered garbage.
        """
        ...

    def min_gap_s(self, baudrate: int) -> float:
        """Silence the protocol needs between two frames."""
        ...


def _ascii_number(number: str, digits: int) -> bytes:
    if not number.isascii() or not number.isprintable():
        raise ValueError(f"an LED board shows printable ASCII only, not {number!r}")
    if len(number) > digits:
        raise ValueError(f"{number!r} does not fit on a {digits}-digit board")
    return number.rjust(digits).encode("ascii")


class StxEtxFraming:
    """An ASCII frame with an XOR checksum, acknowledged by one byte.

    Show ``1023`` on the board at address 3 (``digits=4``)::

        02            STX
        30 33         address, 2 ASCII digits: "03"
        4E            'N': show a number
        31 30 32 33   the number, ASCII, right-aligned, space-padded to `digits`: "1023"
        03            ETX
        4E            checksum: XOR of every byte from the address to ETX inclusive

    Clear the board at address 3: ``02 30 33 43 03 43`` (``'C'``, no number).
    The board answers ACK ``06`` (or NAK ``15`` for a bad frame) when
    ``expect_ack`` is set; ``checksum=False`` drops the last byte.

    Args:
        digits: Characters the board shows.
        checksum: Append the XOR byte.
        expect_ack: Wait for ACK after each frame.
    """

    def __init__(self, digits: int = 4, *, checksum: bool = True, expect_ack: bool = True) -> None:
        self.digits = digits
        self.checksum = checksum
        self.expects_reply = expect_ack

    def check_address(self, address: int) -> None:
        """Addresses are two decimal digits."""
        if not 0 <= address <= 99:
            raise ValueError(f"STX/ETX board address must be 0..99, not {address}")

    def _frame(self, address: int, body: bytes) -> bytes:
        self.check_address(address)
        payload = f"{address:02d}".encode("ascii") + body + bytes([ETX])
        if self.checksum:
            xor = 0
            for b in payload:
                xor ^= b
            payload += bytes([xor])
        return bytes([STX]) + payload

    def show_frame(self, address: int, number: str) -> bytes:
        """``STX aa N nnnn ETX x``."""
        return self._frame(address, b"N" + _ascii_number(number, self.digits))

    def clear_frame(self, address: int) -> bytes:
        """``STX aa C ETX x``."""
        return self._frame(address, b"C")

    def read_reply(self, address: int, read: Read) -> None:
        """Expect one ACK byte."""
        reply = read(1)
        if not reply:
            raise DeviceTimeout(f"LED board {address:02d} did not acknowledge", device=_DEV)
        if reply[0] == NAK:
            raise DeviceUnavailable(f"LED board {address:02d} rejected the frame", device=_DEV)
        if reply[0] != ACK:
            raise DeviceUnavailable(
                f"LED board {address:02d} answered 0x{reply[0]:02x}, not ACK", device=_DEV
            )

    def min_gap_s(self, baudrate: int) -> float:
        """STX marks a frame start: no gap needed."""
        return 0.0


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS (reflected poly 0xA001, init 0xFFFF); sent low byte first."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


class ModbusRtuFraming:
    """Modbus RTU "write multiple registers" (function 0x10).

    The number is written as ASCII, two characters per 16-bit register (high
    byte first), right-aligned and space-padded to ``digits``, from holding
    register ``register``. ``1023`` at slave 3, register 0::

        03 10 00 00 00 02 04 31 30 32 33 <CRC lo> <CRC hi>

    Clearing writes spaces. The slave answers ``addr 10 reg qty CRC`` (8 bytes)
    or an exception ``addr 90 code CRC`` (5 bytes). Frames are separated by 3.5
    character times of silence.

    Args:
        register: First holding register of the display text.
        digits: Characters the board shows (rounded up to whole registers).
        expect_reply: Wait for the slave's answer (set False for broadcasts).
    """

    def __init__(self, register: int = 0, digits: int = 4, *, expect_reply: bool = True) -> None:
        if not 0 <= register <= 0xFFFF:
            raise ValueError(f"Modbus register must be 0..65535, not {register}")
        self.register = register
        self.digits = digits
        self.registers = (digits + 1) // 2
        self.expects_reply = expect_reply

    def check_address(self, address: int) -> None:
        """Unicast slave addresses are 1..247."""
        if not 1 <= address <= 247:
            raise ValueError(f"Modbus slave address must be 1..247, not {address}")

    def _write(self, address: int, text: bytes) -> bytes:
        self.check_address(address)
        head = bytes([address, 0x10]) + self.register.to_bytes(2, "big")
        head += self.registers.to_bytes(2, "big") + bytes([2 * self.registers])
        pdu = head + text.rjust(2 * self.registers)
        return pdu + crc16_modbus(pdu).to_bytes(2, "little")

    def show_frame(self, address: int, number: str) -> bytes:
        """Write the number's ASCII into the display registers."""
        return self._write(address, _ascii_number(number, self.digits))

    def clear_frame(self, address: int) -> bytes:
        """Write spaces into the display registers."""
        return self._write(address, b"")

    def read_reply(self, address: int, read: Read) -> None:
        """Expect the echo of the write, or decode the exception."""
        head = read(2)
        if len(head) < 2:
            raise DeviceTimeout(f"Modbus slave {address} did not answer", device=_DEV)
        rest = read(3 if head[1] == 0x90 else 6)
        reply = head + rest
        if len(reply) not in (5, 8):
            raise DeviceTimeout(f"Modbus slave {address}: answer cut short", device=_DEV)
        if crc16_modbus(reply[:-2]).to_bytes(2, "little") != reply[-2:] or reply[0] != address:
            raise DeviceUnavailable(f"Modbus slave {address}: corrupt answer", device=_DEV)
        if head[1] == 0x90:
            raise DeviceUnavailable(
                f"Modbus slave {address} refused the write (exception {reply[2]})",
                device=_DEV,
            )
        expected = self.register.to_bytes(2, "big") + self.registers.to_bytes(2, "big")
        if head[1] != 0x10 or reply[2:6] != expected:
            raise DeviceUnavailable(f"Modbus slave {address}: unexpected answer", device=_DEV)

    def min_gap_s(self, baudrate: int) -> float:
        """3.5 characters of 11 bits; the spec fixes 1.75 ms above 19200 baud."""
        return 1.75e-3 if baudrate > 19200 else 3.5 * 11 / baudrate


class SerialLedBoard:
    """A :class:`~hardware.ports.CounterDisplay`: the boards on one serial line.

    Not retried here: a missing ACK raises :class:`DeviceTimeout` and counts in
    :meth:`health` (``consecutive_timeouts`` resets on the next success); the
    display agent decides when to retry. A failing port (USB adapter unplugged,
    converter dropping the TCP connection) raises :class:`DeviceUnavailable`
    and closes; the next ``show``/``clear`` reopens it once before sending.

    Args:
        port_or_url: ``/dev/ttyUSB0``, ``socket://10.0.0.9:4001``, ``loop://``, …
        baudrate: Line speed, 8N1.
        framing: The boards' protocol; default ``StxEtxFraming()``.
        address_map: Counter id → board address on the bus.
        timeout: Seconds to wait for a reply; writes may take 2 s longer.

    Raises:
        ValueError: An address the framing cannot use.
    """

    def __init__(
        self,
        port_or_url: str,
        baudrate: int = 9600,
        framing: Framing | None = None,
        address_map: Mapping[str, int] | None = None,
        timeout: float = 0.5,
    ) -> None:
        self.url = port_or_url
        self.baudrate = baudrate
        self.framing: Framing = framing if framing is not None else StxEtxFraming()
        self.address_map = dict(address_map or {})
        for address in self.address_map.values():
            self.framing.check_address(address)
        self.timeout = timeout
        self._port: serial.Serial | None = None
        self._wanted_open = False  # open() was called and close() was not
        self._lock = threading.Lock()
        self._consecutive = 0
        self._total = 0
        self._last_error: str | None = None
        self._last_sent = 0.0

    def open(self) -> None:
        """Open the port.

        Raises:
            DeviceUnavailable: It cannot be opened.
        """
        with self._lock:
            self._wanted_open = True
            self._open_locked()

    def _open_locked(self) -> serial.Serial:
        # why: pyserial loads only when real LED boards are opened
        try:
            import serial
        except ModuleNotFoundError as err:  # installed without the Pi's extras
            raise self._without(err) from err

        self._close_port()
        try:
            port = serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                timeout=self.timeout,
                write_timeout=self.timeout + 2.0,
            )
        except (serial.SerialException, ValueError, OSError) as err:
            self._last_error = str(err)
            raise DeviceUnavailable(f"LED boards on {self.url}: {err}", device=_DEV) from err
        logger.info("LED boards on %s open (%d boards)", self.url, len(self.address_map))
        self._port = port
        return port

    @property
    def port(self) -> serial.Serial | None:
        """The open pyserial port, or None (for diagnostics and tests)."""
        return self._port

    def show(self, counter_id: str, number: str) -> None:
        """Show ``number`` on ``counter_id``'s board (see the port)."""
        address = self._address(counter_id)
        self._send(address, self.framing.show_frame(address, number))

    def clear(self, counter_id: str) -> None:
        """Blank ``counter_id``'s board."""
        address = self._address(counter_id)
        self._send(address, self.framing.clear_frame(address))

    def _without(self, err: ModuleNotFoundError) -> DeviceUnavailable:
        self._last_error = not_installed(err)
        return DeviceUnavailable(
            f"LED boards on {self.url}: {not_installed(err)}: {PI_EXTRAS}", device=_DEV
        )

    def _address(self, counter_id: str) -> int:
        try:
            return self.address_map[counter_id]
        except KeyError:
            raise ValueError(f"no LED board for counter {counter_id!r}") from None

    def _send(self, address: int, frame: bytes) -> None:
        # why: for its exceptions; pyserial stays out of processes without LED boards
        try:
            import serial
        except ModuleNotFoundError as err:  # installed without the Pi's extras
            raise self._without(err) from err

        with self._lock:
            port = self._port
            if port is None:
                if not self._wanted_open:
                    raise DeviceUnavailable(f"LED boards on {self.url} are not open", device=_DEV)
                logger.info("LED boards on %s: reconnecting", self.url)
                port = self._open_locked()
            gap = self.framing.min_gap_s(self.baudrate) - (time.monotonic() - self._last_sent)
            if gap > 0:
                time.sleep(gap)
            try:
                port.reset_input_buffer()  # a late ACK must not answer this frame
                port.write(frame)
                if self.framing.expects_reply:
                    self.framing.read_reply(address, port.read)
            except DeviceTimeout as err:
                self._count_timeout(err)
                raise
            except HardwareError as err:
                self._last_error = str(err)
                raise
            except serial.SerialTimeoutException as err:
                timeout = DeviceTimeout(f"LED boards on {self.url}: write timed out", device=_DEV)
                self._count_timeout(timeout)
                raise timeout from err
            except (serial.SerialException, OSError) as err:
                self._last_error = str(err)
                self._close_port()
                raise DeviceUnavailable(f"LED boards on {self.url}: {err}", device=_DEV) from err
            finally:
                self._last_sent = time.monotonic()
            self._consecutive = 0

    def _count_timeout(self, err: HardwareError) -> None:
        self._consecutive += 1
        self._total += 1
        self._last_error = str(err)
        logger.warning("%s (%d in a row)", err, self._consecutive)

    def health(self) -> DisplayHealth:
        """Timeouts so far; ``consecutive_timeouts`` resets on success."""
        with self._lock:
            return DisplayHealth(self._consecutive, self._total, self._last_error)

    def close(self) -> None:
        """Close the port; no reconnecting until :meth:`open`. Idempotent."""
        with self._lock:
            self._wanted_open = False
            self._close_port()

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is None:
            return
        # pyserial 3.5's socket:// close() skips socket.close() when shutdown()
        # fails (peer already gone) and leaks the socket: close it ourselves.
        sock: socket.socket | None = getattr(port, "_socket", None)
        try:
            port.close()
        except (OSError, ValueError) as err:
            logger.debug("closing %s: %s", self.url, err)
        if sock is not None:
            sock.close()
