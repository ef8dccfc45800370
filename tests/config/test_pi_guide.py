"""docs/raspberry-pi.md, the Raspberry Pi guide: what it tells a technician to run exists.

- Every ``motcua …`` command in its code blocks parses with motcua's own command line
  (the commands of ``[project.entry-points."motcua.commands"]`` in pyproject.toml);
  a command only named in the text (``motcua device add``) must at least exist.
- Every file it names under ``config/`` (or ``$SHARE/``, the same folder once
  installed) exists, and every unit and udev rule that ships is in the guide.
- Its TOML blocks parse, and the agent sections in them pass the agent's check.
- Its links to its own headings and to the other docs' headings resolve.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "raspberry-pi.md"
TEXT = GUIDE.read_text(encoding="utf-8")

#: Commands being built on other branches, written in the guide as they are specified.
#: A command leaves this list by itself once pyproject.toml names it: from then on its
#: lines are parsed like every other command's.
PENDING_COMMANDS = {
    "doctor": "checks a Pi for its roles, one ✓/✗ line per check",
    "tls": "tls init: the centre's CA and the hub's certificate ([server] tls_cert/tls_key)",
}
#: Keys the guide uses that the agents' schemas are gaining on other branches.
PENDING_KEYS = {"ca_file": "agents verify the hub's certificate against this CA"}

#: The agent sections and the command that checks each (``motcua COMMAND --check``).
AGENT_SECTIONS = {
    "kiosk": "kiosk",
    "rating_pad": "rating-pad",
    "counter_keypad": "counter-keypad",
    "display_agent": "display-agent",
}
#: Programs whose ``motcua`` argument is the user or group, not the command.
USER_TOOLS = {"useradd", "usermod", "userdel", "groupadd", "gpasswd", "chown", "chgrp", "id"}
USER_OPTIONS = {"-u", "-g", "-o", "-G", "-aG", "--user", "--group", "--owner", "--groups"}
GLOBAL_OPTIONS = {"-v", "--verbose"}


#: A fenced block, also indented inside a list item.
FENCE = re.compile(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```[ \t]*$", flags=re.MULTILINE | re.DOTALL)


def known_commands() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return set(project["project"]["entry-points"]["motcua.commands"])


def code_blocks(text: str) -> Iterator[tuple[str, str]]:
    """``(language, body)`` of each fenced block."""
    for match in FENCE.finditer(text):
        yield match.group(1), match.group(2)


def prose(text: str) -> str:
    """The text outside fenced blocks."""
    return FENCE.sub("", text)


def inline_code(text: str) -> list[str]:
    """The inline code spans of the prose, a span broken over lines joined again."""
    return [" ".join(m.split()) for m in re.findall(r"`([^`]+)`", prose(text))]


def shell_lines(body: str) -> Iterator[str]:
    """The lines of a block, those ending in a backslash joined to the next."""
    pending = ""
    for raw in body.splitlines():
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        yield line


def tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # an apostrophe in a comment, say
        return line.split()


def segments(words: list[str]) -> Iterator[list[str]]:
    """The simple commands of a line: split at ``|``, ``&&``, ``;`` and redirections,
    without the comment that may end it."""
    current: list[str] = []
    for word in words:
        if word.startswith("#"):
            break
        if set(word) <= set("|&;<>()"):
            if current:
                yield current
            current = []
        else:
            current.append(word)
    if current:
        yield current


def invocations(line: str) -> Iterator[list[str]]:
    """The argument lists of every ``motcua`` run on a shell line: what follows
    ``motcua`` or ``…/bin/motcua``, global options included."""
    for segment in segments(tokens(line)):
        for i, word in enumerate(segment):
            if word != "motcua" and not word.endswith("/bin/motcua"):
                continue
            if i and segment[i - 1] in USER_OPTIONS or USER_TOOLS & set(segment[:i]):
                continue  # the user or group called motcua
            args = segment[i + 1 :]
            rest = list(args)
            while rest and (rest[0] in GLOBAL_OPTIONS or rest[0] == "--config"):
                rest = rest[2:] if rest[0] == "--config" else rest[1:]
            if rest and re.fullmatch(r"[a-z][a-z-]*", rest[0]):
                yield args


def command_of(args: list[str]) -> str:
    rest = list(args)
    while rest[0] in GLOBAL_OPTIONS or rest[0] == "--config":
        rest = rest[2:] if rest[0] == "--config" else rest[1:]
    return rest[0]


def guide_runs() -> list[list[str]]:
    found = []
    for _, body in code_blocks(TEXT):
        for line in shell_lines(body):
            found.extend(invocations(line))
    return found


def guide_mentions() -> list[list[str]]:
    return [args for span in inline_code(TEXT) for args in invocations(span)]


def test_the_guide_runs_motcua() -> None:
    commands = {command_of(a) for a in guide_runs() + guide_mentions()}
    assert {"serve", "user", "device", "backup", "restore", "say"} <= commands
    assert {"kiosk", "rating-pad", "counter-keypad", "display-agent"} <= commands
    assert {"doctor", "tls"} <= commands


@pytest.mark.parametrize("args", guide_runs(), ids=lambda a: " ".join(a))
def test_every_command_in_a_code_block_parses(args: list[str]) -> None:
    command = command_of(args)
    if command not in known_commands():
        assert command in PENDING_COMMANDS, f"`motcua {command}` is not a motcua command"
        return
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            parsed = build_parser(args).parse_args(args)
    except SystemExit:
        pytest.fail(f"`motcua {' '.join(args)}` does not parse: {err.getvalue().strip()}")
    assert parsed.command == command


@pytest.mark.parametrize("args", guide_mentions(), ids=lambda a: " ".join(a))
def test_every_command_named_in_the_text_exists(args: list[str]) -> None:
    command = command_of(args)
    assert command in known_commands() | set(PENDING_COMMANDS), f"`motcua {command}`"


def test_the_invocation_finder_skips_the_user_called_motcua() -> None:
    assert list(invocations("sudo usermod -aG gpio motcua")) == []
    assert list(invocations("sudo install -d -m 0750 -o root -g motcua /etc/motcua")) == []
    assert list(invocations("sudo -u motcua aplay -D plughw:1,0 /tmp/goi.wav")) == []
    assert list(invocations('exec sudo -u motcua env A=1 /opt/motcua/bin/motcua "$@"')) == []
    assert list(invocations("motcua kiosk --check   # or rating-pad")) == [["kiosk", "--check"]]
    assert list(invocations("x | motcua --config a.toml say 1 > /dev/null")) == [
        ["--config", "a.toml", "say", "1"]
    ]


# ------------------------------------------------------------------ files under config/
FILE = re.compile(r"""(?:"?\$\{?SHARE\}?"?|(?<![\w/.~-])config)/([\w@.*/-]+)""")


def referenced_files() -> list[str]:
    return sorted({m.group(1).rstrip(".,:;") for m in FILE.finditer(TEXT)})


def test_the_guide_names_files_under_config() -> None:
    names = referenced_files()
    assert "systemd/motcua-hub.service" in names
    assert "udev/60-motcua-printers.rules" in names


@pytest.mark.parametrize("name", referenced_files())
def test_every_file_the_guide_names_exists(name: str) -> None:
    assert list((REPO / "config").glob(name)), f"config/{name} does not exist"


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for folder in ("systemd", "udev", "examples/pi")
        for p in (REPO / "config" / folder).rglob("*")
        if p.is_file()
    ),
    ids=lambda p: p.name,
)
def test_every_shipped_pi_file_is_in_the_guide(path: Path) -> None:
    assert path.name in TEXT, f"the guide never mentions {path.relative_to(REPO)}"


# ------------------------------------------------------------------ TOML blocks
def toml_blocks() -> list[str]:
    return [body for lang, body in code_blocks(TEXT) if lang == "toml"]


@pytest.mark.parametrize("body", toml_blocks())
def test_toml_blocks_parse_and_agent_sections_pass_their_check(body: str, tmp_path: Path) -> None:
    raw = tomllib.loads(body)
    for section, command in AGENT_SECTIONS.items():
        if section not in raw:
            continue
        lines = [ln for ln in body.splitlines() if ln.split("=")[0].strip() not in PENDING_KEYS]
        path = tmp_path / "pi.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "hub.cli", "--config", str(path), command, "--check"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ links
def slugs(markdown: str) -> set[str]:
    """GitHub's anchors of a document's headings."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", prose(markdown), flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        base, n = slug, 0
        while slug in found:
            n += 1
            slug = f"{base}-{n}"
        found.add(slug)
    return found


