"""``/counter``: the staff console.

A staff member (or an admin) picks a free counter, opens it, and works it
with big buttons and one-key shortcuts (also from a USB numeric keypad): call
next, recall, no-show, transfer to another field, complete, pause/resume.
The page shows the number being served and for how long, and the waiting
counts of the counter's fields, live over Socket.IO ``/counter``.

Staff never choose a ticket and never see a ticket's id or any citizen data:
the queue picks the next one, and the answers here carry only the number.

The actions are JSON ``POST /counter/<id>/action/<name>`` calls from the page's
script (session + CSRF header), audited like the API's with the counter's state
before and after. ``complete`` and ``call-next`` take ``{"dossiers": [code…]}``:
the dossier codes (*mã hồ sơ*) typed or scanned for the number being completed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from config.wire import Role
from hub import errors
from hub.accounts import Actor
from hub.clock import iso
from hub.context import Hub, current_hub
from hub.pages.common import page_blueprint, render_page
from hub.pages.i18n import error_text
from hub.pages.security import current_actor, requires
from hub.queue import TicketStatus, site_day

logger = logging.getLogger(__name__)

bp = page_blueprint("console", __name__)
OPERATORS = (Role.STAFF, Role.ADMIN)
COUNTER = "/counter/<string(maxlength=32):counter_id>"
#: A second "call next" this soon after a call is refused: a double press would
#: otherwise complete a citizen who has not even reached the counter.
MIN_CALL_GAP_S = 3.0
#: "No-show" this soon after the call (by the hub's time of the call) asks the officer
#: to confirm first: the citizen is most likely still walking to the counter. Only the
#: page asks; the API's no-show stays as it is (other vendors' keypads use it).
NO_SHOW_CONFIRM_S = 10
ACTIONS = ("call-next", "recall", "no-show", "complete", "transfer", "pause", "resume")


# ------------------------------------------------------------------ state
def own_counter(hub: Hub, actor: Actor) -> str | None:
    """The counter ``actor`` has open, if any (one counter per user)."""
    return hub.views.open_counter_of(actor.id)


def _service_ref(hub: Hub, service_id: str) -> dict[str, str]:
    service = hub.config.service(service_id)
    return {"id": service_id, "name": service.name if service else service_id}


def counter_view(hub: Hub, counter_id: str) -> dict[str, Any]:
    """The counter as the console shows it (no ticket id, no citizen data)."""
    view = next((c for c in hub.views.counters() if c["id"] == counter_id), None)
    if view is None:
        raise errors.NotFound(code="unknown_counter")
    current = view.get("current")
    return {
        "id": view["id"],
        "name": view["name"],
        "status": view["status"],
        "paused": view["paused"],
        "staff": view.get("staff"),
        "services": [_service_ref(hub, s) for s in view["services"]],
        "current": (
            {
                "number": current["number"],
                "service": _service_ref(hub, current["service"]),
                "called_at": current.get("called_at"),
            }
            if current
            else None
        ),
    }


def console_state(hub: Hub, counter_id: str) -> dict[str, Any]:
    """Everything the console shows: counter, waiting counts, today's tally."""
    counter = counter_view(hub, counter_id)
    service_ids = [s["id"] for s in counter["services"]]
    now = hub.clock()
    today = site_day(now, hub.config.site.timezone)
    waiting = hub.views.waiting(service_ids)
    tally = hub.views.finished_today(counter_id, today)
    return {
        "counter": counter,
        "waiting": waiting,
        "today": {
            "served": tally.get(TicketStatus.DONE.value, 0),
            "no_show": tally.get(TicketStatus.NO_SHOW.value, 0),
        },
        "server_time": iso(now),
    }


def _snapshot(counter: dict[str, Any]) -> dict[str, Any]:
    current = counter.get("current")
    return {"current": current["number"] if current else None, "paused": counter["paused"]}


# ------------------------------------------------------------------ pages
@bp.get("/counter")
@requires(*OPERATORS)
def pick() -> Any:
    """Choose a counter among the free ones; a user with one open goes straight to it."""
    hub = current_hub()
    actor = current_actor()
    mine = own_counter(hub, actor) if actor else None
    if mine is not None:
        return redirect(url_for("console.console", counter_id=mine))
    counters = [counter_view(hub, c.id) for c in hub.config.counters]
    waiting = hub.views.waiting([s.id for s in hub.config.services])
    return render_page("counter/pick.html", counters=counters, waiting=waiting)


@bp.post(f"{COUNTER}/open")
@requires(*OPERATORS)
def open_counter(counter_id: str) -> Any:
    """Bind the user to a free counter, then show its console."""
    hub = current_hub()
    actor = current_actor()
    try:
        hub.counters.open(counter_id, actor=actor)
    except errors.HubError as err:
        flash(error_text(err), "error")
        return redirect(url_for("console.pick"))
    return redirect(url_for("console.console", counter_id=counter_id))


