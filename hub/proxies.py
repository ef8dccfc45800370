"""Client addresses behind reverse proxies (``[server] trusted_proxies``).

Behind nginx every request reaches the hub from the proxy's address, so the login
limits (and every audit row) would see one client. Werkzeug's ``ProxyFix`` takes
the client from ``X-Forwarded-For``, but trusts a fixed number of proxies whoever
connected: a client reaching the hub directly could then name any address. Here the
number is decided per request from the addresses: a request from a trusted proxy
has the entries added by trusted proxies skipped from the right, and the first one
beyond them is the client (what a client wrote in the header itself lies further
left and is never used); a request from anyone else keeps its own address and
scheme, whatever headers it carries. ``ProxyFix`` then rewrites the request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from ipaddress import IPv4Network, IPv6Network
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Networks = Sequence[IPv4Network | IPv6Network]


def _trusted(address: str | None, networks: Networks) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def proxy_hops(peer: str | None, forwarded: str, networks: Networks) -> int:
    """How many ``X-Forwarded-For`` entries, from the right, were added by trusted
    proxies for this request (0: the headers are not to be used)."""
    if not networks or not _trusted(peer, networks):
        return 0
    entries = [e for e in (part.strip() for part in forwarded.split(",")) if e]
    hops = 1
    while hops < len(entries) and _trusted(entries[-hops], networks):
        hops += 1
    return hops


class TrustedProxies:
    """WSGI middleware: ``X-Forwarded-For`` and ``X-Forwarded-Proto`` applied for
    requests from trusted proxies only.

    Args:
        app: the application behind it.
        networks: the trusted proxies now (read per request: a reloaded
            configuration applies at once).
    """

    def __init__(self, app: WSGIApplication, networks: Callable[[], Networks]) -> None:
        self.app = app
        self.networks = networks
        self._fixes: dict[int, ProxyFix] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        hops = proxy_hops(
            environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR", ""), self.networks()
        )
        if hops == 0:
            return self.app(environ, start_response)
        fix = self._fixes.get(hops)
        if fix is None:
            fix = self._fixes.setdefault(hops, ProxyFix(self.app, x_for=hops, x_proto=1))
        return fix(environ, start_response)


def with_trusted_proxies(app: Any, networks: Callable[[], Networks]) -> None:
    """Put :class:`TrustedProxies` in front of a Flask app's WSGI stack (outermost, so
    Socket.IO's requests get the client's address too)."""
    app.wsgi_app = TrustedProxies(app.wsgi_app, networks)
