"""Samples for the permission matrix (tests/test_permission_matrix.py): an organisation and an
account inside every officer's scope, with names that a denied page must never show."""
from gongjiang.core.idnumbers import make_uscc


def samples(ctx):
    branch = ctx.make_org(name="矩阵机密分公司", parent=ctx.employer, uscc=make_uscc("91441303MA4MATRX1"))
    account = ctx.make_user("bureau", ctx.district, username="matrix_secret_officer",
                           display_name="矩阵机密经办人", password=None)
    ctx.protect(branch.name, branch.uscc, account.display_name, account.username)
    org, user = {"pk": branch.pk}, {"pk": account.pk}
    return {
        "accounts:org_detail": org,
        "accounts:org_edit": org,
        "accounts:user_edit": user,
        "accounts:user_deactivate": user,
        "accounts:user_activate": user,
        "accounts:user_unlock": user,
        "accounts:user_reset_password": user,
        "GET /api/accounts/organisations/{org_id}": {"org_id": branch.pk},
    }
