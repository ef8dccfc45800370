"""``motcua tls init``: the centre's own CA and the hub's HTTPS certificate.

A centre's LAN has no IT staff and often no internet: no public CA can issue a
certificate for ``10.0.0.2``. This command makes a small local CA (an ECDSA P-256
key and a self-signed certificate valid 20 years, named after the site) and a
server certificate signed by it for the hub's names and addresses (at most 825
days, so browsers accept it). Devices trust the CA once (the hub's ``/tls`` page
says how); the server certificate can then be renewed by running the command
again, which keeps the CA. Files and names: :mod:`hub.tls`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import ipaddress
import os
import re
import socket
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from config.loader import config_path, read_toml
from hub.cli import CliError
from hub.store.db import default_data_dir
from hub.tls import CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY, default_folder, fingerprint

__all__ = ["add_command", "default_names", "init_tls", "parse_names"]

CA_DAYS = 20 * 365
SERVER_DAYS = 825
"""Apple's and Chrome's limit for a server certificate's whole lifetime."""
BACKDATE = dt.timedelta(days=2)
"""Certificates start two days back: a Pi without a clock battery (and without
internet for NTP) may boot a little in the past."""
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_SIOCGIFADDR = 0x8915

Name = x509.DNSName | x509.IPAddress


def add_command(sub: Any) -> None:
    """Add ``motcua tls init``."""
    tls = sub.add_parser("tls", help="HTTPS for the hub: a local CA and its certificate")
    actions = tls.add_subparsers(dest="tls_command", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init",
        help="make the centre's CA (kept if it exists) and a new server certificate",
    )
    init.add_argument(
        "--names",
        metavar="NAME,IP,…",
        help="the hub's host names and addresses (default: this host's name, localhost, "
        "127.0.0.1 and its IPv4 addresses)",
    )
    init.add_argument("--out", type=Path, help="folder for the files (default: <data>/tls)")
    init.set_defaults(func=cmd_init)


def cmd_init(args: argparse.Namespace) -> int:
    site = _site_name(args)
    names = parse_names(args.names) if args.names is not None else default_names()
    out = args.out or default_folder(default_data_dir())
    made = init_tls(out, site, names)
    ca_pem = (out / CA_CERT).read_text(encoding="ascii")
    shown = ", ".join(str(n.value) for n in names)
    first = str(names[0].value)
    print(("Made a new CA" if made else "Kept the existing CA") + f" «motcua CA – {site}».")
    print(f"Server certificate for: {shown} (valid {SERVER_DAYS} days).")
    print(f"\nFiles in {out.resolve()}:")
    for name, what in (
        (CA_CERT, "the CA certificate: install it on every device"),
        (CA_KEY, "the CA key: keep it here, never copy it"),
        (SERVER_CERT, "the hub's certificate"),
        (SERVER_KEY, "the hub's key"),
    ):
        print(f"  {name:<11} {what}")
    print("\nPut in the hub's configuration file, then restart `motcua serve`:")
    print("  [server]")
    print(f'  tls_cert = "{(out / SERVER_CERT).resolve()}"')
    print(f'  tls_key = "{(out / SERVER_KEY).resolve()}"')
    print(f"\nCA fingerprint (SHA-256): {fingerprint(ca_pem)}")
    print(
        "\nTrust the CA on each PC, phone, TV and kiosk: open "
        f"http(s)://{_host(first)}:PORT/tls on it and follow the steps for its system "
        "(compare the fingerprint above). On a Pi agent, copy ca.pem and set "
        'ca_file = "/etc/motcua/ca.pem" beside hub_url = "https://…".'
    )
    return 0


