"""The call screen in the waiting hall: page, announcement audio and the unseen-call watch.

Routes (blueprint ``bp``, registered by :func:`register`):

- ``GET /display`` — every counter, field and call of the site.
- ``GET /display/<screen>`` — one screen of ``[[display.screens]]``; an unknown
  screen gets a Vietnamese 404 page listing the configured ones.
- ``GET /display/audio/<seq>.wav`` — the announcement of call ``seq`` (chime + the
  phrase from ``display.template``), rendered once by :mod:`display.announcer` and
  kept in ``<data_dir>/audio``.
- ``/display/static/…`` — the page's script, style, vendored Socket.IO client and fonts.

The page is read-only and needs no login. Everything it needs is in one JSON
``data-config`` attribute, since the Content-Security-Policy sent with it forbids
inline script. Live data arrives over Socket.IO ``/display`` (see ``api.md``).

On the TV, run Chromium in kiosk mode with autoplay allowed, or the announcements
stay silent until someone taps the screen (the page says so)::

    chromium --kiosk --noerrdialogs --disable-session-crashed-bubble \
        --autoplay-policy=no-user-gesture-required http://HUB:8080/display/sanh

A TV hung in portrait needs its output rotated by the OS (e.g. ``wlr-randr --output
HDMI-A-1 --transform 90``); the page picks the portrait layout from the window's shape
or from the screen's ``orientation = "portrait"``. Optional ``?tv=NAME`` names the TV in
the acknowledgements (``<screen>-<NAME>``); otherwise it keeps a random name in
localStorage.

``?token=DEVICE_TOKEN`` (a ``display`` device's token, ``motcua device add tv-sanh
--kind display``) makes the TV a registered screen: the page connects to
``/display`` with it and acknowledges each call it shows and says, which is what
clears the managers' "call not shown on any screen" warning. Without it the page
only watches. The token goes into the page as it came (the hub checks it on each
acknowledgement); the page is never cached and sends no Referer elsewhere.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
)

from config.schema import Config
from config.wire import error_body
from display.announcer import (
    DEFAULT_CLIP_DIR,
    AnnouncementCache,
    AnnouncerError,
    ClipSet,
    spoken_call,
)
from display.feed import MAX_SEQ, ScreenFeed

__all__ = ["CSP", "Announcements", "bp", "clip_dir", "register", "screen_view"]

logger = logging.getLogger(__name__)

bp = Blueprint(
    "display",
    __name__,
    url_prefix="/display",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

# Same-origin only: the page loads nothing from elsewhere and runs no inline script.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "img-src 'self' data:; media-src 'self'; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)
# How long the newest call blinks, and how many earlier calls the screen lists.
BLINK_S = 8
HISTORY = 6
#: The longest ``?token=`` the page passes on (the hub's tokens are 43 characters).
MAX_TOKEN = 200
EXTENSION = "motcua.display"
FEED_EXTENSION = "motcua.display.feed"


class Announcements:
    """Announcement WAVs of calls, rendered once and cached on disk.

    Args:
        folder: the cache folder (``<data_dir>/audio``).
        max_files: how many announcements to keep.
    """

    def __init__(self, folder: Path, *, max_files: int = 500) -> None:
        self.cache = AnnouncementCache(folder, max_files=max_files)
        self._clip_sets: dict[Path, ClipSet] = {}
        # Screens fetch the same call at once; one render, the others hit the file.
        self._lock = threading.Lock()

    def clip_set(self, config: Config) -> ClipSet:
        """The configured clip set (``display.clip_dir``, relative to the config file)."""
        folder = clip_dir(config)
        with self._lock:
            if folder not in self._clip_sets:
                self._clip_sets[folder] = ClipSet.load(folder)
            return self._clip_sets[folder]

    def phrase(self, config: Config, number: str, counter_id: str) -> str:
        """The words spoken for ``number`` called to ``counter_id`` (a counter whose id is
        not a code, e.g. ``mot-cua``, is said by its name)."""
        name = next((c.name for c in config.counters if c.id == counter_id), None)
        return spoken_call(config.display, number, counter_id, name)

    def wav(self, config: Config, number: str, counter_id: str) -> Path:
        """The WAV file announcing ``number`` at ``counter_id``, rendered if needed.

        Raises:
            AnnouncerError: a bad number, a broken clip set, or no espeak-ng for a
                word without a clip.
        """
        clip_set = self.clip_set(config)
        words = self.phrase(config, number, counter_id)
        with self._lock:
            return self.cache.get(
                words, clip_set, region=config.display.region, chime=config.display.chime
            )


def clip_dir(config: Config) -> Path:
    """The clip set folder of ``config``; relative paths start at the config file."""
    if not config.display.clip_dir:
        return DEFAULT_CLIP_DIR
    folder = Path(config.display.clip_dir).expanduser()
    if not folder.is_absolute():
        folder = Path(config.path).resolve().parent / folder
    return folder


def _shown_counters(config: Config, screen: Any) -> list[Any]:
    if screen is None:
        return list(config.counters)
    if screen.counters:
        wanted = set(screen.counters)
        return [c for c in config.counters if c.id in wanted]
    if screen.services:
        fields = set(screen.services)
        return [c for c in config.counters if fields & set(c.services)]
    return list(config.counters)


def _shown_services(config: Config, screen: Any) -> list[Any]:
    if screen is None:
        return list(config.services)
    if screen.services:
        wanted = set(screen.services)
    elif screen.counters:
        wanted = {s for c in _shown_counters(config, screen) for s in c.services}
    else:
        return list(config.services)
    return [s for s in config.services if s.id in wanted]


def screen_view(config: Config, screen_id: str | None, *, now_ms: int) -> dict[str, Any] | None:
    """What one screen shows, as the page's ``data-config`` JSON.

    A screen lists its counters, or else its fields (then it shows the counters
    serving them), or neither (then it shows everything). It shows a call when the
    call's counter or field is one of its own, so a citizen waiting in a field's
    area also sees their number called to a counter of another area.

    Args:
        config: the hub's configuration.
        screen_id: a ``[[display.screens]]`` id, or None for the whole site.
        now_ms: the server's time (Unix milliseconds) for the page's clock.

    Returns:
        The view, or None when ``screen_id`` names no screen.
    """
    screen = None
    if screen_id is not None:
        screen = next((s for s in config.display.screens if s.id == screen_id), None)
        if screen is None:
            return None
    counters = _shown_counters(config, screen)
    services = _shown_services(config, screen)
    if screen is None or not (screen.counters or screen.services):
        call_counters: list[str] = []  # empty: every call
        call_services: list[str] = []
    else:
        call_counters = [c.id for c in counters]
        call_services = list(screen.services)
    notice = screen.notice if screen is not None and screen.notice is not None else None
    # The widest number these counters can show sizes the type (e.g. "B888").
    called = {s for c in counters for s in c.services} | {s.id for s in services}
    samples = [s.prefix + "8" * s.digits for s in config.services if s.id in called]
    return {
        "site": {"id": config.site.id, "name": config.site.name},
        "timezone": config.site.timezone,
        "server_time_ms": now_ms,
        "screen": {
            "id": screen.id if screen else "all",
            "name": screen.name if screen else "",
            "orientation": screen.orientation if screen else "auto",
        },
        "counters": [{"id": c.id, "name": c.name} for c in counters],
        "services": [{"id": s.id, "name": s.name} for s in services],
        "service_names": {s.id: s.name for s in config.services},
        "number_samples": sorted(set(samples)) or ["888"],
        "calls": {"counters": call_counters, "services": call_services},
        "notice": notice if notice is not None else config.display.notice,
        "recent_s": config.display.recent_s,
        "repeat": config.display.repeat,
        "blink_s": BLINK_S,
        "history": HISTORY,
        "audio_url": "/display/audio/",
    }


def _feed() -> ScreenFeed:
    feed: ScreenFeed = current_app.extensions[FEED_EXTENSION]
    return feed


def _page(view: dict[str, Any] | None, screen_id: str | None) -> Response:
    config = _feed().config
    status = 200
    if view is None:
        status = 404
        html = render_template(
            "display.html",
            missing=screen_id,
            site=config.site,
            screens=config.display.screens,
        )
    else:
        token = request.args.get("token", "")
        view = {**view, "token": token if 0 < len(token) <= MAX_TOKEN else None}
        html = render_template("display.html", view=view, missing=None)
    response = Response(html, status=status, mimetype="text/html")
    # The page carries the server's time for the clock: never serve it from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")  # registered second (decorators apply bottom-up): url_for gives "/display"
@bp.get("")
def whole_site() -> Response:
    """The screen of the whole site."""
    return _page(screen_view(_feed().config, None, now_ms=_now_ms()), None)


@bp.get("/<screen_id>")
def one_screen(screen_id: str) -> Response:
    """One configured screen, or a 404 page naming the configured screens."""
    return _page(screen_view(_feed().config, screen_id, now_ms=_now_ms()), screen_id)


@bp.get("/audio/<int:seq>.wav")
def call_audio(seq: int) -> Response:
    """The announcement of call ``seq``; 404 for an unknown call, 503 if it cannot be said."""
    feed = _feed()
    found = feed.calls_after(seq - 1, limit=1) if 0 < seq < MAX_SEQ else []
    if not found or found[0]["seq"] != seq:
        return _error(404, "unknown_seq", "Không có lượt gọi này")
    call = found[0]
    announcements: Announcements = current_app.extensions[EXTENSION]
    try:
        path = announcements.wav(feed.config, call["number"], call["counter"]["id"])
    except (AnnouncerError, ValueError, OSError):
        logger.exception("cannot render the announcement of call %s", seq)
        return _error(503, "audio_unavailable", "Không tạo được âm thanh lời mời")
    # The file name is a digest of the words, region, chime and clip set, so it
    # changes whenever the announcement would: safe to cache under that ETag.
    response = send_file(path, mimetype="audio/wav", etag=path.stem, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _error(status: int, code: str, message: str) -> Response:
    response = jsonify(error_body(code, message))
    response.status_code = status
    return response


def _now_ms() -> int:
    return int(_feed().now().timestamp() * 1000)


@bp.after_request
def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def register(app: Flask, feed: ScreenFeed, audio_dir: Path) -> None:
    """Add the screen pages and audio to ``app``.

    Args:
        app: the serving Flask app.
        feed: the calls and counters to show (the hub's).
        audio_dir: where rendered announcements are kept.
    """
    app.register_blueprint(bp)
    app.extensions[FEED_EXTENSION] = feed
    app.extensions[EXTENSION] = Announcements(audio_dir)
