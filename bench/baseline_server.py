"""The Werkzeug baseline: the hub on Flask-SocketIO's threaded Werkzeug server.

This is how ``motcua serve`` ran before it moved to gunicorn with a gevent worker,
kept in ``bench/`` only so the benchmarks can measure the shipped server against
it. The hub is built as :mod:`hub.wsgi` builds it (``create_app`` from the
configuration and the environment, then :func:`hub.background.start_background`)
and served by ``socketio.run(app, allow_unsafe_werkzeug=True)``: one thread per
HTTP connection and per WebSocket, Socket.IO in ``threading`` mode.

Never use it to serve a centre: Werkzeug's server is a development server.

Run: ``python -m bench.baseline_server --config FILE [--host H] [--port P]``
(with ``MOTCUA_DATA`` / ``MOTCUA_DATABASE_URL`` as for ``motcua serve``).
"""

from __future__ import annotations

import argparse
import sys

from config.loader import config_path
from config.schema import load_config
from hub.app import create_app
from hub.background import start_background
from hub.cli import setup_logging
from hub.context import hub_of
from hub.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="configuration file (default: $MOTCUA_CONFIG)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    setup_logging()  # as the old `motcua serve`: Werkzeug's request log silenced
    app = create_app(Settings.from_env(load_config(config_path(args.config))))
    socketio = hub_of(app).socketio
    if socketio.async_mode != "threading":
        raise SystemExit(f"the baseline must run in threading mode, not {socketio.async_mode}")
    background = start_background(app)
    print(f"Werkzeug baseline on http://{args.host}:{args.port}", flush=True)
    try:
        socketio.run(
            app, host=args.host, port=args.port, allow_unsafe_werkzeug=True, log_output=False
        )
    finally:
        background.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
