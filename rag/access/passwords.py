"""Password hashing for the users file: argon2id (argon2-cffi), so no password is ever stored or compared in clear."""

from __future__ import annotations

import threading

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_CHARS = 8
# argon2 takes any length; the cap bounds what one forged sign-in request can make the server hash
MAX_PASSWORD_CHARS = 1024

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, m=64 MiB, p=4): ~0.1-0.4 s a check here.
_HASHER = PasswordHasher()
# Each check holds 64 MiB for its duration: a flood of sign-ins must queue, not exhaust memory or cores.
_CHECKS = threading.BoundedSemaphore(2)
# Checked against for a name that does not exist, so that an unknown name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def check_password_rules(password: str) -> None:
    """ValueError saying what to change when `password` cannot be a password here."""
    if not isinstance(password, str):
        raise ValueError("the password must be text")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password is {len(password)} characters long: use at least {MIN_PASSWORD_CHARS}")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"the password is longer than {MAX_PASSWORD_CHARS} characters: use a shorter one")
    if password != password.strip():
        raise ValueError("the password starts or ends with a space or line break: remove it")


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (a PHC string with its own random salt and parameters)."""
    check_password_rules(password)
    return _HASHER.hash(password)


def is_password_hash(value: object) -> bool:
    """True when `value` is an argon2id PHC string whose parameters this module can check."""
    if not isinstance(value, str) or not value.startswith("$argon2id$"):
        return False
    try:
        params = extract_parameters(value)
    except InvalidHashError:
        return False
    # parameters far below the defaults would make a leaked file cheap to crack: refuse them
    return params.type is Type.ID and params.time_cost >= 1 and params.memory_cost >= 19_456


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches `password_hash`; False otherwise, also for a missing hash (unknown name).

    An unknown name (`password_hash` None) is checked against a dummy hash, so that it takes as
    long as a wrong password and a sign-in cannot tell which names exist.
    """
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        return False
    with _CHECKS:
        try:
            _HASHER.verify(password_hash or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False
    return password_hash is not None
