"""The fuzzing gate's hand list, sent to a live ``motcua serve`` on SQLite and PostgreSQL.

Every operation of the served OpenAPI that takes a body gets a valid body (checked
to pass validation) with each of its fields, at any depth, replaced by each value
of :mod:`tests.e2e.nasty` (times get the extreme and naive ones too), and whole
bodies that are no object at all; every query parameter and path variable gets
the URL values; every operation gets Authorization headers that are no token.
The pages and files outside the API (the screens' audio, the ticket page, the
dashboard, the admin's audit log…) get the URL values in their paths and queries,
with and without a login.

Pass: no 5xx, an API refusal is the one error body, a refusal changes nothing
(:class:`tests.e2e.fuzzing.StateProbe`), and the hub logs no traceback or error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest
import requests

from tests.e2e.fuzzing import (
    TALLY,
    LiveApi,
    assert_clean_log,
    booking_headers,
    start_live_api,
)
from tests.e2e.nasty import (
    AUTHORIZATIONS,
    BODIES,
    PAGE_QUERY_VALUES,
    URL_VALUES,
    encode,
    mutations,
    replaced,
)
from tests.e2e.state_probe import StateProbe
from tests.e2e.support import ADMIN, REQUEST_TIMEOUT_S, Site, StartHub

pytestmark = pytest.mark.slow

GATE = "hand list"
Body = Callable[[int], Any]


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _rating(n: int) -> dict[str, Any]:
    return {"key": f"fuzz-rating-{n:06d}", "level": "satisfied", "at": _now(),
            "reasons": ["attitude"], "clock_offset_s": 0.5}  # fmt: skip


# Forwarded ratings and queue days, with one field of each kind the models share
# (the other names are Names as site_name is; the other counts Counts as issued is).
def _forwarded(n: int) -> dict[str, Any]:
    return {"key": f"fuzz-forwarded-{n:06d}", "site": "xa-hoa-vang", "site_name": "Xã Hòa Vang",
            "level": "satisfied", "score": 1, "positive": True, "at": _now(),
            "day": _now()[:10], "counter": "1", "staff_name": "Cán bộ", "service": "dat-dai",
            "ticket": "t1", "reasons": ["attitude"], "channel": "pad"}  # fmt: skip


def _queue_day(n: int) -> dict[str, Any]:
    return {"key": f"fuzz-day-{n:06d}", "site": "xa-hoa-vang", "site_name": "Xã Hòa Vang",
            "day": "2026-12-01", "counter_names": {"1": "Quầy 1"},
            "rows": [{"counter": "1", "staff": 1, "service": "dat-dai", "issued": 3,
                      "wait_sum": 60.5}]}  # fmt: skip


# A valid body of each operation that takes one (``n`` makes keys and names unique),
# and the token to send it with when not the one its ``Allowed:`` line picks.
BASELINES: dict[str, list[tuple[str | None, Body]]] = {
    "POST /api/v1/tickets": [
        (None, lambda n: {"service": "dat-dai", "priority": "elderly", "key": f"fuzz-t-{n:06d}"})
    ],
    "POST /api/v1/counters/{counter_id}/transfer": [(None, lambda n: {"service": "tu-phap"})],
    "POST /api/v1/devices/heartbeat": [
        ("kiosk", lambda n: {"version": "1.0.0", "status": {"printer": "ok", "paper": 40}})
    ],
    "POST /api/v1/auth/login": [(None, lambda n: {"username": "staff3", "password": "sai-mk"})],
    "POST /api/v1/ratings": [(None, _rating)],
    "POST /api/v1/ratings/batch": [
        ("pad", lambda n: {"ratings": [_rating(n)]}),
        ("link", lambda n: {"forwarded": [_forwarded(n)], "queue_days": [_queue_day(n)]}),
    ],
    "POST /api/v1/tickets/{ticket_id}/rating": [
        (None, lambda n: {"level": "unsatisfied", "reasons": ["long_wait"]})
    ],
    "POST /api/v1/bookings": [(None, lambda n: {"service": "dat-dai", "phone": "0912345678"})],
    "POST /api/v1/bookings/code": [(None, lambda n: {"service": "dat-dai", "phone": "0912345678"})],
    "POST /api/v1/counters/{counter_id}/complete": [
        (None, lambda n: {"dossiers": ["000.00.12.H56-241204-0001"]})
    ],
    "POST /api/v1/tickets/{ticket_id}/comment": [
        (None, lambda n: {"comment": "Cán bộ hướng dẫn tận tình"})
    ],
    "POST /api/v1/admin/users": [
        (
            None,
            lambda n: {
                "username": f"fuzz{n}",
                "password": "Mk-fuzz-2026!x",
                "role": "staff",
                "display_name": "Cán bộ Fuzz",
            },
        )  # fmt: skip
    ],
    "POST /api/v1/admin/users/{user_id}/password": [
        (None, lambda n: {"password": f"Mk-fuzz-{n}-2026!"})
    ],
    "POST /api/v1/admin/devices": [
        (None, lambda n: {"name": f"fuzz-pad-{n}", "kind": "rating-pad", "counter": "2"})
    ],
}
# Bodies the attack runs of issues 12 and 15 found a 500 with, that one field at a
# time does not build: (operation, token, body).
REGRESSIONS: list[tuple[str, str | None, Body]] = [
    ("POST /api/v1/ratings", None,
     lambda n: {**_rating(n), "at": "9999-12-31T23:59:59Z", "clock_offset_s": 100000}),
    ("POST /api/v1/ratings", None,
     lambda n: {**_rating(n), "at": "2000-01-01T00:00:00Z", "clock_offset_s": 4e9}),
    ("POST /api/v1/ratings", None,
     lambda n: {**_rating(n), "at": "2099-12-31T23:59:59-14:00", "clock_offset_s": -4e9}),
    ("POST /api/v1/ratings/batch", "pad",
     lambda n: {"ratings": [_rating(n), {**_rating(n + 1), "at": "2026-12-04T10:00:00"}]}),
]  # fmt: skip
# Valid query values, so that each nasty one is the only thing wrong.
QUERIES = {
    "from": "2026-11-01",
    "to": "2026-12-31",
    "by": "counter",
    "include_flagged": "false",
    "limit": "10",
    "before_id": "100",
    "actor": "user:admin1",
    "action": "login",
    "target": "user:staff1",
}
# Statuses a valid body may get (409: the state refuses it, e.g. a rating twice;
# 401/429: the baseline login's wrong password and its lockout).
REACHED = {200, 201, 204, 401, 409, 429}
# The gate's site has no [booking.sender]: a valid code request is validated, then
# answered 404 verification_off.
REACHED_ALSO = {"POST /api/v1/bookings/code": {404}}
# Pages and files outside the API: path (a ``{v}`` takes the URL values), query
# parameters, and who asks (None, "bearer": the admin's token, "session": logged in).
PAGES: list[tuple[str, tuple[str, ...], str | None]] = [
    ("/display/audio/{v}.wav", (), None),
    ("/t/{v}", ("lang",), None),
    ("/display/{v}", ("lang",), None),
    ("/api/v1/tickets/{v}", (), None),
    ("/book", ("lang",), None),
    ("/login", ("next", "lang"), None),
    ("/counter/{v}", (), "session"),
    ("/counter/{v}/state", (), "session"),
    ("/dashboard", ("period", "from", "to", "flagged", "lang"), "bearer"),
    ("/dashboard/data", ("period", "from", "to", "flagged"), "bearer"),
    ("/dashboard/report", ("from", "to", "kind", "format", "by"), "bearer"),
    ("/admin/audit", ("actor", "action", "target", "from", "to", "before_id"), "session"),
    ("/admin/audit.csv", ("actor", "action", "target", "from", "to", "before_id"), "session"),
    ("/admin/users/{v}/password", (), "session"),
    ("/tls/{v}", (), None),
]
EXTREME_RANGES = [
    "from=0001-01-01&to=9999-12-31",
    "from=9999-12-31&to=0001-01-01",
    "from=0001-01-01&to=0001-01-01",
    "from=9999-12-31&to=9999-12-31",
]


class Sender:
    """Sends requests to one hub, counts them and collects what breaks a criterion."""

    def __init__(self, api: LiveApi, probe: StateProbe) -> None:
        self.api = api
        self.probe = probe
        self.session = requests.Session()
        self.failures: list[str] = []

    def send(
        self,
        method: str,
        path: str,
        what: str,
        session: requests.Session | None = None,
        malformed: bool = False,
        **kwargs: Any,
    ) -> requests.Response | None:
        """One request (``path`` as sent, already percent-encoded) and its checks.

        A ``malformed`` request is one the web server refuses before the hub sees it
        (an invalid or oversized header): its 4xx is the server's own page.
        """
        answer: list[requests.Response] = []
        label = f"{method} {path[:120]} [{what}]"
        try:
            with self.probe.unchanged_if_refused(
                method, path, label, lambda: answer[0].status_code
            ):
                answer.append(self._request(session or self.session, method, path, **kwargs))
                TALLY.count(GATE, self.api.backend, answer[0].status_code)
        except (AssertionError, requests.RequestException) as exc:
            self.failures.append(f"{label}: {exc}"[:2000])
            return answer[0] if answer else None
        response = answer[0]
        if response.status_code >= 500:
            self.failures.append(f"{label}: {response.status_code} {response.text[:300]}")
        elif response.status_code >= 400 and path.startswith("/api/") and not malformed:
            self._check_error_body(label, response)
        return response

    def _request(
        self, session: requests.Session, method: str, path: str, **kwargs: Any
    ) -> requests.Response:
        request = requests.Request(method, f"{self.api.hub.url}{path}", **kwargs)
        prepared = session.prepare_request(request)
        prepared.url = f"{self.api.hub.url}{path}"  # exactly as written: no re-encoding
        return session.send(prepared, timeout=REQUEST_TIMEOUT_S, allow_redirects=False)

    def _check_error_body(self, label: str, response: requests.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        ok = isinstance(body, dict) and set(body) == {"error"} and isinstance(body["error"], dict)
        if not ok or set(body["error"]) != {"code", "message"}:
            self.failures.append(f"{label}: {response.status_code} without the error body: "
                                 f"{response.text[:300]}")  # fmt: skip


def _operations(api: LiveApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
    spec = requests.get(f"{api.hub.url}/api/v1/openapi.json", timeout=REQUEST_TIMEOUT_S).json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def _token(api: LiveApi, path: str, operation: dict[str, Any], name: str | None) -> str | None:
    if name is not None:
        return str(getattr(api.tokens, name))
    return api.tokens.for_operation(path, operation)


def _fill(api: LiveApi, path: str, **given: str) -> str:
    """``path`` with each ``{variable}`` set: ``given`` first, else a real value."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in given:
            return given[name]
        real = api.path_values[name]
        return real[-1] if name == "ticket_id" else real[0]  # the completed ticket

    return re.sub(r"\{(\w+)\}", value, path)


