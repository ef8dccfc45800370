"""The hub's JSON reader: strict JSON (RFC 8259), and any body, however deeply nested,
is either read or refused with a 400.

Python's parser raises ``RecursionError`` on deep nesting, which would otherwise
surface as a 500; it also reads ``NaN``, ``Infinity`` and numbers past a float
(``1e400`` as ``inf``), which JSON has not: stored in a JSON column, PostgreSQL
refuses them (a 500) and SQLite keeps text no other reader accepts.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

from flask.json.provider import DefaultJSONProvider


class JsonTooDeep(ValueError):
    """A JSON text nested beyond what the parser can read."""


class NotStrictJson(ValueError):
    """``NaN``, an infinity or a number past a float: not JSON."""


def _constant(name: str) -> NoReturn:
    raise NotStrictJson(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotStrictJson(f"{text[:20]} is past what a number may be")
    return value


STRICT = {"parse_constant": _constant, "parse_float": _finite}
"""The options of :func:`json.loads` that make it read strict JSON only."""


def loads(text: str | bytes) -> Any:
    """:func:`json.loads` of strict JSON, with too deep a nesting as a :class:`ValueError`."""
    try:
        return json.loads(text, **STRICT)  # type: ignore[arg-type]
    except RecursionError:
        raise JsonTooDeep("JSON nested too deeply") from None


class HubJSONProvider(DefaultJSONProvider):
    """Flask's JSON, Vietnamese kept as is, keys in the order written, safe to read."""

    ensure_ascii = False
    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **{**STRICT, **kwargs})
        except RecursionError:
            raise JsonTooDeep("JSON nested too deeply") from None
