"""Delivering the hub's outbox: upstream batches to ``POST /api/v1/ratings/batch`` of
the district or province hub, alert webhooks, and rated dossiers to the ``[export]``
webhook. A row is deleted only when its
receiver has answered for it; keys make a resend harmless, so every rating arrives
exactly once."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import requests
from sqlalchemy import Engine

from config.schema import Config
from config.tokens import read_token
from config.upstream import UpstreamSettings
from hub.clock import Clock
from hub.outbox import EXPORT, UPSTREAM, WEBHOOK, Outbox

logger = logging.getLogger(__name__)


class OutboxSender:
    """Delivers the hub's outbox: upstream batches and alert webhooks.

    Args:
        engine: the hub's database.
        config: its configuration (``[upstream]`` and ``[alerts]``).
        clock: UTC now.
    """

    def __init__(
        self, engine: Engine, config: Config, clock: Clock, outbox: Outbox | None = None
    ) -> None:
        self.config = config
        self.outbox = outbox or Outbox(engine, clock)
        self._session = requests.Session()

    def pending(self, topic: str = UPSTREAM) -> int:
        """How many rows of ``topic`` wait."""
        return self.outbox.pending(topic)

    def flush_upstream(self) -> int:
        """Send due upstream rows until none is due or a send fails; returns rows delivered."""
        settings = self.config.upstream
        if settings is None:
            return 0
        delivered = 0
        while True:
            rows = self.outbox.due(UPSTREAM, settings.batch_size)
            if not rows:
                return delivered
            answered, reachable = self._post(settings, rows)
            if answered is None and reachable and len(rows) > 1:
                # The upstream refused the batch as a whole: find the bad item by
                # sending one at a time, so one bad row cannot hold back the rest.
                answered = []
                for row in rows:
                    one, reachable = self._post(settings, [row])
                    answered.extend(one or [])
                    if not reachable:
                        break
            delivered += len(answered or [])
            if not answered or len(answered) < len(rows):
                return delivered

    def _post(self, settings: UpstreamSettings, rows: list[Any]) -> tuple[list[int] | None, bool]:
        """POST rows; returns (ids answered for, or None on a refused batch; reachable)."""
        body: dict[str, list[Any]] = {"forwarded": [], "queue_days": []}
        by_key: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            item = {k: v for k, v in row.payload.items() if k != "kind"}
            body["forwarded" if row.payload["kind"] == "rating" else "queue_days"].append(item)
            by_key[item["key"]].append(row.id)
        token = read_token(settings.token, settings.token_file)
        try:
            response = self._session.post(
                f"{settings.url.rstrip('/')}/api/v1/ratings/batch",
                json={k: v for k, v in body.items() if v},
                headers={"Authorization": f"Bearer {token}"},
                timeout=settings.timeout_s,
            )
        except requests.RequestException as err:
            self.outbox.failed(rows, f"{type(err).__name__}")
            logger.info("upstream unreachable (%s); %d row(s) wait", type(err).__name__, len(rows))
            return None, False
        if response.status_code != 200:
            self.outbox.failed(rows, f"HTTP {response.status_code}: {response.text[:200]}")
            logger.warning("upstream answered %s: %s", response.status_code, response.text[:200])
            return None, response.status_code < 500
        results = response.json().get("results", [])
        answered = [i for r in results for i in by_key.get(r["key"], [])]
        for r in results:
            if r.get("status") == "rejected":
                logger.warning("upstream refused %s: %s", r["key"], r.get("code"))
        self.outbox.done(answered)
        return answered, True

    def flush_webhooks(self) -> int:
        """POST due alert webhooks; returns how many were delivered."""
        url = self.config.alerts.webhook_url
        return self._post_each(WEBHOOK, url, {}, 10.0, 50) if url else 0

    def flush_exports(self) -> int:
        """POST due rated dossiers to the ``[export]`` webhook, one row a request, each
        with its ``Idempotency-Key`` (the row's key); returns how many were delivered."""
        settings = self.config.export
        if settings.webhook_url is None:
            return 0
        headers = {"Authorization": f"Bearer {settings.token}"} if settings.token else {}
        return self._post_each(
            EXPORT, settings.webhook_url, headers, settings.timeout_s, settings.batch_size
        )

    def _post_each(
        self, topic: str, url: str, headers: dict[str, str], timeout_s: float, limit: int
    ) -> int:
        """POST each due row of ``topic`` as JSON; a 2xx answer settles it. An unreachable
        receiver ends the turn (the other rows wait for the next one)."""
        sent = 0
        for row in self.outbox.due(topic, limit):
            try:
                response = self._session.post(
                    url,
                    json=row.payload,
                    headers={**headers, "Idempotency-Key": row.key},
                    timeout=timeout_s,
                )
            except requests.RequestException as err:
                self.outbox.failed([row], type(err).__name__)
                break
            if 200 <= response.status_code < 300:
                self.outbox.done([row.id])
                sent += 1
            else:
                self.outbox.failed([row], f"HTTP {response.status_code}")
        return sent
