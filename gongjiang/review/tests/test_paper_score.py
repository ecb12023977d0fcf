"""代录: a clerk enters an expert's scores from the signed paper sheet (experts without accounts can
sit on a panel); the sheet is kept, the clerk and the expert are in the audit log; experts see the
rubric's descriptions and the applicant's claimed achievements."""
import pytest
from django.urls import reverse

from gongjiang.applications.tests.corpus import pdf_bytes, upload
from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.review import experts as ex
from gongjiang.review import services
from gongjiang.review import stages as st
from gongjiang.review.models import Assignment, Score
from gongjiang.review.tests.conftest import HUIYANG_STAGES

pytestmark = pytest.mark.django_db

# 惠阳 第十条（五）'s rubric: 主要业绩、成果、贡献、技能水平, 25 points each.
SHEET = {"performance": 20, "results": 20, "contribution": 20, "skill": 20}


@pytest.fixture
def paper_panel(review_world, make_org):
    """A composed panel (惠阳 第九条) of five experts without accounts."""
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    app = w["make_app"](rnd, status=st.EXPERT, facts={"occupation": "焊工", "achievements": {"7.1": "主持焊接工艺攻关，获市级技术创新奖"}})
    experts = [services.create_expert(actor=w["bureau"], name=f"纸质专家{i}", pool=w["district"], occupations=["焊工"],
                                      employer=make_org(parent=w["district"])) for i in range(5)]
    panel = ex.compose_panel(rnd, actor=w["bureau"], name="纸质评审组", experts=experts, applications=[app])
    return {**w, "round": rnd, "app": app, "panel": panel}


def test_clerk_enters_paper_sheet_with_upload_and_audit(paper_panel):
    w = paper_panel
    a = Assignment.objects.filter(panel=w["panel"]).first()
    with pytest.raises(DomainError):
        services.enter_paper_score(a, actor=w["bureau"], points=SHEET, comment="材料详实", sheet=None)
    score = services.enter_paper_score(a, actor=w["bureau"], points=SHEET, comment="材料详实",
                                       sheet=upload("评分表.pdf", pdf_bytes()))
    assert score.total == 80 and score.entered_by == w["bureau"] and score.sheet.name == "评分表.pdf"
    entry = AuditEntry.objects.get(action="review.score", object_id=str(score.pk))
    assert a.expert.name in entry.reason and "代录" in entry.reason and entry.actor_id == w["bureau"].pk


def test_paper_scores_close_the_expert_review(paper_panel):
    w = paper_panel
    for a in Assignment.objects.filter(panel=w["panel"]):
        services.enter_paper_score(a, actor=w["bureau"], points=SHEET, comment="同意", sheet=upload("表.pdf", pdf_bytes()))
    services.close_expert_review(w["round"], actor=w["bureau"])
    w["app"].refresh_from_db()
    assert w["app"].status == st.CREDIT and Score.objects.filter(entered_by=w["bureau"]).count() == 5


def test_paper_score_page_for_the_bureau(paper_panel, client):
    w = paper_panel
    a = Assignment.objects.filter(panel=w["panel"]).first()
    client.force_login(w["bureau"])
    url = reverse("review:paper_score", args=[a.pk])
    page = client.get(url).content.decode()
    assert "主要业绩（满分25）" in page and a.expert.name in page
    bad = client.post(url, {**{f"c_{k}": v for k, v in SHEET.items()}, "comment": "好"})
    assert bad.status_code == 200 and not Score.objects.exists()
    ok = client.post(url, {**{f"c_{k}": v for k, v in SHEET.items()}, "comment": "好",
                           "sheet": upload("表.pdf", pdf_bytes())})
    assert ok.status_code == 302 and Score.objects.get().entered_by == w["bureau"]


def test_expert_sees_rubric_and_claimed_achievements(review_world, expert_pool, client):
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    app = w["make_app"](rnd, status=st.EXPERT, facts={"occupation": "焊工", "achievements": {"7.1": "主持焊接工艺攻关"}})
    ex.compose_panel(rnd, actor=w["bureau"], name="组", experts=expert_pool[:5], applications=[app])
    client.force_login(expert_pool[0].user)
    page = client.get(reverse("review:expert_candidate", args=[app.pk])).content.decode()
    assert "申报的主要业绩" in page and "主持焊接工艺攻关" in page and "技能水平（满分25）" in page
