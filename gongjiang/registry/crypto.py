"""Encryption at rest and keyed lookup hashes for sensitive personal numbers (PIPL).

Keys come from settings.FIELD_ENCRYPTION_KEY (a Fernet key) and settings.FIELD_HASH_KEY. In
development both are empty strings; throwaway keys are then derived from SECRET_KEY, with distinct
labels so that the two keys are never the same.
"""
import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _derived(label: bytes) -> bytes:
    return hashlib.sha256(label + b"\x00" + settings.SECRET_KEY.encode("utf-8")).digest()


@lru_cache(maxsize=4)
def _fernet(key: str, secret: str) -> Fernet:
    if key:
        return Fernet(key.encode("ascii"))
    return Fernet(base64.urlsafe_b64encode(_derived(b"gongjiang-field-encryption")))


@lru_cache(maxsize=4)
def _hash_key(key: str, secret: str) -> bytes:
    return key.encode("utf-8") if key else _derived(b"gongjiang-field-hash")


def fernet() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii") if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ValueError("cannot decrypt field: wrong FIELD_ENCRYPTION_KEY?") from None


def encrypt_bytes(data: bytes) -> str:
    return fernet().encrypt(data).decode("ascii")


def decrypt_bytes(token: str) -> bytes:
    return fernet().decrypt(token.encode("ascii"))


def lookup_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised number: equal numbers give equal hashes, and without the key
    the hash cannot be brute-forced over the small space of valid ID numbers."""
    normalised = (value or "").strip().upper()
    key = _hash_key(settings.FIELD_HASH_KEY, settings.SECRET_KEY)
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
