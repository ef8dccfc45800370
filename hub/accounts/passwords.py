"""Passwords: Argon2id hashing and the policy a new password must meet."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher

from config.hub import Security
from hub import errors


def cheap_hasher() -> PasswordHasher:
    """A fast Argon2 profile for tests only (never for real accounts)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class WeakPassword(errors.BadRequest):
    """A password the policy refuses; ``reason`` and ``params`` let pages translate it."""

    code = "weak_password"

    def __init__(self, message: str, reason: str, **params: Any) -> None:
        super().__init__(message, code="weak_password")
        self.reason = reason
        self.params = params


# Passwords long enough for the length rule that guessers still try first.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789a",
        "0123456789",
        "1111111111",
        "abc1234567",
        "abcd123456",
        "qwertyuiop",
        "password123",
        "password1234",
        "matkhau123",
        "matkhau1234",
        "matkhau@123",
        "admin@1234",
        "admin12345",
        "admin123456",
        "vietnam123",
        "hanoi12345",
        "iloveyou123",
        "motcua2026",
        "motcua12345",
    }
)


def check_password_policy(password: str, security: Security, username: str = "") -> None:
    """Refuse weak passwords with a message a person can act on.

    The rules follow current guidance (length and a list of common choices, no
    composition rules): at least ``password_min_length`` characters, not
    containing the user name, at least 4 different characters, not a common
    password, at most 256 characters (hashing cost).

    Raises:
        WeakPassword: with a Vietnamese message and a ``reason`` code.
    """
    minimum = security.password_min_length
    if len(password) < minimum:
        raise WeakPassword(f"Mật khẩu phải có ít nhất {minimum} ký tự", "too_short", min=minimum)
    if len(password) > 256:
        raise WeakPassword("Mật khẩu dài quá 256 ký tự", "too_long", max=256)
    if username and username.lower() in password.lower():
        raise WeakPassword("Mật khẩu không được chứa tên đăng nhập", "contains_username")
    if len(set(password)) < 4:
        raise WeakPassword("Mật khẩu quá đơn giản", "too_simple")
    if password.lower() in COMMON_PASSWORDS:
        raise WeakPassword("Mật khẩu này quá phổ biến, dễ bị đoán", "common")
