"""The 资格初审 page a clerk works from (issue 15 §4): each clause with the result as it reads (a cleared
exclusion is met, not a red 不符合), the facts behind it, and links to the application and every upload."""
from django.urls import reverse

from gongjiang.applications.models import Evidence
from gongjiang.review import services

from .conftest import HUIYANG_STAGES

EXPLANATION = {"overall": "needs_review", "clauses": [
    {"article": "第八条", "depth": 0, "status": "pass", "tone": "pass", "status_label": "符合",
     "sentence": "不存在下列任一情形：符合"},
    {"article": "第八条（三）", "depth": 1, "status": "fail", "tone": "pass", "status_label": "无此情形",
     "sentence": "有刑事犯罪记录的记录：无此情形"},
    {"article": "第七条（八）", "depth": 0, "status": "fail", "tone": "fail", "status_label": "不符合",
     "sentence": "市级及以上技能大师工作室领办人：不符合"},
    {"article": "第七条", "depth": 0, "status": "pass", "tone": "pass", "status_label": "符合",
     "sentence": "参照日前连续12个月在惠阳区工作并依法缴纳社会保险：符合",
     "facts": [{"text": "社会保险：惠阳区2025-01至2025-12，共12个月", "source": "单位填报"}]},
]}


def test_qualification_page_reads_cleared_exclusion_as_met_and_links_every_upload(review_world, client):
    w = review_world
    app = w["make_app"](w["make_round"](HUIYANG_STAGES))
    app.eligibility = EXPLANATION
    app.save(update_fields=["eligibility"])
    ev = Evidence.objects.create(application=app, material="certificate", material_label="职业资格证书",
                                 name="证书.pdf", kind="pdf", content_type="application/pdf", size=2048, pages=1,
                                 sha256="0" * 64, path="evidence/test/cert.pdf", uploaded_by=w["bureau"])
    services.accept(app, actor=w["bureau"])
    client.force_login(w["bureau"])
    body = client.get(reverse("review:application", args=[app.pk])).content.decode()
    row = body[body.index("有刑事犯罪记录的记录"):]
    row = row[:row.index("</tr>")]
    assert 'class="status-pass"' in row and "无此情形" in row and "不符合" not in row
    failing = body[body.index("市级及以上技能大师工作室领办人"):]
    assert 'class="status-fail"' in failing[:failing.index("</tr>")]
    assert "社会保险：惠阳区2025-01至2025-12，共12个月（单位填报）" in body
    assert reverse("applications:detail", args=[app.pk]) in body
    assert reverse("applications:form_pdf", args=[app.pk]) in body
    assert reverse("applications:file", args=[app.pk, ev.pk]) in body and "职业资格证书：证书.pdf" in body
