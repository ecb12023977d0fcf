"""Demo organisations and one login per role (idempotent)."""
from gongjiang.core.idnumbers import make_uscc

from .models import Organisation, User
from .services import create_user, ensure_organisation, jurisdiction_by_name, seed_jurisdictions

DEMO_PASSWORD = "gongjiang-demo-2026"
DEMO_EMPLOYER = "惠州市惠阳示范精密制造有限公司"  # employer of the 惠阳 holders (惠阳's policy has expired)
# The demo's live rounds are of the programmes in force (环翠, 赣州): the demo employer nominates in 环翠,
# the demo recommender is a county bureau of 赣州 (赣州 第七条（二）), the demo expert and committee
# member sit on 环翠's panel and committee.
HUANCUI_EMPLOYER = "威海示范船舶修造有限公司"

# username, role, organisation (jurisdiction name or the demo employer), display name
DEMO_USERS = [
    ("demo_applicant", "applicant", None, "李建国"),
    ("demo_employer", "employer", HUANCUI_EMPLOYER, "王晓燕（单位经办）"),
    ("demo_recommender", "recommender", "章贡区", "张明（章贡区人社局推荐）"),
    ("demo_bureau", "bureau", "惠阳区", "陈思远（惠阳区人社局）"),
    ("demo_expert", "expert", "环翠区", "刘工（评审专家）"),
    ("demo_committee", "committee", "环翠区", "黄委员（环翠区）"),
    ("demo_finance", "finance", "惠阳区", "周会计"),
    ("demo_auditor", "auditor", "惠州市", "吴审计"),
    ("demo_admin", "sysadmin", "广东省", "系统管理员"),
    ("bureau_ganzhou", "bureau", "赣州市", "赣州市人社局经办"),
    ("bureau_liaocheng", "bureau", "聊城市", "聊城市人社局经办"),
    ("bureau_huancui", "bureau", "环翠区", "环翠区人社局经办"),
    ("bureau_zhongkai", "bureau", "仲恺高新区", "仲恺高新区社会事务局经办"),
]


def seed(stdout=None):
    seed_jurisdictions()
    huiyang = jurisdiction_by_name("惠阳区")
    ensure_organisation(name=DEMO_EMPLOYER, kind="enterprise", parent=huiyang,
                        uscc=make_uscc("91441303MA4UDEM10"), region_code="441303")
    ensure_organisation(name=HUANCUI_EMPLOYER, kind="enterprise", parent=jurisdiction_by_name("环翠区"),
                        uscc=make_uscc("91371002MA3HDEM10"), region_code="371002")
    for username, role, org_name, display in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        org = Organisation.objects.get(name=org_name) if org_name else None
        create_user(username=username, role=role, organisation=org, display_name=display,
                    password=DEMO_PASSWORD, reason="演示数据")


def logins():
    return [(u, r, o or "—", d) for u, r, o, d in DEMO_USERS]
