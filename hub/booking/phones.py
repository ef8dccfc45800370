"""Vietnamese mobile numbers as citizens type them, and as the page shows them back."""

from __future__ import annotations

import re

from hub import errors

__all__ = ["masked", "normalise_phone"]

# Vietnamese mobile numbers: 0 + 9 digits (03x, 05x, 07x, 08x, 09x), or +84 / 84 + 9 digits.
_PHONE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")


def normalise_phone(raw: str) -> str:
    """``"+84 912 345 678"`` → ``"0912345678"``.

    Raises:
        BadRequest: Not a Vietnamese mobile number.
    """
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    match = _PHONE.match(digits)
    if match is None:
        raise errors.BadRequest(
            "Số điện thoại di động không hợp lệ (ví dụ: 0912 345 678)", code="invalid_phone"
        )
    return "0" + match.group(1)


def masked(phone: str) -> str:
    """``"0912345678"`` → ``"0912 *** 678"`` (what the page says the code went to)."""
    return f"{phone[:4]} *** {phone[-3:]}"
