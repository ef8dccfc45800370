"""The python-escpos profile of a printer model, fitted to the paper.

Paper: ``paper_mm`` 58 or 80 gives 384 or 576 dots (203 dpi). The profile
(default: the library's generic Epson-like one) is copied and its media width
set to those dots, so the library never prints its "media.width.pixel … not
set" warning to stdout. When a named profile's print head is narrower than the
paper (TM-T88V: 512 dots on 80 mm), the head's width wins. A profile without a
cutter (POS-5890, ZJ-5870) has no ``paperFullCut``/``paperPartCut`` feature.

Imported only when a real printer is built: it loads python-escpos, whose import
calls ``logging.basicConfig()`` and creates a temporary directory.
"""

from __future__ import annotations

import difflib

from escpos.capabilities import CAPABILITIES, BaseProfile, get_profile_class

from hardware.ports import PAPER_DOTS

__all__ = ["has_cutter", "profile_for"]


def profile_for(name: str | None, paper_mm: int) -> tuple[BaseProfile, int]:
    """A private copy of an escpos profile with its media width set, and the dots.

    Args:
        name: A python-escpos profile name (``"TM-T20II"``), or None for the default.
        paper_mm: 58 or 80.

    Returns:
        The profile, and the image width in dots.

    Raises:
        ValueError: Paper other than 58/80 mm, or an unknown profile name.
    """
    if paper_mm not in PAPER_DOTS:
        raise ValueError(f"paper_mm must be one of {sorted(PAPER_DOTS)}, not {paper_mm!r}")
    dots = PAPER_DOTS[paper_mm]
    profile_name = name or "default"
    if profile_name not in CAPABILITIES["profiles"]:
        close = difflib.get_close_matches(profile_name, CAPABILITIES["profiles"], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown printer profile {profile_name!r}{hint}")
    cls = get_profile_class(profile_name)
    # Deep-copy the two levels we change: the class data is the library's shared table.
    data = dict(cls.profile_data)
    media = dict(data.get("media", {}))
    width = dict(media.get("width", {}))
    head = width.get("pixels")
    if isinstance(head, int) and head < dots:
        dots = head
    width["pixels"] = dots
    media["width"] = width
    data["media"] = media
    profile = cls()
    profile.profile_data = data
    return profile, dots


def has_cutter(profile: BaseProfile) -> bool:
    """True when the profile's printer cuts paper (fully or partly)."""
    features = profile.profile_data.get("features", {})
    return bool(features.get("paperFullCut") or features.get("paperPartCut"))
