"""On the demo data, in chromium: every applicant and public page fits a 390 px phone (issue 15 §6), and
each role's main pages are photographed for docs/用户指南.md (issue 15 §9).

The screenshots go to a temporary folder; `make screenshots` (GONGJIANG_SCREENSHOTS=docs) writes them
to docs/screenshots/ so the guide's pictures stay current with the pages."""
import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from gongjiang.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from gongjiang.accounts.models import User
from gongjiang.web.tests.crawl import crawl

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE = DOCS / "用户指南.md"


def _login(page, username):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/home/")


def _context(gj_browser, live_server, **kw):
    return gj_browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **kw)


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["gongjiang.core.testing.FastArgon2PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    for user in User.objects.filter(username__in=[u for u, *_ in DEMO_USERS]):
        user.set_password(DEMO_PASSWORD)  # the fast hasher of the test run
        user.save(update_fields=["password"])


def test_every_applicant_and_public_page_fits_a_390px_phone(demo, gj_browser, live_server):
    too_wide, seen = [], 0
    for username in (None, "demo_applicant"):
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        urls = crawl(client, ["/", "/home/"] if username else ["/", "/login/"],
                     skip=("/admin/", "/accounts/password/")).pages
        context = _context(gj_browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        if username:
            _login(page, username)
        for url in urls:
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            seen += 1
            if width > PHONE["width"]:
                too_wide.append(f"{username or 'public'} {url}: {width}px")
        context.close()
    assert seen >= 20
    assert not too_wide, "pages wider than a 390 px phone:\n" + "\n".join(too_wide)


# role's demo login -> [(file name, page, caption)], pages reached by their menu's address
SHOTS = {
    None: [("public-landing", "/", "首页"), ("public-notices", "/notices/", "公示公告")],
    "demo_applicant": [("applicant-home", "/home/", "申报人工作台"), ("applicant-applications", "/applications/", "我的申报")],
    "demo_employer": [("employer-home", "/home/", "用人单位工作台"), ("employer-applications", "/applications/", "本单位申报")],
    "demo_recommender": [("recommender-home", "/home/", "推荐单位工作台"), ("recommender-rounds", "/rounds/", "遴选批次")],
    # the officer of the demo's live review rounds (环翠: expert review, notice, approval)
    "bureau_huancui": [("bureau-home", "/home/", "人社局经办人工作台"), ("bureau-review", "/review/", "评审管理"),
                       ("bureau-screening", "/registry/screening/", "资格筛查")],
    "demo_expert": [("expert-home", "/review/expert/", "专家评分")],
    "demo_committee": [("committee-home", "/review/committee/", "委员会表决")],
    "demo_auditor": [("auditor-log", "/audit/", "审计日志")],
    "demo_admin": [("admin-users", "/accounts/users/", "用户管理")],
}


def test_user_guide_screenshots_of_each_roles_main_pages(demo, gj_browser, live_server, tmp_path):
    target = DOCS / "screenshots" if os.environ.get("GONGJIANG_SCREENSHOTS") == "docs" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    for username, shots in SHOTS.items():
        context = _context(gj_browser, live_server, viewport={"width": 1024, "height": 720})
        page = context.new_page()
        if username:
            _login(page, username)
        for name, url, _caption in shots:
            page.goto(url)
            assert "页面不存在" not in page.inner_text("main"), url
            path = target / f"{name}.jpg"
            page.screenshot(path=str(path), type="jpeg", quality=55)
            assert 5_000 < path.stat().st_size < 200_000, (name, path.stat().st_size)
        context.close()


def test_user_guide_shows_every_screenshot_and_each_exists():
    guide = GUIDE.read_text()
    referenced = set(re.findall(r"\(screenshots/([\w-]+)\.jpg\)", guide))
    expected = {name for shots in SHOTS.values() for name, _, _ in shots}
    assert referenced == expected
    for name in expected:
        assert (DOCS / "screenshots" / f"{name}.jpg").is_file(), name
