"""``/admin``: counters, users, devices, configuration and the audit log (admins only).

The changes go through the same operations as the JSON API
(:mod:`hub.api.admin`), so both audit them alike. Forms post back and redirect
(with a flash message); a new device token is shown once, on the answer to
the form that created it, never in a URL.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from pydantic import ValidationError

from config.wire import DEVICE_KINDS, ROLES
from hub import admin as ops
from hub import errors
from hub.audit import AuditFilter, AuditQuery, audit_filter, csv_lines
from hub.context import current_hub, remote_address
from hub.pages.common import page_blueprint, render_page
from hub.pages.i18n import error_text, local_time
from hub.pages.labels import (
    ACTION_LABELS,
    DEVICE_KIND_LABELS,
    HEALTH_LABELS,
    ROLE_LABELS,
    label,
    status_labels,
)
from hub.pages.security import current_actor, requires

logger = logging.getLogger(__name__)

bp = page_blueprint("admin_pages", __name__, url_prefix="/admin")
ADMIN = "admin"
USER = "/users/<string(maxlength=32):user_id>"
DEVICE = "/devices/<string(maxlength=32):device_id>"
AUDIT_PAGE = 100
AUDIT_FILTERS = ("actor", "action", "target", "from", "to")


def _labels() -> dict[str, Any]:
    return {
        "roles": {r: label(ROLE_LABELS, r) for r in ROLES},
        "kinds": {k: label(DEVICE_KIND_LABELS, k) for k in DEVICE_KINDS},
        "health": {h: label(HEALTH_LABELS, h) for h in HEALTH_LABELS},
    }


# --------------------------------------------------------------- overview
def counters_state() -> list[dict[str, Any]]:
    hub = current_hub()
    out = []
    for c in hub.views.counters():
        current = c.get("current")
        out.append(
            {
                "id": c["id"],
                "name": c["name"],
                "status": c["status"],
                "paused": c["paused"],
                "staff": c.get("staff"),
                "services": [
                    (hub.config.service(s).name if hub.config.service(s) else s)
                    for s in c["services"]
                ],
                "current": current["number"] if current else None,
                "called_at": current.get("called_at") if current else None,
            }
        )
    return out


def devices_state() -> list[dict[str, Any]]:
    rows = current_hub().devices.list_devices()
    for d in rows:
        d["kind_label"] = label(DEVICE_KIND_LABELS, d["kind"])
        d["health_label"] = label(HEALTH_LABELS, d["health"])
        d["status_labels"] = status_labels(d["status"])
        d["last_seen"] = local_time(d["last_seen_at"], "dd/MM/yyyy HH:mm:ss")
        d["last_seen_at"] = d["last_seen_at"].isoformat() if d["last_seen_at"] else None
        d["created_at"] = d["created_at"].isoformat() if d["created_at"] else None
    return rows


@bp.get("")
@requires(ADMIN)
def overview() -> Any:
    """Counters and their state, device health, the latest audit rows."""
    hub = current_hub()

    recent = hub.audit.search(AuditFilter(), limit=8)
    return render_page(
        "admin/overview.html",
        counters=counters_state(),
        devices=devices_state(),
        recent=recent,
        action_labels={k: str(v) for k, v in ACTION_LABELS.items()},
        now=hub.clock().isoformat(),
    )


@bp.get("/live")
@requires(ADMIN)
def live() -> Any:
    """Counters and devices as JSON, for the pages' periodic refresh."""
    return {
        "counters": counters_state(),
        "devices": devices_state(),
        "server_time": current_hub().clock().isoformat(),
    }


@bp.post("/counters/<string(maxlength=32):counter_id>/close")
@requires(ADMIN)
def close_counter(counter_id: str) -> Any:
    """An admin closes a counter someone left open."""
    hub = current_hub()
    actor = current_actor()
    try:
        view = next((c for c in hub.views.counters() if c["id"] == counter_id), None)
        hub.counters.close(counter_id, actor=actor)
    except errors.HubError as err:
        flash(error_text(err), "error")
        return redirect(url_for("admin_pages.overview"))
    # The queue service wrote the audit row in the close's own transaction.
    flash(_("Counter %(name)s closed.", name=view["name"] if view else counter_id), "ok")
    return redirect(url_for("admin_pages.overview"))


# ------------------------------------------------------------------ users
def _users_page(status: int = 200, **extra: Any) -> Any:
    hub = current_hub()
    html = render_page(
        "admin/users.html",
        users=hub.users.list_users(),
        labels=_labels(),
        config_min_password=hub.config.security.password_min_length,
        **extra,
    )
    return html, status


@bp.get("/users")
@requires(ADMIN)
def users() -> Any:
    return _users_page(form={})


@bp.post("/users")
@requires(ADMIN)
def add_user() -> Any:
    hub = current_hub()
    form = {k: request.form.get(k, "").strip() for k in ("username", "display_name", "role")}
    password = request.form.get("password", "")
    try:
        if password != request.form.get("password2", ""):
            raise errors.BadRequest(code="password_mismatch")
        ops.create_user(
            hub,
            current_actor().label,
            remote_address(),
            username=form["username"][:64],
            password=password[:256],
            role=form["role"],
            display_name=form["display_name"][:200] or None,
        )
    except errors.HubError as err:
        return _users_page(err.status, form=form, error=error_text(err))
    flash(_("User %(name)s added.", name=form["username"]), "ok")
    return redirect(url_for("admin_pages.users"))


