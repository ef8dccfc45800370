"""Calls offloaded to gevent's thread pool (:mod:`hub.store.offload`) under a patched
standard library, as ``motcua serve``'s gevent worker runs them: each case runs in a
Python process of its own, since a patch cannot be undone in the test process."""

from __future__ import annotations

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