def test_links_resolve() -> None:
    for target, anchor in re.findall(r"\]\(([\w./-]*?)(?:#([\w-]+))?\)", prose(TEXT)):
        if target.startswith(("http", "mailto")):
            continue
        document = GUIDE if not target else (GUIDE.parent / target).resolve()
        assert document.is_file(), f"link to {target}"
        if anchor:
            assert anchor in slugs(document.read_text(encoding="utf-8")), f"{target}#{anchor}"


# ------------------------------------------------------------------ what the guide covers
@pytest.mark.parametrize(
    "needle",
    [
        "GPIOZERO_PIN_FACTORY=lgpio",
        "raspi-config nonint do_blanking 1",
        "dtparam=watchdog=on",
        "RuntimeWatchdogSec=",
        "--autoplay-policy=no-user-gesture-required",
        "--kiosk --noerrdialogs --disable-session-crashed-bubble",
        "motcua backup --keep 14",
        "sudo useradd --system",
        "python3 -m venv /opt/motcua",
    ],
)
def test_the_guide_covers(needle: str) -> None:
    assert needle in " ".join(TEXT.split())


def test_the_guide_ends_with_motcua_doctor() -> None:
    last = TEXT.split("\n## ")[-1]
    assert last.startswith("Check everything: motcua doctor")
    assert "motcua doctor" in last
