"""Password hashing (werkzeug's scrypt by default) and a constant-time dummy check."""
from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(stored_hash: str, password: str) -> bool:
    return check_password_hash(stored_hash, password)


def burn_time(password: str) -> None:
    """Spend the time a real check costs, so an unknown username cannot be told apart by timing."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not-a-password", method=method)
    check_password_hash(_DUMMY_HASH[method], password)
