"""The fuzzing gate's hand list: values an attacker, a broken device or a bad clock sends.

Each value is sent in place of the fields of a valid body (:func:`mutations`: every
text field gets every string, every number every number, every field every wrong
type), as
every query parameter and every path variable, and some as the whole body. A
:class:`Raw` value is JSON text no Python object serialises to (NaN and
Infinity, integers past 64 bits, lone surrogates, thousands of levels of nesting).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Raw:
    """JSON text sent as it is, in place of a value."""

    text: str


def nested(depth: int, kind: str = "list") -> Raw:
    """A value nested ``depth`` levels deep (lists, or objects with one key)."""
    if kind == "list":
        return Raw("[" * depth + "]" * depth)
    return Raw('{"a":' * depth + "1" + "}" * depth)


# Strings for every field (and every string field most of all): empty, NUL and the
# other control characters, a forged log line, bidi and BOM marks, escapes, formulas,
# markup, SQL, paths and overlong ones.
STRINGS: list[tuple[str, Any]] = [
    ("empty", ""),
    ("space", " "),
    ("nul", "\x00"),
    ("inner nul", "ab\x00cd"),
    ("controls", "".join(chr(c) for c in range(1, 32)) + "\x7f\x85\x9b"),
    ("forged log line", "x\r\n2026-12-04 10:00:00,000 INFO hub.audit: audit login by user:admin"),
    ("terminal escape", "\x1b[31mred\x1b[0m"),
    ("line separators", "a\u2028b\u2029c"),
    ("bom and bidi", "\ufeff\u202eevil\u202c"),
    ("non-characters", "\ufffe\uffff\U0010ffff"),
    ("vietnamese and emoji", "Đất đai – Hộ tịch ✓ 🎫"),
    ("formula", '=HYPERLINK("http://evil/","x")'),
    ("markup", "<script>alert(1)</script>"),
    ("sql", "' OR 1=1; DROP TABLE tickets; --"),
    ("format string", "%s%n%x{0}{{7*7}}"),
    ("path", "../../../../etc/passwd"),
    ("overlong", "x" * 100_000),
    ("overlong vietnamese", "Đ" * 20_000),
    ("digits", "9" * 5_000),
]

# Dates and times: naive, at and past the ends of the calendar, impossible ones.
DATETIMES: list[tuple[str, Any]] = [
    ("naive datetime", "2026-12-04T10:00:00"),
    ("year 1", "0001-01-01T00:00:00Z"),
    ("year 1 east", "0001-01-01T00:00:00+14:00"),
    ("year 9999", "9999-12-31T23:59:59Z"),
    ("year 9999 west", "9999-12-31T23:59:59-14:00"),
    ("year 0", "0000-00-00T00:00:00Z"),
    ("30 February", "2026-02-30T10:00:00Z"),
    ("hour 25", "2026-12-04T25:61:61Z"),
    ("beyond 9999", "+275760-09-13T00:00:00Z"),
    ("epoch", "1970-01-01T00:00:00Z"),
    ("long fraction", "2026-12-04T10:00:00.123456789123456789Z"),
    ("date year 1", "0001-01-01"),
    ("date year 9999", "9999-12-31"),
    ("date only naive", "2026-12-04"),
]

# Numbers past every bound, and the literals strict JSON does not have.
NUMBERS: list[tuple[str, Any]] = [
    ("huge", Raw("99999999999999999999999")),
    ("huge negative", Raw("-99999999999999999999999")),
    ("2**63", Raw("9223372036854775808")),
    ("-2**63-1", Raw("-9223372036854775809")),
    ("2**64", Raw("18446744073709551616")),
    ("1e400", Raw("1e400")),
    ("-1e400", Raw("-1e400")),
    ("NaN", Raw("NaN")),
    ("Infinity", Raw("Infinity")),
    ("-Infinity", Raw("-Infinity")),
    ("-0", Raw("-0.0")),
    ("tiny", Raw("5e-324")),
    ("zero", 0),
    ("minus one", -1),
    ("fraction", 0.5),
]

# Strings JSON can carry but UTF-8 cannot.
SURROGATES: list[tuple[str, Any]] = [
    ("lone high surrogate", Raw('"\\ud800"')),
    ("lone low surrogate", Raw('"\\udfff"')),
    ("surrogate inside", Raw('"ab\\ud83dcd"')),
]

# Values of the wrong type, and nesting deep enough to break recursive code.
TYPES: list[tuple[str, Any]] = [
    ("null", None),
    ("true", True),
    ("false", False),
    ("empty list", []),
    ("empty object", {}),
    ("list of strings", ["x", "y"]),
    ("object", {"x": "y", "\x00": "z"}),
    ("nested 900 lists", nested(900)),
    ("nested 5000 lists", nested(5_000)),
    ("nested 5000 objects", nested(5_000, "object")),
]

# What each kind of field gets: every value of its own kind and every wrong type,
# and a few values of the other kinds (times get :data:`DATETIMES` too).
FOR_TEXT: list[tuple[str, Any]] = (
    STRINGS + SURROGATES + TYPES + [NUMBERS[0], NUMBERS[7], NUMBERS[12]]
)
FOR_NUMBER: list[tuple[str, Any]] = NUMBERS + TYPES + [STRINGS[0], STRINGS[3], STRINGS[-1]]
FOR_STRUCTURE: list[tuple[str, Any]] = TYPES + [STRINGS[0], STRINGS[2], NUMBERS[0]]


def values_for(node: Any) -> list[tuple[str, Any]]:
    """The values a field holding ``node`` gets."""
    if isinstance(node, str):
        return FOR_TEXT + (DATETIMES if _looks_like_time(node) else [])
    if isinstance(node, (int, float)):  # bool too
        return FOR_NUMBER
    return FOR_STRUCTURE


# Whole bodies (bytes as sent), whatever the operation.
BODIES: list[tuple[str, bytes]] = [
    ("nested 100000 lists", b"[" * 100_000 + b"]" * 100_000),
    ("nested 3000 objects", nested(3_000, "object").text.encode()),
    ("nested 990 lists", nested(990).text.encode()),
    ("nested 500 objects", nested(500, "object").text.encode()),
    ("NaN", b"NaN"),
    ("huge integer", b"99999999999999999999999"),
    ("null", b"null"),
    ("list", b"[]"),
    ("string", b'"x"'),
    ("duplicate keys", b'{"a": 1, "a": 2, "a": {"a": [1e400]}}'),
    ("bad UTF-8", b'{"x": "\xff\xfe\xed\xa0\x80"}'),
    ("UTF-16", '{"x": "y"}'.encode("utf-16")),
    ("BOM", b'\xef\xbb\xbf{"x": "y"}'),
    ("nul key", b'{"\\u0000": "\\u0000"}'),
    ("surrogate key", b'{"\\ud800": 1}'),
    ("truncated", b'{"x": ['),
    ("trailing garbage", b'{"x": 1} {"y": 2}'),
    ("whitespace", b" \t\r\n "),
]

# Path variables and query values as sent on the wire (already percent-encoded).
URL_VALUES: list[tuple[str, str]] = [
    ("huge", "99999999999999999999999"),
    ("huge negative", "-99999999999999999999999"),
    ("2**63", "9223372036854775808"),
    ("minus one", "-1"),
    ("zero", "0"),
    ("float", "1e400"),
    ("NaN", "NaN"),
    ("nul", "%00"),
    ("inner nul", "ab%00cd"),
    ("controls", "%01%02%1F%7F%0D%0A"),
    ("bad UTF-8", "%FF%FE"),
    ("encoded surrogate", "%ED%A0%80"),
    ("overlong UTF-8", "%C0%80"),
    ("dots", "..%2F..%2Fetc"),
    ("vietnamese", "%C4%90%E1%BA%A5t"),
    ("long", "x" * 2_000),
    ("markup", "%3Cscript%3E"),
    ("naive datetime", "2026-12-04T10:00:00"),
    ("year 1", "0001-01-01"),
    ("year 9999", "9999-12-31"),
    ("year 0", "0000-00-00"),
    ("30 February", "2026-02-30"),
    ("year 10000", "10000-01-01"),
    ("empty", ""),
    ("true", "true"),
    ("list", "%5B%5D"),
]

# The URL values a page's query parameters get (pages cost more than API answers).
PAGE_QUERY_VALUES: list[tuple[str, str]] = [
    (label, value)
    for label, value in URL_VALUES
    if label in {"huge", "minus one", "inner nul", "controls", "bad UTF-8", "encoded surrogate",
                 "long", "naive datetime", "year 1", "year 9999", "year 0", "30 February",
                 "empty", "list"}
]  # fmt: skip

# Authorization headers that are not a bearer token (requests refuses NUL and newlines),
# and whether the web server itself refuses them (oversized, control characters).
AUTHORIZATIONS: list[tuple[str, str, bool]] = [
    ("empty bearer", "Bearer ", False),
    ("basic", "Basic YWRtaW46YWRtaW4=", False),
    ("two words", "Bearer a b", False),
    ("long", "Bearer " + "x" * 20_000, True),
    ("latin-1", "Bearer \xe9\xe8", False),
    ("controls", "Bearer \x01\x7f", True),
]


def mutations(body: Any) -> Iterator[tuple[str, str, Any]]:
    """Every node of ``body`` with each of its :func:`values_for`, as ``(where, label,
    value)``; :func:`replaced` puts the value there.

    Nodes are every value of every object and list, at any depth (``ratings[0].at``),
    and the objects and lists themselves.
    """
    for where, node in _nodes(body, ""):
        for label, value in values_for(node):
            yield where, label, value


def encode(body: Any) -> bytes:
    """``body`` as JSON text, with each :class:`Raw` value written as it is."""
    raws: list[str] = []

    def placeholder(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value.text)
            return f"\x00raw{len(raws) - 1}\x00"
        if isinstance(value, dict):
            return {k: placeholder(v) for k, v in value.items()}
        if isinstance(value, list):
            return [placeholder(v) for v in value]
        return value

    text = json.dumps(placeholder(body), ensure_ascii=False)
    for i, raw in enumerate(raws):
        text = text.replace(f'"\\u0000raw{i}\\u0000"', raw)
    return text.encode("utf-8", "surrogatepass")


def _nodes(body: Any, where: str) -> Iterator[tuple[str, Any]]:
    if where:
        yield where, body
    if isinstance(body, dict):
        for key, value in body.items():
            yield from _nodes(value, f"{where}.{key}" if where else key)
    elif isinstance(body, list):
        for i, value in enumerate(body):
            yield from _nodes(value, f"{where}[{i}]")


def replaced(body: Any, where: str, value: Any) -> Any:
    """A copy of ``body`` with the node at ``where`` (as :func:`_nodes` names it) replaced."""
    if not where:
        return value
    head, rest = _split(where)
    if isinstance(body, dict):
        copy = dict(body)
        copy[head] = replaced(body[head], rest, value)
        return copy
    copy_list = list(body)
    index = int(head)
    copy_list[index] = replaced(body[index], rest, value)
    return copy_list


def _split(where: str) -> tuple[str, str]:
    """``"a.b[0].c"`` → ``("a", "b[0].c")``; ``"[0].c"`` → ``("0", "c")``."""
    if where.startswith("["):
        end = where.index("]")
        return where[1:end], where[end + 1 :].removeprefix(".")
    cut = min((i for i in (where.find("."), where.find("[")) if i >= 0), default=len(where))
    return where[:cut], where[cut:].removeprefix(".")


def _looks_like_time(node: Any) -> bool:
    return (
        isinstance(node, str)
        and len(node) >= 10
        and node[:4].isdigit()
        and node[4] == "-"
        and node[7] == "-"
    )
