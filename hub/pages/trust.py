"""``/tls``: how a centre's devices come to trust the hub's HTTPS certificate.

Public (a phone that does not trust the hub yet must be able to read it). It
shows the centre's CA (:mod:`hub.tls`: ``ca.pem`` beside ``[server] tls_cert``),
its SHA-256 fingerprint to compare with what ``motcua tls init`` printed, a
download of the certificate, and the steps for each kind of device: staff PCs
(Windows, Ubuntu), phones (Android, iPhone), the hall TVs and kiosks (Raspberry Pi
OS with Chromium, and the Pi agents' ``ca_file``). Without a CA it says how to
make one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, request

from hub import errors
from hub.context import current_hub
from hub.pages.common import page_blueprint, render_page
from hub.pages.security import requires
from hub.tls import ca_file, fingerprint

logger = logging.getLogger(__name__)

bp = page_blueprint("pages_tls", __name__)

#: Download names and types: ``.crt`` is what Windows, Android and iOS open as a
#: CA certificate; ``.pem`` is the same file for Linux and the agents.
DOWNLOADS = {"ca.crt": "application/x-x509-ca-cert", "ca.pem": "application/x-pem-file"}


@dataclass(frozen=True)
class CaInfo:
    """The centre's CA as the page shows it."""

    pem: str
    fingerprint: str
    path: Path


def centre_ca() -> CaInfo | None:
    """The CA certificate of this hub, or None when there is none (or it is unreadable)."""
    hub = current_hub()
    path = ca_file(hub.config, Path(hub.settings.data_dir))
    try:
        pem = path.read_text(encoding="ascii")
        return CaInfo(pem, fingerprint(pem), path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        logger.warning("the CA certificate %s cannot be read: %s", path, err)
        return None


@bp.get("/tls")
@requires()
def page() -> Any:
    """The steps to trust the centre's CA on every kind of device."""
    hub = current_hub()
    return render_page(
        "tls.html",
        ca=centre_ca(),
        https=hub.config.server.tls is not None,
        host=request.host,
        secure=request.is_secure,
    )


@bp.get("/tls/<any(ca.crt, ca.pem):name>")
@requires()
def download(name: str) -> Any:
    """The CA certificate (PEM), under the name and type each system expects."""
    ca = centre_ca()
    if ca is None:
        raise errors.NotFound()
    response = Response(ca.pem, mimetype=DOWNLOADS[name])
    response.headers["Content-Disposition"] = f'attachment; filename="motcua-{name}"'
    return response
