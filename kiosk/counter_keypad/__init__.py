"""The counter keypad agent (``motcua counter-keypad``): a counter worked from a keypad.

- :mod:`.loop`: the agent, :class:`~kiosk.counter_keypad.loop.CounterKeypadAgent`;
- :mod:`.devices`: GPIO buttons read as a keypad;
- :mod:`.settings`: the devices ``[counter_keypad]`` names, built, and the counter
  the hub binds the token to;
- :mod:`.cli`: ``motcua counter-keypad``; :mod:`.demo`: the keypad of ``motcua demo``.
"""
