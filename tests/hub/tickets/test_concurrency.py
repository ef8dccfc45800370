"""Numbers and calls are decided by the database, so threads cannot break them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Api


def test_eight_threads_issue_200_distinct_contiguous_numbers(app) -> None:
    """GIVEN 8 threads WHEN they issue 200 tickets of one field at once THEN the
    numbers are 1001..1200, each exactly once."""
    api = Api(app)
    kiosk = api.device("k1", "kiosk")

    def issue(_: int) -> str:
        client = app.test_client()
        r = client.post("/api/v1/tickets", json={"service": "dat-dai"}, headers=kiosk)
        assert r.status_code == 201, r.json
        return r.json["number"]

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(issue, range(200)))
    assert sorted(int(n) for n in numbers) == list(range(1001, 1201))


def test_two_counters_racing_call_next_call_each_ticket_once(app) -> None:
    api = Api(app)
    kiosk = api.device("k1", "kiosk")
    issued = {api.issue(kiosk)["number"] for _ in range(60)}
    staff = [api.user(f"canbo{i}") for i in (1, 2, 3)]
    # counters 1 and 3 serve Đất đai; counter 2 does not, so open a third on "3" by rotation
    for headers, counter in zip(staff[:2], ("1", "3"), strict=True):
        assert api.post(f"/counters/{counter}/open", headers).status_code == 200

    def work(args: tuple[dict[str, str], str]) -> list[str]:
        headers, counter = args
        client = app.test_client()
        got = []
        for _ in range(200):
            r = client.post(f"/api/v1/counters/{counter}/call-next", headers=headers)
            if r.status_code == 204:
                break
            assert r.status_code == 200, r.json
            got.append(r.json["number"])
        return got

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(work, [(staff[0], "1"), (staff[1], "3")]))
    called = [t for r in results for t in r]
    assert len(called) == len(set(called)) == len(issued)
    assert set(called) == issued
    listing = {c["id"]: c for c in api.get("/counters").json}
    assert all("current" not in c for c in listing.values())  # the last call-next completed


def test_three_counters_over_shared_fields(app, demo_config) -> None:
    """GIVEN three counters that all serve Đất đai WHEN they race THEN no double call."""
    from dataclasses import replace

    hub = app.extensions["motcua"]
    counters = tuple(replace(c, services=("dat-dai", *c.services)) if "dat-dai" not in
                     c.services else c for c in demo_config.counters)  # fmt: skip
    hub.reconfigure(replace(demo_config, counters=counters))
    api = Api(app)
    kiosk = api.device("k1", "kiosk")
    issued = {api.issue(kiosk)["number"] for _ in range(45)}
    staff = [api.user(f"canbo{i}") for i in (1, 2, 3)]
    for i, headers in enumerate(staff, 1):
        assert api.post(f"/counters/{i}/open", headers).status_code == 200

    def work(i: int) -> list[str]:
        client = app.test_client()
        got = []
        for _ in range(100):
            r = client.post(f"/api/v1/counters/{i + 1}/call-next", headers=staff[i])
            if r.status_code == 204:
                return got
            got.append(r.json["number"])
        return got

    with ThreadPoolExecutor(3) as pool:
        called = [t for r in pool.map(work, range(3)) for t in r]
    assert sorted(called) == sorted(issued)
