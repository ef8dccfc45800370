"""The ticket kiosk agent (``motcua kiosk``): press → ``POST /tickets`` → render → print.

- :mod:`.loop`: the agent, :class:`~kiosk.dispenser.loop.Dispenser`, and its one loop;
- :mod:`.state`, :mod:`.hub_link`, :mod:`.ticket_maker`, :mod:`.view`: what the loop
  works with, asks the hub between presses, prints, and shows;
- :mod:`.devices`: the LEDs of its buttons; :mod:`.touch`: its touch page;
- :mod:`.site`: the site as tickets print it;
- :mod:`.settings`: the ``[kiosk]`` section read and its adapters built;
- :mod:`.cli`: ``motcua kiosk`` and ``python -m kiosk.dispenser``; :mod:`.demo`: the
  kiosk of ``motcua demo``.

Kept empty of imports: ``python -m kiosk.dispenser`` loads only what it runs.
"""
