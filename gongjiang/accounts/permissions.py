"""Who may do what: one explicit table from role to capability, and checks that say why not.

A check answers (allowed, reason) so a page can tell a person why an action is not open to them.
Object-level scope (which organisations, which candidates) is in `scope`.
"""
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied

from gongjiang.core.vocab import Role

# capability -> roles holding it. Grep for a capability to find every place it guards.
CAPABILITIES = {
    "home": set(Role),
    "org.view": {Role.BUREAU, Role.RECOMMENDER, Role.EMPLOYER, Role.AUDITOR, Role.SYSADMIN},
    "org.manage": {Role.SYSADMIN},
    "user.manage": {Role.SYSADMIN},
    "account.assist_reset": {Role.BUREAU, Role.SYSADMIN},  # counter reset of a citizen's password, audited
    "audit.view": {Role.AUDITOR, Role.SYSADMIN},
    "system.admin": {Role.SYSADMIN},
    "api.token.manage": {Role.SYSADMIN},
    "dashboard.view": {Role.BUREAU, Role.RECOMMENDER, Role.AUDITOR},  # figures within the user's scope
    "registry.view": {Role.BUREAU, Role.RECOMMENDER, Role.EMPLOYER, Role.AUDITOR},
    "registry.edit": {Role.BUREAU, Role.EMPLOYER},
    "registry.verify": {Role.BUREAU},
    "registry.import": {Role.BUREAU},
    "registry.screen": {Role.BUREAU},
    "registry.full_id": {Role.BUREAU},
    "policy.view": {Role.BUREAU, Role.RECOMMENDER, Role.EMPLOYER, Role.AUDITOR, Role.SYSADMIN, Role.EXPERT, Role.COMMITTEE},
    "round.manage": {Role.BUREAU},
    "round.view": {Role.BUREAU, Role.RECOMMENDER, Role.EMPLOYER, Role.AUDITOR},
    "application.apply": {Role.APPLICANT},
    "application.nominate": {Role.EMPLOYER},
    "application.nominate_competition": {Role.BUREAU, Role.RECOMMENDER},  # 环翠 第十条（二） competition winners
    "application.view": {Role.BUREAU, Role.RECOMMENDER, Role.EMPLOYER, Role.AUDITOR, Role.APPLICANT},
    "application.eligibility": {Role.BUREAU, Role.RECOMMENDER, Role.EMPLOYER, Role.AUDITOR},  # the engine's result
    "recommendation.forward": {Role.RECOMMENDER, Role.BUREAU},
    "review.manage": {Role.BUREAU},
    "review.score": {Role.EXPERT},
    "review.vote": {Role.COMMITTEE},
    "notice.manage": {Role.BUREAU, Role.RECOMMENDER},
    "objection.handle": {Role.BUREAU, Role.RECOMMENDER},
    "workdays.manage": {Role.SYSADMIN, Role.BUREAU},
    "honour.view": {Role.BUREAU, Role.AUDITOR, Role.FINANCE, Role.EMPLOYER, Role.RECOMMENDER},
    "honour.decide": {Role.BUREAU},  # exits, revocations, renewal review, certificates
    "payments.manage": {Role.FINANCE},
    "payments.view": {Role.FINANCE, Role.BUREAU, Role.AUDITOR},
    "payments.bank_file": {Role.FINANCE},  # full ID and account numbers, for the bank only
    "payments.api": {Role.FINANCE},  # batches, lines and budgets through the API, for the finance system
    "payments.subsidy_apply": {Role.APPLICANT},  # 仲恺 第六条（一）2 training-and-assessment subsidy
    "payments.subsidy_decide": {Role.BUREAU},
    "payments.own": {Role.APPLICANT},  # a holder's own benefits, payments and money to return
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


def check(user, capability) -> Decision:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    if not getattr(user, "is_authenticated", False):
        return Decision(False, "请先登录")
    if not user.is_active:
        return Decision(False, "账号已停用")
    if user.role in CAPABILITIES[capability]:
        return Decision(True)
    return Decision(False, f"“{user.role_label}”角色无此权限")


def require(user, capability):
    decision = check(user, capability)
    if not decision:
        raise PermissionDenied(decision.reason)


def requires(capability):
    """View decorator: 403 with the reason unless the user holds the capability."""

    def wrap(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            require(request.user, capability)
            return view(request, *args, **kwargs)

        inner.capability = capability
        return inner

    return wrap
