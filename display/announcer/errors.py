"""Exceptions of the announcer: one root, leaves that also inherit a builtin."""

# pyright: strict

from __future__ import annotations

__all__ = ["AnnouncerError", "ClipSetError", "InvalidNumberError", "SynthesisError"]


class AnnouncerError(Exception):
    """Root of every error the announcer raises."""


class InvalidNumberError(AnnouncerError, ValueError):
    """A number, ticket number, counter or template that cannot be read aloud.

    The message is one line of Vietnamese, e.g. ``số không hợp lệ: 'abc'``, because
    the CLI shows it to staff as it is.
    """


class ClipSetError(AnnouncerError, ValueError):
    """A clip set folder whose manifest or audio files are unusable."""


class SynthesisError(AnnouncerError, RuntimeError):
    """A word has no clip and espeak-ng could not synthesise it."""
