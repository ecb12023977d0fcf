"""Chinese everywhere a user looks (issue 15 §5): every page every demo role can reach, the error pages,
the audit log's actions and objects."""
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

import gongjiang
from gongjiang.accounts.demo import DEMO_USERS
from gongjiang.accounts.models import User
from gongjiang.audit import labels
from gongjiang.web.tests.crawl import crawl, problems_in, read_page


def test_every_page_of_every_demo_role_reads_in_chinese(db, settings):
    """Seeds the demo, then follows every link each role sees (and the public pages): no `None`, no English
    word outside the allow-list, no raw code, no link that ends in an error page."""
    call_command("seed_demo", stdout=StringIO())
    usernames = frozenset(User.objects.values_list("username", flat=True))
    report, total = [], 0
    # bureau_huancui runs the demo's live review rounds (expert review, notice with an objection, approval)
    for username in [u for u, *_ in DEMO_USERS if not u.startswith("bureau_")] + ["bureau_huancui", None]:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        result = crawl(client, ["/", "/home/"] if username else ["/", "/login/"], allowed=usernames)
        total += len(result.pages)
        assert len(result.pages) >= 2, f"{username or 'public'} reached only {result.pages}"
        report += [f"{username or 'public'} {url}: {status}" for url, status in result.errors.items()]
        report += [f"{username or 'public'} {url}: {p}" for url, found in result.problems.items() for p in found]
    assert total > 150
    assert not report, "\n".join(report[:60])


def test_crawler_flags_none_english_and_codes():
    texts, links = read_page('<p>行业协会不超过None名</p><p>7.6.standard</p><td>expert:1</td><p>Access attempts</p>'
                             '<code>huiyang-chief-technician</code><p>申报编号 RV-00001，上传 PDF 文件</p>'
                             '<a href="/x/">CreditRequest object (3)</a>')
    found = " ".join(problems_in(texts))
    for leak in ("None", "7.6.standard", "expert:1", "Access", "object repr"):
        assert leak in found
    assert "huiyang" not in found and "RV" not in found and "PDF" not in found and links == ["/x/"]


def test_unknown_address_shows_the_chinese_404_also_under_debug(client, settings):
    settings.DEBUG = True
    resp = client.get("/no-such-page/")
    body = resp.content.decode()
    assert resp.status_code == 404 and "页面不存在" in body and "URLconf" not in body


def test_missing_object_shows_the_chinese_404_under_debug(client, settings, jurisdictions, make_user):
    settings.DEBUG = True
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    resp = client.get("/applications/999999/")
    assert resp.status_code == 404 and "页面不存在" in resp.content.decode()


def test_csrf_failure_is_a_chinese_page(jurisdictions, make_user):
    client = Client(enforce_csrf_checks=True)
    resp = client.post("/login/", {"username": "x", "password": "y"})
    assert resp.status_code == 403 and "表单已失效" in resp.content.decode()


def test_admin_index_lists_only_the_platforms_chinese_sections(client, jurisdictions, make_user):
    client.force_login(make_user("sysadmin", jurisdictions["广东省"]))
    texts, _ = read_page(client.get("/admin/").content.decode())
    assert not problems_in(texts), problems_in(texts)
    assert "审计日志" in " ".join(texts) or "审计" in " ".join(texts)


def _recorded_actions():
    root = Path(gongjiang.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        found |= set(re.findall(r"""record\(\s*"([a-z_]+(?:\.[a-z_]+)+)\"""", path.read_text()))
        found |= set(re.findall(r"""action="([a-z_]+(?:\.[a-z_]+)+)\"""", path.read_text()))
    return found


def test_every_audit_action_in_the_code_has_a_chinese_name():
    actions = _recorded_actions()
    assert {"auth.login", "application.submit", "review.qualification"} <= actions
    unnamed = sorted(a for a in actions if labels.action_label(a) == "其他操作")
    assert not unnamed, f"add these to gongjiang/audit/labels.py ACTIONS: {unnamed}"


def test_audit_object_without_description_reads_as_its_kind_and_number():
    from gongjiang.audit.models import AuditEntry

    entry = AuditEntry(object_type="review.creditrequest", object_id="3", object_repr="CreditRequest object (3)")
    assert labels.object_label(entry) == "安全信用审查（第3号）"
    assert labels.action_label("application.on_notice").startswith("申报状态变为")
    assert labels.action_label("auth.login") == "登录"


@pytest.mark.parametrize("lo,hi,soft,text", [(1, 2, False, "1至2名"), (0, 3, True, "一般不超过3名"),
                                            (0, None, False, "名额未规定"), (1, None, False, "不少于1名")])
def test_unit_quota_never_reads_none(lo, hi, soft, text):
    from gongjiang.policy.render import unit_quota_text

    assert unit_quota_text(lo, hi, soft=soft) == text
