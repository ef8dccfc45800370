"""Failed logins are counted atomically: guesses sent in parallel lock an account and
an address exactly as many guesses sent one after the other would (SQLite and
PostgreSQL, through HTTP to a live threaded server)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import PASSWORD

GUESSES = 19
TIMEOUT_S = 30


def parallel_logins(url: str, bodies: list[dict[str, str]]) -> list[int]:
    """POST every body to ``/auth/login`` at once (one thread each), released together."""
    start = threading.Barrier(len(bodies))

    def attempt(body: dict[str, str]) -> int:
        with requests.Session() as session:
            start.wait(TIMEOUT_S)
            answer = session.post(f"{url}/api/v1/auth/login", json=body, timeout=TIMEOUT_S)
            return answer.status_code

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(attempt, bodies))


def login(url: str, username: str, password: str = PASSWORD) -> requests.Response:
    body = {"username": username, "password": password}
    return requests.post(f"{url}/api/v1/auth/login", json=body, timeout=TIMEOUT_S)


def test_parallel_wrong_passwords_lock_the_account(live, hub) -> None:
    """GIVEN an account WHEN 19 wrong passwords for it arrive at the same moment THEN
    at most ``login_max_attempts`` of them are checked (401), the others are refused
    (429), and the right password is refused next: the account is locked."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    limit = hub.config.security.login_max_attempts
    wrong = {"username": "canbo1", "password": "sai-mat-khau-roi"}

    answers = parallel_logins(live.url, [wrong] * GUESSES)

    assert answers.count(401) == limit and answers.count(429) == GUESSES - limit, answers
    right = login(live.url, "canbo1")
    assert right.status_code == 429 and right.json()["error"]["code"] == "account_locked"


def test_parallel_guesses_at_many_names_hit_the_address_limit(live, hub) -> None:
    """GIVEN one address WHEN more guesses at unknown names than its limit arrive at the
    same moment, and more guesses follow one by one THEN no more than the limit are
    checked in all (401), the rest answer 429 ``too_many_attempts``, and so does a right
    password from there afterwards."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    limit = hub.config.security.login_max_attempts * 4
    bodies = [{"username": f"ghost{i}", "password": "whatever-password"} for i in range(30)]

    answers = parallel_logins(live.url, bodies)
    answers += [login(live.url, f"late{i}", "whatever-password").status_code for i in range(limit)]

    assert answers.count(401) == limit and answers.count(429) == 30, answers
    right = login(live.url, "canbo1")
    assert right.status_code == 429 and right.json()["error"]["code"] == "too_many_attempts"
