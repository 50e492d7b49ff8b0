"""Passwords (argon2), random tokens stored as hashes, and HMAC-signed session cookies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the e-mail is unknown, so both cases take as long.
_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$LvGFyHPMZUy9sSVaxrwasA$CcOXyFCH4uGhO3dJPGCRDalLbsiRbVf+JtABSLR2bbI"  # noqa: E501


def verify_or_waste_time(stored: str | None, password: str) -> bool:
    if stored is None:
        verify_password(_DUMMY, password)
        return False
    return verify_password(stored, password)


def new_token() -> tuple[str, str]:
    """A fresh random token and the SHA-256 under which it is stored."""
    plain = secrets.token_urlsafe(32)
    return plain, token_hash(plain)


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def load_or_create_secret(folder: Path) -> str:
    """The secret that signs cookies: made once per instance, kept beside the database."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text("ascii").strip()
    folder.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret, "ascii")
    return secret


class Signer:
    """Signs a small JSON payload; a tampered or expired value reads as None."""

    def __init__(self, secret: str, max_age: int, *, purpose: str = "session") -> None:
        # one key per purpose: a value signed for one (a cookie) is never valid for another
        self._key = hashlib.sha256(f"{purpose}:{secret}".encode()).digest()
        self.max_age = max_age

    def _mac(self, body: bytes) -> str:
        mac = hmac.new(self._key, body, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def dumps(self, payload: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(
            json.dumps({**payload, "iat": int(time.time())}, separators=(",", ":")).encode()
        ).rstrip(b"=")
        return f"{body.decode()}.{self._mac(body)}"

    def loads(self, value: str) -> dict[str, Any] | None:
        body, _, mac = value.partition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body.encode())):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            return None
        if not isinstance(payload, dict) or time.time() - payload.get("iat", 0) > self.max_age:
            return None
        return payload
