"""Request and response models of the v1 API (pydantic).

The same classes validate requests and describe them in ``openapi.json``.
Requests are strict: unknown fields, wrong types and absurd sizes are 400s.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from hub.clock import calendar_day, calendar_time

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Key = Annotated[str, Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
Slug = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


WireTime = Annotated[AwareDatetime, AfterValidator(calendar_time)]
"""A time a client sends: ISO 8601 with its offset (``…Z`` or ``+07:00``), 2000–2099."""
WireDay = Annotated[date, AfterValidator(calendar_day)]
"""A day a client sends, 2000–2099."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# ---------------------------------------------------------------- requests
class LoginIn(Strict):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class TicketIn(Strict):
    service: Slug
    priority: Slug | None = None
    key: Key | None = None
    """Optional idempotency key: the same key again answers 200 with the ticket
    already issued, so a kiosk whose request timed out can find (and cancel) it."""


class TicketRatingIn(Strict):
    level: Slug
    reasons: Annotated[list[Slug], Field(max_length=10)] = []


class TicketCommentIn(Strict):
    comment: Annotated[str, Field(max_length=2000)]


class TicketCommentOut(BaseModel):
    ticket_id: str
    comment: str


class TransferIn(Strict):
    service: Slug


DossierCode = Annotated[str, Field(min_length=1, max_length=200)]


class CompleteIn(Strict):
    dossiers: Annotated[list[DossierCode], Field(max_length=50)] = []
    """Dossier codes (mã hồ sơ) of the ticket; each must match ``[dossiers] pattern``."""


class RatingIn(Strict):
    key: Key
    level: Slug
    at: WireTime | None = None
    reasons: Annotated[list[Slug], Field(max_length=10)] = []
    clock_offset_s: Annotated[float, Field(ge=-4e9, le=4e9)] | None = None
    """Hub clock minus pad clock (s), measured by the pad at its last answer."""


Name = Annotated[str, Field(max_length=200)]
CounterKey = Annotated[str, Field(max_length=32)]


class ForwardedRatingIn(Strict):
    """A rating already linked at its own site, forwarded by that site's hub."""

    key: Key
    site: Slug
    site_name: Name
    level: Slug
    score: Annotated[float, Field(ge=0, le=100)]
    positive: bool
    at: WireTime
    day: WireDay
    counter: CounterKey | None = None
    counter_name: Name | None = None
    staff_name: Name | None = None
    service: Slug | None = None
    service_name: Name | None = None
    ticket: Annotated[str, Field(max_length=32)] | None = None
    reasons: Annotated[list[Slug], Field(max_length=10)] = []
    flags: Annotated[list[Slug], Field(max_length=10)] = []
    channel: Annotated[str, Field(max_length=16)] = "pad"


Count = Annotated[int, Field(ge=0, le=10_000_000)]
Seconds = Annotated[float, Field(ge=0, le=1e12)]


class QueueDayRowIn(Strict):
    counter: CounterKey
    staff: Annotated[int, Field(ge=0, le=2**31 - 1)]  # the databases' INTEGER
    service: Annotated[str, Field(max_length=64)]
    issued: Count = 0
    done: Count = 0
    no_show: Count = 0
    cancelled: Count = 0
    served: Count = 0
    wait_sum: Seconds = 0
    wait_n: Count = 0
    service_sum: Seconds = 0
    service_n: Count = 0


class QueueDayIn(Strict):
    """One closed day's queue figures of a downstream site (replaces earlier ones)."""

    key: Key
    site: Slug
    site_name: Name
    day: WireDay
    rows: Annotated[list[QueueDayRowIn], Field(max_length=5000)]
    counter_names: dict[str, Name] = {}
    service_names: dict[str, Name] = {}


