"""The udev rules of ``config/udev/`` (what docs/raspberry-pi.md installs).

Every rule is parsed here as udev reads it: comma-separated ``KEY[{attr}]OP"value"``
pairs, match keys with ``==``/``!=``, assignments with ``=``/``+=``/``-=``/``:=``, each
key where udev allows it, every ``GOTO`` to a ``LABEL`` of the same file. Where the
system has ``udevadm verify`` (systemd 254 or later: Debian 13, not Debian 12 or
Raspberry Pi OS Bookworm, whose udev is 252) the files are checked by udev itself too;
otherwise that test is skipped and says why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RULES = sorted((REPO / "config" / "udev").glob("*.rules"))
PRINTERS = REPO / "config" / "udev" / "60-motcua-printers.rules"
KEYPAD = REPO / "config" / "udev" / "61-motcua-keypad.rules"
RS485 = REPO / "config" / "udev" / "62-motcua-rs485.rules"

MATCH_OPS = {"==", "!="}
ASSIGN_OPS = {"=", "+=", "-=", ":="}
# udev(7): which keys match, which assign, which take {attribute}.
MATCH_ONLY = {
    "ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER",
    "DRIVERS", "ATTRS", "TAGS", "CONST", "TEST", "PROGRAM", "RESULT",
}  # fmt: skip
ASSIGN_ONLY = {"OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS"}
BOTH = {"NAME", "SYMLINK", "ATTR", "SYSCTL", "ENV", "TAG"}
WITH_ATTRIBUTE = {"ATTR", "ATTRS", "SYSCTL", "ENV", "CONST", "TEST", "SECLABEL", "IMPORT"}

PAIR = re.compile(
    r"""(?P<key>[A-Z_]+)(?:\{(?P<attr>[^{}]+)\})?
        (?P<op>==|!=|\+=|-=|:=|=)
        "(?P<value>(?:[^"\\]|\\.)*)"
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Pair:
    key: str
    attr: str | None
    op: str
    value: str


@dataclass(frozen=True)
class Rule:
    line: int
    pairs: tuple[Pair, ...]

    def get(self, key: str, attr: str | None = None) -> list[Pair]:
        return [p for p in self.pairs if p.key == key and (attr is None or p.attr == attr)]


def parse_rule(text: str) -> tuple[Pair, ...]:
    """One rule's pairs.

    Raises:
        ValueError: what does not read as ``KEY[{attr}]OP"value"``, pairs not separated
            by commas, or a key used where udev does not allow it.
    """
    pairs: list[Pair] = []
    pos = 0
    while True:
        match = PAIR.match(text, pos)
        if match is None:
            raise ValueError(f'not a KEY=="value" or KEY="value" pair at: {text[pos:]!r}')
        pair = Pair(match["key"], match["attr"], match["op"], match["value"])
        _check_pair(pair)
        pairs.append(pair)
        pos = match.end()
        rest = text[pos:].lstrip()
        if not rest:
            return tuple(pairs)
        if not rest.startswith(","):
            raise ValueError(f"missing comma before {rest!r}")
        pos = len(text) - len(rest[1:].lstrip())


def _check_pair(pair: Pair) -> None:
    known = MATCH_ONLY | ASSIGN_ONLY | BOTH
    if pair.key not in known:
        raise ValueError(f"unknown key {pair.key}")
    if pair.op in MATCH_OPS and pair.key in ASSIGN_ONLY:
        raise ValueError(f"{pair.key} cannot be matched ({pair.op})")
    if pair.op in ASSIGN_OPS and pair.key in MATCH_ONLY:
        raise ValueError(f"{pair.key} cannot be assigned ({pair.op})")
    if pair.key in WITH_ATTRIBUTE and not pair.attr:
        raise ValueError(f"{pair.key} needs {{attribute}}")
    if pair.attr and pair.key not in WITH_ATTRIBUTE | {"RUN"}:
        raise ValueError(f"{pair.key} takes no {{attribute}}")
    if pair.key in {"LABEL", "GOTO", "IMPORT", "MODE", "OWNER", "GROUP"} and pair.op != "=":
        raise ValueError(f"{pair.key} takes only =")
    if pair.key == "MODE" and not re.fullmatch(r"0[0-7]{3}", pair.value):
        raise ValueError(f"MODE {pair.value!r} is not an octal mode")


def read_rules(path: Path) -> list[Rule]:
    """The rules of a file, comments and blank lines skipped, continuations joined."""
    rules: list[Rule] = []
    pending = ""
    start = 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not pending:
            start = number
            if not line or line.startswith("#"):
                continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text, pending = pending + line, ""
        try:
            rules.append(Rule(start, parse_rule(text)))
        except ValueError as err:
            raise AssertionError(f"{path.name}:{start}: {err}") from None
    assert not pending, f"{path.name}: ends with a line continuation"
    return rules


