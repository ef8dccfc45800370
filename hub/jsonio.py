"""The hub's JSON reader: any body, however deeply nested, is either read or refused
with a 400 (Python's parser raises ``RecursionError`` on deep nesting, which would
otherwise surface as a 500)."""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider


class JsonTooDeep(ValueError):
    """A JSON text nested beyond what the parser can read."""


def loads(text: str | bytes) -> Any:
    """:func:`json.loads`, with too deep a nesting as a :class:`ValueError`."""
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonTooDeep("JSON nested too deeply") from None


class HubJSONProvider(DefaultJSONProvider):
    """Flask's JSON, Vietnamese kept as is, keys in the order written, safe to read."""

    ensure_ascii = False
    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise JsonTooDeep("JSON nested too deeply") from None
