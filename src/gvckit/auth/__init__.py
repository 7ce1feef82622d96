"""People and access: users with roles, Argon2 passwords, hashed API tokens, sessions, one-time
login links and a login rate limit. Pure services over the database (:mod:`gvckit.store`);
the web layer and the ``gvckit users`` commands both call them."""

from __future__ import annotations

from gvckit.auth.users import ROLES, User, role_at_least

__all__ = ["ROLES", "User", "role_at_least"]
