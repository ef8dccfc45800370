"""Printer status over ``DLE EOT``: the two queries and what their replies mean.

``DLE EOT 1`` asks for the printer status (bit 3: offline), ``DLE EOT 4`` for the
roll paper sensors (bits 2-3: near end, bits 5-6: end). Every reply is one byte
with bits 1 and 4 set and bits 0 and 7 clear; anything else, or no reply, is
``unknown``: python-escpos would call a silent printer "paper OK".

Pure: no device library, no I/O.
"""

from __future__ import annotations

from hardware.ports import PrinterStatus

__all__ = ["QUERY_ONLINE", "QUERY_PAPER", "parse_status"]

QUERY_ONLINE = b"\x10\x04\x01"  # DLE EOT 1: printer status
QUERY_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor status
# Every DLE EOT reply has bits 1 and 4 set and bits 0 and 7 clear.
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12
_OFFLINE_BIT = 0x08  # DLE EOT 1, bit 3
_NEAR_END_BITS = 0x0C  # DLE EOT 4, bits 2-3
_PAPER_END_BITS = 0x60  # DLE EOT 4, bits 5-6


def parse_status(online: bytes, paper: bytes) -> PrinterStatus:
    """Interpret the replies to ``DLE EOT 1`` and ``DLE EOT 4``.

    Empty or malformed replies give ``UNKNOWN``; no paper wins over offline
    (a printer without paper also reports offline), offline over paper low.

    Args:
        online: The reply to :data:`QUERY_ONLINE` (one byte, or empty).
        paper: The reply to :data:`QUERY_PAPER` (one byte, or empty).

    Returns:
        The status as it goes on the wire.
    """
    if not online or online[0] & _FIXED_MASK != _FIXED_BITS:
        return PrinterStatus.UNKNOWN
    offline = bool(online[0] & _OFFLINE_BIT)
    if not paper or paper[0] & _FIXED_MASK != _FIXED_BITS:
        return PrinterStatus.OFFLINE if offline else PrinterStatus.UNKNOWN
    if paper[0] & _PAPER_END_BITS:
        return PrinterStatus.PAPER_OUT
    if offline:
        return PrinterStatus.OFFLINE
    if paper[0] & _NEAR_END_BITS:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.OK
