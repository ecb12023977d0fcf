"""Loading policy files into the database, reading them back, and the `policy` command."""
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongjiang.audit.models import AuditEntry
from gongjiang.policy.loader import POLICIES_DIR
from gongjiang.policy.models import Policy
from gongjiang.policy.services import get_policy, load_policies


@pytest.mark.django_db
def test_load_policies_is_idempotent_and_audited(jurisdictions):
    first = load_policies()
    assert set(first.values()) == {"created"}
    assert load_policies() == {code: "unchanged" for code in first}
    huiyang = Policy.objects.get(code="huiyang-chief-technician")
    assert huiyang.jurisdiction == jurisdictions["惠阳区"]
    assert huiyang.valid_to == dt.date(2025, 12, 31)
    assert AuditEntry.objects.filter(action="policy.load").count() == len(first)


@pytest.mark.django_db
def test_load_policies_updates_changed_file_with_new_version(tmp_path, jurisdictions):
    src = (POLICIES_DIR / "huancui-chief-technician.yaml").read_text(encoding="utf-8")
    (tmp_path / "huancui-chief-technician.yaml").write_text(src, encoding="utf-8")
    load_policies(directory=tmp_path)
    (tmp_path / "huancui-chief-technician.yaml").write_text(src.replace("amount_fen: 50000", "amount_fen: 60000"),
                                                           encoding="utf-8")
    assert load_policies(directory=tmp_path) == {"huancui-chief-technician": "updated"}
    row = Policy.objects.get(code="huancui-chief-technician")
    assert row.version == 2
    assert get_policy("huancui-chief-technician").honours[0].benefits[0].amount_fen == 60000
    assert AuditEntry.objects.filter(action="policy.update", object_id=str(row.pk)).exists()


@pytest.mark.django_db
def test_get_policy_unknown_code_is_a_domain_error():
    from gongjiang.core.errors import DomainError

    with pytest.raises(DomainError):
        get_policy("no-such-policy")


@pytest.mark.django_db
def test_policy_check_command_accepts_files_and_cases():
    out = StringIO()
    call_command("policy", "check", str(POLICIES_DIR / "huiyang-chief-technician.yaml"),
                 str(POLICIES_DIR / "huiyang-chief-technician.cases.yaml"), stdout=out)
    assert "OK" in out.getvalue()


@pytest.mark.django_db
def test_policy_check_command_every_file_of_the_folder_passes_vocabulary_included():
    """`gongjiang policy check policies/*.yaml`: the vocabulary file is checked as a vocabulary."""
    out = StringIO()
    call_command("policy", "check", *sorted(str(p) for p in POLICIES_DIR.glob("*.yaml")), stdout=out)
    assert "OK " + str(POLICIES_DIR / "vocabulary.yaml") + ": vocabulary" in out.getvalue()


def test_liaocheng_expert_review_is_composed_of_at_least_seven():
    """聊城 三、推荐程序及产生方式: 组织7名以上相关职业（工种）或专业领域的专家 — not a random draw."""
    from gongjiang.policy.loader import read_policy

    policy = read_policy(POLICIES_DIR / "liaocheng-2019-chief-technician.yaml").policy
    stage = next(s for s in policy.procedure if s.kind == "expert_review")
    assert (stage.panel.random_draw, stage.panel.min_experts) == (False, 7)
    zhongkai = read_policy(POLICIES_DIR / "zhongkai-skilled-talent.yaml").policy
    ganzhou = read_policy(POLICIES_DIR / "ganzhou-craftsman.yaml").policy
    assert [next(s for s in p.procedure if s.kind == "expert_review").panel.random_draw
            for p in (zhongkai, ganzhou)] == [True, None]  # 赣州 says neither: either is open


@pytest.mark.django_db
def test_policy_check_command_reports_file_line_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((POLICIES_DIR / "huancui-chief-technician.yaml").read_text(encoding="utf-8")
                   .replace("quota: {article: 第四条, target: 5,", "quota: {article: 第四条, target: -5,"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("policy", "check", str(bad), stderr=err)
    assert "bad.yaml:" in err.getvalue() and "honours[0].quota.target must be a positive integer" in err.getvalue()


@pytest.mark.django_db
def test_policy_show_command_prints_chinese_summary():
    out = StringIO()
    call_command("policy", "show", "huiyang-chief-technician", "--on", "2025-01-01", stdout=out)
    text = out.getvalue()
    assert "区管首席技师" in text and "每年5,000元" in text and "第十条（七）" in text and "不少于5个工作日" in text


@pytest.mark.django_db
def test_policy_explain_command_for_registry_person(jurisdictions):
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.services import register_person

    number = make_resident_id("441303", dt.date(1980, 1, 1), 31, female=False)
    register_person(name="张测试", id_number=number, jurisdiction=jurisdictions["惠阳区"])
    out = StringIO()
    call_command("policy", "explain", "huiyang-chief-technician", "--person", number, "--on", "2025-01-01", stdout=out)
    text = out.getvalue()
    assert "出生日期：1980-01-01" in text
    assert "法定退休日期2043-01-01" in text  # man born 1980-01: 63 years
    assert "结论：" in text


@pytest.mark.django_db
def test_policy_explain_command_unknown_person_is_an_error():
    with pytest.raises(CommandError):
        call_command("policy", "explain", "huiyang-chief-technician", "--person", "110101199003077777",
                     "--on", "2025-01-01")
