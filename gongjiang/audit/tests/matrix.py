"""Samples for the permission matrix: an audit entry of an organisation inside the auditor's scope."""
from gongjiang.audit.services import record


def samples(ctx):
    entry = record("matrix.sample", actor=ctx.users["bureau"], organisation=ctx.district,
                   object_type="demo", object_id="1", object_repr="矩阵机密对象", reason="矩阵机密审计理由")
    ctx.protect(entry.object_repr, entry.reason)
    return {
        "audit:entry_detail": {"pk": entry.pk},
        "GET /api/audit/entries/{entry_id}": {"entry_id": entry.pk},
    }
