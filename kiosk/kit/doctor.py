"""What ``motcua doctor`` checks for every agent, built as the agents build it.

- :func:`hub_checks`: the hub answers at ``hub_url`` (``GET /healthz``), its
  certificate verifies when the URL is https, each device token is accepted
  (``GET /api/v1/devices/me`` through the agents' :class:`HubClient`) and is of the
  right kind and counter, and this Pi's clock is close to the hub's (the offset
  the client measures from the ``Date`` header, as the agents do);
- :func:`agent_running`: a hint when the agent itself runs, holding its devices
  (:func:`agent_checks` starts each agent's lines with it and the hub's).

The devices' checks are in :mod:`kiosk.kit.device_doctor`. Each check runs through
:func:`config.doctor.within`, so a dead hub or device makes one ✗ line after its
timeout.
"""

from __future__ import annotations

import glob
import os
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.doctor import Check, failed, hint, passed, within
from config.tokens import read_token
from config.wire import DeviceKind
from kiosk.kit.hub_client import HubClient, HubRejected, HubUnreachable

__all__ = [
    "CLOCK_TOLERANCE_S",
    "DeviceToken",
    "agent_checks",
    "agent_running",
    "hub_checks",
    "stop_advice",
]

CLOCK_TOLERANCE_S = 5.0
"""Beyond this the clock is ✗: tickets, presses and heartbeats carry this Pi's time."""
UNITS = {
    "kiosk": "motcua-kiosk",
    "rating-pad": "motcua-rating-pad",
    "display-agent": "motcua-display-agent",
}
"""The systemd unit of each agent command (``config/systemd``)."""


@dataclass(frozen=True)
class DeviceToken:
    """A device token an agent section names, and what the hub must say of it.

    Attributes:
        token: the token written in the file, or
        token_file: the file holding it.
        kind: the device kind it must belong to.
        counter: the counter it must be bound to (None: any, or none).
        bound: it must be bound to a counter (the counter keypad's and pads' tokens).
        label: how the lines name it.
    """

    token: str | None
    token_file: str | None
    kind: DeviceKind
    counter: str | None = None
    bound: bool = False
    label: str = "device token"


def agent_checks(
    agent: str, section: Any, tokens: Sequence[DeviceToken], *, timeout_s: float = 5.0
) -> list[Check]:
    """What every agent's lines start with: whether the agent runs (:func:`agent_running`),
    then its hub and tokens (:func:`hub_checks`) at the section's ``hub_url``, verified
    against its ``ca_file`` where sections have one.

    Args:
        agent: the agent's command (``"kiosk"``).
        section: the agent's validated section.
        tokens: the tokens it names.
        timeout_s: the section's timeout of one request to the hub.
    """
    ca_file = getattr(section, "ca_file", None)
    return agent_running(agent) + hub_checks(
        section.hub_url, tokens, timeout_s=timeout_s, ca_file=ca_file
    )


def hub_checks(
    url: str,
    tokens: Sequence[DeviceToken],
    *,
    timeout_s: float = 5.0,
    ca_file: str | None = None,
) -> list[Check]:
    """The hub answers at ``url``, accepts each token, and agrees on the time.

    Args:
        url: the section's ``hub_url``.
        tokens: the tokens the section names (one per counter for a rating pad).
        timeout_s: each request's timeout (the section's own, as the agent uses).
        ca_file: the CA the hub's certificate must verify against (None: the system's).
    """
    lines = within(timeout_s + 2, f"hub at {url}", lambda: _healthz(url, timeout_s, ca_file))
    if any(line.fails for line in lines):
        return lines  # a token or a clock cannot be checked without the hub
    offsets: list[float] = []
    for token in tokens:
        lines += within(
            timeout_s + 2,
            token.label,
            lambda token=token: _token(url, token, timeout_s, ca_file, offsets),
        )
    if offsets:
        lines.append(_clock(offsets[0]))
    return lines


