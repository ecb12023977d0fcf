"""Organisation and account actions. Each state change writes its audit entry in the same transaction."""
from pathlib import Path

import yaml
from django.db import transaction

from gongjiang.audit.services import record, snapshot

from .models import Organisation, User

JURISDICTIONS_FILE = Path(__file__).parent / "data" / "jurisdictions.yaml"


@transaction.atomic
def create_organisation(*, name, kind, parent=None, actor=None, reason="", **fields):
    org = Organisation(name=name, kind=kind, parent=parent, **fields)
    org.full_clean()
    org.save()
    record("org.create", actor=actor, obj=org, after=snapshot(org), reason=reason)
    return org


def ensure_organisation(*, name, kind, parent=None, actor=None, **fields):
    """Get or create by (parent, name): for idempotent seeding and imports."""
    existing = Organisation.objects.filter(parent=parent, name=name).first()
    if existing:
        return existing, False
    return create_organisation(name=name, kind=kind, parent=parent, actor=actor,
                               reason="初始化行政区划", **fields), True


def seed_jurisdictions(path: Path = JURISDICTIONS_FILE) -> int:
    """Load the jurisdiction tree of the seed documents. Returns how many nodes were created."""
    created = 0

    def walk(nodes, parent):
        nonlocal created
        for node in nodes:
            org, new = ensure_organisation(name=node["name"], kind=node["kind"], parent=parent,
                                           region_code=node.get("region_code", ""))
            created += new
            walk(node.get("children", []), org)

    with transaction.atomic():
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), None)
    return created


@transaction.atomic
def create_user(*, username, role, organisation=None, display_name="", password=None, email="",
                actor=None, reason=""):
    user = User(username=username, role=role, organisation=organisation,
                display_name=display_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = role == "sysadmin"
    user.is_superuser = role == "sysadmin"
    user.full_clean(exclude=["password"])
    user.save()
    record("user.create", actor=actor, obj=user,
           after={"username": username, "role": role, "organisation": organisation.name if organisation else None},
           reason=reason)
    return user


def jurisdiction_by_name(name: str) -> Organisation:
    return Organisation.objects.get(name=name, kind__in=["province", "city", "district", "devzone"])