@bp.post(f"{USER}/password")
@requires(ADMIN)
def set_password(user_id: str) -> Any:
    hub = current_hub()
    uid = ops.int_id(user_id, "user")
    password = request.form.get("password", "")
    try:
        if password != request.form.get("password2", ""):
            raise errors.BadRequest(code="password_mismatch")
        ops.reset_password(hub, current_actor().label, remote_address(), uid)(password[:256])
    except errors.HubError as err:
        flash(error_text(err), "error")
        return redirect(url_for("admin_pages.users"))
    flash(
        _(
            "Password changed; %(name)s must log in again.",
            name=hub.users.get_user(uid)["username"],
        ),
        "ok",
    )
    return redirect(url_for("admin_pages.users"))


@bp.post(f"{USER}/<any(disable, enable):change>")
@requires(ADMIN)
def set_active(user_id: str, change: str) -> Any:
    hub = current_hub()
    uid = ops.int_id(user_id, "user")
    try:
        ops.set_user_active(hub, current_actor(), remote_address(), uid, change == "enable")
    except errors.HubError as err:
        flash(error_text(err), "error")
        return redirect(url_for("admin_pages.users"))
    name = hub.users.get_user(uid)["username"]
    message = (
        _("%(name)s can log in again.", name=name)
        if change == "enable"
        else _("%(name)s is disabled and logged out.", name=name)
    )
    flash(message, "ok")
    return redirect(url_for("admin_pages.users"))


# ---------------------------------------------------------------- devices
def _devices_page(status: int = 200, **extra: Any) -> Any:
    hub = current_hub()
    html = render_page(
        "admin/devices.html",
        devices=devices_state(),
        counters=hub.config.counters,
        labels=_labels(),
        hub_url=request.host_url.rstrip("/"),
        **extra,
    )
    return html, status


@bp.get("/devices")
@requires(ADMIN)
def devices() -> Any:
    return _devices_page(form={})


@bp.post("/devices")
@requires(ADMIN)
def add_device() -> Any:
    form = {k: request.form.get(k, "").strip()[:64] for k in ("name", "kind", "counter")}
    try:
        device, token = ops.register_device(
            current_hub(),
            current_actor().label,
            remote_address(),
            name=form["name"],
            kind=form["kind"],
            counter=form["counter"] or None,
        )
    except errors.HubError as err:
        return _devices_page(err.status, form=form, error=error_text(err))
    return _devices_page(form={}, new_token=token, new_device=device)


@bp.post(f"{DEVICE}/token")
@requires(ADMIN)
def new_token(device_id: str) -> Any:
    did = ops.int_id(device_id, "device")
    device, token = ops.rekey_device(current_hub(), current_actor().label, remote_address(), did)
    return _devices_page(form={}, new_token=token, new_device=device, rekeyed=True)


@bp.post(f"{DEVICE}/revoke")
@requires(ADMIN)
def revoke_device(device_id: str) -> Any:
    hub = current_hub()
    did = ops.int_id(device_id, "device")
    ops.revoke_device(hub, current_actor().label, remote_address(), did)
    flash(_("Device %(name)s revoked.", name=hub.devices.get_device(did)["name"]), "ok")
    return redirect(url_for("admin_pages.devices"))


# ----------------------------------------------------------------- config
@bp.get("/config")
@requires(ADMIN)
def config() -> Any:
    hub = current_hub()
    return render_page(
        "admin/config.html",
        config=hub.config,
        digest=ops.config_digest(hub.config),
        sections=ops.config_view(hub.config)["sections"],
    )


@bp.post("/config/reload")
@requires(ADMIN)
def reload_config() -> Any:
    hub = current_hub()
    try:
        result = ops.reload_config(hub, current_actor().label, remote_address())
    except ops.ConfigInvalid as err:
        html = render_page(
            "admin/config.html",
            config=hub.config,
            digest=ops.config_digest(hub.config),
            sections=ops.config_view(hub.config)["sections"],
            error=error_text(err),
            problems=err.problems,
        )
        return html, 400
    if result["changed"]:
        flash(
            _("Configuration reloaded: %(parts)s changed.", parts=", ".join(result["changed"])),
            "ok",
        )
    else:
        flash(_("Configuration reloaded: nothing changed."), "ok")
    return redirect(url_for("admin_pages.config"))


# ------------------------------------------------------------------ audit
def _audit_query() -> tuple[AuditQuery, str | None]:
    raw = {k: v for k, v in request.args.items() if v and k in (*AUDIT_FILTERS, "before_id")}
    try:
        return AuditQuery.model_validate(raw), None
    except ValidationError:
        return AuditQuery(), _("Some filters were not valid and were ignored.")


@bp.get("/audit")
@requires(ADMIN)
def audit() -> Any:
    hub = current_hub()
    query, problem = _audit_query()
    rows = hub.audit.search(audit_filter(query, hub.config.site.timezone), limit=AUDIT_PAGE)
    older = rows[-1]["id"] if len(rows) == AUDIT_PAGE else None
    args = {k: v for k, v in request.args.items() if k in AUDIT_FILTERS and v}
    return render_page(
        "admin/audit.html",
        rows=rows,
        query=query,
        args=args,
        older=older,
        problem=problem,
        actions=hub.audit.actions(),
        action_labels={k: str(v) for k, v in ACTION_LABELS.items()},
    )


@bp.get("/audit.csv")
@requires(ADMIN)
def audit_csv() -> Response:
    """The filtered audit log as CSV (UTF-8 with BOM), streamed."""
    hub = current_hub()
    query, _problem = _audit_query()
    rows = hub.audit.iter_rows(audit_filter(query, hub.config.site.timezone))

    def local(value: Any) -> str:
        return local_time(value, "yyyy-MM-dd HH:mm:ss")

    stamp = hub.clock().strftime("%Y%m%d-%H%M")
    response = Response(
        stream_with_context(csv_lines(rows, local)), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.csv"'
    return response
