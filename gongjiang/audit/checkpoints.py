"""External checkpoints of the audit chain: the head (entry count, id and hash of the newest entry,
time) signed with the audit key and appended, one JSON line each, to a file outside the database
(settings.AUDIT_CHECKPOINT_FILE; make it append-only and copy it off the server, docs/operations.md).
A database administrator who truncates the log, deletes its tail or rewrites rows cannot make the
database agree with a checkpoint taken before, nor sign a new one without the key."""
import datetime as dt
import json
import os
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from . import keys


class CheckpointError(Exception):
    """The checkpoint file is unreadable, a line's signature does not hold, or the lines go backwards."""


@dataclass(frozen=True)
class Checkpoint:
    count: int
    last_id: int
    hash: str
    time: dt.datetime
    key_id: str


def _body(count: int, last_id: int, hash_: str, time: str, key_id: str) -> bytes:
    fields = {"count": count, "last_id": last_id, "hash": hash_, "time": time, "key_id": key_id}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


def write() -> Checkpoint:
    """Verify the chain, then append a signed checkpoint of its head. A broken chain gets no checkpoint."""
    from .services import verify

    result = verify()
    if not result.ok:
        raise CheckpointError(f"chain broken at #{result.broken_at}: {result.problem}")
    kid, key = keys.current()
    now = timezone.now().replace(microsecond=0)
    body = _body(result.checked, result.last_id, result.last_hash, now.isoformat(), kid)
    line = json.loads(body) | {"sig": keys.mac(key, b"checkpoint", body)}
    path = settings.AUDIT_CHECKPOINT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return Checkpoint(result.checked, result.last_id, result.last_hash, now, kid)


def read_all() -> list[Checkpoint]:
    """Every checkpoint in the file, each signature checked, counts never decreasing."""
    path = settings.AUDIT_CHECKPOINT_FILE
    if not path.exists():
        return []
    known = keys.known()
    out: list[Checkpoint] = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                body = _body(int(data["count"]), int(data["last_id"]), str(data["hash"]), str(data["time"]),
                             str(data["key_id"]))
                key = known.get(data["key_id"])
                signed = key is not None and keys.mac(key, b"checkpoint", body) == data["sig"]
                point = Checkpoint(int(data["count"]), int(data["last_id"]), str(data["hash"]),
                                   dt.datetime.fromisoformat(data["time"]), str(data["key_id"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(f"line {number} unreadable ({exc.__class__.__name__})") from None
            if not signed:
                raise CheckpointError(f"line {number}: signature does not hold")
            if out and (point.count < out[-1].count or point.last_id < out[-1].last_id):
                raise CheckpointError(f"line {number} goes backwards (count {point.count} < {out[-1].count})")
            out.append(point)
    return out


def latest() -> Checkpoint | None:
    points = read_all()
    return points[-1] if points else None
