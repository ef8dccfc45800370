"""What a ticket says is never a promise the next call breaks (property tests over a real
hub store: the ticket and counter services on SQLite, the real router)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub import errors
from hub.accounts import Actor
from hub.queue import TicketStatus
from tests.conftest import PASSWORD, Database, FakeClock, build_app, close_app

FIELDS = ("dat-dai", "tu-phap", "kinh-doanh")
COUNTERS = ("1", "2", "3")  # demo: 1 serves dat-dai; 2 tu-phap, kinh-doanh; 3 all three
KIOSK = Actor("device", name="kiosk", role="kiosk")

issues = st.tuples(st.just("issue"), st.sampled_from(FIELDS), st.booleans())
calls = st.tuples(st.just("call"), st.sampled_from(COUNTERS))
counter_moves = st.tuples(
    st.sampled_from(["open", "close", "pause", "resume"]), st.sampled_from(COUNTERS)
)
cancels = st.tuples(st.just("cancel"), st.integers(0, 30))
steps = st.lists(
    st.one_of(issues, issues, issues, calls, calls, counter_moves, cancels), max_size=30
)
first_open = st.sets(st.sampled_from(COUNTERS), min_size=1)


@dataclass
class Run:
    """One day of a hub: what was issued, who is open, what each ticket was told."""

    hub: Any
    staff: dict[str, Actor]
    open: dict[str, bool] = field(default_factory=dict)  # counter → paused
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → view at issue
    waiting: list[str] = field(default_factory=list)
    promises: dict[str, int] = field(default_factory=dict)  # id told "next" → issued then

    def services_of(self, counter: str) -> tuple[str, ...]:
        found = self.hub.config.counter(counter)
        assert found is not None
        return tuple(found.services)


@dataclass
class Site:
    app: Any
    clock: FakeClock
    staff: dict[str, Actor]


@pytest.fixture(params=["strict", "interleave"])
def site(request: pytest.FixtureRequest, demo_config: Any, tmp_path: Path) -> Iterator[Site]:
    """The demo centre with ``priority`` strict or interleave 1:2, on SQLite; one store
    for every example of a test, each example on a day of its own."""
    queue = dataclasses.replace(demo_config.queue, priority=request.param, priority_every=2)
    config = dataclasses.replace(demo_config, queue=queue)
    clock = FakeClock()
    app = build_app(
        config, Database(f"sqlite:///{tmp_path / 'motcua.db'}", "sqlite"), tmp_path, clock
    )
    hub = app.extensions["motcua"]
    staff = {}
    for counter in COUNTERS:
        user_id, _ = hub.users.add_user(f"canbo{counter}", PASSWORD, "staff")
        staff[counter] = Actor("user", id=user_id, name=f"canbo{counter}", role="staff")
    yield Site(app, clock, staff)
    close_app(app)


def _new_day(site: Site) -> Run:
    """A fresh day on the same store: yesterday's tickets are never called again, and
    every counter starts closed (opening resets its streak)."""
    hub = site.app.extensions["motcua"]
    site.clock.advance(24 * 3600)
    for counter in COUNTERS:
        with contextlib.suppress(errors.Conflict):  # already closed
            hub.counters.close(counter, actor=site.staff[counter])
    return Run(hub, site.staff)


def _apply(run: Run, step: tuple[Any, ...]) -> tuple[str, dict[str, Any] | None] | None:
    """Do one step; a call answers (counter, called ticket or None)."""
    hub, kind = run.hub, step[0]
    if kind == "issue":
        _, service, priority = step
        view = hub.tickets.issue(service, priority="elderly" if priority else None, actor=KIOSK)
        run.tickets[view["id"]] = view
        run.waiting.append(view["id"])
    elif kind == "cancel":
        if run.waiting:
            ticket_id = run.waiting.pop(step[1] % len(run.waiting))
            hub.tickets.cancel(ticket_id, actor=KIOSK)
            run.promises.pop(ticket_id, None)
    else:
        counter, actor = step[1], run.staff[step[1]]
        if kind == "open":
            hub.counters.open(counter, actor=actor)
            run.open.setdefault(counter, False)
        elif counter not in run.open:
            return None
        elif kind == "close":
            hub.counters.close(counter, actor=actor)
            del run.open[counter]
        elif kind in ("pause", "resume"):
            hub.counters.set_paused(counter, kind == "pause", actor=actor)
            run.open[counter] = kind == "pause"
        elif not run.open[counter]:
            return counter, hub.counters.call_next(counter, actor=actor)
    return None


def _called_id(run: Run, called: dict[str, Any]) -> str:
    return next(
        t
        for t in run.waiting
        if run.tickets[t]["number"] == called["number"]
        and run.tickets[t]["service"]["id"] == called["service"]["id"]
    )


def _check_call(run: Run, counter: str, called: dict[str, Any] | None) -> None:
    """Every ticket told "next" in a field of ``counter`` is the one it called, unless a
    priority ticket issued after the promise went first, as the policy allows."""
    serves = run.services_of(counter)
    took = _called_id(run, called) if called is not None else None
    for ticket_id, issued_then in list(run.promises.items()):
        if run.tickets[ticket_id]["service"]["id"] not in serves:
            continue
        assert took is not None, f"{ticket_id} was told next, but counter {counter} called nobody"
        overtaken = run.tickets[took]["priority"] is not None and (
            list(run.tickets).index(took) >= issued_then
        )
        assert took == ticket_id or overtaken, (
            f"{run.tickets[ticket_id]['number']} was told next; counter {counter} called "
            f"{run.tickets[took]['number']}"
        )
        del run.promises[ticket_id]
    if took is not None:
        run.waiting.remove(took)


def _record_promises(run: Run) -> None:
    for ticket_id in run.waiting:
        view = run.hub.tickets.ticket(ticket_id)
        assert view["status"] == TicketStatus.WAITING.value
        if view["waiting_ahead"] == 0:
            run.promises.setdefault(ticket_id, len(run.tickets))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first_open, steps)
# The issue's case: 1002 regular, then 1003 elderly, at a counter just opened.
@example({"1"}, [("issue", "dat-dai", False), ("issue", "dat-dai", True), ("call", "1")])
# A counter serving two fields calls the other field's earlier ticket first.
@example({"3"}, [("issue", "dat-dai", False), ("issue", "tu-phap", False), ("call", "3")])
def test_a_ticket_told_next_is_called_next(
    site: Site, opened: set[str], plan: list[tuple[Any, ...]]
) -> None:
    """GIVEN random arrivals (regular, priority, three fields), counters opened, paused,
    resumed and closed, cancellations and calls
    WHEN after every step each waiting ticket's view is read
    THEN a ticket told 0 ahead ("next") is the one the next call of a counter serving
    its field takes, unless a priority ticket issued after it was told went first."""
    run = _new_day(site)
    for counter in sorted(opened):
        _apply(run, ("open", counter))
    _record_promises(run)
    for step in plan:
        called = _apply(run, step)
        if called is not None:
            _check_call(run, *called)
        _record_promises(run)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(FIELDS), st.booleans()), max_size=10), st.integers(0, 3))
def test_with_one_open_counter_people_ahead_are_the_calls_before(
    site: Site, arrivals: list[tuple[str, bool]], calls_first: int
) -> None:
    """GIVEN one open counter serving every field, after some calls (its streak), and
    random arrivals WHEN it calls until nobody waits THEN each ticket's people ahead
    was exactly the number of calls before its own; only a ticket then first may be
    told 1 (a priority ticket whose turn is not yet due)."""
    run = _new_day(site)
    hub, staff = run.hub, run.staff["3"]
    hub.counters.open("3", actor=staff)
    for _ in range(calls_first):
        _apply(run, ("issue", "dat-dai", False))
        _apply(run, ("issue", "tu-phap", True))
        called = hub.counters.call_next("3", actor=staff)
        run.waiting.remove(_called_id(run, called))
    for service, priority in arrivals:
        _apply(run, ("issue", service, priority))
    told = {t: hub.tickets.ticket(t)["waiting_ahead"] for t in run.waiting}
    order = []
    while (called := hub.counters.call_next("3", actor=staff)) is not None:
        order.append(_called_id(run, called))
        run.waiting.remove(order[-1])
    for ticket_id, ahead in told.items():
        truth = order.index(ticket_id)
        assert ahead == truth or (truth == 0 and ahead == 1), (ticket_id, ahead, truth)


def test_the_issue_case_on_the_store(site: Site) -> None:
    """GIVEN interleave or strict, a counter just opened, 1002 regular then 1003 elderly
    WHEN the tickets are issued THEN 1003 is never told next, and the call takes the
    ticket told next."""
    run = _new_day(site)
    hub = run.hub
    hub.counters.open("1", actor=run.staff["1"])
    _apply(run, ("issue", "dat-dai", False))
    _apply(run, ("issue", "dat-dai", True))
    regular, elderly = (hub.tickets.ticket(t) for t in run.waiting)
    strict = hub.config.queue.priority == "strict"
    assert (regular["waiting_ahead"], elderly["waiting_ahead"]) == ((1, 0) if strict else (0, 1))
    called = hub.counters.call_next("1", actor=run.staff["1"])
    assert called["number"] == (elderly if strict else regular)["number"]


def test_a_field_no_open_counter_serves_says_so(site: Site) -> None:
    """GIVEN counter 1 (Đất đai) open, counters 2 and 3 closed WHEN a Tư pháp ticket is
    issued THEN it says no open counter serves its field, and Đất đai's does not."""
    run = _new_day(site)
    hub = run.hub
    hub.counters.open("1", actor=run.staff["1"])
    lonely = hub.tickets.issue("tu-phap", priority=None, actor=KIOSK)
    served = hub.tickets.issue("dat-dai", priority=None, actor=KIOSK)
    assert lonely["no_open_counter"] is True and served["no_open_counter"] is False
    fields = {s["id"]: s for s in hub.tickets.services()}
    assert fields["tu-phap"]["no_open_counter"] and not fields["dat-dai"]["no_open_counter"]
    hub.counters.open("2", actor=run.staff["2"])
    assert hub.tickets.ticket(lonely["id"])["no_open_counter"] is False


def test_the_api_says_when_no_open_counter_serves_the_field(api) -> None:
    """GIVEN no counter open WHEN a ticket is taken THEN POST /tickets, GET /tickets/{id}
    and GET /services say no open counter serves the field, with the old fields kept;
    once counter 2 opens, Tư pháp's ticket no longer says so."""
    kiosk, staff = api.device("k1", "kiosk"), api.user("canbo2")
    ticket = api.issue(kiosk, "tu-phap")
    assert ticket["no_open_counter"] is True and isinstance(ticket["estimated_wait_s"], int)
    assert api.get(f"/tickets/{ticket['id']}").json["no_open_counter"] is True
    assert all(s["no_open_counter"] for s in api.get("/services").json)
    assert api.post("/counters/2/open", staff).status_code == 200
    assert api.get(f"/tickets/{ticket['id']}").json["no_open_counter"] is False
    services = {s["id"]: s["no_open_counter"] for s in api.get("/services").json}
    assert services == {"dat-dai": True, "tu-phap": False, "kinh-doanh": False}
