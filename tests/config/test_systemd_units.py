"""The systemd units of ``config/systemd/`` (what docs/raspberry-pi.md installs), checked
without a Pi.

Every unit is read the way systemd reads it: ``systemd-analyze verify`` on a copy whose
programs exist (stubs stand in for ``/opt/motcua/bin/motcua`` and
``/usr/local/bin/motcua-chromium``); it must succeed, and no line of its output may name
the unit (an unknown key, a value systemd cannot parse, a program it cannot run are only
warnings there). ``verify`` needs no running systemd and no root: a container without
systemd as PID 1 will do, and user units only need an ``XDG_RUNTIME_DIR``. It is skipped
only where the command is missing (Debian: the ``systemd`` package).

The units also keep what the guide says of them (user, paths, restarts, pin factory,
hardening that leaves devices alone), and every command they run exists. The Chromium
wrapper runs here against a stub browser.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from hub.cli import COMMANDS_GROUP, build_parser

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "config" / "systemd"
SYSTEM_UNITS = sorted(p for p in UNITS.iterdir() if p.suffix in {".service", ".timer"})
USER_UNITS = sorted((UNITS / "user").glob("*.service"))
SERVICES = [p for p in SYSTEM_UNITS if p.suffix == ".service"]
WRAPPER = UNITS / "motcua-chromium.sh"
MOTCUA = "/opt/motcua/bin/motcua"
DATA = "/var/lib/motcua"

#: The agents that read GPIO pins (lgpio is the Pi 5's only pin factory).
GPIO_AGENTS = {"kiosk", "rating-pad", "counter-keypad"}
#: The agents that open devices: no PrivateDevices for them.
DEVICE_AGENTS = GPIO_AGENTS | {"display-agent"}

Unit = dict[str, list[tuple[str, str]]]


def read_unit(path: Path) -> Unit:
    """The sections of a unit file, each a list of ``(key, value)`` in order.

    Raises:
        AssertionError: a line that is neither a comment, a section nor ``Key=value``.
    """
    unit: Unit = {}
    section = None
    pending = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = pending + raw.strip()
        pending = ""
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("["):
            assert re.fullmatch(r"\[[A-Za-z]+\]", line), f"{path.name}:{number}: {raw}"
            section = line[1:-1]
            unit.setdefault(section, [])
            continue
        key, sep, value = line.partition("=")
        assert sep and section and re.fullmatch(r"[A-Za-z]+", key.strip()), (
            f"{path.name}:{number}: not a Key=value line in a section: {raw}"
        )
        unit[section].append((key.strip(), value.strip()))
    assert not pending, f"{path.name}: ends with a line continuation"
    return unit


def values(unit: Unit, section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def value(unit: Unit, section: str, key: str) -> str | None:
    found = values(unit, section, key)
    assert len(found) <= 1, f"{key} is set {len(found)} times in [{section}]"
    return found[0] if found else None


def motcua_command(path: Path) -> list[str]:
    """The arguments after ``/opt/motcua/bin/motcua`` in the unit's ExecStart."""
    exec_start = value(read_unit(path), "Service", "ExecStart")
    assert exec_start is not None, f"{path.name} has no ExecStart"
    program, *args = exec_start.split()
    assert program == MOTCUA, f"{path.name} runs {program}, not {MOTCUA}"
    return args


def test_there_are_units() -> None:
    names = {p.name for p in SYSTEM_UNITS + USER_UNITS}
    assert {
        "motcua-hub.service",
        "motcua-kiosk.service",
        "motcua-rating-pad.service",
        "motcua-counter-keypad.service",
        "motcua-display-agent.service",
        "motcua-backup.service",
        "motcua-backup.timer",
        "motcua-hall-tv.service",
        "motcua-touch-kiosk.service",
    } <= names


@pytest.mark.parametrize("path", SYSTEM_UNITS + USER_UNITS, ids=lambda p: p.name)
def test_every_unit_is_sections_of_key_value_lines(path: Path) -> None:
    unit = read_unit(path)
    assert value(unit, "Unit", "Description"), f"{path.name} has no Description"


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_services_run_motcua_as_the_guide_says(path: Path) -> None:
    unit = read_unit(path)
    assert value(unit, "Service", "User") == "motcua"
    environment = values(unit, "Service", "Environment")
    assert "MOTCUA_CONFIG=/etc/motcua/motcua.toml" in environment
    assert f"MOTCUA_DATA={DATA}" in environment
    # The rating pad's default outbox is a relative path: a unit's working directory
    # is / otherwise, which motcua cannot write.
    assert value(unit, "Service", "WorkingDirectory") == DATA
    assert value(unit, "Service", "ReadWritePaths") == DATA
    assert value(unit, "Service", "ProtectSystem") in {"full", "strict"}
    assert value(unit, "Service", "PrivateTmp") == "yes"
    assert value(unit, "Service", "NoNewPrivileges") == "yes"


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_the_command_a_service_runs_exists(path: Path) -> None:
    args = motcua_command(path)
    try:
        parsed = build_parser(args).parse_args(args)
    except SystemExit as exit_:  # argparse has printed why
        pytest.fail(f"{path.name}: `motcua {' '.join(args)}` does not parse ({exit_})")
    assert parsed.command == args[0]


