"""Where tickets stand in the real call order: the store's rows given to the pure core
(:mod:`hub.queue.call_order`), inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from config.schema import Config
from hub.queue import (
    MAX_REPLAYED_CALLS,
    CounterState,
    Place,
    WaitingTicket,
    place_in_call_order,
)
from hub.store import queries

#: A place in issue order after every ticket: where a ticket taken now would stand.
_LAST = 2**62


def counter_states(conn: Connection, config: Config) -> list[CounterState]:
    """Every configured counter, in configuration order, as the call order sees it."""
    rows = queries.counter_states(conn)
    states = []
    for counter in config.counters:
        status, paused, streak = rows.get(counter.id, ("closed", False, 0))
        calls = "closed" if status != "open" else "paused" if paused else "open"
        states.append(CounterState(counter.id, frozenset(counter.services), calls, streak))
    return states


def _fields_near(service_id: str, counters: Sequence[CounterState]) -> set[str]:
    """The field and every field a counter serving it also serves."""
    near = {service_id}
    for counter in counters:
        if service_id in counter.fields:
            near |= counter.fields
    return near


def _place(
    config: Config,
    target: WaitingTicket,
    found: tuple[list[queries.WaitingRow], dict[tuple[str, bool], int]],
    counters: list[CounterState],
) -> Place:
    queue = config.queue
    rows, more = found
    return place_in_call_order(
        target,
        [WaitingTicket(*r) for r in rows],
        counters,
        policy=queue.priority,
        priority_every=queue.priority_every,
        left_out=more,
    )


def place_of(conn: Connection, config: Config, row: Any) -> Place:
    """Where the waiting ticket ``row`` stands among the tickets of its day."""
    counters = counter_states(conn, config)
    found = queries.waiting_lines(
        conn,
        services=_fields_near(row.service_id, counters),
        day=row.day,
        is_priority=bool(row.is_priority),
        queue_pos=row.queue_pos,
        first=MAX_REPLAYED_CALLS,
    )
    target = WaitingTicket(row.queue_pos, row.id, bool(row.is_priority), row.service_id)
    return _place(config, target, found, counters)


def places_of_newcomers(conn: Connection, config: Config, day: date) -> dict[str, Place]:
    """For each field, where a regular ticket taken now would stand."""
    counters = counter_states(conn, config)
    found = queries.waiting_lines(
        conn,
        services=[s.id for s in config.services],
        day=day,
        is_priority=False,
        queue_pos=_LAST,
        first=MAX_REPLAYED_CALLS,
    )
    return {
        s.id: _place(config, WaitingTicket(_LAST, "", False, s.id), found, counters)
        for s in config.services
    }
