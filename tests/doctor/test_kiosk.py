"""``motcua doctor`` on a ticket kiosk's file: a live hub, printers on a pty and in a
file, gpiozero's mock pins (its default factory here), keypads read by evdev's reader."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from gpiozero import Button

from kiosk.kit.doctor import hub_checks
from tests.doctor.support import (
    PAPER_OK,
    PAPER_OUT,
    PtyDevice,
    closed_port,
    doctor,
    failures,
    line,
    self_signed,
    serve,
    silent_server,
)

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def token(hub) -> str:
    return hub.devices.add_device("kiosk-sanh", "kiosk", None)


@pytest.fixture
def spool(tmp_path: Path) -> str:
    """A file printer (a spool file: always ready), as ``[kiosk] printer``."""
    path = tmp_path / "printer.bin"
    path.touch()
    return f'{{ kind = "file", path = "{path}" }}'


def kiosk_file(tmp_path: Path, hub_url: str, token: str, printer: str, extra: str = "") -> Path:
    """A Pi's file holding ``[kiosk]`` alone, with two buttons, LEDs and a keypad."""
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nhub_url = "{hub_url}"\ntoken = "{token}"\nlisten = ""\nhub_timeout_s = 1\n'
        f"printer = {printer}\nerror_led = 5\n{extra}"
        '[[kiosk.buttons]]\npin = 17\nservice = "dat-dai"\nled = 27\n'
        '[[kiosk.buttons]]\npin = 22\nservice = "dat-dai"\npriority = "elderly"\n'
        '[kiosk.keypad]\nname = "Doctor Keypad"\nkeymap = { KEY_KP1 = "dat-dai" }\n',
        "utf-8",
    )
    return path


def test_a_healthy_kiosk_is_all_ticks(capsys, live, token, tmp_path, spool, keypad) -> None:
    """GIVEN a kiosk whose hub answers, token is accepted, file printer is there, pins are
    free and keypad is plugged in WHEN the doctor runs THEN every line is ✓ (hints aside),
    one per check, and it exits 0."""
    path = kiosk_file(tmp_path, live, token, spool)
    code, lines, err = doctor(capsys, path)
    assert code == 0, "\n".join(lines)
    assert not failures(lines) and err == ""
    line(lines, "✓ configuration:", str(path), "roles: kiosk")
    line(lines, "✓ kiosk: the hub answers at", live, "GET /healthz: 200")
    line(lines, "✓ kiosk: device token accepted: kiosk 'kiosk-sanh'")
    line(lines, "✓ kiosk: clock within 5 s of the hub's")
    line(lines, "✓ kiosk: printer file:", "printer.bin opens")
    line(lines, "✓ kiosk: printer", "online, paper ok")
    line(lines, "✓ kiosk: GPIO 17, 22, 27, 5 can be claimed (MockFactory)")
    line(lines, '✓ kiosk: keypad "Doctor Keypad" is there and readable')
    line(lines, "this machine:", "free for the data folder")


@pytest.mark.parametrize(
    ("replies", "status", "paper"),
    [
        (PAPER_OK, 0, "✓ kiosk: printer serial:{path}: online, paper ok"),
        (PAPER_OUT, 1, "✗ kiosk: printer serial:{path}: out of paper — put in a new roll of "
         "58 mm thermal paper and close the cover"),
    ],
    ids=["with-paper", "paper-out"],
)  # fmt: skip
def test_a_serial_printer(capsys, live, token, tmp_path, keypad, replies, status, paper) -> None:
    """GIVEN a serial printer on a pty WHEN it answers that it has paper THEN its port opens
    and its paper is ✓; WHEN it answers that it has none THEN that line is ✗ with what to
    do, and the doctor exits 1."""
    device = PtyDevice(replies)
    try:
        printer = f'{{ kind = "serial", port = "{device.path}", paper_mm = 58 }}'
        code, lines, _ = doctor(capsys, kiosk_file(tmp_path, live, token, printer))
    finally:
        device.close()
    assert code == status, "\n".join(lines)
    line(lines, f"✓ kiosk: printer serial:{device.path} opens")
    assert [text for text in lines if ": printer serial:" in text][1] == paper.format(
        path=device.path
    )
    assert failures(lines) == ([] if status == 0 else [paper.format(path=device.path)])


@pytest.mark.parametrize(
    ("printer", "words"),
    [
        ('{ kind = "file", path = "/nonexistent/lp0" }', ("cannot open file:/nonexistent/lp0",)),
        ('{ kind = "serial", port = "/dev/ttyDOCTOR9" }', ("serial printer /dev/ttyDOCTOR9",)),
    ],
    ids=["printer-gone", "serial-port-does-not-open"],
)
def test_a_printer_that_does_not_open(capsys, live, token, tmp_path, keypad, printer, words):
    """GIVEN a printer that is gone or a serial port that does not open WHEN the doctor
    runs THEN the printer's line is ✗ with what to check, and it exits 1."""
    code, lines, _ = doctor(capsys, kiosk_file(tmp_path, live, token, printer))
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith("✗ kiosk: printer: ") and all(w in bad for w in words)
    assert " — is " in bad and "motcua-kiosk" in bad


def test_a_pin_already_claimed(capsys, live, token, tmp_path, spool, keypad) -> None:
    """GIVEN pin 22 held by another program WHEN the doctor runs THEN that pin's line is ✗,
    naming the pin and its use and saying to stop the agent, the other pins are ✓ and
    were released (a second doctor claims them again), and it exits 1."""
    path = kiosk_file(tmp_path, live, token, spool)
    held = Button(22)
    try:
        code, lines, _ = doctor(capsys, path)
    finally:
        held.close()
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith("✗ kiosk: GPIO 22 (button dat-dai:elderly) is in use — ")
    assert "sudo systemctl stop motcua-kiosk" in bad
    line(lines, "✓ kiosk: GPIO 17, 27, 5 can be claimed")
    code, lines, _ = doctor(capsys, path)
    assert code == 0, "\n".join(lines)


