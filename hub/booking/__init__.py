"""Remote tickets from the public ``/book`` page (``[booking]``, off by default)."""

from hub.booking.service import BookingService, expire_bookings, normalise_phone

__all__ = ["BookingService", "expire_bookings", "normalise_phone"]
