"""``motcua tls init``: the centre's CA and the hub's certificate."""

from __future__ import annotations

import argparse
import ipaddress
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from config.paths import EXAMPLES
from hub.cli import CliError
from hub.cli.tls import SERVER_DAYS, cmd_init, default_names, parse_names
from hub.tls import CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY, fingerprint

DEMO = str(EXAMPLES / "demo.toml")


def init(out: Path, names: str | None = None) -> None:
    cmd_init(argparse.Namespace(config=DEMO, names=names, out=out))


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def sans(certificate: x509.Certificate) -> tuple[list[str], list[str]]:
    ext = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = ext.get_values_for_type(x509.DNSName)
    ips = [str(ip) for ip in ext.get_values_for_type(x509.IPAddress)]
    return dns, ips


def test_init_makes_a_ca_and_a_server_certificate_signed_by_it(tmp_path, capsys) -> None:
    """GIVEN an empty folder WHEN `tls init --names` runs THEN it holds the CA (named after
    the site, a CA) and a server certificate for exactly those names, signed by the CA,
    valid at most 825 days, for server authentication; keys are 0600."""
    out = tmp_path / "tls"
    init(out, "hub.local, 10.0.0.2,localhost,::1")

    ca, server = cert(out / CA_CERT), cert(out / SERVER_CERT)
    ca_name = ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert ca_name.startswith("motcua CA – Trung tâm")
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert server.issuer == ca.subject
    server.verify_directly_issued_by(ca)
    assert sans(server) == (["hub.local", "localhost"], ["10.0.0.2", "::1"])
    usage = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usage
    lifetime = server.not_valid_after_utc - server.not_valid_before_utc
    assert lifetime.days <= SERVER_DAYS
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).days > 10 * 365
    for key in (CA_KEY, SERVER_KEY):
        assert stat.S_IMODE(os.stat(out / key).st_mode) == 0o600
    key = serialization.load_pem_private_key((out / SERVER_KEY).read_bytes(), None)
    assert key.public_key() == server.public_key()


def test_init_prints_the_files_the_server_lines_and_the_fingerprint(tmp_path, capsys) -> None:
    out = tmp_path / "tls"
    init(out, "hub.local")
    text = capsys.readouterr().out

    assert fingerprint((out / CA_CERT).read_text()) in text
    assert f'tls_cert = "{(out / SERVER_CERT).resolve()}"' in text
    assert f'tls_key = "{(out / SERVER_KEY).resolve()}"' in text
    assert "[server]" in text and "/tls" in text and "Made a new CA" in text


def test_rerun_keeps_the_ca_and_issues_a_new_server_certificate(tmp_path, capsys) -> None:
    """GIVEN a folder with a CA WHEN init runs again THEN the CA (and so every device's
    trust) is kept, and the new server certificate, for the new names, is signed by it."""
    out = tmp_path / "tls"
    init(out, "old.local")
    ca_before = (out / CA_CERT).read_bytes(), (out / CA_KEY).read_bytes()
    server_before = cert(out / SERVER_CERT)
    capsys.readouterr()

    init(out, "new.local,10.1.1.1")

    assert ((out / CA_CERT).read_bytes(), (out / CA_KEY).read_bytes()) == ca_before
    server = cert(out / SERVER_CERT)
    assert server.serial_number != server_before.serial_number
    assert sans(server) == (["new.local"], ["10.1.1.1"])
    server.verify_directly_issued_by(cert(out / CA_CERT))
    assert "Kept the existing CA" in capsys.readouterr().out


def test_default_names_are_the_host_localhost_and_its_addresses() -> None:
    names = [str(n.value) for n in default_names()]
    assert "localhost" in names and "127.0.0.1" in names
    addresses = [ipaddress.ip_address(n) for n in names if n[0].isdigit()]
    assert all(not a.is_loopback for a in addresses if str(a) != "127.0.0.1")


@pytest.mark.parametrize("text", ["hub..local", "10.0.0.300", "-bad.local", "a b", " , "])
def test_bad_names_are_refused(text) -> None:
    with pytest.raises(CliError, match="--names"):
        parse_names(text)


def test_half_a_ca_is_refused(tmp_path) -> None:
    out = tmp_path / "tls"
    init(out, "hub.local")
    (out / CA_KEY).unlink()
    with pytest.raises(CliError, match="ca.pem but not ca.key"):
        init(out, "hub.local")


def test_bad_names_exit_2_with_one_line(tmp_path) -> None:
    """GIVEN the real command line WHEN --names holds a mistyped address THEN one line on
    stderr and exit status 2; nothing is written."""
    env = {**os.environ, "MOTCUA_DATA": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "hub.cli", "--config", DEMO, "tls", "init", "--names",
         "hub.local,10.0.0.300"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "10.0.0.300" in done.stderr
    assert not (tmp_path / "tls").exists()
