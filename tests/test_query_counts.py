"""Every list page and list endpoint runs a constant number of SQL queries whatever the data size:
each page is measured with a few rows, then again after many more rows were added, and the two
counts must be equal (pagination, select_related and aggregates instead of per-row queries)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjiang.review.tests import factories
from gongjiang.review.tests.conftest import HUIYANG_STAGES


@pytest.fixture
def world(jurisdictions, make_org, make_user):
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.services import register_person
    from gongjiang.rounds.tests.factories import open_round

    district = jurisdictions["惠阳区"]
    bureau = make_user("bureau", district, password=None)
    applicant = make_user("applicant", password=None)
    register_person(name="李建国", id_number=make_resident_id("441303", dt.date(1980, 5, 1), 11, female=False),
                    jurisdiction=district, account=applicant)
    policy = factories.make_policy(district)
    board_round = factories.make_round(policy, district, HUIYANG_STAGES, quota=100)
    call = open_round(policy_code="huiyang-chief-technician", organiser=district, actor=bureau)
    employer = make_org(parent=district)
    state = {"n": 0}

    def grow(n):
        """Add n applications on the board (half recommended, half in review; every third the
        applicant's own), n notices with two entries each (two in three ended, every second one
        corrected), n rounds."""
        from gongjiang.notices.models import Notice, NoticeEntry

        today = timezone.localdate()
        for _ in range(n):
            state["n"] += 1
            i = state["n"]
            factories.make_application(board_round, district, employer,
                                       status="recommended" if i % 2 else "qualification_review",
                                       account=applicant if i % 3 == 0 else None)
            start = today - dt.timedelta(days=20 if i % 3 else 0)  # two in three ended: awaiting approval
            notice = Notice.objects.create(
                title=f"公示{i}", contact="电话 0752-0000000", organisation=district, start_date=start,
                end_date=start + dt.timedelta(days=7), published_by=bureau, published_at=timezone.now())
            NoticeEntry.objects.bulk_create([NoticeEntry(notice=notice, position=k, name=f"候选人{i}-{k}")
                                             for k in (1, 2)])
            if i % 2 == 0:
                Notice.objects.create(
                    title=f"公示{i}（更正）", contact="电话", organisation=district, start_date=today,
                    end_date=today + dt.timedelta(days=7), published_by=bureau, published_at=timezone.now(),
                    corrects=notice, correction_reason="更正姓名")
            factories.make_round(policy, district, HUIYANG_STAGES, year=2020 + i % 6)

    return {"bureau": bureau, "applicant": applicant, "board_round": board_round, "call": call, "grow": grow}


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(ctx.captured_queries)


PAGES = {
    "public notice list": (None, lambda w: "/notices/"),
    "public notice list, filtered": (None, lambda w: "/notices/?state=running&q=公示&year=" + str(timezone.localdate().year)),
    "public call list": (None, lambda w: "/rounds/calls/"),
    "public call page": (None, lambda w: f"/rounds/calls/{w['call'].code}/"),
    "round board": ("bureau", lambda w: f"/review/rounds/{w['board_round'].pk}/"),
    "round board, one stage": ("bureau", lambda w: f"/review/rounds/{w['board_round'].pk}/?state=recommended"),
    "round list": ("bureau", lambda w: "/rounds/"),
    "notice management": ("bureau", lambda w: "/notices/manage/"),
    "application list": ("bureau", lambda w: "/applications/"),
    "applicant home": ("applicant", lambda w: "/home/"),
    "officer's home": ("bureau", lambda w: "/home/"),
    "applicant's applications": ("applicant", lambda w: "/applications/"),
    "API notices": (None, lambda w: "/api/notices/"),
    "API rounds": ("bureau", lambda w: "/api/rounds/"),
    "API applications": ("bureau", lambda w: "/api/applications/"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_queries_constant_whatever_the_data_size(client, world, name, settings):
    # the page's own queries, not a cached copy (core/tests/test_caching.py)
    settings.PUBLIC_PAGE_CACHE_SECONDS = settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    who, url_of = PAGES[name]
    if who:
        client.force_login(world[who])
    url = url_of(world)
    world["grow"](3)
    client.get(url)  # warm caches (policy parse, content types) so both measures compare like with like
    small = _count(client, url)
    world["grow"](30)
    large = _count(client, url)
    assert large == small, f"{name}: {small} queries with few rows, {large} with many"


def test_public_notice_list_pages_and_filters(client, world):
    world["grow"](30)  # 30 notices and 15 corrections
    first = client.get("/notices/").content.decode()
    assert "共 45 条公示" in first and "第 1 / 3 页" in first
    assert client.get("/notices/?page=3").content.decode().count("notices/") >= 5
    assert "共 1 条公示" in client.get("/notices/?q=公示8（").content.decode()
    bad = client.get("/notices/?year=abc&state=nonsense")
    assert bad.status_code == 200 and "共 45 条公示" in bad.content.decode()  # bad filters filter nothing


def test_round_board_filters_by_stage(client, world):
    world["grow"](6)
    client.force_login(world["bureau"])
    url = f"/review/rounds/{world['board_round'].pk}/"
    assert "共 6 名申报人" in client.get(url).content.decode()
    page = client.get(url + "?state=recommended").content.decode()
    assert "共 3 名申报人" in page and page.count("受理</button>") == 3
