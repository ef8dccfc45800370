"""The display agent (``motcua display-agent``): LED boards and a loudspeaker on a Pi.

- :mod:`.loop`: the agent, :class:`~display.agent.loop.DisplayAgent`, following the
  hub's ``/display`` namespace;
- :mod:`.devices`: its board lines and its speaker, each on its own thread;
  :mod:`.announcements`: the WAV it says for a call;
- :mod:`.reports`: its heartbeats and acknowledgements;
- :mod:`.settings`: ``[display_agent]`` read and checked, its adapters built;
- :mod:`.cli`: ``motcua display-agent``; :mod:`.demo`: the agent of ``motcua demo``.
"""
