"""The audit log: every state change in the project goes through `record`, inside the
transaction that makes the change, so both commit or neither does."""
import datetime as dt
import decimal
import hmac
import json
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from . import keys
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


def _payload(entry) -> bytes:
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
        "key_id": entry.key_id,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest(entry, key: bytes) -> str:
    """The entry's HMAC under `key`: without the key nobody can recompute a chain after editing it."""
    return keys.mac(key, b"entry", _payload(entry))


def record(action: str, *, actor=None, obj=None, before=None, after=None, reason: str = "",
           organisation=None, object_type: str = "", object_id="", object_repr: str = "",
           actor_name: str = "") -> AuditEntry:
    """Append one entry. `actor` is a User or None (the system, or `actor_name` such as an
    anonymous visitor); `obj` a model instance."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        kid, key = keys.current()
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
            key_id=kid,
        )
        entry.save()
        entry.hash = digest(entry, key)
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
    kind: str = ""  # edited | link | unknown_key | head | truncated | tail | rewritten | checkpoint
    last_id: int = 0
    last_hash: str = GENESIS
    checkpoint: "checkpoints.Checkpoint | None" = None

    @property
    def summary(self) -> str:
        """What a person reads on the log page."""
        if self.ok:
            note = f"，与 {self.checkpoint.time:%Y-%m-%d %H:%M} 的外部校验点一致" if self.checkpoint else ""
            return f"审计日志链完整：已校验 {self.checked} 条{note}"
        return PROBLEMS_ZH.get(self.kind, "审计日志链已断开").format(n=self.broken_at)


PROBLEMS_ZH = {
    "edited": "审计日志第 {n} 条内容被改动，请立即报告安全负责人",
    "link": "审计日志链在第 {n} 条断开（其前有记录被删除），请立即报告安全负责人",
    "unknown_key": "审计日志第 {n} 条的密钥无法识别（被伪造或密钥配置缺失），请立即报告安全负责人",
    "head": "审计日志末尾的记录被删除，请立即报告安全负责人",
    "truncated": "审计日志被清空：外部校验点记录的条目已不存在，请立即报告安全负责人",
    "tail": "审计日志末尾的记录被删除（与外部校验点不符），请立即报告安全负责人",
    "rewritten": "审计日志在外部校验点之前的记录被重写，请立即报告安全负责人",
    "checkpoint": "外部校验点文件的签名或顺序不对，可能被篡改，请立即报告安全负责人",
}


def _walk(batch: int, checkpoint):
    """Walk the chain in id order. Returns (result or None, state) where state tells what the walk saw
    at the checkpoint's entry."""
    known = keys.known()
    prev_hash, prev_id, checked = GENESIS, 0, 0
    at_checkpoint = None  # (count, hash) of the entry the checkpoint names
    last_seen = 0
    while True:
        rows = list(AuditEntry.objects.filter(pk__gt=last_seen).order_by("pk")[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.prev_hash != prev_hash:
                gap = "" if entry.pk == prev_id + 1 else f" (entries {prev_id + 1}..{entry.pk - 1} missing)"
                return VerifyResult(False, checked, entry.pk, f"link to previous entry broken{gap}", "link"), None
            key = known.get(entry.key_id)
            if key is None:
                return VerifyResult(False, checked, entry.pk, f"written with an unknown key {entry.key_id!r}",
                                    "unknown_key"), None
            if not hmac.compare_digest(digest(entry, key), entry.hash):
                return VerifyResult(False, checked, entry.pk, "content does not match its hash (edited)",
                                    "edited"), None
            prev_hash, prev_id = entry.hash, entry.pk
            checked += 1
            if checkpoint is not None and entry.pk == checkpoint.last_id:
                at_checkpoint = (checked, entry.hash)
        last_seen = rows[-1].pk
    return None, (prev_id, prev_hash, checked, at_checkpoint)


def verify(batch: int = 5000) -> VerifyResult:
    """Check every entry's HMAC and link, the chain head kept in the database, and the latest external
    checkpoint (truncation, deleted tails and rewritten rows that a database administrator could hide
    from the chain alone)."""
    from . import checkpoints

    try:
        checkpoint = checkpoints.latest()
    except checkpoints.CheckpointError as exc:
        return VerifyResult(False, 0, None, f"checkpoint file: {exc}", "checkpoint")
    broken, state = _walk(batch, checkpoint)
    if broken is not None:
        broken.checkpoint = checkpoint
        return broken
    prev_id, prev_hash, checked, at_checkpoint = state
    result = VerifyResult(True, checked, last_id=prev_id, last_hash=prev_hash, checkpoint=checkpoint)
    head = AuditHead.objects.filter(id=1).first()
    if head and (head.last_id != prev_id or head.last_hash != prev_hash):
        return _broken(result, head.last_id, "newest entries missing (chain head does not match)", "head")
    if checkpoint is None:
        return result
    when = f"checkpoint of {checkpoint.time.isoformat()} recorded {checkpoint.count} entries up to #{checkpoint.last_id}"
    if checked == 0 and checkpoint.count:
        return _broken(result, checkpoint.last_id, f"log truncated: no entries, but the {when}", "truncated")
    if at_checkpoint is None:
        if prev_id < checkpoint.last_id:
            return _broken(result, prev_id + 1, f"entries after #{prev_id} deleted: the {when}", "tail")
        return _broken(result, checkpoint.last_id, f"entry #{checkpoint.last_id} missing: the {when}", "rewritten")
    count, hash_ = at_checkpoint
    if hash_ != checkpoint.hash or count != checkpoint.count:
        return _broken(result, checkpoint.last_id,
                       f"rows rewritten: {count} entries with head hash {hash_[:12]}, but the {when} "
                       f"with hash {checkpoint.hash[:12]}", "rewritten")
    return result


def _broken(result: VerifyResult, at, problem: str, kind: str) -> VerifyResult:
    result.ok, result.broken_at, result.problem, result.kind = False, at, problem, kind
    return result


def verify_and_store(*, triggered_by: str = "") -> "VerifyResult":
    """Verify the chain and keep the outcome for the log viewer."""
    from .models import ChainCheck

    result = verify()
    ChainCheck.objects.create(ok=result.ok, checked=result.checked, broken_at=result.broken_at,
                              problem="" if result.ok else result.summary[:255], triggered_by=triggered_by[:150])
    return result
