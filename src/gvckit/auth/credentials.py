"""Passwords (Argon2id, argon2-cffi's defaults) and random tokens stored as SHA-256 digests.

Tokens carry 256 bits of randomness, so a fast digest is enough to store them: a leaked
database does not reveal a usable token, and lookup stays one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

__all__ = ["digest", "generate_password", "hash_password", "new_token", "verify_password"]

MIN_PASSWORD = 8


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (salted, with its parameters)."""
    return str(_hasher().hash(password))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (False for no hash)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored:
        _hasher().hash(password)  # same work either way: no timing hint that the user lacks one
        return False
    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password (about 96 bits) for people to copy."""
    return secrets.token_urlsafe(12)


def new_token(prefix: str = "gvk") -> str:
    """A new random token (URL-safe)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
