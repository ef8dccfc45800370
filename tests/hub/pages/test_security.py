"""Login, session cookie, CSRF, lockout, headers and request bounds of the pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from hub.store.db import read
from hub.store.tables import audit_log
from tests.conftest import PASSWORD
from tests.hub.pages.conftest import CSRF_FIELD, Browser


def audit_rows(hub, action: str) -> list:
    with read(hub.engine) as conn:
        return list(conn.execute(select(audit_log).where(audit_log.c.action == action)))


def test_login_puts_the_users_token_in_a_hardened_session(app, hub) -> None:
    """GIVEN a staff account WHEN it logs in through the page THEN the session cookie is
    HttpOnly and SameSite=Lax (not Secure over plain http), ``session["token"]`` resolves
    to the user, the login is audited with the address, and staff land on the console."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    b = Browser(app)

    answer = b.login("canbo1")

    assert answer.status_code == 302 and answer.headers["Location"] == "/counter"
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if "motcua_session=" in h)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    with b.client.session_transaction() as session:
        actor = hub.tokens.resolve(session["token"])
    assert actor is not None and actor.name == "canbo1" and actor.role == "staff"
    (row,) = audit_rows(hub, "login")
    assert row.actor == "user:canbo1" and row.address == "127.0.0.1"
    assert row.after == {"role": "staff", "via": "page"}


def test_cookies_are_secure_over_https(app, hub) -> None:
    """GIVEN a request that came over HTTPS WHEN the login page sets the session and the
    language cookie THEN both are Secure, and HSTS is sent."""
    client = app.test_client()

    answer = client.get("/login?lang=en", base_url="https://hub.example")

    cookies = answer.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_form_without_the_csrf_token_is_refused(app, hub) -> None:
    """GIVEN the login page WHEN the form is posted without its token, with a wrong one,
    or from another origin THEN 400 csrf_failed, and nobody is logged in."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    client = app.test_client()
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
    form = {"username": "canbo1", "password": PASSWORD}

    missing = client.post("/login", data=form)
    wrong = client.post("/login", data={**form, "csrf_token": token[:-2] + "xx"})
    foreign = client.post(
        "/login", data={**form, "csrf_token": token}, headers={"Origin": "http://evil.example"}
    )
    same_site = client.post(
        "/login", data={**form, "csrf_token": token}, headers={"Origin": "http://localhost"}
    )

    for answer in (missing, wrong, foreign):
        assert answer.status_code == 400
        assert "Biểu mẫu đã hết hạn" in answer.get_data(as_text=True)
    assert same_site.status_code == 302
    assert len(audit_rows(hub, "login")) == 1


VALUES = {"action": "call-next", "change": "enable"}


def test_every_state_changing_page_route_needs_the_csrf_token(app, browser) -> None:
    """GIVEN a logged-in admin WHEN any non-API route that changes state is posted
    without the session's token THEN it answers 400 and changes nothing."""
    admin = browser("quantri", "admin")
    checked = 0
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        if rule.rule.startswith("/api/") or not methods:
            continue
        path = re.sub(r"<(?:[^>:]+:)?(\w+)>", lambda m: VALUES.get(m.group(1), "1"), rule.rule)
        assert app.url_map.bind("localhost").test(path, method=next(iter(methods))), path
        for method in methods:
            answer = admin.client.open(path, method=method, data={"password": "x"})
            assert answer.status_code == 400, f"{method} {rule.rule} → {answer.status_code}"
            checked += 1
    assert checked >= 13
    assert len(audit_rows(app.extensions["motcua"], "counter_open")) == 0


