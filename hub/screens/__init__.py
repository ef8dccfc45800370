"""The hall screens' side of the hub: which screen showed and spoke each call, and
the calls that no screen showed in time."""

from hub.screens.acks import record_ack
from hub.screens.unseen import UnseenCall, check_unseen, flag_unseen, unseen_calls

__all__ = ["UnseenCall", "check_unseen", "flag_unseen", "record_ack", "unseen_calls"]
