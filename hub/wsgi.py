"""The WSGI entry of a production server: ``hub.wsgi:application``.

Each server process builds the hub from ``MOTCUA_CONFIG`` (and ``MOTCUA_DATA``,
``MOTCUA_DATABASE_URL``, ``MOTCUA_REDIS_URL``) and starts :mod:`hub.background`
once; with several processes only one runs each periodic job at a time.
``motcua serve`` runs it under gunicorn; so can any WSGI server that supports
Flask-SocketIO's WebSocket transport.
"""

from __future__ import annotations

from config.loader import config_path
from config.schema import load_config
from hub.app import create_app
from hub.background import start_background
from hub.settings import Settings

application = create_app(Settings.from_env(load_config(config_path(None))))
background = start_background(application)
