"""The motcua hub: queue engine, storage, REST API, Socket.IO, pages and CLI.

:func:`hub.app.create_app` builds the Flask application; :mod:`hub.background`
runs its periodic jobs. The README's package table walks the subpackages.
"""
