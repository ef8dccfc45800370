"""No thread outlives the test that started it (a pytest plugin).

After each test (and after every fixture of the test has been torn down), the
threads that appeared during the test get a short while to end; any still alive
then, daemon or not, fails the test with its name and what it runs. A left-over
socketio client, server, agent or background job would otherwise go on running
during later tests: its reconnect loop, for one, draws from the global ``random``
while Hypothesis is drawing examples elsewhere.

Threads started while a fixture wider than one test is set up (a session's
browser, a module's server) belong to that fixture: they may live as long as it
does, and must end when it is torn down.

:data:`ALLOWED` says which threads may outlive their test, and why.

A leak that is a bug of the code under test (not of the test) is reported, and the
test that shows it is marked ``known_thread_leak(target, reason=...)``: that
test's leftover threads running ``target`` do not fail it; they are ended through
their own object's public API (:data:`CONTAINABLE`), so they cannot run on into
later tests. Only targets that can be ended so may be marked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator

import pytest

GRACE_S = 3.0
"""How long, at teardown, the threads a test started get to end by themselves.

Stopping is asynchronous in places: a socketio client's read loop notices its
closed socket within a poll, a werkzeug server within its poll interval."""


def _ping_timer_of_a_closed_socket(thread: threading.Thread) -> bool:
    target = getattr(thread, "_target", None)
    socket = getattr(target, "__self__", None)
    return (
        getattr(target, "__qualname__", "") == "Socket._send_ping"
        and getattr(target, "__module__", "") == "engineio.socket"
        and bool(getattr(socket, "closed", False) or getattr(socket, "closing", False))
    )


ALLOWED: dict[str, Callable[[threading.Thread], bool]] = {
    # python-engineio starts a one-shot timer per socket that sleeps out the hub's
    # ping_interval (10 s, in a plain time.sleep nobody can wake) and then pings only
    # if its socket is still open. Once the socket is closed it does nothing but
    # return: it holds no connection and runs no code of ours. Waiting for it would
    # add up to 10 s to each test that opened a socket; a timer of a socket still
    # open is a leak, and is reported.
    "an Engine.IO ping timer of a closed socket": _ping_timer_of_a_closed_socket,
}
"""Why a thread may outlive the test that started it -> which threads."""


def _shut_the_client_down(thread: threading.Thread) -> None:
    """A python-socketio client's reconnect loop: by now the client knows its loop, so
    its ``shutdown()`` aborts the loop and waits for it to end."""
    getattr(thread, "_target").__self__.shutdown()  # noqa: B009 - the thread's bound method


CONTAINABLE: dict[str, Callable[[threading.Thread], None]] = {
    "socketio.client.Client._handle_reconnect": _shut_the_client_down,
}
"""What ``known_thread_leak`` may name -> how such a thread is ended."""

_owned: dict[object, set[threading.Thread]] = {}
"""Threads started during the set-up of a fixture wider than one test, by fixture."""


def _allowed(thread: threading.Thread) -> bool:
    return any(allowed(thread) for allowed in ALLOWED.values())


def _runs(thread: threading.Thread) -> str:
    """``module.qualname`` of what the thread runs."""
    target = getattr(thread, "_target", None)
    runs = getattr(target, "__qualname__", None) or type(thread).__qualname__
    module = getattr(target, "__module__", None) or type(thread).__module__
    return f"{module}.{runs}"


def _describe(thread: threading.Thread) -> str:
    kind = "daemon" if thread.daemon else "non-daemon"
    return f"{thread.name!r} ({kind}, runs {_runs(thread)})"


def _still_alive(threads: Iterable[threading.Thread], grace_s: float = GRACE_S) -> list[str]:
    """Wait up to ``grace_s`` for ``threads`` to end; describe those that did not."""
    deadline = time.monotonic() + grace_s
    alive = []
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            alive.append(_describe(thread))
    return alive


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest):  # noqa: ANN201
    """Note the threads a fixture wider than one test starts: they are its own."""
    if fixturedef.scope == "function":
        return (yield)
    before = set(threading.enumerate())
    try:
        return (yield)
    finally:
        started = set(threading.enumerate()) - before
        if started:
            _owned.setdefault(fixturedef, set()).update(started)


def pytest_fixture_post_finalizer(fixturedef: pytest.FixtureDef[object]) -> None:
    """A fixture wider than one test is torn down: its threads must end now."""
    threads = _owned.pop(fixturedef, set())
    alive = _still_alive(t for t in threads if not _allowed(t))
    if alive:
        pytest.fail(f"fixture {fixturedef.argname!r} left threads running: {', '.join(alive)}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "known_thread_leak(target, reason): the code under test leaves a thread running "
        "target (module.qualname) behind; a reported bug, contained after the test",
    )


@pytest.fixture(autouse=True)
def _no_leaked_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if a thread it started is still running after its teardown."""
    known = {mark.args[0] for mark in request.node.iter_markers("known_thread_leak")}
    unknown = known - set(CONTAINABLE)
    if unknown:
        pytest.fail(f"known_thread_leak names what cannot be ended: {sorted(unknown)}")
    before = set(threading.enumerate())
    yield
    owned = set().union(*_owned.values())
    started = [
        t for t in threading.enumerate() if t not in before and t not in owned and not _allowed(t)
    ]
    alive = _still_alive(t for t in started if _runs(t) not in known)
    for thread in started:
        if thread.is_alive() and _runs(thread) in known:
            CONTAINABLE[_runs(thread)](thread)
            alive += _still_alive([thread])
    if alive:
        pytest.fail(f"threads still running after the test: {', '.join(alive)}", pytrace=False)
