"""Checking the dossier codes an officer typed or scanned (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from config.dossiers import DossierSettings
from hub import errors

INVALID = "invalid_dossier"
MAX_LENGTH = 64


@lru_cache(maxsize=8)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def clean_codes(raw: Sequence[str], settings: DossierSettings) -> list[str]:
    """The codes as stored: spaces around dropped, capitals, each once, in order.

    Raises:
        errors.BadRequest: ``invalid_dossier`` when a code does not match
            ``[dossiers] pattern``, or there are more than ``max_per_ticket``.
    """
    codes = list(dict.fromkeys(code.strip().upper() for code in raw))
    if len(codes) > settings.max_per_ticket:
        raise errors.BadRequest(
            f"Tối đa {settings.max_per_ticket} mã hồ sơ cho một phiếu", code=INVALID
        )
    pattern = _compiled(settings.pattern)
    for code in codes:
        if len(code) > MAX_LENGTH or not pattern.fullmatch(code):
            shown = code[:MAX_LENGTH].encode("unicode_escape").decode("ascii")
            raise errors.BadRequest(f"Mã hồ sơ không hợp lệ: {shown}", code=INVALID)
    return codes
