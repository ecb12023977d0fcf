"""Demo: an objection to the running 公示 of 环翠's notice-stage round (review/demo.py), waiting for
bureau_huancui (环翠 第十条（五）考察公示: 公示期为5个工作日)."""
from gongjiang.core.errors import DomainError
from gongjiang.rounds.demo import demo_code
from gongjiang.rounds.models import Round

from .models import Objection
from .services import file_objection


def seed(stdout=None):
    from gongjiang.review.notice_link import current_notice

    rnd = Round.objects.filter(code=demo_code("huancui-chief-technician", stage="notice")).first()
    notice = current_notice(rnd) if rnd is not None else None
    if notice is None or Objection.objects.filter(notice=notice).exists():
        return
    entry = notice.entries.order_by("position").last()
    try:
        file_objection(notice, entry=entry, filer_name="演示异议人", filer_contact="13800000000",
                       text="该人选申报材料中的市级技能竞赛名次与公布的获奖名单不一致，请核实。（演示数据）",
                       client_address="127.0.0.1")
    except DomainError as e:
        if stdout:
            stdout.write(f"notices: demo objection not filed: {e.log}\n")
