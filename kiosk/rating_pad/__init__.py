"""The rating pad agent (``motcua rating-pad``): the satisfaction buttons of one or
several counters.

- :mod:`.loop`: the agent, :class:`~kiosk.rating_pad.loop.RatingPad`: its event loop
  and its sender of the outbox;
- :mod:`.devices`: what it drives for one counter (buttons or a keypad, LEDs);
- :mod:`.settings`: the devices ``[rating_pad]`` names, built;
- :mod:`.cli`: ``motcua rating-pad``; :mod:`.demo` and :mod:`.demo_page`: the pads
  of ``motcua demo`` and their page.
"""