def _healthz(url: str, timeout_s: float, ca_file: str | None) -> list[Check]:
    https = url.startswith("https://")
    against = f"the CA in {ca_file}" if ca_file else "the system's CA store"
    try:
        context = ssl.create_default_context(cafile=ca_file) if https else None
    except OSError as err:
        return [
            failed(
                f"ca_file {ca_file} is not a usable CA certificate ({err.strerror or err})",
                "copy the centre's CA certificate (the hub's /tls page) to this Pi as ca_file",
            )
        ]
    handlers: list[Any] = [urllib.request.ProxyHandler({})]  # the LAN: no proxy, as the agents
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    started = time.monotonic()
    try:
        with opener.open(f"{url}/healthz", timeout=timeout_s) as answer:
            status = answer.status
    except urllib.error.HTTPError as err:
        status = err.code
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, ssl.SSLCertVerificationError):
            return [
                failed(
                    f"TLS: the hub's certificate does not verify against {against}: "
                    f"{reason.verify_message or reason}",
                    "set ca_file in the section to the centre's CA (download it from the hub's "
                    "/tls page), and hub_url to a name or address the certificate holds",
                )
            ]
        return [
            failed(
                f"the hub does not answer at {url} ({reason})",
                "is the hub on (sudo systemctl status motcua-hub on it)? is this Pi on the "
                "centre's network (ping the hub)? is hub_url right?",
            )
        ]
    took = (time.monotonic() - started) * 1000
    lines = [passed(f"TLS: the hub's certificate verifies against {against}")] if https else []
    if status == 200:
        return [*lines, passed(f"the hub answers at {url} (GET /healthz: 200 in {took:.0f} ms)")]
    if status == 503:
        return [
            *lines,
            failed(
                f"the hub at {url} answers, but its database does not (503)",
                "run motcua doctor on the hub, and see journalctl -u motcua-hub",
            ),
        ]
    return [
        *lines,
        failed(
            f"{url}/healthz answers {status}: not a motcua hub",
            "set hub_url to the hub's address, e.g. http://192.168.1.10:8080",
        ),
    ]


def _token(
    url: str, token: DeviceToken, timeout_s: float, ca_file: str | None, offsets: list[float]
) -> Check:
    try:
        secret = read_token(token.token, token.token_file)
    except ValueError as err:
        return failed(
            f"{token.label}: {err}",
            "put the token `motcua device add` printed on the hub in that file, readable by "
            "the agent's user",
        )
    client = _client(url, secret, timeout_s, ca_file)
    add = f"motcua device add NAME --kind {token.kind}" + (
        f" --counter {token.counter}" if token.counter else (" --counter ID" if token.bound else "")
    )
    try:
        me = client.get("/devices/me") or {}
    except HubRejected as err:
        return failed(
            f"{token.label}: the hub refuses it ({err.status} {err.code})",
            f"revoked, mistyped or another hub's: on the hub run `{add}` and put the token it "
            "prints in the file",
        )
    except HubUnreachable as err:
        return failed(f"{token.label}: the hub does not answer ({err})", "check again in a moment")
    finally:
        if client.clock_offset_s is not None:
            offsets.append(client.clock_offset_s)
        client.close()
    name, kind, counter = me.get("name"), me.get("kind"), me.get("counter")
    if kind != token.kind:
        return failed(
            f"{token.label} belongs to {name!r}, a {kind}, not a {token.kind}",
            f"make a {token.kind}'s token on the hub: {add}",
        )
    if token.bound and counter is None:
        return failed(f"{token.label} ({name}) is bound to no counter", f"on the hub: {add}")
    if token.counter is not None and counter != token.counter:
        return failed(
            f"{token.label} belongs to counter {counter}, not {token.counter}",
            f"use that counter's token, or make one on the hub: {add}",
        )
    at = f", counter {counter}" if counter else ""
    return passed(f"{token.label} accepted: {token.kind} {name!r}{at}")


def _client(url: str, token: str, timeout_s: float, ca_file: str | None) -> HubClient:
    """The agents' hub client, verifying against ``ca_file`` when one is configured (a
    section's ``ca_file`` and the client's come together: until then it is always None)."""
    if ca_file is None:
        return HubClient(url, token, timeout_s=timeout_s)
    return HubClient(url, token, timeout_s=timeout_s, ca_file=ca_file)  # type: ignore[call-arg]


def _clock(offset_s: float) -> Check:
    if abs(offset_s) <= CLOCK_TOLERANCE_S:
        return passed(f"clock within {CLOCK_TOLERANCE_S:g} s of the hub's ({offset_s:+.1f} s)")
    way = "behind" if offset_s > 0 else "ahead of"
    return failed(
        f"clock is {abs(offset_s):.0f} s {way} the hub's",
        "turn on time sync: sudo timedatectl set-ntp true, then timedatectl status must say "
        "'System clock synchronized: yes' (a Pi has no clock battery; without internet, "
        "point /etc/systemd/timesyncd.conf NTP= at a time server on the LAN)",
    )


def agent_running(command: str) -> list[Check]:
    """A hint when ``motcua <command>`` runs on this machine: it holds its devices,
    which the doctor then finds busy."""
    mine = os.getpid()
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        pid = int(Path(cmdline).parent.name)
        try:
            argv = Path(cmdline).read_bytes().split(b"\0")
        except OSError:
            continue
        words = [Path(arg.decode(errors="replace")).name for arg in argv if arg]
        if pid != mine and "motcua" in words and command in words and "doctor" not in words:
            return [
                hint(
                    f"the {command} agent runs (pid {pid}): the devices it holds show as busy",
                    f"to check them too, {stop_advice(command)} and start it again after",
                )
            ]
    return []


def stop_advice(agent: str) -> str:
    """How to stop the agent ``motcua <agent>`` (its systemd unit where it has one)."""
    unit = UNITS.get(agent)
    return f"sudo systemctl stop {unit}" if unit else f"stop `motcua {agent}`"
