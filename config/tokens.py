"""Reading a secret token named in a configuration section."""

from __future__ import annotations

from pathlib import Path


def read_token(token: str | None, token_file: str | None) -> str:
    """The token from the config value, else from its file.

    Raises:
        ValueError: when neither is given, or the file is unreadable or empty.
    """
    if token:
        return token.strip()
    if not token_file:
        raise ValueError("token or token_file is required")
    try:
        value = Path(token_file).read_text(encoding="utf-8").strip()
    except OSError as err:
        raise ValueError(f"cannot read token_file {token_file}: {err.strerror}") from None
    if not value:
        raise ValueError(f"token_file {token_file} is empty")
    return value