@bp.get(COUNTER)
@requires(*OPERATORS)
def console(counter_id: str) -> Any:
    """The console of the user's open counter."""
    hub = current_hub()
    actor = current_actor()
    if hub.config.counter(counter_id) is None:
        raise errors.NotFound(code="unknown_counter")
    if own_counter(hub, actor) != counter_id:
        flash(_("Open a counter first."), "info")
        return redirect(url_for("console.pick"))
    state = console_state(hub, counter_id)
    services = [{"id": s.id, "name": s.name} for s in hub.config.services]
    action_urls = {a: url_for("console.act", counter_id=counter_id, action=a) for a in ACTIONS}
    settings = hub.config.dossiers
    return render_page(
        "counter/console.html",
        state=state,
        services=services,
        dossiers={
            "pattern": settings.pattern,
            "max": settings.max_per_ticket,
            "scan_gap_ms": settings.scan_gap_ms,
        },
        action_urls=action_urls,
        no_show_confirm_s=NO_SHOW_CONFIRM_S,
        has_socket="display" in current_app.blueprints,
    )


@bp.post(f"{COUNTER}/close")
@requires(*OPERATORS)
def close_counter(counter_id: str) -> Any:
    """Close the counter (a number still being served is completed)."""
    hub = current_hub()
    actor = current_actor()
    try:
        hub.counters.close(counter_id, actor=actor)
    except errors.HubError as err:
        flash(error_text(err), "error")
        return redirect(url_for("console.pick"))
    flash(_("Counter closed. Thank you!"), "ok")
    return redirect(url_for("console.pick"))


@bp.get(f"{COUNTER}/state")
@requires(*OPERATORS)
def state(counter_id: str) -> Any:
    """The console's state as JSON (start-up and the no-socket fallback)."""
    hub = current_hub()
    _require_operator(hub, current_actor(), counter_id)
    return console_state(hub, counter_id)


def _require_operator(hub: Hub, actor: Actor | None, counter_id: str) -> None:
    if hub.config.counter(counter_id) is None:
        raise errors.NotFound(code="unknown_counter")
    if actor is None or own_counter(hub, actor) != counter_id:
        raise errors.Forbidden(code="not_your_counter")


def _check_call_gap(hub: Hub, counter: dict[str, Any]) -> None:
    current = counter.get("current")
    if not current or not current.get("called_at"):
        return
    called = datetime.fromisoformat(current["called_at"].replace("Z", "+00:00"))
    if (hub.clock() - called).total_seconds() < MIN_CALL_GAP_S:
        raise errors.Conflict("Vừa gọi số; chờ vài giây rồi gọi tiếp", code="too_soon")


@bp.post(f"{COUNTER}/action/<any({', '.join(repr(a) for a in ACTIONS)}):action>")
@requires(*OPERATORS)
def act(counter_id: str, action: str) -> Any:
    """One console action; answers the new state and a message to show."""
    hub = current_hub()
    actor = current_actor()
    _require_operator(hub, actor, counter_id)
    before = counter_view(hub, counter_id)
    # The queue service writes the audit row in the action's own transaction.
    message, _audit_after = _run(hub, actor, counter_id, action, before)
    state_now = console_state(hub, counter_id)
    return {"ok": True, "message": message, **state_now}


def _dossiers() -> list[str]:
    """The body's ``dossiers``: a list of strings (the queue service checks each code)."""
    body = request.get_json(silent=True)
    codes = body.get("dossiers", []) if isinstance(body, dict) else []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise errors.BadRequest(code="invalid_dossier")
    return codes


def _run(
    hub: Hub, actor: Actor, counter_id: str, action: str, before: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    queue = hub.counters
    if action == "call-next":
        _check_call_gap(hub, before)
        ticket = queue.call_next(counter_id, actor=actor, dossiers=_dossiers())
        if ticket is None:
            return _("Nobody is waiting."), {"called": None}
        return _("Calling number %(number)s.", number=ticket["number"]), {
            "called": ticket["number"]
        }
    if action == "recall":
        ticket = queue.recall(counter_id, actor=actor)
        return _("Calling number %(number)s again.", number=ticket["number"]), {}
    if action == "no-show":
        ticket = queue.finish(counter_id, TicketStatus.NO_SHOW, actor=actor)
        return _("Number %(number)s did not come.", number=ticket["number"]), {}
    if action == "complete":
        ticket = queue.finish(counter_id, TicketStatus.DONE, actor=actor, dossiers=_dossiers())
        return _("Number %(number)s is done.", number=ticket["number"]), {}
    if action == "transfer":
        body = request.get_json(silent=True)
        service_id = body.get("service") if isinstance(body, dict) else None
        if not isinstance(service_id, str) or hub.config.service(service_id) is None:
            raise errors.BadRequest(code="unknown_service")
        ticket = queue.transfer(counter_id, service_id, actor=actor)
        name = _service_ref(hub, service_id)["name"]
        return _(
            "Number %(number)s now waits for %(field)s.", number=ticket["number"], field=name
        ), {"service": service_id}
    paused = action == "pause"
    queue.set_paused(counter_id, paused, actor=actor)
    return (_("Counter paused.") if paused else _("Counter resumed.")), {}
