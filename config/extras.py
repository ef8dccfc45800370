"""What to say when an optional library of the Pi's extras is missing.

The agents' device libraries come with ``pip install 'motcua[pi]'`` and are imported
only by the adapter that needs them (a file printer needs python-escpos, not
pyserial). When one is missing, the agent or the doctor says so in one line naming
the package to install, never with a traceback.
"""

from __future__ import annotations

PI_EXTRAS = "pip install 'motcua[pi]'"
"""How a Pi gets every device library (pyproject.toml, extra ``pi``)."""

DISTRIBUTIONS = {
    "escpos": "python-escpos",
    "serial": "pyserial",
    "usb": "pyusb",
    "gpiozero": "gpiozero",
    "lgpio": "lgpio",
    "evdev": "evdev",
}
"""The pip package of each importable name, where the two differ or need saying."""


def not_installed(err: ModuleNotFoundError) -> str:
    """``the Python package python-escpos is not installed`` for ``No module named
    'escpos'`` (the top-level name decides; an unknown one is named as imported)."""
    module = (err.name or "?").split(".")[0]
    return f"the Python package {DISTRIBUTIONS.get(module, module)} is not installed"
