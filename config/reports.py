"""The ``[reports]`` section: reporting periods and the words of the provincial form.

``period_cutoff_day`` is the first day of a reporting month (*kỳ báo cáo*): with 15,
the default, a month runs from the 15th of the month before to the 14th, as NĐ
09/2019/NĐ-CP closes state periodic reports; 1 gives calendar months. The other
keys fill the header, the question and the place-and-date line of the form sheet
and its PDF.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass

from config.base import STRICT

DEFAULT_QUESTION = (
    "Ông/Bà đánh giá thế nào về sự phục vụ của công chức tiếp nhận hồ sơ tại Bộ phận Một cửa?"
)
Line = Annotated[str, Field(max_length=200, pattern=r"^[^\r\n\t]*$")]


@dataclass(frozen=True, config=STRICT)
class ReportSettings:
    """The ``[reports]`` section (every key has a default)."""

    period_cutoff_day: Annotated[int, Field(ge=1, le=28)] = 15
    place: Line = ""
    authority: Line = ""
    question: Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\r\n\t]*$")] = (
        DEFAULT_QUESTION
    )