def test_there_are_rules() -> None:
    assert [p.name for p in RULES] == [
        "60-motcua-printers.rules",
        "61-motcua-keypad.rules",
        "62-motcua-rs485.rules",
    ]


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_every_rule_parses_as_udev_pairs(path: Path) -> None:
    rules = read_rules(path)
    assert rules
    labels = [r.get("LABEL")[0].value for r in rules if r.get("LABEL")]
    assert len(labels) == len(set(labels))
    for rule in rules:
        if rule.get("LABEL"):
            assert len(rule.pairs) == 1, f"{path.name}:{rule.line}: LABEL stands alone"
            continue
        matches = [p for p in rule.pairs if p.op in MATCH_OPS]
        assigns = [p for p in rule.pairs if p.op in ASSIGN_OPS]
        assert matches and assigns, f"{path.name}:{rule.line}: a rule matches and assigns"
        for goto in rule.get("GOTO"):
            assert goto.value in labels, f"{path.name}:{rule.line}: no LABEL {goto.value}"


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_each_file_says_how_to_find_your_device(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "lsusb" in text and "udevadm info" in text
    assert f"sudo install -m 0644 {path.name} /etc/udev/rules.d/" in text
    assert "udevadm control --reload-rules" in text


def test_the_parser_refuses_what_udev_refuses() -> None:
    for bad in (
        'SUBSYSTEM=="usb" MODE="0660"',  # no comma
        'SUBSYSTEM="usb", MODE="0660"',  # SUBSYSTEM is match-only
        'ATTR{idVendor}=="0416", GROUP=="lp"',  # GROUP is assign-only
        'ATTR{idVendor}==0416, GROUP="lp"',  # unquoted
        'ATTR{idVendor}=="0416", MODE="660"',  # not an octal mode
        'ENV=="x", GROUP="lp"',  # ENV needs {name}
        'FOO=="x", GROUP="lp"',
    ):
        with pytest.raises(ValueError):
            parse_rule(bad)


def test_printers_of_the_common_makers_belong_to_lp() -> None:
    rules = read_rules(PRINTERS)
    vendors = {}
    for rule in rules:
        for pair in rule.get("ATTR", "idVendor"):
            vendors[pair.value] = rule
    # Winbond/Xprinter, STMicro, Epson, ICS/Xprinter, NXP, GD32
    assert {"0416", "0483", "04b8", "0fe6", "1fc9", "28e9"} <= set(vendors)
    for vendor, rule in vendors.items():
        assert re.fullmatch(r"[0-9a-f]{4}", vendor)
        assert [p.value for p in rule.get("GROUP")] == ["lp"]
        assert [p.value for p in rule.get("MODE")] == ["0660"]
    by_class = [r for r in rules if r.get("ENV", "ID_USB_INTERFACES")]
    assert by_class and by_class[0].get("ENV", "ID_USB_INTERFACES")[0].value == "*:0701??:*"
    assert [p.value for p in by_class[0].get("GROUP")] == ["lp"]
    # Only USB device nodes, never on removal.
    guards = {(p.key, p.attr, p.op, p.value) for r in rules if r.get("GOTO") for p in r.pairs}
    assert ("SUBSYSTEM", None, "!=", "usb") in guards
    assert ("ENV", "DEVTYPE", "!=", "usb_device") in guards
    assert ("ACTION", None, "==", "remove") in guards


def test_the_keypad_gets_its_stable_name_once_its_ids_are_in(tmp_path: Path) -> None:
    text = KEYPAD.read_text(encoding="utf-8")
    # The placeholders stand on the rule's line only, so the guide's
    # `sed -i 's/VVVV/04d9/; s/PPPP/1203/'` changes that line and nothing else.
    assert [ln for ln in text.splitlines() if "VVVV" in ln or "PPPP" in ln] == [
        ln for ln in text.splitlines() if 'motcua-keypad"' in ln and "SYMLINK" in ln
    ]
    edited = tmp_path / KEYPAD.name
    edited.write_text(
        "\n".join(
            ln.replace("VVVV", "04d9", 1).replace("PPPP", "1203", 1) for ln in text.splitlines()
        ),
        encoding="utf-8",
    )
    named = [
        r
        for r in read_rules(edited)
        if any(p.value == "input/motcua-keypad" for p in r.get("SYMLINK"))
    ]
    assert len(named) == 1
    rule = named[0]
    assert rule.get("SYMLINK")[0].op == "+="
    assert rule.get("ENV", "ID_VENDOR_ID")[0].value == "04d9"
    assert rule.get("ENV", "ID_MODEL_ID")[0].value == "1203"
    assert rule.get("ENV", "ID_INPUT_KEYBOARD")  # the keyboard device, not Consumer Control


def test_rs485_adapters_get_a_name_per_usb_port() -> None:
    named = [r for r in read_rules(RS485) if r.get("SYMLINK")]
    assert len(named) >= 4  # FTDI, CP210x, CH34x, PL2303
    vendors = {r.get("ATTRS", "idVendor")[0].value for r in named}
    assert {"0403", "10c4", "1a86", "067b"} <= vendors
    for rule in named:
        (symlink,) = rule.get("SYMLINK")
        assert symlink.op == "+="
        assert symlink.value == "motcua-rs485-%s{busnum}-%s{devpath}"
        # idVendor and idProduct on the same (USB device) parent, as ATTRS requires.
        assert rule.get("ATTRS", "idProduct")


# ------------------------------------------------------------------ udevadm verify
def _udevadm_verify() -> str:
    udevadm = shutil.which("udevadm") or next(
        (p for p in ("/usr/bin/udevadm", "/sbin/udevadm", "/bin/udevadm") if Path(p).exists()),
        None,
    )
    if udevadm is None:
        pytest.skip("udevadm is not installed (Debian package udev)")
    probe = subprocess.run(
        [udevadm, "verify", "--help"], capture_output=True, text=True, timeout=30
    )
    if probe.returncode != 0:
        version = subprocess.run(
            [udevadm, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
        pytest.skip(f"udevadm {version} has no `verify` (systemd 254 or later has it)")
    return udevadm


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_udevadm_verifies_the_rules(path: Path) -> None:
    udevadm = _udevadm_verify()
    result = subprocess.run(
        [udevadm, "verify", "--resolve-names=never", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
