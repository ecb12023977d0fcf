"""Audit API: read the log (scoped as in the viewer) and verify the chain."""
import datetime as dt

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gongjiang.api.pagination import BoundedLimitOffset
from gongjiang.accounts.permissions import requires
from gongjiang.core.errors import DomainError

from .queries import EntryFilterForm, filter_entries, visible_entries
from .services import verify_and_store

router = Router(tags=["审计日志"])


class AuditEntryOut(Schema):
    id: int
    created_at: dt.datetime
    actor_name: str
    organisation_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict | list | None
    after: dict | list | None
    reason: str
    prev_hash: str
    hash: str


class EntryFilter(Schema):
    action: str = ""
    actor: str = ""
    object: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class VerifyOut(Schema):
    ok: bool
    checked: int
    broken_at: int | None
    problem: str


@router.get("/entries", response=list[AuditEntryOut], summary="审计记录（倒序）")
@paginate(BoundedLimitOffset)
@requires("audit.view")
def entries(request, filters: Query[EntryFilter]):
    form = EntryFilterForm({k: v for k, v in filters.dict().items() if v is not None})
    if not form.is_valid():
        raise DomainError("；".join(e for errs in form.errors.values() for e in errs), log="bad audit filter")
    return filter_entries(visible_entries(request.user).order_by("-id"), form.cleaned_data)


@router.get("/entries/{entry_id}", response=AuditEntryOut, summary="审计记录详情")
@requires("audit.view")
def entry(request, entry_id: int):
    found = visible_entries(request.user).filter(pk=entry_id).first()
    if found is None:
        raise Http404("audit entry out of scope")
    return found


@router.post("/verify", response=VerifyOut, summary="校验日志链")
@requires("audit.view")
def verify_chain(request):
    result = verify_and_store(triggered_by=str(request.user))
    return {"ok": result.ok, "checked": result.checked, "broken_at": result.broken_at, "problem": result.problem}
