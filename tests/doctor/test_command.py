"""``motcua doctor`` itself: the configuration's lines, the roles it finds through the
``motcua.doctor`` entry points, exit statuses, and never a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from config.doctor import GROUP, ROLE_NAMES, Check, passed
from config.schema import validate_present
from hub.cli import doctor as command
from tests.doctor.support import closed_port, doctor, failures, line

ROOT = Path(__file__).resolve().parents[2]
PAD = """
[rating_pad]
hub_url = "{url}"
outbox = "pad.sqlite"
[[rating_pad.counters]]
counter = "1"
token = "{token}"
buttons = {{ very_satisfied = 17, satisfied = 27, unsatisfied = 22 }}
"""


def write(tmp_path: Path, text: str, name: str = "pi.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_every_role_has_its_checks_installed() -> None:
    """GIVEN the installed package WHEN the doctor's entry points are listed THEN each role
    (and the machine) has one, and each loads to a function."""
    found = {entry.name: entry for entry in entry_points(group=GROUP)}
    assert set(found) == set(ROLE_NAMES)
    assert all(callable(entry.load()) for entry in found.values())


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ('[kiosk]\nhub_url = "http://h"\n', ["kiosk", ""]),
        ('[site]\nid = "x"\nname = "X"\n[kiosk]\nhub_url = "http://h"\n', ["kiosk", ""]),
        ('[site]\nid = "x"\nname = "X"\n', ["hub", ""]),
        ('[site]\nid = "x"\nname = "X"\n[queue]\n[display_agent]\nhub_url = "http://h"\n',
         ["hub", "display_agent", ""]),
        ("[queue]\n", ["hub", ""]),
        ('[kisok]\nhub_url = "http://h"\n', [""]),
    ],
    ids=["pi-file", "kiosk-with-site-defaults", "hub", "hub-and-agent", "hub-without-site",
         "no-role"],
)  # fmt: skip
def test_the_roles_a_file_names(text: str, roles: list[str]) -> None:
    """GIVEN a file WHEN its present sections are validated THEN it names the hub's role
    only with the centre's sections (a kiosk's [site] gives its ticket defaults), and an
    agent's role for each agent section."""
    import tomllib

    assert list(validate_present(tomllib.loads(text), "pi.toml")) == roles


def test_a_file_that_is_not_toml_is_one_line_and_status_2(capsys, tmp_path) -> None:
    """GIVEN a file that is not TOML, or no file WHEN the doctor runs THEN it exits 2 with one
    line on stderr naming the file, and prints nothing else."""
    code, lines, err = doctor(capsys, write(tmp_path, "[kiosk\nhub_url = 1\n"))
    assert code == 2 and lines == []
    assert len(err.splitlines()) == 1 and "pi.toml: not valid TOML" in err
    code, lines, err = doctor(capsys, tmp_path / "missing.toml")
    assert code == 2 and lines == [] and err.strip().endswith("missing.toml: file not found")