def _headers(api: LiveApi, token: str | None, path: str) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if path.endswith(("/bookings", "/bookings/code")):
        headers.update(booking_headers(api.hub.url))
    return headers


def send_bodies(sender: Sender, api: LiveApi, serial: Iterator[int]) -> None:
    """Each operation with a body: its baseline, every field of it replaced by each
    nasty value, each whole nasty body, the known regressions, other content types."""
    for method, template, operation in _operations(api):
        if "requestBody" not in operation:
            continue
        label = f"{method} {template}"
        if label not in BASELINES:
            sender.failures.append(f"{label}: takes a body but has no baseline in BASELINES")
            continue
        path = _fill(api, template)
        for token_name, make in BASELINES[label]:
            token = _token(api, template, operation, token_name)
            baseline = make(next(serial))
            first = sender.send(method, path, "baseline", data=encode(baseline),
                                headers=_headers(api, token, template))  # fmt: skip
            if first is not None and first.status_code not in REACHED | REACHED_ALSO.get(
                label, set()
            ):
                sender.failures.append(f"{label}: the baseline {baseline} is refused "
                                       f"({first.status_code} {first.text[:200]})")  # fmt: skip
            for where, what, value in mutations(baseline):
                body = replaced(make(next(serial)), where, value)  # fresh keys and names
                sender.send(method, path, f"{where}: {what}", data=encode(body),
                            headers=_headers(api, token, template))  # fmt: skip
        for what, raw in BODIES:
            sender.send(method, path, f"body: {what}", data=raw,
                        headers=_headers(api, token, template))  # fmt: skip
        for op, name, regression in REGRESSIONS:
            if op == label:
                known = _headers(api, _token(api, template, operation, name), template)
                sender.send(method, path, "regression", data=encode(regression(next(serial))),
                            headers=known)  # fmt: skip
        for content_type in ("text/plain", "application/json; charset=latin-1", "x/\x7f"):
            headers = {**_headers(api, token, template), "Content-Type": content_type}
            sender.send(method, path, f"content type {content_type!r}",
                        data=encode(make(next(serial))), headers=headers,
                        malformed="\x7f" in content_type)  # fmt: skip


