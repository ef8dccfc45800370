"""One event, one log line: words from outside never forge a second line."""

from __future__ import annotations

import logging

from config.logs import OneLineFormatter, one_line


def test_a_user_name_with_a_newline_is_one_line_in_the_log(api, caplog) -> None:
    """GIVEN a login attempt whose user name holds a newline, a forged log line and a
    terminal escape WHEN the hub logs the failure THEN the formatted line is one line,
    with the newline and the escape written as escapes."""
    forged = "ai\nINFO hub.audit: audit login by user:admin\x1b[2J"
    with caplog.at_level(logging.INFO):
        r = api.client.post(
            "/api/v1/auth/login", json={"username": forged[:64], "password": "sai-mat-khau"}
        )
    assert r.status_code == 401
    formatter = OneLineFormatter("%(levelname)s %(name)s: %(message)s")
    lines = [formatter.format(rec) for rec in caplog.records if "ai" in rec.getMessage()]
    assert lines, "the failed login was not logged"
    for line in lines:
        assert "\n" not in line and "\x1b" not in line
        assert "\\n" in line and "\\x1b" in line


def test_a_traceback_keeps_its_lines_after_a_one_line_message() -> None:
    formatter = OneLineFormatter("%(message)s")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "bad\nthing", (), None)
        import sys

        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert text.startswith("bad\\nthing\nTraceback")
    assert one_line("\u2028\x1b[31m") == "\\u2028\\x1b[31m"
