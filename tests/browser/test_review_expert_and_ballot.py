"""Browser tests of the review stages (issue 6 §9): an expert scores an assigned candidate and cannot
open one not assigned; a committee member casts a secret ballot."""
import datetime as dt
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-9"


def login(page, username):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/home/")


@pytest.mark.browser
def test_review_expert_scores_assigned_candidate_and_cannot_open_another(browser_page, jurisdictions, make_org,
                                                                         make_user):
    from gongjiang.review import services
    from gongjiang.review import stages as st
    from gongjiang.review.models import Assignment, Score
    from gongjiang.review.tests.conftest import ZHONGKAI_STAGES
    from gongjiang.review.tests.factories import make_application, make_policy, make_round

    district = jurisdictions["惠阳区"]
    bureau = make_user("bureau", district, password=None)
    rnd = make_round(make_policy(district), district, ZHONGKAI_STAGES)
    mine = make_application(rnd, district, make_org(parent=district), name="王焊工", status=st.EXPERT)
    experts = []
    for i in range(6):
        user = make_user("expert", district, username=f"expert{i}", password=PASSWORD if i == 0 else None)
        experts.append(services.create_expert(actor=bureau, name=f"专家{i}", pool=district, occupations=["焊工"],
                                              employer=make_org(parent=district), user=user))
    panel = services.draw(rnd, actor=bureau, name="焊工组", seed="browser", size=5)
    me = next(a.expert for a in Assignment.objects.filter(panel=panel, application=mine))
    me.user.set_password(PASSWORD)
    me.user.save()
    # A candidate of a second panel to which this expert is not assigned.
    other = make_application(rnd, district, make_org(parent=district), name="赵钳工", status=st.EXPERT)
    Assignment.objects.create(panel=panel, expert=next(e for e in experts if e != me), application=other)

    page = browser_page
    login(page, me.user.username)
    page.click("text=专家评分")
    page.click("text=王焊工")
    assert "长期在一线从事焊接工作" in page.content()
    # 仲恺's rubric (职业技能水平 40, 经济和社会效益 40, 传授技艺 20; equal weights): (0.9 + 0.88 + 0.8) / 3
    for code, value in {"skill": "36", "results": "35.2", "mentoring": "16"}.items():
        page.fill(f"input[name=c_{code}]", value)
    page.fill("textarea[name=comment]", "技艺精湛，带徒成效明显")
    page.click("text=提交评分")
    page.wait_for_url("**/review/expert/")
    assert "已评分 86.00" in page.content()
    assert Score.objects.get(assignment__expert=me, assignment__application=mine).total == 86

    response = page.goto(f"/review/expert/{other.pk}/")
    assert response.status == 404
    assert "赵钳工" not in page.content()


@pytest.mark.browser
def test_review_committee_member_casts_secret_ballot(browser_page, jurisdictions, make_org, make_user):
    from gongjiang.review import services
    from gongjiang.review import stages as st
    from gongjiang.review.models import Ballot, VoterRoll
    from gongjiang.review.tests.conftest import ZHONGKAI_STAGES
    from gongjiang.review.tests.factories import make_application, make_policy, make_round

    district = jurisdictions["惠阳区"]
    bureau = make_user("bureau", district, password=None)
    rnd = make_round(make_policy(district), district, ZHONGKAI_STAGES)
    apps = [make_application(rnd, district, make_org(parent=district), name=n, status=st.COMMITTEE)
            for n in ("陈首席", "林技师")]
    member = make_user("committee", district, username="member1", password=PASSWORD)
    others = [make_user("committee", district, password=None) for _ in range(2)]
    session = services.open_session(rnd, actor=bureau, title="区人才工作领导小组认定会议",
                                    held_on=dt.date(2026, 8, 1), members=[member, *others])

    page = browser_page
    login(page, "member1")
    page.click("text=委员会表决")
    page.click("text=区人才工作领导小组认定会议")
    page.check(f"input[name=v_{apps[0].pk}][value=yes]")
    page.check(f"input[name=v_{apps[1].pk}][value=no]")
    page.click("text=提交选票")
    page.wait_for_selector("text=投票成功")
    assert "您已投票" in page.content()
    assert "提交选票" not in page.content()
    assert VoterRoll.objects.filter(session=session, member=member).count() == 1
    assert sorted(Ballot.objects.filter(session=session).values_list("choice", flat=True)) == ["no", "yes"]
