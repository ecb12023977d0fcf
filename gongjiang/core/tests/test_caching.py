"""The short-lived page caches (gongjiang.core.caching): public pages for cookie-less visitors and a
leader's dashboard figures, retired at once by any change saved in this process, never shown to
someone with a session or to another user."""
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjiang.core import caching


@pytest.fixture
def notice(jurisdictions, make_user):
    from gongjiang.notices.models import Notice

    district = jurisdictions["惠阳区"]
    bureau = make_user("bureau", district, password=None)

    def publish(title):
        today = timezone.localdate()
        return Notice.objects.create(title=title, contact="电话 0752-0000000", organisation=district,
                                     start_date=today, end_date=today + dt.timedelta(days=7),
                                     published_by=bureau, published_at=timezone.now())

    publish("关于首批拟认定人选的公示")
    return {"publish": publish, "bureau": bureau}


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return resp.content.decode(), len(ctx.captured_queries)


def test_public_list_is_served_from_the_cache_and_a_new_notice_shows_at_once(notice):
    """A save in this process retires the page at once (another server's: its audit entry, below)."""
    client = Client()
    first, queries = _get(client, "/notices/")
    again, cached_queries = _get(client, "/notices/")
    assert queries > 1 and cached_queries == 1 and again == first  # the one: the audit log's head
    assert "csrf" not in first.lower()  # a page served to everyone carries nobody's CSRF token
    notice["publish"]("关于第二批拟认定人选的公示")  # a save in this process retires the cached page
    fresh, _ = _get(client, "/notices/")
    assert "关于第二批拟认定人选的公示" in fresh and "共 2 条公示" in fresh


def test_each_filter_has_its_own_entry(notice):
    notice["publish"]("关于技师的公示")
    client = Client()
    assert "共 2 条公示" in _get(client, "/notices/")[0]
    assert "共 1 条公示" in _get(client, "/notices/?q=技师")[0]


def test_visitors_with_a_session_never_get_nor_fill_the_cache(notice, client):
    anonymous = Client()
    _get(anonymous, "/notices/")
    client.force_login(notice["bureau"])
    page, queries = _get(client, "/notices/")
    assert queries > 0 and "退出" in page  # rendered for the signed-in officer (session, navigation)
    assert "退出" not in _get(anonymous, "/notices/")[0]


def test_public_page_follows_an_audited_change_made_by_another_server(notice):
    """Another server's change reaches this process by the audit entry it wrote with the change."""
    from gongjiang.audit.services import record
    from gongjiang.notices.models import Notice

    client = Client()
    _get(client, "/notices/")
    generation = caching.generation()
    Notice.objects.update(title="关于首批拟认定人选的公示（内容已更新）")  # no signal reaches this process
    record("notice.publish", actor=notice["bureau"], object_type="notices.notice", object_id="1")
    assert caching.generation() == generation
    assert "内容已更新" in _get(client, "/notices/")[0]


