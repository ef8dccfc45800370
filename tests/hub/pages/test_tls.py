"""HTTPS on the pages: the trust page and its CA download, Secure cookies and HSTS.

The page is public (a phone that does not trust the hub yet must read it); the CA
is ``ca.pem`` beside ``[server] tls_cert``, as ``motcua tls init`` writes it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from config.hub import Server
from hub.cli.tls import init_tls, parse_names
from hub.tls import CA_CERT, SERVER_CERT, SERVER_KEY, fingerprint
from tests.conftest import build_app
from tests.hub.pages.conftest import Browser


@pytest.fixture
def tls_folder(tmp_path: Path) -> Path:
    out = tmp_path / "tls"
    init_tls(out, "Trung tâm thử", parse_names("hub.local,127.0.0.1"))
    return out


@pytest.fixture
def tls_app(demo_config, database, tmp_path: Path, clock, tls_folder: Path):
    """The hub with ``[server] tls_cert``/``tls_key`` from ``motcua tls init``."""
    server = Server(tls_cert=str(tls_folder / SERVER_CERT), tls_key=str(tls_folder / SERVER_KEY))
    config = dataclasses.replace(demo_config, server=server)
    application = build_app(config, database, tmp_path / "data", clock)
    yield application
    application.extensions["motcua"].engine.dispose()


def test_the_trust_page_offers_the_ca_and_its_fingerprint(tls_app, tls_folder) -> None:
    """GIVEN a hub with TLS WHEN a visitor (not logged in) opens /tls THEN it shows the CA's
    fingerprint and a download, and the steps for each kind of device, in Vietnamese."""
    client = tls_app.test_client()
    page = client.get("/tls", base_url="https://hub.local")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert fingerprint((tls_folder / CA_CERT).read_text()) in html
    assert "/tls/ca.crt" in html and "Tin cậy chứng chỉ của máy chủ" in html
    for system in ("Windows", "Ubuntu", "Android", "iPhone", "Raspberry Pi OS"):
        assert system in html
    assert 'hub_url = "https://hub.local"' in html and "ca_file" in html
    english = client.get("/tls?lang=en", base_url="https://hub.local").get_data(as_text=True)
    assert "Staff PCs: Windows" in english and "Máy tính cán bộ" not in english


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [("ca.crt", "application/x-x509-ca-cert"), ("ca.pem", "application/x-pem-file")],
)
def test_the_ca_downloads_as_pem(tls_app, tls_folder, name, mimetype) -> None:
    answer = tls_app.test_client().get(f"/tls/{name}", base_url="https://hub.local")
    assert answer.status_code == 200 and answer.mimetype == mimetype
    assert answer.get_data() == (tls_folder / CA_CERT).read_bytes()
    assert f"motcua-{name}" in answer.headers["Content-Disposition"]


def test_without_a_ca_the_page_says_how_to_make_one(app) -> None:
    """GIVEN a hub without TLS and no CA in its data folder WHEN /tls is opened THEN it
    says to run `motcua tls init`, and the download is 404."""
    client = app.test_client()
    html = client.get("/tls").get_data(as_text=True)
    assert "motcua tls init" in html and 'href="/tls/ca.crt"' not in html
    assert client.get("/tls/ca.pem").status_code == 404
    assert client.get("/tls/ca.key").status_code == 404


def test_the_trust_page_and_download_are_public(tls_app) -> None:
    for endpoint in ("pages_tls.page", "pages_tls.download"):
        assert tls_app.view_functions[endpoint].page_roles == ()


def test_with_tls_session_cookies_are_secure_and_https_answers_have_hsts(tls_app) -> None:
    """GIVEN [server] with TLS (and no [security] secure_cookies) WHEN the login page
    starts a session THEN its cookie is Secure and HttpOnly, and the answer has HSTS."""
    assert tls_app.config["SESSION_COOKIE_SECURE"] is True
    page = Browser(tls_app).client.get("/login", base_url="https://hub.local")
    cookie = page.headers.get("Set-Cookie", "")
    assert "motcua_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")


def test_secure_cookies_follow_tls_even_over_plain_requests(tls_app) -> None:
    """The cookie's Secure flag comes from the configuration, not from how one request
    arrived (a proxy in front may speak plain HTTP to the hub)."""
    page = tls_app.test_client().get("/login")
    assert "Secure" in page.headers.get("Set-Cookie", "")


def test_without_tls_cookies_are_not_secure_and_no_hsts(app) -> None:
    assert app.config["SESSION_COOKIE_SECURE"] is False
    page = app.test_client().get("/login")
    assert "Secure" not in page.headers.get("Set-Cookie", "")
    assert "Strict-Transport-Security" not in page.headers
