"""Satisfaction: ratings from pads and ticket holders, linked to the ticket they are
about, once; the rollups kept with them; the misuse rules that flag them.

(The pure maths of ratings is :mod:`hub.ratings`; this package stores and reads.)
"""

from hub.satisfaction.comments import add_comment
from hub.satisfaction.intake import (
    CREATED,
    DUPLICATE,
    REJECTED,
    RatingInput,
    RatingOutcome,
    RatingService,
)
from hub.satisfaction.listeners import RatingListener
from hub.satisfaction.rollups import reflag, rollup_add, rollup_add_many

__all__ = [
    "CREATED",
    "DUPLICATE",
    "REJECTED",
    "RatingInput",
    "RatingListener",
    "RatingOutcome",
    "RatingService",
    "add_comment",
    "reflag",
    "rollup_add",
    "rollup_add_many",
]
