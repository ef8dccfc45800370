"""Schemathesis against the OpenAPI description a live ``motcua serve`` serves.

Every operation of ``/api/v1/openapi.json`` gets generated requests, valid and
invalid (schemathesis' positive and negative modes), sent over HTTP to a real
hub. Checks: no 5xx, every status code is documented, every response body
matches its documented schema.

Each request carries a token its operation allows (admin for most; the kiosk
for ``POST /tickets``; the rating pad for ``/ratings``), read from the
``Allowed:`` line the description gives each protected operation. Operations
with a counter or ticket in their path also run with a real open counter and
real tickets, so they reach their 200 and 409 answers, not only 404.
Operations that revoke credentials (logout, disabling users, changing
passwords, re-keying or revoking devices) run in a test of their own, so they
cannot starve the others of valid tokens.

schemathesis' pytest integration (``schemathesis.pytest.from_fixture``) fails on
pytest 9 (it writes ``Node._nodeid``), so each operation is driven through its
documented Hypothesis strategy (``APIOperation.as_strategy``) instead.

A hub bug that cannot be fixed at once: leave its operation out of the sweep
and give it a test of its own marked ``xfail(strict=True)``, so the fix shows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.support import (
    ADMIN,
    STAFF,
    ApiClient,
    HubProcess,
    Site,
    StartHub,
    login_token,
    ticket_key,
)

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Examples per operation and mode; raise it for a deeper run (e.g. nightly).
MAX_EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "10"))
# Expensive answers get fewer examples: each login verifies an Argon2 hash, each
# batch may carry 500 ratings.
FEWER_EXAMPLES = {"POST /api/v1/auth/login": 4, "POST /api/v1/ratings/batch": 4}
# Operations after which some token stops working (see the module docstring).
REVOKING = re.compile(r"/auth/logout$|/admin/users/\{[^}]+\}/|/admin/devices/\{[^}]+\}/")


def fuzz_settings(label: str) -> settings:
    """Hypothesis settings for one operation.

    No shrinking: it keeps the time bounded, and each failure report already
    holds the exact request and a curl line to replay it.
    """
    return settings(
        max_examples=min(FEWER_EXAMPLES.get(label, MAX_EXAMPLES), MAX_EXAMPLES),
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@dataclass(frozen=True)
class Tokens:
    """Bearer tokens, and which one each operation's ``Allowed:`` list accepts."""

    admin: str
    kiosk: str
    pad: str
    staff: str

    def for_operation(self, operation: Any) -> str:
        if operation.path.endswith("/auth/logout"):
            return self.staff  # never log the admin out
        description = str(operation.definition.raw.get("description", ""))
        if not description.startswith("Allowed:"):
            return self.admin
        allowed = description.removeprefix("Allowed:").replace(" ", "").split(",")
        if "admin" in allowed:
            return self.admin
        if "device:kiosk" in allowed:
            return self.kiosk
        if "device:rating-pad" in allowed:
            return self.pad
        return self.staff


@dataclass(frozen=True)
class LiveApi:
    """A live hub, its served schema, tokens, and real ids to put in paths."""

    hub: HubProcess
    schema: Any
    tokens: Tokens
    path_values: dict[str, list[str]]

    def operations(self) -> list[Any]:
        return [result.ok() for result in self.schema.get_all_operations()]


