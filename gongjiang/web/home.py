"""The framing of each role's home page: what the role is for and where its work starts.

The to-do items themselves come from the apps' inbox providers (gongjiang.web.inbox); the quick
links are the navigation entries the user's role holds, so a new app's pages appear here too.
"""
from gongjiang.core.vocab import Role

from . import nav

ROLE_INTRO = {
    Role.APPLICANT: "在这里查看申报通知、填写和提交本人的申报材料，跟踪审核进度和结果。",
    Role.EMPLOYER: "为本单位职工办理推荐申报、出具单位意见，维护本单位的职工信息。",
    Role.RECOMMENDER: "审核辖区内的申报材料，按名额排序推荐，组织公示并处理异议。",
    Role.BUREAU: "管理遴选项目和年度批次，开展资格初审、专家评审、信用审查与公示，发布结果。",
    Role.EXPERT: "查看分配给您的候选人材料并按评分细则打分。您只能看到分配给您的候选人。",
    Role.COMMITTEE: "审阅评审结果，参加评审委员会审定和表决。",
    Role.FINANCE: "按认定结果核发津贴与资助，办理暂缓、停发和追回。",
    Role.AUDITOR: "只读查阅本辖区的业务数据和审计日志，核验日志链的完整性。",
    Role.SYSADMIN: "管理组织机构和账号，解除登录锁定，维护节假日历等基础数据，核验审计日志。",
}


def framing(user):
    """Intro text and quick links (label, url) for the user's home page."""
    links = [(item["label"], item["url"]) for item in nav.items_for(user)]
    return {"intro": ROLE_INTRO.get(user.role, ""), "quick_links": links}
