"""The agents' kit: what every Pi agent shares.

- :mod:`kiosk.kit.hub_client`: the only way an agent talks to the hub (HTTP, device token).
- :mod:`kiosk.kit.outbox`: an on-disk outbox that keeps what must reach the hub.
- :mod:`kiosk.kit.runner`: the one runner of every agent's command.
"""
