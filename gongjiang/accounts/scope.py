"""Data scope: what part of the organisation tree an account may see.

Officers see their organisation's subtree; bureau officers and auditors at a city see the city
with its districts, enterprises and departments; applicants see only their own records (handled
by the owning app through `person.account`); experts only their assigned candidates (review app).
System administrators run the whole deployment and see the whole organisation tree (they hold no
business capability, so this gives them no candidate or application data).
"""
from django.db.models import Q

from gongjiang.core.vocab import Role

from .models import Organisation

ORG_SCOPED_ROLES = {Role.BUREAU, Role.RECOMMENDER, Role.EMPLOYER, Role.AUDITOR, Role.FINANCE, Role.SYSADMIN}


def _path(user):
    """The path prefix of the user's scope: "" (everything) for system administrators, None for no scope."""
    if not getattr(user, "is_authenticated", False) or user.role not in ORG_SCOPED_ROLES:
        return None
    if user.role == Role.SYSADMIN:
        return ""
    return user.organisation.path if user.organisation_id else None


def visible_organisations(user):
    prefix = _path(user)
    if prefix is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(path__startswith=prefix)


def org_q(user, field: str) -> Q:
    """A Q object limiting rows whose `field` (an Organisation FK path like "employer") lies in
    the user's subtree. Nothing for roles without organisation scope."""
    prefix = _path(user)
    if prefix is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__path__startswith": prefix})


def in_scope(user, org) -> bool:
    prefix = _path(user)
    return bool(org) and prefix is not None and org.path.startswith(prefix)
