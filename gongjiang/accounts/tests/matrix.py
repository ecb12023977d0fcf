"""Samples for the permission matrix (tests/test_permission_matrix.py): an organisation and an
account inside every officer's scope, with names that a denied page must never show."""
from gongjiang.core.idnumbers import make_uscc

PUBLIC = {
    "accounts:signup": "citizens open their own applicant account (issue 15 §2); never says whether one exists",
    "accounts:password_reset": "asking for a reset link by e-mail; answers the same whether or not the address exists",
    "accounts:password_reset_done": "the same confirmation for everyone",
    "accounts:password_reset_confirm": "the e-mailed link: only a valid one-time token sets a password",
    "accounts:password_reset_complete": "confirmation after a reset",
}


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
