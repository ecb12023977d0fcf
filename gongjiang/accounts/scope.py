"""Data scope: what part of the organisation tree an account may see.

Officers see their organisation's subtree; bureau officers and auditors at a city see the city
with its districts, enterprises and departments; applicants see only their own records (handled
by the owning app through `person.account`); experts only their assigned candidates (review app).
"""
from django.db.models import Q

from gongjiang.core.vocab import Role

from .models import Organisation

ORG_SCOPED_ROLES = {Role.BUREAU, Role.RECOMMENDER, Role.EMPLOYER, Role.AUDITOR, Role.FINANCE, Role.SYSADMIN}


def visible_organisations(user):
    if user.role in ORG_SCOPED_ROLES and user.organisation_id:
        return Organisation.objects.filter(path__startswith=user.organisation.path)
    return Organisation.objects.none()


def org_q(user, field: str) -> Q:
    """A Q object limiting rows whose `field` (an Organisation FK path like "employer") lies in
    the user's subtree. Nothing for roles without organisation scope."""
    if user.role in ORG_SCOPED_ROLES and user.organisation_id:
        return Q(**{f"{field}__path__startswith": user.organisation.path})
    return Q(pk__in=[])


def in_scope(user, org) -> bool:
    return bool(org) and user.role in ORG_SCOPED_ROLES and user.organisation_id is not None \
        and org.path.startswith(user.organisation.path)
