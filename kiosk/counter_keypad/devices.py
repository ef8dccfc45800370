"""The counter keypad's inputs besides a USB keypad: GPIO buttons, one per command.

:class:`ButtonSource` lets a :class:`~hardware.ports.ButtonPanel` whose buttons
are named after the commands stand where the agent expects a keypad reader.
"""

from __future__ import annotations

from collections.abc import Callable

from hardware.ports import ButtonPanel

__all__ = ["ButtonSource"]


class ButtonSource:
    """Adapts a :class:`~hardware.ports.ButtonPanel` (buttons named by command) to a
    key reader's ``start(on_command)``.

    Args:
        panel: The buttons, each named after its command (``"call_next"``…).
    """

    def __init__(self, panel: ButtonPanel) -> None:
        self.panel = panel
        self.connected = True

    def start(self, on_command: Callable[[str], None]) -> None:
        """Call ``on_command(command)`` for each press."""
        self.panel.set_callback(on_command)

    def close(self) -> None:
        """Release the buttons."""
        self.panel.close()
