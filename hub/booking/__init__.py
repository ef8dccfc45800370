"""Remote tickets from the public ``/book`` page (``[booking]``, off by default)."""

from hub.booking.phones import normalise_phone
from hub.booking.sender import CodeSender, HttpCodeSender, RecordingSender, SendFailed
from hub.booking.service import BookingService, expire_bookings

__all__ = [
    "BookingService",
    "CodeSender",
    "HttpCodeSender",
    "RecordingSender",
    "SendFailed",
    "expire_bookings",
    "normalise_phone",
]
