"""``motcua serve`` is the production server (gunicorn with a gevent worker), not
Werkzeug's development server."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.support import Site, StartHub

pytestmark = [pytest.mark.slow]


def test_serve_answers_without_the_development_servers_banner(
    sqlite_site: Site, start_hub: StartHub
) -> None:
    """GIVEN `motcua serve` WHEN a page and the API answer THEN gunicorn answers, none
    names Werkzeug, and the log has no development-server warning."""
    (hub,) = start_hub(sqlite_site, "banner")
    for path in ("/healthz", "/api/v1/services", "/login"):
        answer = requests.get(f"{hub.url}{path}", timeout=10)
        assert answer.status_code == 200, path
        server = answer.headers.get("Server", "")
        assert "werkzeug" not in server.lower(), (path, server)
        assert server == "gunicorn", (path, server)
    assert "development server" not in hub.log_text().lower()