@pytest.mark.parametrize(
    "path", [p for p in SERVICES if p.name != "motcua-backup.service"], ids=lambda p: p.name
)
def test_long_running_services_restart_and_never_give_up(path: Path) -> None:
    unit = read_unit(path)
    assert value(unit, "Service", "Restart") == "on-failure"
    assert value(unit, "Service", "RestartSec")
    # An agent started before the hub after a power cut fails until the hub answers:
    # the default start limit would leave it dead for good.
    assert value(unit, "Unit", "StartLimitIntervalSec") == "0"
    assert value(unit, "Service", "RestartPreventExitStatus") == "2"  # configuration errors
    assert value(unit, "Install", "WantedBy") == "multi-user.target"
    assert "network-online.target" in (value(unit, "Unit", "After") or "")


@pytest.mark.parametrize("command", sorted(DEVICE_AGENTS))
def test_device_agents_keep_their_devices(command: str) -> None:
    path = UNITS / f"motcua-{command}.service"
    unit = read_unit(path)
    assert motcua_command(path) == [command]
    assert value(unit, "Service", "PrivateDevices") in {None, "no"}
    assert value(unit, "Service", "DevicePolicy") is None
    assert not values(unit, "Service", "DeviceAllow")
    environment = values(unit, "Service", "Environment")
    if command in GPIO_AGENTS:
        assert "GPIOZERO_PIN_FACTORY=lgpio" in environment
        assert "LG_WD=/tmp" in environment


def test_the_hub_serves_on_the_lan() -> None:
    assert motcua_command(UNITS / "motcua-hub.service") == [
        "serve", "--host", "0.0.0.0", "--port", "8080",
    ]  # fmt: skip


def test_the_nightly_backup_keeps_14() -> None:
    service = read_unit(UNITS / "motcua-backup.service")
    assert motcua_command(UNITS / "motcua-backup.service") == ["backup", "--keep", "14"]
    assert value(service, "Service", "Type") == "oneshot"
    assert "Install" not in service  # started by its timer only
    timer = read_unit(UNITS / "motcua-backup.timer")
    assert value(timer, "Timer", "OnCalendar")
    assert value(timer, "Timer", "Persistent") == "true"
    assert value(timer, "Timer", "Unit") in {None, "motcua-backup.service"}
    assert value(timer, "Install", "WantedBy") == "timers.target"


@pytest.mark.parametrize("path", USER_UNITS, ids=lambda p: p.name)
def test_chromium_units_restart_chromium_always(path: Path) -> None:
    unit = read_unit(path)
    exec_start = value(unit, "Service", "ExecStart") or ""
    assert exec_start.startswith("/usr/local/bin/motcua-chromium ${MOTCUA_URL}")
    assert value(unit, "Service", "Restart") == "always"
    assert value(unit, "Unit", "StartLimitIntervalSec") == "0"
    assert value(unit, "Service", "User") is None  # a user unit runs as its user
    assert "Install" not in unit  # the desktop session starts it (labwc autostart)


def test_the_touch_kiosk_opens_the_kiosk_agents_page() -> None:
    unit = read_unit(UNITS / "user" / "motcua-touch-kiosk.service")
    assert "MOTCUA_URL=http://127.0.0.1:8090/" in values(unit, "Service", "Environment")


# ------------------------------------------------------------------ systemd-analyze verify
def _stub_programs(text: str, bin_dir: Path) -> str:
    """``text`` with every Exec*= program that does not exist here replaced by a stub."""
    for match in re.finditer(r"^Exec\w*=[-@:+!]*(\S+)", text, flags=re.MULTILINE):
        program = match.group(1)
        if program.startswith("/") and not Path(program).exists():
            stub = bin_dir / Path(program).name
            stub.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
            stub.chmod(0o755)
            text = text.replace(program, str(stub))
    return text


