"""Accounts: who may act. Users (passwords, roles), devices (tokens shown once),
login tokens, and the :class:`Actor` every request resolves to."""

from hub.accounts.actor import PUBLIC, Actor
from hub.accounts.devices import DeviceService, Silence, note_contact
from hub.accounts.passwords import WeakPassword, cheap_hasher
from hub.accounts.tokens import TokenService, token_hash
from hub.accounts.users import UserService

__all__ = [
    "PUBLIC",
    "Silence",
    "Actor",
    "DeviceService",
    "TokenService",
    "UserService",
    "WeakPassword",
    "cheap_hasher",
    "note_contact",
    "token_hash",
]
