"""A public notice cannot start before the decision it publishes (惠阳 第十条（七）: 审定 then 公示)."""
import datetime as dt

import pytest

from gongjiang.core.errors import DomainError
from gongjiang.review import notice_link, services
from gongjiang.review import stages as st
from gongjiang.review.tests.conftest import HUIYANG_STAGES

pytestmark = pytest.mark.django_db


def test_notice_cannot_start_before_the_committees_decision(review_world, make_user, clock):
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    app = w["make_app"](rnd, name="甲", status=st.COMMITTEE)
    session = services.open_session(rnd, actor=w["bureau"], title="审定", held_on=clock.now.date(),
                                    members=[make_user("committee", w["district"], password=None)])
    services.close_session(session, actor=w["bureau"], decisions={app.pk: {"outcome": "approved"}})
    assert notice_link.decided_on([app]) == clock.now.date()
    with pytest.raises(DomainError) as e:
        notice_link.publish_shortlist(rnd, actor=w["bureau"], contact="人社局人才科",
                                      start=clock.now.date() - dt.timedelta(days=3))
    assert "不能早于" in e.value.message
    notice = notice_link.publish_shortlist(rnd, actor=w["bureau"], contact="人社局人才科", start=clock.now.date())
    app.refresh_from_db()
    assert app.status == st.ON_NOTICE and notice.start_date == clock.now.date()
