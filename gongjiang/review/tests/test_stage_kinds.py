"""Stage kinds as typed settings: each policy file's `procedure` validates through the kind's own
model (unknown keys are errors), the one state table holds every stage's states, and
`gongjiang procedure show` / the procedure page show a policy's whole state machine."""
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pydantic import ValidationError

from gongjiang.applications.states import LABELS, TRANSITIONS, can_move
from gongjiang.policy import loader
from gongjiang.review import stages as st
from gongjiang.review.stages.show import machine
from gongjiang.review.tests import policy_stages

CODES = [p.name.removesuffix(".yaml") for p in sorted(loader.POLICIES_DIR.glob("*.yaml"))
         if not p.name.endswith(".cases.yaml") and p.name != "vocabulary.yaml"]


@pytest.mark.parametrize("code", CODES)
def test_every_policy_procedure_validates_and_round_trips(code):
    stored = policy_stages.stages(code)
    settings = st.validate_stages(stored)
    assert st.stage_snapshot(settings) == stored
    assert all(type(s).__module__.startswith("gongjiang.review.stages.") for s in settings)


@pytest.mark.parametrize("kind, key", [("expert_review", "panel_size"), ("expert_review", "tie_break"),
                                       ("expert_review", "quotas"), ("committee_decision", "secret_ballot"),
                                       ("credit_check", "ballot"), ("public_notice", "rubric")])
def test_key_another_kind_or_nobody_owns_is_an_error(kind, key):
    """The keys the old engine read from raw dicts (panel_size, tie_break, quotas, secret_ballot) are
    errors now, as is a key of another kind."""
    stored = policy_stages.stages("huiyang-chief-technician", **{kind: {key: 7}})
    with pytest.raises(ValidationError):
        st.validate_stages(stored)


def test_unknown_department_is_an_error_and_a_missing_rubric_has_no_default():
    from gongjiang.core.errors import DomainError

    with pytest.raises(ValidationError):
        st.validate_stages(policy_stages.stages("huiyang-chief-technician", credit_check={"departments": ["气象局"]}))
    silent = [{k: v for k, v in s.items() if k != "rubric"} for s in policy_stages.stages("zhongkai-skilled-talent")]
    stage = st.Procedure(st.validate_stages(silent)).require(st.EXPERT)
    with pytest.raises(DomainError) as e:
        stage.rubric_params
    assert "政策未规定评分细则" in e.value.message


def test_policy_file_with_unknown_stage_key_is_refused():
    text = (loader.POLICIES_DIR / "huancui-chief-technician.yaml").read_text(encoding="utf-8")
    text = text.replace("ballot: unspecified}", "ballot: unspecified, quorum: 5}")
    with pytest.raises(loader.PolicyFileError):
        loader.parse_text(text, "huancui-chief-technician.yaml")


def test_one_state_table_holds_every_stage_kinds_states():
    for state in st.REVIEW_STATES:
        assert state in LABELS
    assert can_move(st.RECOMMENDED, st.INSPECTION)        # 仲恺: 考察 first
    assert can_move(st.CREDIT, st.DEFERRED) and can_move(st.DEFERRED, st.CREDIT)
    assert not can_move(st.COMMITTEE, st.EXPERT)          # never backwards
    assert all(target in LABELS for edges in TRANSITIONS.values() for target in edges)


def _steps(code):
    return machine(loader.read_policy(loader.POLICIES_DIR / f"{code}.yaml").policy.procedure)


def test_machine_keeps_only_the_policys_next_stage():
    """惠阳 第十条: 资格初审 → 实地考察 → 专家评审 → 安全信用审查 → 审定 → 公示 → 批准."""
    steps = {s.kind: s for s in _steps("huiyang-chief-technician")}
    out_of_expert = {m.target for m in steps["expert_review"].moves}
    assert out_of_expert == {st.CREDIT, st.NOT_SHORTLISTED}
    assert {m.target for m in steps["credit_check"].moves} >= {st.COMMITTEE, st.CREDIT_FAILED, st.DEFERRED}
    # 环翠 第十条（五）（六）: 考察公示, then 研究审定 — the notice leads to the committee, not to approval.
    huancui = {s.kind: s for s in _steps("huancui-chief-technician")}
    assert {m.target for m in huancui["public_notice"].moves} == {st.ON_NOTICE, st.REMOVED, st.COMMITTEE}
    assert {m.target for m in huancui["committee_decision"].moves} == {st.PENDING_APPROVAL, st.COMMITTEE_REJECTED}


def test_procedure_show_command_prints_every_state_and_move():
    out = io.StringIO()
    call_command("procedure", "show", "zhongkai-skilled-talent", stdout=out)
    text = out.getvalue()
    assert "1. 考察（第五条（二）3）" in text
    assert "公示中 → 已批准入选" in text and "待批准" not in text  # approved on the notice
    assert "无记名投票" in text and "待委员会审定 → 委员会审定未通过" in text
    assert "资格初审" not in text  # 仲恺 has no 资格初审 of its own


@pytest.mark.django_db
def test_procedure_page_draws_the_machine_in_chinese(client, make_user, jurisdictions):
    from gongjiang.policy.services import load_policies

    load_policies()
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    body = client.get(reverse("policy:procedure", args=["huiyang-chief-technician"])).content.decode()
    assert "安全信用审查" in body and "单位存在暂缓情形，暂缓审核" in body and "第十一条（二）" in body
    assert "credit_check" not in body and "None" not in body


@pytest.mark.django_db
def test_every_policy_procedure_shows_and_draws_each_stage(client, make_user, jurisdictions):
    """Every policy file (the five seed cities and the others): `gongjiang procedure show` prints,
    and the procedure page draws, each stage of its procedure with its article."""
    from gongjiang.policy.services import load_policies

    load_policies()
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    for code in CODES:
        out = io.StringIO()
        call_command("procedure", "show", code, stdout=out)
        resp = client.get(reverse("policy:procedure", args=[code]))
        body = resp.content.decode()
        assert resp.status_code == 200, code
        for stage in loader.read_policy(loader.POLICIES_DIR / f"{code}.yaml").policy.procedure:
            if stage.name:
                assert stage.name in out.getvalue() and stage.name in body, (code, stage.name)
        assert "None" not in body, code