def test_switched_off_by_setting(notice, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client = Client()
    _get(client, "/notices/")
    assert _get(client, "/notices/")[1] > 0


def test_sessions_and_audit_entries_do_not_retire_the_caches(notice, client):
    before = caching.generation()
    client.force_login(notice["bureau"])  # saves a session (and the user's last_login: accounts data)
    after_login = caching.generation()
    client.get("/home/")
    from gongjiang.audit.services import record

    record("notice.published", actor=notice["bureau"], object_type="notice", object_id="1")
    assert caching.generation() == after_login and after_login >= before


def test_dashboard_figures_are_kept_per_user(jurisdictions, make_user):
    district, other = jurisdictions["惠阳区"], jurisdictions["环翠区"]
    mine, theirs = Client(), Client()
    mine.force_login(make_user("bureau", district, password=None))
    theirs.force_login(make_user("bureau", other, password=None))
    page, queries = _get(mine, "/dashboards/holders/")
    again, fewer = _get(mine, "/dashboards/holders/")
    assert fewer < queries and "惠阳区" in again
    other_page, _ = _get(theirs, "/dashboards/holders/")
    assert "环翠区" in other_page and "数据范围：惠阳区" not in other_page


def test_dashboard_figures_follow_an_audited_change_made_by_another_server(jurisdictions, make_user):
    """Another app server's change reaches this process through the audit log's head, not a signal:
    simulated by the audit entry alone, which every service writes with its change."""
    from gongjiang.audit.services import record

    client = Client()
    client.force_login(make_user("bureau", jurisdictions["惠阳区"], password=None))
    _get(client, "/dashboards/holders/")
    cached = _get(client, "/dashboards/holders/")[1]
    generation = caching.generation()
    record("honour.award", actor=None, object_type="honours.honour", object_id="1")  # as the other server did
    assert caching.generation() == generation  # this process saw no save of data of its own
    assert _get(client, "/dashboards/holders/")[1] > cached


# ---------------------------------------------------------------- a signed-in person's pages


def _officer_clients(jurisdictions, make_user, n=2, **kwargs):
    officer = make_user("bureau", jurisdictions["惠阳区"], password=None, display_name="王经办")
    clients = [Client(**kwargs) for _ in range(n)]
    for c in clients:
        c.force_login(officer)
        c.get("/home/")  # a browser's first page: it receives its CSRF cookie
    return officer, clients


def test_private_page_is_kept_for_its_session_only(jurisdictions, make_user):
    """The second opening of the home page in one session reads only the session (with the audit
    log's head, gongjiang.core.sessions) and the user; another session of the same person renders
    its own copy."""
    _officer, (mine, other) = _officer_clients(jurisdictions, make_user)
    first, queries = _get(mine, "/home/")
    again, cached = _get(mine, "/home/")
    assert cached == 2 < queries and again == first and "王经办" in again
    assert _get(other, "/home/")[1] == queries and "csrftoken" in mine.cookies


def test_own_request_that_writes_retires_the_sessions_pages(jurisdictions, make_user):
    """A change made without a signal or an audit entry (as on another server) shows on the person's
    next page once their session has sent anything but a GET."""
    from gongjiang.accounts.models import User

    officer, (client, _) = _officer_clients(jurisdictions, make_user)
    _get(client, "/home/")
    User.objects.filter(pk=officer.pk).update(display_name="王新名")  # no signal reaches the cache
    assert "王经办" in _get(client, "/home/")[0]  # the cached copy, within PRIVATE_PAGE_CACHE_SECONDS
    client.post("/home/")  # any request that may write (here refused: 405)
    assert "王新名" in _get(client, "/home/")[0]


def test_flash_message_is_shown_and_never_cached(jurisdictions, make_user, rf):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage

    _officer, (client, _) = _officer_clients(jurisdictions, make_user)
    _get(client, "/home/")
    client.cookies["messages"] = CookieStorage(rf.get("/"))._encode([Message(constants.SUCCESS, "已保存审核意见")])
    shown, queries = _get(client, "/home/")
    assert "已保存审核意见" in shown and queries > 2
    after = _get(client, "/home/")[0]
    assert "已保存审核意见" not in after


def test_cached_page_carries_a_valid_csrf_token(jurisdictions, make_user):
    """The forms of a page served from the cache post: their token was made from the session's CSRF cookie."""
    import re

    _officer, (client,) = _officer_clients(jurisdictions, make_user, n=1, enforce_csrf_checks=True)
    _get(client, "/home/")
    cached, queries = _get(client, "/home/")
    assert queries == 2
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cached).group(1)
    assert client.post("/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_private_pages_switched_off_by_setting(jurisdictions, make_user, settings):
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    _officer, (client,) = _officer_clients(jurisdictions, make_user, n=1)
    _get(client, "/home/")
    assert _get(client, "/home/")[1] > 2


def test_private_page_follows_an_audited_change_made_by_another_server(jurisdictions, make_user):
    from gongjiang.accounts.models import User
    from gongjiang.audit.services import record

    officer, (client, _) = _officer_clients(jurisdictions, make_user)
    _get(client, "/home/")
    User.objects.filter(pk=officer.pk).update(display_name="王新名")  # as another server did, with its entry:
    record("account.update", actor=None, object_type="accounts.user", object_id=str(officer.pk))
    assert "王新名" in _get(client, "/home/")[0]


def test_expired_or_unknown_session_is_signed_out(jurisdictions, make_user):
    """The session read in plain SQL (gongjiang.core.sessions) keeps Django's expiry test."""
    from django.contrib.sessions.models import Session

    _officer, (client, _) = _officer_clients(jurisdictions, make_user)
    assert client.get("/home/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/home/").status_code == 302
    client.cookies["sessionid"] = "no-such-session-key-000000000000"
    assert client.get("/home/").status_code == 302


def test_cache_generation_leaves_fast_delete_on():
    """No delete receiver for every model: Django deletes related rows in one query, not row by row."""
    from django.db.models import signals

    from gongjiang.registry.models import ScreeningResult, ScreeningRun

    for model in (ScreeningRun, ScreeningResult):
        assert not signals.post_delete.has_listeners(model)
        assert not signals.pre_delete.has_listeners(model)
