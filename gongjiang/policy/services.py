"""Policy actions: load the files of policies/ into the database, read them back parsed."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError

from .engine import BatchResult, evaluate
from .loader import POLICIES_DIR, LoadedFile, policy_files, read_policy
from .models import Policy
from .schema import PolicyFile

_cache: dict[tuple[str, str], PolicyFile] = {}


def find_jurisdiction(path: str):
    """The Organisation at a path of jurisdiction names ("广东省/惠州市/惠阳区"), or None."""
    from gongjiang.accounts.models import Organisation

    node = None
    for name in path.split("/"):
        node = Organisation.objects.filter(parent=node, name=name).first()
        if node is None:
            return None
    return node


def _document(loaded: LoadedFile) -> dict:
    return json.loads(loaded.policy.model_dump_json(by_alias=True))


@transaction.atomic
def load_policy_file(loaded: LoadedFile, *, actor=None, reason="") -> tuple[Policy, str]:
    """Create or update one policy from a read file. Returns (policy, "created"|"updated"|"unchanged")."""
    doc = loaded.policy
    fields = dict(title=doc.short_title, jurisdiction=find_jurisdiction(doc.jurisdiction),
                  sha256=loaded.sha256, source=loaded.text, document=_document(loaded),
                  valid_from=doc.validity.valid_from, valid_to=doc.validity.valid_to)
    existing = Policy.objects.select_for_update().filter(code=loaded.code).first()
    if existing is None:
        policy = Policy.objects.create(code=loaded.code, version=1, loaded_at=timezone.now(), **fields)
        record("policy.load", actor=actor, obj=policy, after=snapshot(policy, _AUDITED), reason=reason or "载入政策文件")
        return policy, "created"
    if existing.sha256 == loaded.sha256 and existing.jurisdiction_id == getattr(fields["jurisdiction"], "pk", None):
        return existing, "unchanged"
    before = snapshot(existing, _AUDITED)
    for name, value in fields.items():
        setattr(existing, name, value)
    if before["sha256"] != loaded.sha256:
        existing.version += 1
    existing.loaded_at = timezone.now()
    existing.save()
    record("policy.update", actor=actor, obj=existing, before=before, after=snapshot(existing, _AUDITED),
           reason=reason or "政策文件已修改，重新载入")
    return existing, "updated"


_AUDITED = ["code", "title", "jurisdiction", "version", "sha256", "valid_from", "valid_to"]


def load_policies(*, directory: Path = POLICIES_DIR, actor=None) -> dict[str, str]:
    """Load or update every policy file of the folder, idempotently. Returns {code: outcome}.
    A file with errors raises PolicyFileError before anything is written."""
    files = [read_policy(p) for p in policy_files(directory)]
    return {f.code: load_policy_file(f, actor=actor)[1] for f in files}


def get_policy(code: str, sha256: str | None = None) -> PolicyFile:
    """The parsed policy as loaded in the database. Parsed once per process and version: the
    document (tens of kB) is read only when this process has not parsed that version yet, and not
    even its checksum when the caller has the row's `sha256` at hand."""
    if sha256 is None:
        sha256 = Policy.objects.filter(code=code).values_list("sha256", flat=True).first()
    if (code, sha256) not in _cache:
        row = Policy.objects.filter(code=code).only("code", "sha256", "document").first()
        if row is None:
            raise DomainError(f"没有代码为“{code}”的政策", log=f"unknown policy {code}", code="not_found")
        _cache[(row.code, row.sha256)] = PolicyFile.model_validate({**row.document, "code": row.code})
        if row.sha256 != sha256:  # reloaded since the caller read it: the newer version
            return _cache[(row.code, row.sha256)]
    return _cache[(code, sha256)]


def selection_reference_date(policy: PolicyFile, year: int) -> dt.date:
    """The date ages and posts are judged on for a selection year (e.g. 惠阳 第十三条: 1月1日)."""
    return policy.reference_on(year)


def policy_by_code(code: str) -> PolicyFile:
    """The policy as loaded in the database, or else as in its file policies/<code>.yaml."""
    if Policy.objects.filter(code=code).exists():
        return get_policy(code)
    path = POLICIES_DIR / f"{code}.yaml"
    if path.exists():
        return read_policy(path).policy
    raise DomainError(f"没有代码为“{code}”的政策", log=f"unknown policy {code}", code="not_found")


def evaluate_people(policy: PolicyFile, facts, *, on: dt.date, honour: str | None = None,
                    tree: str = "eligibility") -> BatchResult:
    """Evaluate every person of `facts` (a batch; one person is a batch of one)."""
    return evaluate(policy, facts, on=on, honour=honour, tree=tree)
