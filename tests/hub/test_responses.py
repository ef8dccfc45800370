"""hub.responses: the checks every web answer shares."""

from __future__ import annotations

from typing import Any

from hub.responses import has_nul


def deep(levels: int, leaf: Any) -> list[Any]:
    """``[[[…leaf…]]]``, built without recursion."""
    value: list[Any] = [leaf]
    for _ in range(levels - 1):
        value = [value]
    return value


def test_has_nul_reads_any_depth_without_recursion() -> None:
    """GIVEN decoded JSON nested 100,000 levels deep (lists and objects)
    WHEN searched for a NUL THEN the answer comes, never a RecursionError."""
    assert has_nul(deep(100_000, "clean")) is False
    assert has_nul(deep(100_000, "a\x00b")) is True
    assert has_nul({"k": deep(100_000, {"\x00": 1})}) is True
    assert has_nul([{"a": ["b", {"c": 1.5, "d": None}]}, True]) is False
