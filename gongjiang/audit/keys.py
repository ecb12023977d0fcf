"""Keys of the audit chain. Entries are HMAC-SHA256 under a key held in the environment
(settings.AUDIT_KEY), never in the database. Each entry stores the short id of the key it was written
with, so that after a rotation the entries written under an old key (settings.AUDIT_OLD_KEYS) still
verify. In development, with no key set, a throwaway key is derived from SECRET_KEY."""
import hashlib
import hmac

from django.conf import settings


def _derived() -> bytes:
    return hashlib.sha256(b"gongjiang-audit-chain\x00" + settings.SECRET_KEY.encode("utf-8")).digest()


def _key_bytes(key: str) -> bytes:
    return key.encode("utf-8") if key else _derived()


def key_id(key: bytes) -> str:
    """A short public name for a key: reveals nothing useful about it, tells verifiers which key to use."""
    return hashlib.sha256(b"gongjiang-audit-key-id\x00" + key).hexdigest()[:12]


def current() -> tuple[str, bytes]:
    key = _key_bytes(settings.AUDIT_KEY)
    return key_id(key), key


def known() -> dict[str, bytes]:
    """Every key an entry may have been written with: the current one and the rotated-out ones."""
    keys = [_key_bytes(settings.AUDIT_KEY)] + [_key_bytes(k) for k in settings.AUDIT_OLD_KEYS]
    return {key_id(k): k for k in keys}


def mac(key: bytes, label: bytes, message: bytes) -> str:
    """HMAC-SHA256 with a purpose label, so a checkpoint signature can never pass as an entry hash."""
    return hmac.new(key, label + b"\x00" + message, hashlib.sha256).hexdigest()
