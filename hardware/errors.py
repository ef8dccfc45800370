"""Device errors: the only exceptions that leave the ``hardware`` package.

Adapters translate every library exception (escpos, pyserial, pyusb, gpiozero,
evdev, subprocess) at the boundary with ``raise … from err``, so the agents above
catch these and nothing else. Leaf errors also inherit a builtin, as gpiozero's
do, so generic code that catches ``ConnectionError`` or ``TimeoutError`` keeps
working.
"""

from __future__ import annotations

__all__ = ["DeviceTimeout", "DeviceUnavailable", "HardwareError", "PaperOut"]


class HardwareError(Exception):
    """Root of every device error.

    Args:
        message: What went wrong, for the log and the health report.
        device: A short name of the device ("printer", "led_board", …), if known.
    """

    def __init__(self, message: str, *, device: str | None = None) -> None:
        super().__init__(message)
        self.device = device

    @property
    def message(self) -> str:
        """The message the error was raised with."""
        return str(self.args[0]) if self.args else ""


class DeviceUnavailable(HardwareError, ConnectionError):
    """The device cannot be reached: not found, unplugged, refused, offline."""


class DeviceTimeout(HardwareError, TimeoutError):
    """The device did not answer in time (e.g. an LED board that never ACKs)."""


class PaperOut(HardwareError):
    """The ticket printer reports that it has no paper; nothing was printed."""