def test_page_login_lockout_and_recovery(app, hub, clock) -> None:
    """GIVEN five wrong passwords on the page WHEN the right one follows THEN the page
    says the account is locked (429), every failure is audited with its reason, and
    after the lockout period the right password works again."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    b = Browser(app)

    wrong = [b.login("canbo1", "sai-mat-khau-roi") for _ in range(5)]
    locked = b.login("canbo1")

    assert all(a.status_code == 401 for a in wrong)
    assert "Sai tên đăng nhập hoặc mật khẩu" in wrong[0].get_data(as_text=True)
    assert locked.status_code == 429
    assert "Tài khoản tạm khóa" in locked.get_data(as_text=True)
    reasons = [r.after["reason"] for r in audit_rows(hub, "login_failed")]
    assert reasons == ["bad_credentials"] * 5 + ["account_locked"]
    clock.advance(hub.config.security.lockout_s + 1)
    assert b.login("canbo1").status_code == 302


def test_too_many_failures_from_one_address_are_rate_limited(app, hub) -> None:
    """GIVEN twenty failed logins for unknown names from one address WHEN anyone logs in
    from there THEN 429, even with a right password."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    b = Browser(app)
    for i in range(hub.config.security.login_max_attempts * 4):
        b.login(f"ghost{i}", "whatever-password")

    assert b.login("canbo1").status_code == 429


def test_guessing_on_the_lan_does_not_lock_the_floor_out(app, hub, clock) -> None:
    """GIVEN two officers who logged in on their counter PCs yesterday, and someone on
    the same NAT address who then fails twenty logins on unknown names and five on each
    officer's name (the address and both accounts locked for strangers)
    WHEN the officers log in from their own PCs with their passwords
    THEN both get in; the guesser, even with a right password, does not."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    hub.users.add_user("canbo2", PASSWORD, "staff")
    pc1, pc2 = Browser(app), Browser(app)
    assert pc1.login("canbo1").status_code == 302
    assert pc2.login("canbo2").status_code == 302
    pc1.post("/logout")
    pc2.post("/logout")
    clock.advance(86_400)
    guesser = Browser(app)
    for i in range(hub.config.security.login_max_attempts * 4):
        guesser.login(f"ghost{i}", "whatever-password")
    for name in ("canbo1", "canbo2"):
        for _ in range(hub.config.security.login_max_attempts):
            guesser.login(name, "sai-mat-khau-roi")
    assert guesser.login("canbo1").status_code == 429

    assert pc1.login("canbo1").status_code == 302
    assert pc2.login("canbo2").status_code == 302


def test_a_known_browser_that_guesses_locks_itself_only(app, hub) -> None:
    """GIVEN an officer's PC that knows them WHEN five wrong passwords are typed there
    THEN that PC is locked for the lockout period (429), and the officer still gets in
    from another PC they used before."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    pc, desk = Browser(app), Browser(app)
    for browser in (pc, desk):
        assert browser.login("canbo1").status_code == 302
        browser.post("/logout")
    for _ in range(hub.config.security.login_max_attempts):
        assert pc.login("canbo1", "sai-mat-khau-roi").status_code == 401
    assert pc.login("canbo1").status_code == 429
    assert desk.login("canbo1").status_code == 302


