"""People in the registry: ID numbers per GB 11643, encryption at rest, keyed-hash lookup."""
import datetime as dt

import pytest
from django.db import connection

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.core.idnumbers import make_resident_id, ric_check_char
from gongjiang.registry import services
from gongjiang.registry.models import Person

VALID = make_resident_id("441303", dt.date(1980, 2, 29), 12, female=False)
VALID_FEMALE = make_resident_id("441303", dt.date(1990, 7, 1), 3, female=True)


def test_register_person_derives_birth_date_and_gender(jurisdictions):
    p = services.register_person(name="张三", id_number=VALID, jurisdiction=jurisdictions["惠阳区"])
    assert p.birth_date == dt.date(1980, 2, 29) and p.gender == "M"
    q = services.register_person(name="李四", id_number=VALID_FEMALE.lower(), jurisdiction=jurisdictions["惠阳区"])
    assert q.gender == "F" and q.id_number == VALID_FEMALE


@pytest.mark.parametrize("number, reason", [
    (VALID[:17] + ("0" if VALID[17] != "0" else "1"), "校验位"),
    ("44130319800230123" + ric_check_char("44130319800230123"), "出生日期"),
    ("4413031980022", "18位"),
    (make_resident_id("441303", dt.date.today() + dt.timedelta(days=1), 1, female=False), "晚于今天"),
])
def test_register_person_rejects_invalid_id_number(jurisdictions, number, reason):
    with pytest.raises(DomainError) as e:
        services.register_person(name="王五", id_number=number, jurisdiction=jurisdictions["惠阳区"])
    assert reason in e.value.message


def test_register_person_unknown_region_is_warning_not_rejection(jurisdictions):
    number = make_resident_id("991303", dt.date(1985, 5, 5), 7, female=False)
    p = services.register_person(name="赵六", id_number=number, jurisdiction=jurisdictions["惠阳区"])
    assert p.pk and any("行政区划代码" in w for w in p.warnings)


def test_register_person_duplicate_number_rejected(jurisdictions):
    services.register_person(name="张三", id_number=VALID, jurisdiction=jurisdictions["惠阳区"])
    with pytest.raises(DomainError) as e:
        services.register_person(name="张三", id_number=VALID, jurisdiction=jurisdictions["惠阳区"])
    assert "已在人才库" in e.value.message


def test_person_numbers_not_stored_in_plain(jurisdictions):
    """PIPL: no column of any table holds the plain ID or phone number."""
    services.register_person(name="张三", id_number=VALID, phone="13812345678", jurisdiction=jurisdictions["惠阳区"])
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM registry_person")
        rows = cur.fetchall()
        cur.execute("SELECT before, after, reason, object_repr FROM audit_auditentry")
        rows += cur.fetchall()
    blob = repr(rows)
    assert VALID not in blob and "13812345678" not in blob
    assert VALID[:6] + "19800229" not in blob


def test_find_person_by_id_number_uses_keyed_hash(jurisdictions):
    p = services.register_person(name="张三", id_number=VALID, phone="138 1234 5678",
                                 jurisdiction=jurisdictions["惠阳区"])
    assert services.find_person_by_id_number(VALID.lower()) == p
    assert services.find_person_by_id_number(VALID_FEMALE) is None
    assert list(services.find_people_by_phone("13812345678")) == [p]
    assert p.id_number_hash != VALID and len(p.id_number_hash) == 64


def test_reveal_numbers_audited_and_scoped(jurisdictions, make_user):
    p = services.register_person(name="张三", id_number=VALID, jurisdiction=jurisdictions["惠阳区"])
    officer = make_user("bureau", jurisdictions["惠阳区"])
    outsider = make_user("bureau", jurisdictions["环翠区"])
    employer = make_user("employer", jurisdictions["惠阳区"])
    assert services.reveal_numbers(p, actor=officer, reason="核对申报材料")["id_number"] == VALID
    assert AuditEntry.objects.filter(action="registry.person.view_full_id", actor=officer).count() == 1
    for user in (outsider, employer):
        with pytest.raises(DomainError):
            services.reveal_numbers(p, actor=user, reason="核对申报材料")
    assert Person.objects.get(pk=p.pk).id_number_encrypted != VALID
