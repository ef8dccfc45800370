"""How an agent checks the hub's HTTPS certificate.

With ``hub_url = "https://…"`` every connection to the hub, HTTP (:mod:`kiosk.kit.hub_client`)
and Socket.IO alike, verifies the hub's certificate and its name: against the
section's ``ca_file`` (the centre's CA from ``motcua tls init``) when it is given,
else against the system's store. Nothing is ever accepted unverified; a failure is
one line in the log that says why (:func:`certificate_error`).
"""

from __future__ import annotations

import logging
import ssl
from typing import Any
from urllib.parse import urlsplit

__all__ = ["certificate_error", "client_context", "is_https", "socketio_options"]

logger = logging.getLogger(__name__)


def is_https(url: str) -> bool:
    """True for an ``https://`` hub."""
    return urlsplit(url).scheme == "https"


def client_context(ca_file: str | None) -> ssl.SSLContext:
    """A client TLS context that verifies the hub's certificate and host name against
    ``ca_file``, or the system's store when None.

    Raises:
        ValueError: ``ca_file`` cannot be read or holds no certificate (one line).
    """
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as err:
        reason = getattr(err, "strerror", None) or getattr(err, "reason", None) or err
        raise ValueError(f"ca_file {ca_file}: not a usable CA certificate ({reason})") from None


def socketio_options(url: str, context: ssl.SSLContext | None) -> dict[str, Any]:
    """Keyword arguments of a python-socketio ``Client`` for the hub at ``url``: its
    WebSocket verifies the hub with ``context`` (the same as the HTTP client's)."""
    if context is None or not is_https(url):
        return {}
    return {"websocket_extra_options": {"sslopt": {"context": context}}}


def certificate_error(err: BaseException, ca_file: str | None) -> str | None:
    """One line for the log when ``err`` (or what caused it) is a failed certificate
    check, else None."""
    seen: BaseException | None = err
    while seen is not None and not isinstance(seen, ssl.SSLCertVerificationError):
        seen = seen.__cause__ or seen.__context__
    if seen is None:
        return None
    against = f"the CA in {ca_file}" if ca_file else "the system's CA store (no ca_file)"
    reason = seen.verify_message or seen.reason or str(seen)
    return f"the hub's certificate does not verify against {against}: {reason}"
