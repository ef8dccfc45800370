"""Log lines a journal can trust: one event, one line.

Words that reach a log line from outside (a user name someone typed at the login
page, a device's status, a file name) may hold a newline, a carriage return, a
NUL or a terminal escape; written as they are, they would forge a second log line
or colour a terminal. :class:`OneLineFormatter` writes every control character of
the message as an escape (``\\n``, ``\\x00``…). A traceback, which only a bug
produces, keeps its lines after the message.
"""

from __future__ import annotations

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every control character written as an escape."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


class OneLineFormatter(logging.Formatter):
    """A formatter whose message part is always one line (see the module doc)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = one_line(record.message)
        return super().formatMessage(record)