def send_urls(sender: Sender, api: LiveApi) -> None:
    """Each operation: every path variable and query parameter with each URL value;
    the extreme date ranges; Authorization headers that are no token."""
    for method, template, operation in _operations(api):
        token = _token(api, template, operation, None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for name in re.findall(r"\{(\w+)\}", template):
            for what, value in URL_VALUES:
                sender.send(method, _fill(api, template, **{name: value}), f"{name}: {what}",
                            headers=headers)  # fmt: skip
        params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        base = {p: QUERIES[p] for p in params}
        for name in params:
            for what, value in URL_VALUES:
                query = "&".join(f"{k}={value if k == name else v}" for k, v in base.items())
                sender.send(method, f"{_fill(api, template)}?{query}", f"{name}: {what}",
                            headers=headers)  # fmt: skip
            twice = "&".join(f"{k}={v}" for k, v in [*base.items(), (name, base[name])])
            sender.send(method, f"{_fill(api, template)}?{twice}", f"{name} twice",
                        headers=headers)  # fmt: skip
        if "from" in params:
            for query in EXTREME_RANGES:
                sender.send(method, f"{_fill(api, template)}?{query}", query, headers=headers)
        for what, value, malformed in AUTHORIZATIONS:
            sender.send(method, _fill(api, template), f"Authorization: {what}",
                        headers={"Authorization": value}, malformed=malformed)  # fmt: skip


def send_pages(sender: Sender, api: LiveApi, site: Site) -> None:
    """The pages and files outside the API, with the URL values in their paths, and in
    their queries as whoever may open them (anonymous, the admin's token or session)."""
    anonymous, logged_in = requests.Session(), _page_session(api, site)
    sender.probe.forget()  # the login changed the state
    bearer = {"Authorization": f"Bearer {api.tokens.admin}"}
    for template, params, who in PAGES:
        plain = template.replace("{v}", "1")
        paths = [template.replace("{v}", v) for _, v in URL_VALUES] if "{v}" in template else []
        queries = [f"{plain}?{p}={v}" for p in params for _, v in PAGE_QUERY_VALUES]
        if "from" in params:
            queries += [f"{plain}?{query}" for query in EXTREME_RANGES]
        if who is None:
            asked = [("anonymous", anonymous, {}, paths + queries)]
        else:  # anonymous: refused before the query is read
            session, headers = (logged_in, {}) if who == "session" else (anonymous, bearer)
            asked = [("anonymous", anonymous, {}, paths + queries[:3]),
                     (f"admin {who}", session, headers, paths + queries)]  # fmt: skip
        for asker, session, headers, urls in asked:
            for url in urls:
                sender.send("GET", url, asker, headers=headers, session=session)


def _page_session(api: LiveApi, site: Site) -> requests.Session:
    """A browser session logged in as the admin through the login form."""
    session = requests.Session()
    form = session.get(f"{api.hub.url}/login", timeout=REQUEST_TIMEOUT_S).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if csrf is None:
        raise AssertionError("no CSRF token on the login page")
    fields = {"username": ADMIN, "password": site.passwords[ADMIN], "csrf_token": csrf.group(1)}
    answer = session.post(f"{api.hub.url}/login", data=fields, timeout=REQUEST_TIMEOUT_S,
                          allow_redirects=False, headers={"Origin": api.hub.url})  # fmt: skip
    if answer.status_code != 302:
        raise AssertionError(f"the admin's login failed: {answer.status_code}")
    return session


@pytest.fixture
def live_api(any_site: Site, start_hub: StartHub) -> LiveApi:
    """A hub on SQLite, and on PostgreSQL when it is available, with state to meet."""
    return start_live_api(any_site, start_hub)


def test_nasty_inputs_are_refused_cleanly(live_api: LiveApi) -> None:
    """GIVEN a live hub with tickets, open counters, a rating pad and a hub link
    WHEN every field of every body, every query parameter, path variable and page
    gets the hand list (deep nesting, naive and extreme times, huge numbers, NaN,
    lone surrogates, NUL and control characters, overlong strings, wrong types)
    THEN no answer is a 5xx, every API refusal is the error body, no refusal
    changes any state, and the hub logs no traceback or error.
    """
    serial = count()
    with StateProbe(live_api.site.db) as probe:
        sender = Sender(live_api, probe)
        send_bodies(sender, live_api, serial)
        send_urls(sender, live_api)
        send_pages(sender, live_api, live_api.site)
    failures = sender.failures
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])
    assert_clean_log(live_api.hub)
