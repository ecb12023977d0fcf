"""Demo organisations and one login per role (idempotent), as `accounts` of the demo data file
(gongjiang/core/data/demo.yaml) lists them."""
from gongjiang.core.demo_data import section
from gongjiang.core.idnumbers import make_uscc

from .models import Organisation, User
from .services import create_user, ensure_organisation, jurisdiction_by_name, seed_jurisdictions

DATA = section("accounts")
DEMO_PASSWORD = DATA["password"]
# username, role, organisation (jurisdiction name or a demo employer), display name
DEMO_USERS = [tuple(row) for row in DATA["users"]]


def ensure_employer(spec, parent):
    """A demo enterprise under `parent`, its credit code completed from the 17-character body."""
    return ensure_organisation(name=spec["name"], kind="enterprise", parent=parent, uscc=make_uscc(spec["uscc"]),
                               region_code=spec["region_code"])


def seed(stdout=None):
    seed_jurisdictions()
    for spec in DATA["employers"]:
        ensure_employer(spec, jurisdiction_by_name(spec["parent"]))
    for username, role, org_name, display in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        org = Organisation.objects.get(name=org_name) if org_name else None
        create_user(username=username, role=role, organisation=org, display_name=display,
                    password=DEMO_PASSWORD, reason="演示数据")


def logins():
    return [(u, r, o or "—", d) for u, r, o, d in DEMO_USERS]
