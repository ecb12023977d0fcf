"""The home page as a task list (issue 15 §3): 待办 with counts and links, done work under 已办, messages that
keep their time and stay readable, and the applicant's timeline linked from home."""
import datetime as dt

from django.urls import reverse

from gongjiang.review import services
from gongjiang.web.inbox import Item, items_for

from .conftest import HUIYANG_STAGES


def _section(body, anchor):
    start = body.index(f'id="{anchor}"')
    return body[start:body.index("</section>", start)]


def test_bureau_todo_lists_applications_waiting_for_acceptance_then_moves_them_to_done(review_world, client):
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    apps = [w["make_app"](rnd) for _ in range(2)]
    client.force_login(w["bureau"])
    todo = _section(client.get("/home/").content.decode(), "todo")
    assert f"{rnd.title}：已报送待受理的申报" in todo and "2件" in todo
    assert reverse("review:board", args=[rnd.pk]) in todo
    for app in apps:
        services.accept(app, actor=w["bureau"])
    body = client.get("/home/").content.decode()
    assert "已报送待受理的申报" not in _section(body, "todo")
    done = _section(body, "done")
    assert "申报状态变为资格初审中" in done and reverse("applications:detail", args=[apps[0].pk]) in done


def test_applicant_message_keeps_its_time_and_stays_after_reading_and_timeline_is_linked(review_world, client,
                                                                                        make_user):
    w = review_world
    applicant = make_user("applicant")
    app = w["make_app"](w["make_round"](HUIYANG_STAGES), account=applicant)
    services.accept(app, actor=w["bureau"])
    services.decide_qualification(app, actor=w["bureau"], outcome="reject", article="第七条", reason="连续在我区工作不满1年")
    client.force_login(applicant)
    body = client.get("/home/").content.decode()
    timeline = reverse("review:my_application", args=[app.pk])
    assert timeline in _section(body, "my-applications")
    messages = _section(body, "messages")
    assert "未读" in messages and "年" in messages and ":" in messages  # a date and a time
    assert client.get(timeline).status_code == 200  # reading the timeline reads its messages
    messages = _section(client.get("/home/").content.decode(), "messages")
    assert "未读" not in messages and "资格" in messages


def test_todo_is_ordered_by_urgency(clock, jurisdictions, make_user):
    from gongjiang.web import inbox

    today = clock.now.date()

    @inbox.provider
    def three(user):
        return [Item("无期限", "/c/"), Item("下周截止", "/b/", due=today + dt.timedelta(days=7)),
                Item("已逾期", "/a/", due=today - dt.timedelta(days=1))]

    try:
        got = items_for(make_user("finance", jurisdictions["惠阳区"]))
        titles = [i.title for i in got if i.url in ("/a/", "/b/", "/c/")]
        assert titles == ["已逾期", "下周截止", "无期限"]
        assert got[[i.title for i in got].index("已逾期")].overdue
    finally:
        inbox._providers.remove(three)
