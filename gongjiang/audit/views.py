"""The audit log viewer: read-only, filtered, paginated, exportable; shows the chain's state."""
import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from gongjiang.accounts.permissions import requires
from gongjiang.core.excel import xlsx_response
from gongjiang.core.listing import paginate

from .labels import action_label
from .models import ChainCheck
from .queries import entries_for, visible_entries
from .services import verify_and_store

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


@requires("audit.view")
@require_safe
def entry_list(request):
    form, qs = entries_for(request.user, request.GET)
    actions = visible_entries(request.user).order_by("action").values_list("action", flat=True).distinct()[:500]
    form.fields["action"].widget.choices = [("", "全部"), ("auth.", "登录与退出")] + sorted(
        ((a, action_label(a)) for a in actions), key=lambda c: c[1])
    page, query = paginate(request, qs, PAGE_SIZE)
    return render(request, "audit/entry_list.html", {
        "form": form, "page": page, "query": query, "last_check": ChainCheck.objects.first(),
    })


@requires("audit.view")
@require_safe
def entry_export(request):
    _, qs = entries_for(request.user, request.GET)
    rows = ([e.pk, e.created_at, e.actor_name, e.organisation_name, e.action, e.object_type, e.object_id,
             e.object_repr, _json(e.before), _json(e.after), e.reason, e.hash]
            for e in qs[:EXPORT_LIMIT].iterator())
    return xlsx_response("审计日志", ["序号", "时间", "操作人", "组织", "操作", "对象类型", "对象编号", "对象",
                                  "变更前", "变更后", "理由", "哈希"], rows)


@requires("audit.view")
@require_safe
def entry_detail(request, pk):
    entry = visible_entries(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404("audit entry out of scope")
    before, after = entry.before or {}, entry.after or {}
    changes = []
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            changes.append({"field": key, "before": _shown(old), "after": _shown(new), "changed": old != new})
    return render(request, "audit/entry_detail.html", {
        "entry": entry, "changes": changes,
        "raw_before": _json(entry.before, indent=2), "raw_after": _json(entry.after, indent=2),
    })


@requires("audit.view")
@require_POST
def verify_chain(request):
    result = verify_and_store(triggered_by=str(request.user))
    (messages.success if result.ok else messages.error)(request, result.summary)
    return redirect("audit:entry_list")


def _json(value, indent=None):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=indent)


def _shown(value) -> str:
    """A changed value for people: nothing recorded reads as a dash, not "null"."""
    return "—" if value is None else _json(value)
