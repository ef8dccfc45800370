"""SerialLedBoard and its framings, byte-exact over loop://, a pty and a socket."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hardware.errors import DeviceTimeout, DeviceUnavailable
from hardware.led_board import ModbusRtuFraming, SerialLedBoard, StxEtxFraming, crc16_modbus
from hardware.ports import DisplayHealth

ADDRESSES = {"1": 1, "3": 3, "12": 12}


@pytest.mark.parametrize(
    ("hex_data", "crc_wire"),
    [
        ("313233343536373839", "374b"),  # CRC catalogue check value 0x4B37 for "123456789"
        ("010300000001", "840a"),  # read 1 holding register from slave 1
        ("1103006b0003", "7687"),  # the Modbus serial-line guide's example request
        ("01030000000a", "c5cd"),
    ],
)
def test_crc16_modbus_known_vectors(hex_data: str, crc_wire: str) -> None:
    """GIVEN published Modbus frames WHEN their CRC is computed THEN it matches, low byte first."""
    assert crc16_modbus(bytes.fromhex(hex_data)).to_bytes(2, "little").hex() == crc_wire


def stx_board(answer: Callable[[bytes], bytes] | None = None) -> Callable[[bytearray], bytes]:
    """A board speaking STX/ETX: checks each frame's XOR and ACKs (NAK if wrong)."""

    def respond(pending: bytearray) -> bytes:
        out = b""
        while True:
            start = pending.find(b"\x02")
            end = pending.find(b"\x03", start + 1)
            if start < 0 or end < 0 or end + 1 >= len(pending):
                return out
            frame = bytes(pending[start : end + 2])
            del pending[: end + 2]
            xor = 0
            for b in frame[1:-1]:
                xor ^= b
            good = xor == frame[-1]
            out += answer(frame) if answer else (b"\x06" if good else b"\x15")

    return respond


def modbus_slave(exception: int | None = None) -> Callable[[bytearray], bytes]:
    """A Modbus RTU slave that accepts write-multiple-registers (or refuses)."""

    def respond(pending: bytearray) -> bytes:
        if len(pending) < 7 or len(pending) < 9 + pending[6]:
            return b""
        frame = bytes(pending[: 9 + pending[6]])
        del pending[: len(frame)]
        if crc16_modbus(frame[:-2]).to_bytes(2, "little") != frame[-2:]:
            return b""  # a real slave stays silent on a bad CRC
        if exception is not None:
            reply = bytes([frame[0], 0x90, exception])
        else:
            reply = frame[:6]
        return reply + crc16_modbus(reply).to_bytes(2, "little")

    return respond


def test_stx_etx_frames_over_loop() -> None:
    """GIVEN boards on loop:// without ACK
    WHEN counter 3 shows 1023, counter 12 shows A12 and counter 3 is cleared
    THEN the bytes on the line are exactly the documented frames."""
    board = SerialLedBoard(
        "loop://", framing=StxEtxFraming(expect_ack=False), address_map=ADDRESSES
    )
    board.open()
    sent = []
    board.show("3", "1023")
    sent.append(board.port.read(board.port.in_waiting))  # loop:// echoes what was written
    board.show("12", "A12")
    sent.append(board.port.read(board.port.in_waiting))
    board.clear("3")
    sent.append(board.port.read(board.port.in_waiting))
    board.close()

    assert [s.hex(" ") for s in sent] == [
        "02 30 33 4e 31 30 32 33 03 4e",
        "02 31 32 4e 20 41 31 32 03 2c",
        "02 30 33 43 03 43",
    ]


def test_acknowledged_frames_on_a_pty(pty_device) -> None:
    """GIVEN a board on a pty that checks the XOR and ACKs
    WHEN two numbers are shown
    THEN both are accepted (no NAK), the board got them byte for byte, health is clean."""
    device = pty_device(stx_board())
    board = SerialLedBoard(device.path, 9600, address_map=ADDRESSES, timeout=1.0)
    board.open()

    board.show("1", "7")
    board.show("3", "1023")
    board.close()

    assert device.snapshot() == (
        bytes.fromhex("02 30 31 4e 20 20 20 37 03 5b")
        + bytes.fromhex("02 30 33 4e 31 30 32 33 03 4e")
    )
    assert board.health() == DisplayHealth(0, 0, None)


def test_silent_board_times_out_and_counts(pty_device) -> None:
    """GIVEN a board that stops answering
    WHEN two frames go unanswered and then it answers again
    THEN DeviceTimeout twice with consecutive_timeouts 1, 2, then a success
    resets it to 0 while total_timeouts stays 2."""
    device = pty_device(stx_board())
    device.silent = True
    board = SerialLedBoard(device.path, address_map=ADDRESSES, timeout=0.1)
    board.open()
    seen = []
    for _ in range(2):
        with pytest.raises(DeviceTimeout, match="LED board 03 did not acknowledge"):
            board.show("3", "1023")
        seen.append(board.health().consecutive_timeouts)
    device.silent = False
    board.show("3", "1023")
    board.close()

    assert seen == [1, 2]
    health = board.health()
    assert (health.consecutive_timeouts, health.total_timeouts) == (0, 2)


