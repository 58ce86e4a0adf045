"""Password hashing with Argon2id (argon2-cffi); hashes made with older parameters are upgraded on login."""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gateway.auth.errors import InvalidUser

MIN_PASSWORD_LENGTH = 10


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidUser(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        raise InvalidUser("the password repeats too few characters")


class Passwords:
    """Hash and verify; argon2-cffi's defaults follow RFC 9106's second profile (64 MiB, 3 passes).

    Tests pass a cheaper `PasswordHasher`; production keeps the defaults.
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        check_strength(password)
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    @cached_property
    def _dummy(self) -> str:
        return self._hasher.hash("no user has this password")

    def burn_time(self, password: str) -> None:
        """Verify against a dummy hash so an unknown username costs as long as a wrong password."""
        self.verify(self._dummy, password)