@pytest.fixture
def live_api(sqlite_site: Site, start_hub: StartHub) -> LiveApi:
    """A hub with state for the generated requests to meet.

    Waiting tickets; a ticket served and completed at counter 1 (so its rating
    pad has a ticket to rate); a ticket being served at counter 3, opened by
    the admin; a kiosk that has sent a heartbeat.
    """
    site = sqlite_site
    (hub,) = start_hub(site, "fuzz")
    tokens = Tokens(
        admin=login_token(hub.url, ADMIN, site.passwords[ADMIN]),
        kiosk=site.kiosk_token,
        pad=site.pad_token,
        staff=login_token(hub.url, STAFF[2], site.passwords[STAFF[2]]),
    )
    with ApiClient(hub.url, site.kiosk_token) as kiosk:
        issued = [kiosk.issue(service) for service in [*site.config.services] * 2]
        ids = {ticket_key(t): t["id"] for t in issued}
        kiosk.expect("POST", "/devices/heartbeat", 204, json=HEARTBEAT)
    with ApiClient(hub.url, login_token(hub.url, STAFF[0], site.passwords[STAFF[0]])) as staff:
        staff.open_counter("1")
        done = ids[ticket_key(_called(staff.call_next("1")))]
        staff.expect("POST", "/counters/1/complete", 200)
    with ApiClient(hub.url, tokens.admin) as admin:
        admin.open_counter("3")
        called = ids[ticket_key(_called(admin.call_next("3")))]
        users = admin.expect("GET", "/admin/users", 200).json()
        devices = admin.expect("GET", "/admin/devices", 200).json()
    path_values = {
        "counter_id": ["3"],
        "ticket_id": [issued[-1]["id"], called, done],
        # staff1 and the kiosk: never the admin whose token the others use.
        "user_id": [str(u["id"]) for u in _rows(users) if u["username"] == STAFF[0]],
        "device_id": [str(d["id"]) for d in _rows(devices) if d["kind"] == "kiosk"],
    }
    schema = schemathesis.openapi.from_url(f"{hub.url}/api/v1/openapi.json", timeout=10)
    schema.config.update(base_url=hub.url, request_timeout=30)
    return LiveApi(hub, schema, tokens, path_values)


HEARTBEAT = {"version": "e2e", "status": {"printer": "ok"}}


def _called(ticket: dict[str, Any] | None) -> dict[str, Any]:
    if ticket is None:
        raise AssertionError("call-next found nobody waiting while setting up")
    return ticket


def _rows(answer: Any) -> list[dict[str, Any]]:
    """List answers come bare or as ``{"rows"|"users"|"devices": [...]}``."""
    if isinstance(answer, list):
        return answer
    for key in ("rows", "users", "devices", "items"):
        if isinstance(answer, dict) and isinstance(answer.get(key), list):
            return list(answer[key])
    raise AssertionError(f"unexpected list answer: {answer!r}"[:500])


def fuzz(api: LiveApi, operation: Any) -> list[str]:
    """Run positive and negative cases, plus cases on real ids; returns failure reports."""
    token = api.tokens.for_operation(operation)
    runs: list[tuple[GenerationMode, dict[str, str] | None]] = [
        (GenerationMode.POSITIVE, None),
        (GenerationMode.NEGATIVE, None),
    ]
    for name in re.findall(r"\{(\w+)\}", operation.path):
        runs += [(GenerationMode.POSITIVE, {name: v}) for v in api.path_values.get(name, [])[:3]]
    failures = []
    for mode, fixed in runs:

        @fuzz_settings(operation.label)
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
        def send(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            send()
        except Unsatisfiable:
            continue  # e.g. no invalid request exists for a GET without parameters
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect, report all
            where = f" with {fixed}" if fixed else ""
            failures.append(f"{operation.label} [{mode.value}{where}]:\n{_describe(exc)}")
    return failures


def _describe(exc: BaseException) -> str:
    """The failure and, for a group (Hypothesis' "unreliable results"), each inner one."""
    inner = getattr(exc, "exceptions", ())
    return "\n".join([str(exc), *(f"  - {type(e).__name__}: {e}" for e in inner)])


def sweep(api: LiveApi, wanted: Callable[[Any], bool]) -> None:
    """Fuzz every operation ``wanted`` selects; fail with every failure report at once."""
    operations = [op for op in api.operations() if wanted(op)]
    if not operations:
        raise AssertionError("no operation selected: has the OpenAPI description changed?")
    failures = [text for op in operations for text in fuzz(api, op)]
    assert not failures, "\n\n".join(failures)


def test_api_matches_its_openapi(live_api: LiveApi) -> None:
    """GIVEN a live hub with waiting tickets and an open counter
    WHEN schemathesis sends generated valid and invalid requests to every operation
    THEN no answer is a 5xx, every status is documented and every body matches its schema.
    """
    sweep(live_api, lambda op: not REVOKING.search(op.path))


def test_revoking_operations_match_their_openapi(live_api: LiveApi) -> None:
    """GIVEN a live hub of its own
    WHEN schemathesis fuzzes the operations that revoke tokens or disable accounts
    THEN no answer is a 5xx, every status is documented and every body matches its schema.
    """
    sweep(live_api, lambda op: bool(REVOKING.search(op.path)))