def test_nak_is_device_unavailable_not_a_timeout(pty_device) -> None:
    """GIVEN a board that answers NAK WHEN a number is shown
    THEN DeviceUnavailable says the board rejected it, and no timeout is counted."""
    device = pty_device(stx_board(answer=lambda frame: b"\x15"))
    board = SerialLedBoard(device.path, address_map=ADDRESSES, timeout=1.0)
    board.open()

    with pytest.raises(DeviceUnavailable, match="rejected the frame"):
        board.show("1", "12")
    board.close()
    assert board.health().total_timeouts == 0


def test_modbus_frames_and_replies_on_a_pty(pty_device) -> None:
    """GIVEN a Modbus RTU slave 3 on a pty
    WHEN 1023 is shown and the board cleared
    THEN the requests are function 0x10 with ASCII registers and a valid CRC,
    and the slave's echo is accepted."""
    device = pty_device(modbus_slave())
    board = SerialLedBoard(
        device.path, 19200, framing=ModbusRtuFraming(register=0x10), address_map={"3": 3}
    )
    board.open()

    board.show("3", "1023")
    board.clear("3")
    board.close()

    data = device.snapshot()
    assert data[:11].hex(" ") == "03 10 00 10 00 02 04 31 30 32 33"
    assert data[13:24].hex(" ") == "03 10 00 10 00 02 04 20 20 20 20"
    assert crc16_modbus(data[:13]) == 0 and crc16_modbus(data[13:]) == 0  # CRC residue


def test_modbus_exception_is_device_unavailable(pty_device) -> None:
    """GIVEN a slave that answers exception 2 (illegal address)
    WHEN a number is shown THEN DeviceUnavailable names the exception."""
    device = pty_device(modbus_slave(exception=2))
    board = SerialLedBoard(device.path, framing=ModbusRtuFraming(), address_map={"1": 1})
    board.open()

    with pytest.raises(DeviceUnavailable, match="exception 2"):
        board.show("1", "42")
    board.close()


def test_boards_behind_a_tcp_converter(tcp_device) -> None:
    """GIVEN an RS485-to-Ethernet converter on 127.0.0.1 with an ACKing board behind it
    WHEN a number is shown through socket://
    THEN it is acknowledged and arrives intact."""
    device = tcp_device(stx_board())
    board = SerialLedBoard(f"socket://127.0.0.1:{device.port}", address_map=ADDRESSES)
    board.open()

    board.show("12", "99")
    board.close()

    assert device.snapshot() == bytes.fromhex("02 31 32 4e 20 20 39 39 03 4e")


def test_dropped_converter_connection_is_reopened(tcp_device) -> None:
    """GIVEN boards behind a TCP converter that drops the connection
    WHEN the next number is shown, and then another
    THEN the first fails with DeviceUnavailable (no timeout counted) and the
    second reconnects by itself and is acknowledged."""
    device = tcp_device(stx_board())
    board = SerialLedBoard(f"socket://127.0.0.1:{device.port}", address_map=ADDRESSES)
    board.open()
    board.show("1", "1")
    device.drop_connection()

    with pytest.raises(DeviceUnavailable):
        board.show("1", "2")
    board.show("1", "3")
    board.close()

    assert device.connections == 2 and board.health().total_timeouts == 0
    assert device.snapshot().endswith(bytes.fromhex("02 30 31 4e 20 20 20 33 03 5f"))


@pytest.mark.parametrize(
    ("counter", "number", "words"),
    [
        ("7", "1", "no LED board for counter '7'"),
        ("1", "12345", "does not fit"),
        ("1", "Số", "ASCII"),
    ],
)
def test_bad_requests_are_value_errors(counter: str, number: str, words: str) -> None:
    """GIVEN boards on loop:// WHEN asked for an unknown counter or an unshowable number
    THEN ValueError, and nothing is sent."""
    board = SerialLedBoard(
        "loop://", framing=StxEtxFraming(expect_ack=False), address_map=ADDRESSES
    )
    board.open()
    with pytest.raises(ValueError, match=words):
        board.show(counter, number)
    assert board.port.in_waiting == 0
    board.close()


def test_bad_address_and_missing_port() -> None:
    """GIVEN address 300 for Modbus, or a port that does not exist
    WHEN built or opened THEN ValueError and DeviceUnavailable; sending while
    closed is DeviceUnavailable too."""
    with pytest.raises(ValueError, match="1..247"):
        SerialLedBoard("loop://", framing=ModbusRtuFraming(), address_map={"1": 300})
    board = SerialLedBoard("/dev/ttyNOPE0", address_map=ADDRESSES)
    with pytest.raises(DeviceUnavailable, match="/dev/ttyNOPE0"):
        board.open()
    with pytest.raises(DeviceUnavailable, match="not open"):
        board.show("1", "1")
