"""Accounts API: the current user, the organisations in scope, and (system administrators) accounts.
Session authentication with CSRF; the same capabilities and data scope as the pages."""
from django.db.models import Q
from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from gongjiang.api.pagination import BoundedLimitOffset

from . import scope
from .models import Organisation, User
from .permissions import CAPABILITIES, check, requires

router = Router(tags=["组织与账号"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    uscc: str | None
    region_code: str
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    organisation: OrganisationOut | None
    capabilities: list[str]


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    organisation_id: int | None
    is_active: bool


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.user
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "role_label": user.role_label, "organisation": user.organisation,
            "capabilities": sorted(c for c in CAPABILITIES if check(user, c))}


@router.get("/organisations", response=list[OrganisationOut], summary="可见组织（本组织及下级）")
@paginate(BoundedLimitOffset)
@requires("org.view")
def organisations(request, q: str = "", kind: str = ""):
    qs = scope.visible_organisations(request.user).order_by("path")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__iexact=q.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@router.get("/organisations/{org_id}", response=OrganisationOut, summary="组织详情")
@requires("org.view")
def organisation(request, org_id: int):
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None or not scope.in_scope(request.user, org):
        raise Http404("organisation out of scope")
    return org


@router.get("/users", response=list[UserOut], summary="账号（系统管理员）")
@paginate(BoundedLimitOffset)
@requires("user.manage")
def users(request, q: str = "", role: str = ""):
    qs = User.objects.order_by("username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    return qs
