"""Demo: an objection to the running 公示 of the notice-stage round (review/demo.py), waiting for its
bureau, as `notices.objection` of gongjiang/core/data/demo.yaml gives it."""
from gongjiang.core.demo_data import section
from gongjiang.core.errors import DomainError
from gongjiang.rounds.demo import demo_code
from gongjiang.rounds.models import Round

from .models import Objection
from .services import file_objection


def seed(stdout=None):
    from gongjiang.review.notice_link import current_notice

    spec = section("notices")["objection"]
    rnd = Round.objects.filter(code=demo_code(spec["policy"], stage=spec["stage"])).first()
    notice = current_notice(rnd) if rnd is not None else None
    if notice is None or Objection.objects.filter(notice=notice).exists():
        return
    entry = notice.entries.order_by("position").last()
    try:
        file_objection(notice, entry=entry, filer_name=spec["filer_name"], filer_contact=spec["filer_contact"],
                       text=spec["text"], client_address="127.0.0.1")
    except DomainError as e:
        if stdout:
            stdout.write(f"notices: demo objection not filed: {e.log}\n")
