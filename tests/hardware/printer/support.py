"""Helpers of the printer tests: tickets to print, the cut command to look for."""

from __future__ import annotations

import random

from PIL import Image

CUT = b"\x1dV\x00"
"""``GS V 0``: the full cut that ends each ticket."""


def ticket(width: int = 576, height: int = 120, seed: int = 3) -> Image.Image:
    """A 1-bit image of random dots (the same for the same ``seed``)."""
    rng = random.Random(seed)
    return Image.frombytes("1", (width, height), rng.randbytes(width * height // 8))