def _host(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def _site_name(args: argparse.Namespace) -> str:
    """The site's name from the configuration file (read raw: its ``[server]`` may
    already name the files this command is about to write)."""
    path = config_path(getattr(args, "config", None))
    site = read_toml(path).get("site")
    name = site.get("name") if isinstance(site, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise CliError(f"{path}: [site] name is missing (the CA is named after the site)")
    return name.strip()


# ------------------------------------------------------------------ names
def parse_names(text: str) -> list[Name]:
    """``--names``: comma-separated host names and IP addresses, in order, once each.

    Raises:
        CliError: an entry is neither an IP address nor a valid DNS name.
    """
    names: list[Name] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        name = _name(item)
        if name is None:
            raise CliError(
                f"--names: {item!r} is neither an IP address nor a host name "
                "(letters, digits and hyphens, dot-separated)"
            )
        if name not in names:
            names.append(name)
    if not names:
        raise CliError("--names: give at least one host name or IP address")
    return names


def _name(item: str) -> Name | None:
    try:
        return x509.IPAddress(ipaddress.ip_address(item.strip("[]")))
    except ValueError:
        pass
    host = item.rstrip(".").lower()
    labels = host.split(".")
    if len(host) > 253 or not all(_DNS_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # 10.0.0.300 is a mistyped address, not a name
        return None
    return x509.DNSName(host)


def default_names() -> list[Name]:
    """This host's name, ``localhost``, ``127.0.0.1`` and its non-loopback IPv4 addresses."""
    items = [socket.gethostname(), "localhost", "127.0.0.1", *local_ipv4()]
    names: list[Name] = []
    for item in items:
        name = _name(item)
        if name is not None and name not in names:
            names.append(name)
    return names


def local_ipv4() -> list[str]:
    """The IPv4 addresses of this machine's interfaces, loopback left out (no traffic)."""
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, interface in socket.if_nameindex():
            request = struct.pack("256s", interface.encode()[:15])
            try:
                answer = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)
            except OSError:  # an interface without an IPv4 address
                continue
            found.append(socket.inet_ntoa(answer[20:24]))
    return [a for a in dict.fromkeys(found) if not ipaddress.ip_address(a).is_loopback]


# ------------------------------------------------------------ certificates
def init_tls(out: Path, site: str, names: Iterable[Name]) -> bool:
    """Keep (or make) the CA in ``out`` and issue a new server certificate for ``names``.

    Returns:
        True when the CA was made now, False when an existing one was kept.

    Raises:
        CliError: ``out`` cannot be written, or holds half a CA or a broken one.
    """
    names = list(names)
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        ca = _existing_ca(out)
        made = ca is None
        if ca is None:
            ca = _new_ca(site)
            _write(out / CA_KEY, _key_pem(ca[1]), private=True)
            _write(out / CA_CERT, ca[0].public_bytes(serialization.Encoding.PEM))
        cert, key = _server_certificate(ca, names)
        _write(out / SERVER_KEY, _key_pem(key), private=True)
        _write(out / SERVER_CERT, cert.public_bytes(serialization.Encoding.PEM))
    except OSError as err:
        raise CliError(f"cannot write the TLS files in {out}: {err.strerror or err}") from None
    return made


CA = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


def _existing_ca(out: Path) -> CA | None:
    cert_path, key_path = out / CA_CERT, out / CA_KEY
    if not cert_path.exists() and not key_path.exists():
        return None
    if not (cert_path.exists() and key_path.exists()):
        have, lacks = (CA_CERT, CA_KEY) if cert_path.exists() else (CA_KEY, CA_CERT)
        raise CliError(f"{out} has {have} but not {lacks}: restore it, or remove both")
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except ValueError as err:
        raise CliError(f"{out}: the CA files cannot be read ({err})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise CliError(f"{out}: {CA_KEY} is not the key of {CA_CERT}")
    return cert, key


def _new_ca(site: str) -> CA:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, _cut(f"motcua CA – {site}")),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut(site)),
        ]
    )
    start = _now() - BACKDATE
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _server_certificate(
    ca: CA, names: list[Name]
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    start = _now() - BACKDATE
    common = next((n for n in names if isinstance(n, x509.DNSName)), names[0])
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, str(common.value))]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _cut(text: str, limit: int = 64) -> str:
    """``text`` within a name attribute's limit of 64 bytes of UTF-8, whole characters."""
    return text.encode()[:limit].decode(errors="ignore").rstrip()


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` through a temporary file (a reader never sees half a file);
    keys are 0600 from their first byte."""
    temp = path.with_name(f".{path.name}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600 if private else 0o644)
        fh.write(data)
    os.replace(temp, path)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
