"""Tickets of one site: issuing, following, cancelling, and their wait estimates."""

from hub.tickets.estimates import Estimates
from hub.tickets.service import TicketService

__all__ = ["Estimates", "TicketService"]
