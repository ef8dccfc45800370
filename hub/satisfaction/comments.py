"""The short comment a ticket holder may add after rating, from the ticket's page.

One comment per rating, at most ``[ratings] comment_chars`` characters (0 turns
comments off), on one line: control and format characters (Unicode ``Cc``, ``Cf``)
are refused, not stripped, so what is stored is what the citizen saw. A comment
is free text, hence personal data: ``motcua purge`` erases it
(:mod:`hub.retention.purge`).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import Engine, select, update

from config.schema import Config
from hub import errors
from hub.store.db import write
from hub.store.tables import ratings, tickets

__all__ = ["add_comment", "clean_comment"]


def clean_comment(text: str, max_chars: int) -> str:
    """The comment as stored: trimmed, checked.

    Raises:
        BadRequest: empty, too long, or holding a control character.
    """
    text = text.strip()
    if not text:
        raise errors.BadRequest("Ý kiến trống", code="invalid_comment")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise errors.BadRequest("Ý kiến có ký tự điều khiển", code="invalid_comment")
    if len(text) > max_chars:
        raise errors.BadRequest(f"Ý kiến dài quá {max_chars} ký tự", code="comment_too_long")
    return text


def add_comment(engine: Engine, config: Config, ticket_id: str, text: str) -> dict[str, str]:
    """Store the comment of the ticket's rating; returns ``{"ticket_id", "comment"}``.

    Raises:
        BadRequest: see :func:`clean_comment`.
        Forbidden: comments are turned off (``comment_chars = 0``).
        NotFound: no such ticket.
        Conflict: the ticket is not rated yet, or its rating already has a comment.
    """
    limit = config.ratings.comment_chars
    if limit == 0:
        raise errors.Forbidden("Trung tâm không nhận ý kiến trên trang này", code="comments_off")
    comment = clean_comment(text, limit)
    with write(engine) as conn:
        if conn.execute(select(tickets.c.id).where(tickets.c.id == ticket_id)).first() is None:
            raise errors.NotFound("Không tìm thấy phiếu số thứ tự", code="unknown_ticket")
        row = conn.execute(
            select(ratings.c.id, ratings.c.comment).where(ratings.c.ticket_id == ticket_id)
        ).first()
        if row is None:
            raise errors.Conflict("Phiếu này chưa được đánh giá", code="not_rated")
        if row.comment is not None:
            raise errors.Conflict("Ý kiến cho lượt này đã được gửi", code="already_commented")
        conn.execute(update(ratings).where(ratings.c.id == row.id).values(comment=comment))
    return {"ticket_id": ticket_id, "comment": comment}
