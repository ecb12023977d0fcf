"""Demo: a running 公示 of 惠阳区 with two candidates and one objection waiting for the officer."""
from django.utils import timezone

from gongjiang.accounts.models import User
from gongjiang.core.errors import DomainError

from .models import Notice
from .services import file_objection, publish_notice

TITLE = "2026年度惠阳区区管首席技师拟入选人员名单公示（演示）"


def seed(stdout=None):
    if Notice.objects.filter(title=TITLE).exists():
        return
    bureau = User.objects.get(username="demo_bureau")
    try:
        notice = publish_notice(
            title=TITLE, start=timezone.localdate(), publisher=bureau, honour="区管首席技师",
            policy_ref="《惠州市惠阳区区管首席技师遴选和管理办法》第十条（七）",
            body="根据《惠州市惠阳区区管首席技师遴选和管理办法》，经资格初审、实地考察、专家评审、安全信用审查和"
                 "区委人才工作领导小组办公室审定，现将拟入选人员名单予以公示。",
            contact="惠阳区人力资源和社会保障局人才科，电话0752-3800000，地址：惠阳区人社局三楼（演示）",
            entries=[{"name": "李建国", "gender": "M", "employer": "惠州市惠阳示范精密制造有限公司",
                      "occupation": "数控车工", "skill_level": 5},
                     {"name": "陈秀英", "gender": "F", "employer": "惠州市惠阳示范精密制造有限公司",
                      "occupation": "电工", "skill_level": 4}])
        file_objection(notice, entry=notice.entries.get(position=2), filer_name="演示异议人", filer_contact="13800000000",
                       text="该人选申报材料中的市级技能竞赛名次与公布的获奖名单不一致，请核实。（演示数据）",
                       client_address="127.0.0.1")
    except DomainError as e:
        if stdout:
            stdout.write(f"notices: demo notice not published: {e.log}")
