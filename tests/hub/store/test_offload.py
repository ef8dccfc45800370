"""Calls offloaded to gevent's thread pool (:mod:`hub.store.offload`) under a patched
standard library, as ``motcua serve``'s gevent worker runs them: each case runs in a
Python process of its own, since a patch cannot be undone in the test process. The
hub's waits run off the event loop, so one slow lock or scan never freezes every
screen."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.support.paths import REPO

TIMEOUT_S = 60


def run_under_gevent(body: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` after gevent's ``patch_all`` in a fresh interpreter (bounded)."""
    script = "from gevent import monkey\nmonkey.patch_all()\n" + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=TIMEOUT_S,
        check=False,
    )


def test_an_offloaded_error_reaches_its_caller_without_a_traceback_in_the_log() -> None:
    """GIVEN the hub under gevent, and an offloaded call that raises (a wrong password's
    Argon2 check, a unique constraint that the caller handles)
    WHEN it runs through ``blocking``
    THEN its caller gets the exception, with its traceback, and nothing is printed:
    gevent's hub printed every one as a traceback on stderr, the hub's log.
    """
    done = run_under_gevent(
        """
        import traceback
        from hub.store.offload import blocking, under_gevent

        def refuse(word):
            raise LookupError(word)

        assert under_gevent()
        try:
            blocking(refuse, "no such thing")
        except LookupError as err:
            frames = [f.name for f in traceback.extract_tb(err.__traceback__)]
            print("caught", err, "refuse" in frames)
        print("result", blocking(len, "abc"))
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["caught no such thing True", "result 3"]
    assert done.stderr == ""


def test_a_lock_wait_and_a_scan_do_not_freeze_the_event_loop(tmp_path) -> None:
    """GIVEN the hub's SQLite engine in a gevent process, another process holding the
    write lock for 0.6 s WHEN a write transaction waits for it, and then a report's
    read scans 1.5 million rows THEN a greenlet ticking every 5 ms never stalls for
    more than 100 ms (the same scan run in place stalls it: it is what ``scan=True``
    is for)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.hub.store.gevent_probe", str(tmp_path / "hub.db")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["lock_wait_s"] >= 0.5  # it did wait for the other process
    assert figures["lock_gap_ms"] < 100, figures
    assert figures["scan_gap_ms"] < 100, figures
    assert figures["inline_scan_gap_ms"] > figures["scan_gap_ms"], figures