def _verify(path: Path, tmp_path: Path, *, user: bool) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    units = tmp_path / "units"
    bin_dir = tmp_path / "bin"
    units.mkdir()
    bin_dir.mkdir()
    # The unit's neighbours too: a timer is checked with the service it starts.
    for other in path.parent.iterdir():
        if other.suffix in {".service", ".timer"}:
            text = _stub_programs(other.read_text(encoding="utf-8"), bin_dir)
            (units / other.name).write_text(text, encoding="utf-8")
    env = {**os.environ, "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": "cat"}
    args = [analyze, "--man=no"]
    if user:
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        env["XDG_RUNTIME_DIR"] = str(runtime)
        args.append("--user")
    result = subprocess.run(
        [*args, "verify", str(units / path.name)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=units,
    )
    output = (result.stdout + result.stderr).strip()
    about_this_unit = [
        line for line in output.splitlines() if path.name in line or str(units) in line
    ]
    assert result.returncode == 0 and not about_this_unit, (
        f"systemd-analyze verify {path.name} (status {result.returncode}):\n{output}"
    )


@pytest.mark.parametrize("path", SYSTEM_UNITS, ids=lambda p: p.name)
def test_systemd_analyze_verifies_system_units(path: Path, tmp_path: Path) -> None:
    _verify(path, tmp_path, user=False)


@pytest.mark.parametrize("path", USER_UNITS, ids=lambda p: p.name)
def test_systemd_analyze_verifies_user_units(path: Path, tmp_path: Path) -> None:
    _verify(path, tmp_path, user=True)


def test_verify_catches_what_systemd_only_warns_about(tmp_path: Path) -> None:
    """The check above fails on a unit systemd would start with a warning."""
    bad = tmp_path / "src" / "motcua-bad.service"
    bad.parent.mkdir()
    bad.write_text(
        "[Unit]\nDescription=bad\n[Service]\nExecStart=/bin/true\nRestart=sometimes\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match="restart specifier"):
        _verify(bad, tmp_path, user=False)


# ------------------------------------------------------------------ the Chromium wrapper
def _wrapper_env(tmp_path: Path, browser: str | None) -> dict[str, str]:
    """A PATH holding only stubs and the few tools the wrapper uses: no real browser."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sed", "sleep"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    (bin_dir / "curl").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    if browser:
        (bin_dir / browser).write_text(
            f'#!/bin/sh\nprintf "%s\\n" "$0" "$@" > "{tmp_path}/argv"\n', encoding="utf-8"
        )
    for stub in bin_dir.iterdir():
        if not stub.is_symlink():
            stub.chmod(0o755)
    home = tmp_path / "home"
    (home / ".config" / "chromium" / "Default").mkdir(parents=True)
    return {"PATH": str(bin_dir), "HOME": str(home)}


@pytest.mark.parametrize("browser", ["chromium-browser", "chromium"])
def test_the_wrapper_starts_chromium_in_kiosk_mode(tmp_path: Path, browser: str) -> None:
    env = _wrapper_env(tmp_path, browser)
    prefs = Path(env["HOME"]) / ".config" / "chromium" / "Default" / "Preferences"
    prefs.write_text(
        '{"profile":{"exit_type":"Crashed","exited_cleanly":false,"name":"x"}}', "utf-8"
    )
    url = "http://127.0.0.1:8090/"
    sh = shutil.which("sh") or "/bin/sh"
    result = subprocess.run(
        [sh, str(WRAPPER), url, "--disable-pinch"],
        env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "argv").read_text(encoding="utf-8").splitlines()
    assert Path(argv[0]).name == browser
    for flag in (
        "--kiosk",
        "--noerrdialogs",
        "--disable-session-crashed-bubble",
        "--autoplay-policy=no-user-gesture-required",
    ):
        assert flag in argv
    assert argv[-2:] == ["--disable-pinch", url]
    text = prefs.read_text(encoding="utf-8")
    assert '"exited_cleanly":true' in text and '"exit_type":"Normal"' in text


def test_the_wrapper_says_when_there_is_no_chromium(tmp_path: Path) -> None:
    env = _wrapper_env(tmp_path, None)
    sh = shutil.which("sh") or "/bin/sh"
    result = subprocess.run(
        [sh, str(WRAPPER), "http://x/"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "chromium" in result.stderr


def test_the_wrapper_is_executable_and_plain_sh() -> None:
    assert os.access(WRAPPER, os.X_OK)
    assert WRAPPER.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
    result = subprocess.run(["sh", "-n", str(WRAPPER)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_agent_command_has_a_unit() -> None:
    names = {ep.name for ep in entry_points(group=COMMANDS_GROUP)}
    assert DEVICE_AGENTS <= names
    for agent in DEVICE_AGENTS:
        assert (UNITS / f"motcua-{agent}.service").is_file()