class RatingBatchIn(Strict):
    """Presses from a pad (``ratings``), or a downstream hub's ``forwarded``
    ratings and ``queue_days``."""

    ratings: Annotated[list[RatingIn], Field(max_length=500)] = []
    forwarded: Annotated[list[ForwardedRatingIn], Field(max_length=500)] = []
    queue_days: Annotated[list[QueueDayIn], Field(max_length=100)] = []

    @model_validator(mode="after")
    def _not_empty(self) -> RatingBatchIn:
        if not (self.ratings or self.forwarded or self.queue_days):
            raise ValueError("ratings: at least one item is required")
        return self


class DeviceStatus(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    printer: Literal["ok", "paper_low", "paper_out", "offline", "unknown"] | None = None


class HeartbeatIn(Strict):
    version: Annotated[str, Field(min_length=1, max_length=64)]
    status: DeviceStatus = DeviceStatus()


class StatsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_: date = Field(alias="from")  # in 2000–2099: checked with the range (invalid_range)
    to: date
    by: Literal["counter", "staff", "service", "day", "month", "quarter", "year", "site"] = (
        "counter"
    )
    include_flagged: bool = False


# --------------------------------------------------------------- responses
class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class LoginOut(BaseModel):
    token: str
    role: Literal["staff", "manager", "admin"]
    expires_at: datetime


class ServiceRef(BaseModel):
    id: str
    name: str


class CounterRef(BaseModel):
    id: str
    name: str


class ServiceOut(BaseModel):
    id: str
    name: str
    waiting: int
    estimated_wait_s: int
    no_open_counter: bool = False
    """No open, unpaused counter serves the field: show no estimated wait."""


class CounterTicketOut(BaseModel):
    """A ticket as a counter's actions answer it: no ``id``, because the id is the
    holder's permission to rate, and staff must not be able to rate themselves."""

    number: str
    service: ServiceRef
    status: Literal["waiting", "called", "done", "no_show", "cancelled"]
    priority: str | None = None
    issued_at: datetime
    waiting_ahead: int
    estimated_wait_s: int
    no_open_counter: bool = False
    """A waiting ticket whose field no open, unpaused counter serves: no estimated wait."""
    counter: CounterRef | None = None
    called_at: datetime | None = None
    completed_at: datetime | None = None


class TicketOut(CounterTicketOut):
    """A ticket as its holder (and the kiosk that issued it) sees it."""

    id: str


class CurrentOut(BaseModel):
    number: str
    service: str
    called_at: datetime | None = None


class CounterOut(BaseModel):
    id: str
    name: str
    services: list[str]
    status: Literal["open", "closed"]
    paused: bool
    staff: str | None = None
    current: CurrentOut | None = None


class RatingOut(BaseModel):
    id: int
    ticket_id: str | None


class RatingResult(BaseModel):
    key: str
    status: Literal["created", "duplicate", "rejected"]
    code: str | None = None
    id: int | None = None
    ticket_id: str | None = None


class RatingBatchOut(BaseModel):
    results: list[RatingResult]


class SatisfactionRow(BaseModel):
    key: str
    label: str
    total: int
    counts: dict[str, int]
    satisfaction_rate: float | None
    mean_score: float | None
    served: int
    coverage: float | None


class LevelOut(BaseModel):
    id: str
    label: str
    score: float
    positive: bool


class FlaggedOut(BaseModel):
    total: int
    counts: dict[str, int]


class SatisfactionOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    by: str
    include_flagged: bool = False
    levels: list[LevelOut]
    rows: list[SatisfactionRow]
    total: SatisfactionRow
    flagged: FlaggedOut | None = None


class StaffTodayOut(BaseModel):
    day: date
    total: int
    counts: dict[str, int]
    satisfaction_rate: float | None
    mean_score: float | None
    served: int
    coverage: float | None


class QueueRow(BaseModel):
    key: str
    label: str
    issued: int
    served: int
    no_show: int
    cancelled: int
    waiting: int
    avg_wait_s: float | None
    avg_service_s: float | None


class QueueStatsOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    by: str
    rows: list[QueueRow]
    total: QueueRow


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    reasons: list[str] | None = Field(
        default=None,
        description="why the hub is degraded (storage_full, storage_read_only, "
        "redis_unreachable); absent when ok",
    )