def test_a_forged_known_browser_cookie_is_a_stranger(app, hub) -> None:
    """GIVEN a browser sending a known-browser cookie it made up WHEN it guesses THEN it
    is counted as any stranger (the account locks for strangers)."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    b = Browser(app)
    b.client.set_cookie("motcua_known", "eyJjYW5ibzEiOiJ4In0.forged.signature")
    for _ in range(hub.config.security.login_max_attempts):
        b.login("canbo1", "sai-mat-khau-roi")
    assert b.login("canbo1").status_code == 429


def test_logout_revokes_the_token(app, hub, browser, api) -> None:
    """GIVEN a logged-in officer WHEN they log out THEN the session's token no longer
    works anywhere (page or API) and the logout is audited."""
    b = browser("canbo1")
    with b.client.session_transaction() as session:
        token = session["token"]

    answer = b.post("/logout")

    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert hub.tokens.resolve(token) is None
    assert api.post("/counters/1/open", {"Authorization": f"Bearer {token}"}).status_code == 401
    assert b.get("/counter").status_code == 302
    assert audit_rows(hub, "logout")[0].actor == "user:canbo1"


def test_disabling_a_user_or_resetting_a_password_ends_their_session(app, hub, browser) -> None:
    """GIVEN two logged-in officers WHEN the admin disables one and resets the other's
    password THEN both are sent back to the login page on their next request."""
    one, two = browser("canbo1"), browser("canbo2")
    assert one.get("/counter").status_code == 200
    ids = {u["username"]: u["id"] for u in hub.users.list_users()}

    hub.users.set_active(ids["canbo1"], False)
    hub.users.reset_password(ids["canbo2"], "mot-mat-khau-moi-2026")

    for b in (one, two):
        answer = b.get("/counter")
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_security_headers_everywhere(app, browser) -> None:
    """GIVEN pages, the API and static files WHEN fetched THEN each carries a CSP that
    allows no inline script, nosniff, frame denial and a strict referrer policy; pages
    with a user's data are not cached."""
    admin = browser("quantri", "admin")
    for path in ("/login", "/counter", "/admin", "/api/v1/services", "/static/css/app.css"):
        answer = admin.get(path)
        answer.close()  # static files are streamed
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Referrer-Policy"] == "same-origin"
    assert admin.get("/admin").headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script_or_style(app, browser, kiosk, api) -> None:
    """GIVEN every page of the console and admin WHEN rendered THEN no <script> has
    inline code, no element has an on* handler or a style attribute (the CSP would
    block them and the page would break)."""
    api.issue(kiosk)
    staff = browser("canbo1")
    staff.post("/counter/1/open")
    admin = browser("quantri", "admin")
    pages = [(Browser(app), "/login"), (staff, "/counter/1")]
    pages += [
        (admin, p)
        for p in (
            "/counter",
            "/admin",
            "/admin/users",
            "/admin/devices",
            "/admin/config",
            "/admin/audit",
        )
    ]
    for who, path in pages:
        html = who.get(path).get_data(as_text=True)
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, path
        assert re.search(r"\son[a-z]+=", html) is None, path
        assert re.search(r"\sstyle=", html) is None, path


def test_next_never_leaves_the_site(app, hub) -> None:
    """GIVEN login links with a next= pointing elsewhere WHEN the user logs in THEN they
    land on their own start page, never on another site."""
    hub.users.add_user("canbo1", PASSWORD, "staff")
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:x"):
        b = Browser(app)
        answer = b.login("canbo1", next=target)
        assert answer.headers["Location"] == "/counter", target
    b = Browser(app)
    assert b.login("canbo1", next="/counter?x=1").headers["Location"] == "/counter?x=1"


def test_a_body_over_the_limit_gets_a_page_not_a_crash(app, hub) -> None:
    """GIVEN the body limit WHEN a form bigger than it is posted to the login page THEN
    413 with a page in Vietnamese."""
    client = app.test_client()
    client.get("/login")
    big = "x" * (hub.config.security.max_body_bytes + 10)

    answer = client.post("/login", data={"username": big})

    assert answer.status_code == 413
    assert "Nội dung gửi lên quá lớn" in answer.get_data(as_text=True)


def test_english_on_request_and_remembered(app) -> None:
    """GIVEN the login page WHEN asked with ?lang=en THEN it is in English and the choice
    is kept in a cookie for the next page; without it, Vietnamese."""
    client = app.test_client()
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)

    english = client.get("/login?lang=en")
    later = client.get("/login")

    assert 'lang="en"' in english.get_data(as_text=True)
    assert "Log in" in later.get_data(as_text=True) and "Đăng nhập" not in later.get_data(
        as_text=True
    )
    assert "Đăng nhập" in client.get("/login?lang=vi").get_data(as_text=True)


def test_first_run_login_page_says_how_to_create_an_admin(app) -> None:
    """GIVEN no account at all (no default credentials) WHEN the login page opens THEN it
    shows the command that creates the first administrator."""
    html = app.test_client().get("/login").get_data(as_text=True)

    assert "motcua user add NAME --role admin --password-stdin" in html