def test_no_keypad(capsys, live, token, tmp_path, spool, keypads) -> None:
    """GIVEN a configured keypad that is not plugged in WHEN the doctor runs THEN its line
    is ✗ with what to do, and it exits 1."""
    code, lines, _ = doctor(capsys, kiosk_file(tmp_path, live, token, spool))
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith('✗ kiosk: keypad "Doctor Keypad": ')
    assert "evdev.evtest" in bad and "input" in bad


def test_a_keymap_the_kiosk_refuses(capsys, live, token, tmp_path, spool, keypad) -> None:
    """GIVEN a keymap key evdev does not know (which --check does not see) WHEN the doctor
    runs THEN the keypad's line is ✗ with a suggestion, built as the kiosk builds it."""
    path = kiosk_file(tmp_path, live, token, spool)
    path.write_text(path.read_text("utf-8").replace("KEY_KP1 =", "KEY_KPONE ="), "utf-8")
    code, lines, _ = doctor(capsys, path)
    assert code == 1
    (bad,) = failures(lines)
    assert "unknown key name 'KEY_KPONE'" in bad and "KEY_KP1" in bad


def test_hub_unreachable(capsys, tmp_path, spool, keypad) -> None:
    """GIVEN no hub at hub_url WHEN the doctor runs THEN the hub's line is ✗ with what to
    check, the token and the clock are not asked, the devices still are, and it exits 1."""
    url = f"http://127.0.0.1:{closed_port()}"
    code, lines, _ = doctor(capsys, kiosk_file(tmp_path, url, "x" * 40, spool))
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith(f"✗ kiosk: the hub does not answer at {url} (")
    assert "motcua-hub" in bad and "hub_url" in bad
    assert not [text for text in lines if "token" in text or "clock" in text]
    line(lines, "✓ kiosk: printer", "online, paper ok")


def test_a_hung_hub_does_not_hang_the_doctor(capsys, tmp_path, spool, keypad) -> None:
    """GIVEN a hub that accepts connections and never answers WHEN the doctor runs THEN it
    says so after the section's hub_timeout_s (1 s), not later."""
    with silent_server() as url:
        started = time.monotonic()
        code, lines, _ = doctor(capsys, kiosk_file(tmp_path, url, "x" * 40, spool))
        took = time.monotonic() - started
    assert code == 1 and took < 8, took
    line(lines, "✗ kiosk: the hub does not answer at", "timed out")


def test_token_refused_and_token_of_another_kind(capsys, hub, live, tmp_path, spool, keypad):
    """GIVEN a token the hub does not know, then a rating pad's token WHEN the doctor runs
    THEN the token's line is ✗ saying how to make a kiosk's token, and it exits 1."""
    code, lines, _ = doctor(capsys, kiosk_file(tmp_path, live, "not-a-token-" * 4, spool))
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith("✗ kiosk: device token: the hub refuses it (401 ")
    assert "motcua device add NAME --kind kiosk" in bad

    pad = hub.devices.add_device("pad-1", "rating-pad", "1")
    code, lines, _ = doctor(capsys, kiosk_file(tmp_path, live, pad, spool))
    assert code == 1
    assert failures(lines)[0].startswith(
        "✗ kiosk: device token belongs to 'pad-1', a rating-pad, not a kiosk"
    )


def test_a_clock_a_minute_off(capsys, app, token, tmp_path, spool, keypad) -> None:
    """GIVEN a hub whose Date header is 90 s ahead of this machine WHEN the doctor runs
    THEN the clock's line is ✗, says which way, and how to turn on time sync."""
    with serve(app, ahead_s=90) as url:
        path = kiosk_file(tmp_path, url, token, spool)
        code, lines, _ = doctor(capsys, path)
    assert code == 1, "\n".join(lines)
    (bad,) = failures(lines)
    assert re.match(r"✗ kiosk: clock is (89|90|91) s behind the hub's — ", bad), bad
    assert "timedatectl set-ntp true" in bad


@needs_openssl
def test_a_hub_certificate_that_does_not_verify(capsys, app, token, tmp_path, spool, keypad):
    """GIVEN a hub served over HTTPS with a certificate no CA this Pi trusts vouches for
    WHEN the doctor runs THEN the TLS line is ✗ saying which store it was checked against
    and to set ca_file; the token is not sent."""
    with serve(app, tls=self_signed(tmp_path)) as url:
        code, lines, _ = doctor(capsys, kiosk_file(tmp_path, url, token, spool))
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith(
        "✗ kiosk: TLS: the hub's certificate does not verify against the system's CA store: "
    )
    assert "set ca_file" in bad
    assert not [text for text in lines if "token" in text]


@needs_openssl
def test_a_hub_certificate_that_verifies_against_ca_file(app, tmp_path) -> None:
    """GIVEN a hub over HTTPS and its certificate as ca_file (the section's key to come)
    WHEN the hub is checked THEN its TLS line and its answer are ✓."""
    cert, key = self_signed(tmp_path)
    with serve(app, tls=(cert, key)) as url:
        lines = hub_checks(url, [], timeout_s=2, ca_file=str(cert))
    assert [(check.ok, check.label.split(" (")[0]) for check in lines] == [
        (True, f"TLS: the hub's certificate verifies against the CA in {cert}"),
        (True, f"the hub answers at {url}"),
    ]
