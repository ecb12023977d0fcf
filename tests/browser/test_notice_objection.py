"""A member of the public opens a notice, files an objection with an attachment and sees its
receipt; an officer concludes it (异议成立), the candidate is removed from the public list and the
filer sees the conclusion by receipt number (Huiyang 第十条（七）)."""
import datetime as dt
import re

import pytest

from gongjiang.applications.tests import corpus
from gongjiang.notices.services import publish_notice

PASSWORD = "correct-horse-battery-9"


@pytest.mark.browser
def test_public_objection_then_officer_upholds_it(browser_page, browser_login, jurisdictions, make_user, clock,
                                                   settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = make_user("bureau", jurisdictions["惠阳区"], username="huiyang_officer", password=PASSWORD)
    notice = publish_notice(
        title="2026年惠阳区区管首席技师拟入选人员公示", start=dt.date(2026, 11, 23), publisher=officer,
        contact="惠阳区人社局人才科，电话0752-3333333", body="经评审，现将拟入选人员予以公示。",
        entries=[{"name": "张伟", "gender": "M", "employer": "惠阳示范精密制造有限公司", "occupation": "数控车工",
                  "skill_level": 5, "honour": "区管首席技师"},
                 {"name": "李娜", "gender": "F", "employer": "惠阳电子有限公司", "occupation": "电工",
                  "skill_level": 4, "honour": "区管首席技师"}])
    page = browser_page

    # The public: no login.
    page.goto(f"/notices/{notice.pk}/")
    assert page.inner_text("#notice-period") == "2026年11月23日至2026年11月27日（5个工作日）"
    assert "李娜" in page.inner_text("#entries")
    page.click("#object-link")
    box = page.locator("input[name=website]").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0  # the honeypot is out of sight
    page.select_option("select[name=entry]", label="2. 李娜（惠阳电子有限公司）")
    page.fill("input[name=filer_name]", "王五")
    page.fill("input[name=filer_contact]", "13800138000")
    page.fill("textarea[name=text]", "李娜提交的省级竞赛获奖证书与竞赛组委会公布的名单不符，请核实。")
    page.set_input_files("input[name=attachments]", files=[
        {"name": "获奖名单.pdf", "mimeType": "application/pdf", "buffer": corpus.pdf_bytes()}])
    page.click("#objection-form button[type=submit]")
    receipt = page.inner_text("#receipt").strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{12}", receipt)

    page.goto("/notices/objection/lookup/")
    page.fill("input[name=receipt]", receipt)
    page.click("button[type=submit]")
    assert page.inner_text("#lookup-status") == "调查核实中"

    # The officer: queue with the investigation deadline, then the conclusion.
    page.context.clear_cookies()
    browser_login(page, "huiyang_officer", PASSWORD)
    assert receipt in page.inner_text("main")  # home inbox lists the open objection
    page.click("nav.mainnav >> text=异议处理")
    row = page.locator("#queue tr", has_text=receipt)
    assert "2026-11-30" in row.inner_text()  # received Monday 11/23: 5 working days, receipt day not counted
    row.locator("a", has_text=receipt).click()
    assert "获奖名单.pdf" in page.inner_text("main")
    page.check("input[name=conclusion][value=upheld]")
    page.fill("textarea[name=findings]", "经向竞赛组委会核实，该证书不在获奖名单内。")
    page.fill("textarea[name=public_reason]", "经核实，申报材料中的竞赛获奖证书不实")
    page.click("#conclude-form button[type=submit]")
    assert page.inner_text("#status") == "已办结：异议成立"

    # Back to the public: the candidate is removed with the reason; the filer sees the conclusion.
    page.context.clear_cookies()
    page.goto(f"/notices/{notice.pk}/")
    assert "已取消：经核实，申报材料中的竞赛获奖证书不实" in page.locator("#entries tr", has_text="李娜").inner_text()
    page.goto("/notices/objection/lookup/")
    page.fill("input[name=receipt]", receipt)
    page.click("button[type=submit]")
    assert page.inner_text("#lookup-conclusion") == "异议成立"
    assert "王五" not in page.inner_text("main") and "13800138000" not in page.content()