def test_no_configuration_at_all(capsys, monkeypatch, tmp_path) -> None:
    """GIVEN neither --config nor MOTCUA_CONFIG, and no installed file WHEN the doctor runs
    THEN one line says how to name one, status 2."""
    monkeypatch.setattr(command, "INSTALLED_CONFIG", tmp_path / "none.toml")
    from hub.cli import main

    assert main(["doctor"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "--config PATH" in err


def test_an_invalid_section_names_file_and_key(capsys, tmp_path) -> None:
    """GIVEN a Pi's file with a bad key in [rating_pad] and an unknown section WHEN the doctor
    runs THEN each problem is a ✗ configuration line naming the file and the key, the pad
    is not checked further, the machine is, and it exits 1."""
    text = PAD.format(url="http://127.0.0.1:1", token="t") + "[kisok]\n"
    path = write(tmp_path, text.replace("outbox =", "outbx ="))
    code, lines, _ = doctor(capsys, path)
    assert code == 1
    assert failures(lines) == [
        f'✗ configuration: {path}: rating_pad.outbx: unknown key (did you mean "outbox"?) — '
        "correct it in the file (docs/configuration.md lists every key), then check again",
        f'✗ configuration: {path}: kisok: unknown section (did you mean "kiosk"?) — '
        "correct it in the file (docs/configuration.md lists every key), then check again",
    ]
    assert not [text for text in lines if text.startswith(("✓ rating pad", "✗ rating pad"))]
    line(lines, "✓ this machine:", "free for the data folder")


def test_an_agent_check_the_loader_cannot_make(capsys, tmp_path) -> None:
    """GIVEN a display agent's board address its framing refuses (the agent's own check)
    WHEN the doctor runs THEN that is a ✗ line naming the file and key, status 1."""
    path = write(
        tmp_path,
        '[display_agent]\nhub_url = "http://127.0.0.1:1"\ntoken = "t"\naudio = "none"\n'
        '[[display_agent.boards]]\nport = "loop://"\naddress_map = { "1" = 120 }\n',
    )
    code, lines, _ = doctor(capsys, path)
    assert code == 1
    (bad,) = failures(lines)
    assert bad.startswith(f'✗ display agent: {path}: display_agent.boards[0]: counter "1": ')
    assert "0..99" in bad


def test_checks_that_break_or_hang_are_one_line_each(monkeypatch, tmp_path) -> None:
    """GIVEN a role whose checks raise, one whose entry point cannot load and one that never
    ends WHEN the doctor runs THEN each is one ✗ line, no traceback, and the rest still run."""
    monkeypatch.setattr(command, "ROLE_TIMEOUT_S", 0.5)

    def broken(path: Path) -> list[Check]:
        raise KeyError("oops")

    released = threading.Event()  # the hung check's thread ends with the test

    def forever(path: Path) -> list[Check]:
        released.wait(30)
        return []

    def missing(role: str):
        raise ModuleNotFoundError("No module named 'evdev'", name="evdev")

    finders = {"kiosk": lambda: broken, "rating_pad": lambda: forever}
    finders |= {"counter_keypad": lambda: missing("counter_keypad")}
    finders |= {"machine": lambda: lambda path: [passed("fine")]}
    text = (
        '[kiosk]\nhub_url = "http://h"\ntoken = "t"\nprinter = { kind = "fake" }\n'
        + PAD.format(url="http://h", token="t")
        + '[counter_keypad]\nhub_url = "http://h"\ntoken = "t"\nkeypad = { name = "K" }\n'
    )
    out = io.StringIO()
    started = time.monotonic()
    try:
        code = command.doctor(write(tmp_path, text), out, lambda role: finders[role]())
    finally:
        released.set()
    assert code == 1 and time.monotonic() - started < 5
    assert out.getvalue().splitlines()[1:] == [
        "✗ kiosk: the kiosk checks: KeyError: 'oops' — unexpected: run `motcua -v doctor` "
        "and report what it says",
        "✗ rating pad: the rating pad checks: no answer within 0.5 s — something hangs: run "
        "`motcua -v doctor` to see which device",
        "✗ counter keypad: the counter keypad checks cannot be loaded: ModuleNotFoundError: No "
        "module named 'evdev' — reinstall motcua with the Pi's extras: pip install 'motcua[pi]'",
        "✓ this machine: fine",
    ]


def test_a_pi_loads_neither_the_hub_nor_flask(tmp_path) -> None:
    """GIVEN a Pi's file holding [rating_pad] alone WHEN `motcua doctor` runs in its own
    process THEN it answers without loading Flask, SQLAlchemy or the hub's storage, and its
    output has no traceback."""
    path = write(tmp_path, PAD.format(url=f"http://127.0.0.1:{closed_port()}", token="t"))
    code = (
        "import sys\nfrom hub.cli import main\nstatus = main(['--config', sys.argv[1], 'doctor'])\n"
        "heavy = [m for m in ('flask', 'sqlalchemy', 'hub.store', 'hub.app') if m in sys.modules]\n"
        "print('heavy:', heavy)\nsys.exit(status)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(GPIOZERO_PIN_FACTORY="mock", MOTCUA_DATA=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "heavy: []"
    assert "Traceback" not in done.stdout + done.stderr and done.stderr == ""
    line(done.stdout.splitlines(), "✗ rating pad: the hub does not answer at")
    line(done.stdout.splitlines(), "✓ rating pad: GPIO 17, 27, 22 can be claimed (MockFactory)")
