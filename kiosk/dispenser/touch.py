"""The kiosk's local web server: the touch page and its small JSON API.

It listens on ``[kiosk] listen`` (``127.0.0.1:8090`` by default) for Chromium in
kiosk mode on the same Pi. Routes:

- ``GET /`` — the touch page: a big button per field with its waiting count and
  estimated wait, a priority choice, and the number on screen while it prints.
- ``GET /status`` — the agent's state (:meth:`kiosk.dispenser.loop.Dispenser.snapshot`).
- ``GET /favicon.svg``, ``/favicon.ico`` — the motcua icon (:mod:`kiosk.kit.favicon`).
- ``GET /services`` — the fields with ``waiting``, ``estimated_wait_s``, ``no_open_counter``,
  ``available``.
- ``POST /take {service, priority?}`` — 201 with the hub's ticket once printed;
  503 ``{"error": {"code": "printer_error" | "hub_unreachable", …}}`` when it could
  not be printed (the ticket is already cancelled on the hub); the hub's own
  4xx (``daily_limit_reached``, ``unknown_service``…) otherwise.

``/take`` goes through the same loop as the GPIO buttons. It only accepts
``application/json``: a page from elsewhere cannot post that across origins
without a CORS preflight, which this server never grants.
"""

from __future__ import annotations

import logging
import re
import threading

from flask import (
    Flask,
    Response,
    abort,
    jsonify,
    render_template,
    request,
    send_file,
    send_from_directory,
)
from werkzeug.serving import BaseWSGIServer, make_server

from kiosk.dispenser.loop import Dispenser
from kiosk.kit import favicon
from kiosk.ticket.layout import FONT_WEIGHTS, font_path

__all__ = ["TouchServer", "create_touch_app"]

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: Seconds the issued number stays on screen after it printed.
RESULT_S = 10


def _bad(message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": "invalid_body", "message": message}}), 400


def create_touch_app(agent: Dispenser) -> Flask:
    """The Flask app of the touch page, serving ``agent`` (a :class:`Dispenser`)."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = 4096

    @app.get("/")
    def page() -> str:
        return render_template("touch.html", result_s=RESULT_S)

    @app.get("/status")
    def status() -> Response:
        return jsonify(agent.snapshot())

    @app.get("/services")
    def services() -> Response:
        return jsonify(agent.snapshot().get("services", []))

    @app.post("/take")
    def take() -> tuple[Response, int]:
        if not request.is_json:
            return _bad("Nội dung phải là application/json")
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or set(body) - {"service", "priority"}:
            return _bad("Cần {service, priority?}")
        service, priority = body.get("service"), body.get("priority")
        if not isinstance(service, str) or not _SLUG.match(service):
            return _bad("service: mã lĩnh vực không hợp lệ")
        if priority is not None and (not isinstance(priority, str) or not _SLUG.match(priority)):
            return _bad("priority: loại ưu tiên không hợp lệ")
        result = agent.take(service, priority)
        return jsonify(result.body), result.status

    @app.get("/fonts/<name>.ttf")
    def font(name: str) -> Response:
        weight = name.removeprefix("BeVietnamPro-")
        if weight not in FONT_WEIGHTS:
            abort(404)
        return send_file(font_path(weight), mimetype="font/ttf", max_age=86400)

    @app.get("/favicon.svg")
    def favicon_svg() -> Response:
        return send_from_directory(favicon.ICON_DIR, favicon.SVG, max_age=favicon.MAX_AGE_S)

    @app.get("/favicon.ico")
    def favicon_ico() -> Response:
        return send_from_directory(
            favicon.ICON_DIR, favicon.PNG, mimetype="image/png", max_age=favicon.MAX_AGE_S
        )

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if response.mimetype == "application/json":
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


class TouchServer:
    """The touch page on ``host:port`` in a background thread (Werkzeug, threaded).

    Args:
        agent: The running :class:`~kiosk.dispenser.loop.Dispenser`.
        host: Address to listen on; keep ``127.0.0.1`` unless the screen is elsewhere.
        port: TCP port; 0 picks a free one (tests).

    Raises:
        OSError: The address is in use or not available.
    """

    def __init__(self, agent: Dispenser, host: str = "127.0.0.1", port: int = 8090) -> None:
        self.app = create_touch_app(agent)
        try:
            self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True)
        except SystemExit as err:
            # Werkzeug reports a taken port by printing and calling sys.exit().
            raise OSError(f"cannot listen on {host}:{port}") from err
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` the server listens on."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="kiosk-touch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket. Idempotent."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()
