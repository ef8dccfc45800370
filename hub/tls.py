"""The centre's own certificate authority on disk, as ``motcua tls init`` writes it.

A centre's LAN has no public name, so no public CA can vouch for the hub. ``motcua
tls init`` (:mod:`hub.cli.tls`) makes a small local CA and a server certificate
signed by it, in one folder (``<data folder>/tls`` by default)::

    ca.pem       the CA's certificate: what every device trusts (public)
    ca.key       the CA's key (0600; keep it on the hub, never copy it)
    server.pem   the hub's certificate, for [server] tls_cert
    server.key   its key (0600), for [server] tls_key

The hub finds the CA it offers on its trust page (``/tls``) **beside the configured
``tls_cert``, by the name** ``ca.pem``; without TLS configured, in the default
folder. Only the standard library is used here: the hub's workers never load
``cryptography``.
"""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

from config.schema import Config

__all__ = [
    "CA_CERT",
    "CA_KEY",
    "SERVER_CERT",
    "SERVER_KEY",
    "TLS_FOLDER",
    "ca_file",
    "default_folder",
    "fingerprint",
]

TLS_FOLDER = "tls"
CA_CERT = "ca.pem"
CA_KEY = "ca.key"
SERVER_CERT = "server.pem"
SERVER_KEY = "server.key"


def default_folder(data_dir: Path) -> Path:
    """Where ``motcua tls init`` writes without ``--out``: ``<data folder>/tls``."""
    return data_dir / TLS_FOLDER


def ca_file(config: Config, data_dir: Path) -> Path:
    """The CA certificate devices should trust: ``ca.pem`` beside ``[server] tls_cert``,
    else in the default folder (it may not exist)."""
    if config.server.tls_cert:
        return Path(config.server.tls_cert).with_name(CA_CERT)
    return default_folder(data_dir) / CA_CERT


def fingerprint(pem: str) -> str:
    """The SHA-256 fingerprint of a PEM certificate, as browsers show it
    (``AB:CD:…``, 32 pairs).

    Raises:
        ValueError: ``pem`` holds no certificate.
    """
    der = ssl.PEM_cert_to_DER_cert(pem.strip() + "\n")
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
