"""The audit log: every state change in the project goes through `record`, inside the
transaction that makes the change, so both commit or neither does."""
import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
# Field names never copied into the log: the encrypted numbers and secrets.
SENSITIVE_FIELDS = {"password", "id_number_encrypted", "phone_encrypted", "id_number_hash", "phone_hash"}


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return None
    return value


def snapshot(instance, fields=None) -> dict:
    """The concrete field values of a model instance, JSON-safe, without sensitive fields."""
    out = {}
    for f in instance._meta.concrete_fields:
        if f.name in SENSITIVE_FIELDS or (fields and f.name not in fields):
            continue
        out[f.attname] = _plain(getattr(instance, f.attname))
    return out


def _digest(entry: AuditEntry) -> str:
    payload = {
        "id": entry.pk,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "organisation_id": entry.organisation_id_snapshot,
        "organisation_name": entry.organisation_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "prev_hash": entry.prev_hash,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def record(action: str, *, actor=None, obj=None, before=None, after=None, reason: str = "",
           organisation=None, object_type: str = "", object_id="", object_repr: str = "",
           actor_name: str = "") -> AuditEntry:
    """Append one entry. `actor` is a User or None (the system, or `actor_name` such as an
    anonymous visitor); `obj` a model instance."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)[:255]
        if organisation is None and actor is not None and getattr(actor, "organisation_id", None):
            organisation = actor.organisation
        entry = AuditEntry(
            created_at=timezone.now().replace(microsecond=0),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=(actor_name or (str(actor) if actor is not None else "系统"))[:150],
            organisation_id_snapshot=getattr(organisation, "pk", None),
            organisation_name=str(organisation)[:200] if organisation is not None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=object_repr[:255],
            before=_plain(before),
            after=_plain(after),
            reason=reason or "",
            prev_hash=head.last_hash,
            hash="pending-" + uuid.uuid4().hex[:56],
        )
        entry.save()
        entry.hash = _digest(entry)
        # The only UPDATE an entry ever sees: setting its own hash in the inserting transaction
        # (the trigger allows changing a 'pending-' hash, nothing else).
        AuditEntry.objects.filter(pk=entry.pk).update(hash=entry.hash)
        head.last_id, head.last_hash = entry.pk, entry.hash
        head.save(update_fields=["last_id", "last_hash"])
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    problem: str = ""


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in id order; report the first entry whose hash or link does not hold."""
    prev_hash, prev_id, checked = GENESIS, 0, 0
    last_seen = 0
    while True:
        rows = list(AuditEntry.objects.filter(pk__gt=last_seen).order_by("pk")[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.prev_hash != prev_hash:
                gap = "" if entry.pk == prev_id + 1 else f" (entries {prev_id + 1}..{entry.pk - 1} missing)"
                return VerifyResult(False, checked, entry.pk, f"link to previous entry broken{gap}")
            if _digest(entry) != entry.hash:
                return VerifyResult(False, checked, entry.pk, "content does not match its hash (edited)")
            prev_hash, prev_id = entry.hash, entry.pk
            checked += 1
        last_seen = rows[-1].pk
    head = AuditHead.objects.filter(id=1).first()
    if head and (head.last_id != prev_id or head.last_hash != prev_hash):
        return VerifyResult(False, checked, head.last_id, "newest entries missing (chain head does not match)")
    return VerifyResult(True, checked)


def verify_and_store(*, triggered_by: str = "") -> "VerifyResult":
    """Verify the chain and keep the outcome for the log viewer."""
    from .models import ChainCheck

    result = verify()
    ChainCheck.objects.create(ok=result.ok, checked=result.checked, broken_at=result.broken_at,
                              problem=result.problem[:255], triggered_by=triggered_by[:150])
    return result
