"""Browser: a bureau officer screens the registry against the Huiyang policy (免申即享), filters the
results by a failing clause, invites one eligible person; that person's applicant login sees the
invitation on the home page and on /registry/me/."""
import datetime as dt

import pytest

from gongjiang.core.idnumbers import make_resident_id
from gongjiang.registry.models import (
    Employment, Invitation, MasterStudio, ScreeningResult, ScreeningRun, SocialInsurancePeriod,
)
from gongjiang.registry.services import register_person

PASSWORD = "correct-horse-battery-9"


def _person(name, serial, district, firm, *, insured=True, account=None):
    p = register_person(name=name, id_number=make_resident_id("441303", dt.date(1980, 5, 1), serial, female=False),
                        jurisdiction=district, account=account)
    Employment.objects.create(person=p, employer=firm, jurisdiction=district, frontline=True,
                              start=dt.date(2020, 1, 1) if insured else dt.date(2024, 6, 1))
    if insured:
        SocialInsurancePeriod.objects.create(person=p, jurisdiction=district, employer=firm,
                                             first_month=dt.date(2020, 1, 1), last_month=dt.date(2025, 1, 1))
    MasterStudio.objects.create(person=p, name=f"{name}工作室", level=3, established_on=dt.date(2022, 1, 1))
    return p


@pytest.mark.browser
def test_bureau_screens_filters_by_failing_clause_and_invites_one(browser_page, browser_login, make_user,
                                                                   make_org, jurisdictions):
    from gongjiang.policy.models import Policy
    from gongjiang.policy.services import load_policies

    load_policies()
    policy = Policy.objects.get(code="huiyang-chief-technician")
    district = jurisdictions["惠阳区"]
    firm = make_org("惠阳浏览器测试厂", parent=district)
    officer = make_user("bureau", district, password=PASSWORD)
    applicant = make_user("applicant", None, password=PASSWORD)
    invitee = _person("周合格", 11, district, firm, account=applicant)
    _person("吴合格", 12, district, firm)
    late = _person("郑未满", 13, district, firm, insured=False)

    page = browser_page
    browser_login(page, officer.username, PASSWORD)
    page.goto("/registry/screening/")
    page.select_option("select[name=policy]", str(policy.pk))
    page.fill("input[name=reference_date]", "2025-01-01")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/registry/screening/*/")
    run = ScreeningRun.objects.get(created_by=officer)
    assert run.status == "done"  # the immediate task backend ran it on commit
    page.reload()
    page.get_by_text("周合格").first.wait_for()

    # Filter by a clause that the uninsured person fails (惠阳 第七条: social insurance months).
    mask = ScreeningResult.objects.get(run=run, person=late).fail_mask
    failing = next(cid for bit, cid in enumerate(run.clause_ids) if mask >> bit & 1)
    page.select_option("select[name=failing]", failing)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**failing={failing}**")
    table = page.locator("table").last
    assert "郑未满" in table.inner_text() and "周合格" not in table.inner_text()

    # Only eligible people, then invite one of them.
    page.click("text=重置")
    page.select_option("select[name=outcome]", "0")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**outcome=0**")
    page.click(f"button[data-invite='{invitee.pk}']")
    page.get_by_text("已邀请周合格申报").wait_for()
    assert list(Invitation.objects.filter(run=run).values_list("person__name", flat=True)) == ["周合格"]

    # The invited person's own login sees the invitation.
    page.context.clear_cookies()
    browser_login(page, applicant.username, PASSWORD)
    page.get_by_text(f"您符合“{policy.title}”的申报条件").first.wait_for()
    page.goto("/registry/me/")
    section = page.locator("#invitations")
    assert policy.title in section.inner_text()
