"""Property tests: the engine's invariants hold for any sequence of actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.queue import (
    Candidate,
    DailyLimitReached,
    TicketStatus,
    check_transition,
    format_number,
    next_sequence,
    pick_next,
)

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
SERVICES = {"a": ("", 1, 3), "b": ("B", 1001, 4)}
COUNTERS = {"1": ("a",), "2": ("b",), "3": ("a", "b")}


@dataclass
class Ticket:
    id: str
    service: str
    number: str
    priority: bool
    issued_at: datetime
    status: TicketStatus = TicketStatus.WAITING


@dataclass
class Model:
    """A whole queue driven only through the pure engine."""

    policy: str
    every: int
    now: datetime = T0
    last: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(SERVICES))
    tickets: list[Ticket] = field(default_factory=list)
    current: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(COUNTERS))
    streak: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    calls: list[tuple[str, Ticket, list[Ticket]]] = field(default_factory=list)

    def tick(self) -> None:
        self.now += timedelta(seconds=7)

    def issue(self, service: str, priority: bool) -> None:
        prefix, start, digits = SERVICES[service]
        try:
            seq = next_sequence(self.last[service], start=start, daily_limit=500)
        except DailyLimitReached:
            return
        self.last[service] = seq
        number = format_number(seq, prefix=prefix, digits=digits)
        self.tickets.append(
            Ticket(f"id{len(self.tickets):04d}", service, number, priority, self.now)
        )

    def by_id(self, ident: str) -> Ticket:
        return next(t for t in self.tickets if t.id == ident)

    def finish(self, counter: str, status: TicketStatus) -> None:
        ident = self.current[counter]
        if ident is not None:
            ticket = self.by_id(ident)
            ticket.status = check_transition(ticket.status, status)
            self.current[counter] = None

    def call(self, counter: str) -> None:
        self.finish(counter, TicketStatus.DONE)
        waiting = [
            t for t in self.tickets
            if t.status is TicketStatus.WAITING and t.service in COUNTERS[counter]
        ]  # fmt: skip
        pick = pick_next(
            [Candidate(self.tickets.index(t), t.id, t.priority) for t in waiting],
            policy=self.policy,  # type: ignore[arg-type]
            priority_every=self.every,
            regular_streak=self.streak[counter],
        )
        if pick is None:
            return
        ticket = self.by_id(pick.ticket.id)
        ticket.status = check_transition(ticket.status, TicketStatus.CALLED)
        self.current[counter] = ticket.id
        self.streak[counter] = pick.regular_streak
        self.calls.append((counter, ticket, waiting))

    def transfer(self, counter: str, service: str) -> None:
        ident = self.current[counter]
        if ident is None:
            return
        ticket = self.by_id(ident)
        ticket.status = check_transition(ticket.status, TicketStatus.WAITING)
        ticket.service = service
        self.current[counter] = None


actions = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), st.sampled_from(sorted(SERVICES)), st.booleans()),
        st.tuples(st.just("call"), st.sampled_from(sorted(COUNTERS)), st.none()),
        st.tuples(st.just("no_show"), st.sampled_from(sorted(COUNTERS)), st.none()),
        st.tuples(st.just("transfer"), st.sampled_from(sorted(COUNTERS)),
                  st.sampled_from(sorted(SERVICES))),
    ),
    max_size=120,
)  # fmt: skip


def run(model: Model, steps: list[tuple[str, str, object]]) -> Model:
    for kind, target, arg in steps:
        model.tick()
        if kind == "issue":
            model.issue(target, bool(arg))
        elif kind == "call":
            model.call(target)
        elif kind == "no_show":
            model.finish(target, TicketStatus.NO_SHOW)
        else:
            model.transfer(target, str(arg))
    return model


@settings(max_examples=150, deadline=None)
@given(steps=actions, policy=st.sampled_from(["strict", "interleave"]),
       every=st.integers(1, 4))  # fmt: skip
def test_invariants(steps: list[tuple[str, str, object]], policy: str, every: int) -> None:
    """GIVEN any sequence of issues, calls, no-shows and transfers THEN the invariants hold."""
    model = run(Model(policy, every), steps)
    numbers = [(t.number) for t in model.tickets]
    assert len(numbers) == len(set(numbers)), "a number was issued twice in a day"
    current = [c for c in model.current.values() if c is not None]
    assert len(current) == len(set(current)), "a ticket is being called at two counters"
    for ident in current:
        assert model.by_id(ident).status is TicketStatus.CALLED
    for _, called, waiting in model.calls:
        same_class = [t for t in waiting if t.priority == called.priority]
        assert called.issued_at == min(t.issued_at for t in same_class), "FIFO broken"
        if policy == "strict" and not called.priority:
            assert not any(t.priority for t in waiting), "a priority ticket was skipped"


@settings(max_examples=60, deadline=None)
@given(every=st.integers(1, 5), rounds=st.integers(1, 6))
def test_interleave_ratio_is_honoured(every: int, rounds: int) -> None:
    """GIVEN both classes always waiting at one counter THEN exactly `every` regular
    calls separate two priority calls."""
    model = Model("interleave", every)
    for _ in range(rounds * (every + 1) + 2):
        model.tick()
        model.issue("a", False)
        model.issue("a", True)
    for _ in range(rounds * (every + 1)):
        model.tick()
        model.call("1")
    pattern = ["P" if t.priority else "R" for _, t, _ in model.calls]
    assert pattern == (["R"] * every + ["P"]) * rounds
