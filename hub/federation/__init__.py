"""Forwarding a centre's ratings and daily queue figures to a district or province hub.

The sending hub writes each rating (and each closed day's queue figures) to
its ``outbox`` table in the transaction that stores it, so nothing is lost by
a crash or a dead link. A background sender posts pending rows in batches to
the upstream's ``POST /api/v1/ratings/batch`` and deletes a row only when the
upstream has answered for it; keys make a resend harmless, so every rating
arrives exactly once. The upstream stores forwarded ratings under their
origin's ``site_id``, so its statistics group by site.

The link authenticates with a device token of kind ``hub`` made on the
upstream with ``motcua upstream link NAME`` (see :func:`add_link`).

Config (on the sending hub)::

    [upstream]
    url = "http://10.1.0.2:8080"
    token = "…"                  # or token_file = "/etc/motcua/upstream.token"
    batch_size = 200
    interval_s = 5
"""

from hub.federation.links import check_link
from hub.federation.outgoing import Forwarder, enqueue_queue_day, enqueue_rating
from hub.federation.receiver import receive
from hub.federation.sender import OutboxSender

__all__ = [
    "Forwarder",
    "OutboxSender",
    "check_link",
    "enqueue_queue_day",
    "enqueue_rating",
    "receive",
]
