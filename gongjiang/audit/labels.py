"""Chinese names for audit entries: the action (`application.submit` -> 提交申报) and the object
(`review.creditrequest` -> 安全信用审查), so the log reads in Chinese while the stored codes stay stable.

An action not listed below is named from its parts (`review.expert.update` -> 评审专家：修改); an
application moving to a state is named after the state (`application.on_notice` -> 申报状态变为公示中).
"""
import re

from django.apps import apps

ACTIONS = {
    "auth.login": "登录", "auth.login_failed": "登录失败", "auth.logout": "退出登录",
    "user.create": "新建账号", "user.update": "修改账号", "user.activate": "启用账号", "user.deactivate": "停用账号",
    "user.signup": "申报人自助注册", "user.unlock": "解除登录锁定", "user.reset_password": "重置密码", "user.change_password": "修改密码",
    "org.create": "新建组织机构", "org.update": "修改组织机构",
    "policy.load": "载入政策文件", "policy.update": "更新政策文件",
    "round.open": "新建批次", "round.publish": "发布申报通知", "round.close": "截止申报", "round.extend_deadline": "延长申报期限",
    "round.archive": "归档批次", "round.set_unit": "设置推荐单位及名额", "round.unit.notice": "推荐单位公示",
    "round.unit.rank": "推荐单位排序",
    "round.unit.report": "提交推荐报告", "round.unit.step": "登记单位推荐程序",
    "application.start": "开始填写申报", "application.save_draft": "保存申报草稿", "application.submit": "提交申报",
    "application.skip_employer": "无需单位审核", "application.forward": "推荐报送",
    "application.propose": "推荐单位拟推荐（履行单位推荐程序）", "application.unforward": "撤回推荐报送",
    "application.reopen": "退回修改", "application.withdraw": "撤回申报", "application.employer_verify": "单位审核同意推荐",
    "application.employer_decline": "单位不同意推荐", "application.decline": "单位不同意推荐",
    "application.classified": "标记涉密人员",
    "application.competition_nominate": "竞赛获奖者推荐", "application.reverify": "重新核对申报信息",
    "application.evidence.add": "上传证明材料", "application.evidence.remove": "删除证明材料",
    "application.evidence.view": "查看证明材料",
    "registry.person.create": "登记人员", "registry.person.view_full_id": "查看完整身份证号码",
    "registry.fact.create": "登记人员信息", "registry.fact.update": "修改人员信息", "registry.fact.withdraw": "撤回人员信息",
    "registry.fact.verify": "核验人员信息（属实）", "registry.fact.reject": "核验人员信息（不属实）",
    "registry.import.upload": "上传导入文件", "registry.import.commit": "确认导入", "registry.import.discard": "放弃导入",
    "registry.invitation.dismiss": "忽略申报邀请", "registry.screening.start": "发起资格筛查",
    "registry.screening.finish": "完成资格筛查", "registry.screening.cancel": "取消资格筛查",
    "registry.screening.invite": "邀请符合条件人员申报",
    "registry.screening.shard_retry": "资格筛查分片重试", "ops.task.reclaim": "后台任务重新排队（工作进程中断）",
    "ops.task.abandon": "后台任务失败（工作进程多次中断）",
    "api.token.create": "新建接口令牌", "api.token.revoke": "吊销接口令牌",
    "review.qualification": "资格初审结论", "review.inspection": "实地考察结论", "review.disqualify": "取消申报资格",
    "review.organisational": "登记组织审查意见", "review.forwarding": "推荐上报上级",
    "review.forwarding.outcome": "登记上级评定结果",
    "review.credit.request": "发出安全信用审查函", "review.credit.answer": "登记信用审查意见",
    "review.expert.create": "新增评审专家", "review.expert.update": "修改评审专家", "review.expert.import": "导入评审专家",
    "review.expert.activate": "启用评审专家", "review.expert.close": "停用评审专家",
    "review.expert.relation": "登记专家回避关系", "review.expert.relation_remove": "删除专家回避关系",
    "review.expert.unit_relation": "登记专家单位关系", "review.panel.draw": "随机抽取专家组",
    "review.panel.compose": "组建专家组", "review.panel.add_member": "增补评审专家", "review.conflict": "专家声明回避",
    "review.score": "专家评分", "review.evidence.view": "查看证明材料", "review.session.open": "召开评审委员会会议",
    "review.session.close": "结束评审委员会会议", "review.ballot.cast": "投票", "review.committee.decide": "评审委员会决定",
    "notice.publish": "发布公示", "notice.approve": "审核公示", "notice.open": "公示开始", "notice.correct": "更正公示",
    "notice.candidate_removed": "公示人选取消", "objection.file": "提出异议", "objection.conclude": "异议调查结论",
    "objection.attachment.view": "查看异议附件",
    "workdays.year.create": "新建年度节假日安排", "workdays.year.import_package": "导入年度节假日安排",
    "workdays.year.mark_entered": "确认年度节假日安排完整", "workdays.days.add": "添加节假日或调休日",
    "workdays.days.remove": "删除节假日或调休日",
    "honour.award": "授予称号", "honour.certificate_print": "打印证书", "honour.certificate_reissue": "补发证书",
    "honour.decide": "称号管理决定",
    "honour.renewal_file": "提交复核认定材料", "honour.renewal_decide": "复核认定结论",
    "honour.renewal_failed": "复核认定未通过，停止待遇", "honour.duty_done": "办结期内职责",
    "org.seed": "初始化行政区划",
    "payments.account.set": "登记发放账户", "payments.bank.accept": "银行回单：发放成功",
    "payments.bank.reject": "银行回单：发放失败", "payments.budget.set": "设置资金预算",
    "payments.entitlement.create": "生成待遇发放计划", "payments.entitlement.renewed": "待遇复核续发",
    "payments.entitlement.stop": "停发待遇", "payments.line.refuse": "拒绝发放明细",
    "payments.run.compute": "计算发放批次", "payments.run.prepare": "准备发放批次", "payments.run.requeue": "重新发放",
    "payments.run.settle": "发放批次结算", "payments.subsidy.decide": "补贴审核决定", "payments.subsidy.submit": "提交补贴申请",
    "payments.receivable.create": "登记应收回款项", "payments.receivable.raise": "登记应收回款项",
    "payments.receivable.repay": "登记退回款项", "payments.receivable.settle": "应收回款项结清",
    "payments.receivable.writeoff_request": "申请核销应收回款项",
    "payments.receivable.writeoff_approve": "批准核销应收回款项", "payments.receivable.writeoff_refuse": "不同意核销应收回款项",
    "audit.verify": "校验审计日志链",
}

# Words for actions composed from their parts.
SUBJECTS = {
    "application": "申报", "auth": "登录", "user": "账号", "org": "组织机构", "policy": "政策", "round": "批次",
    "registry": "人员信息库", "review": "评审", "notice": "公示", "objection": "异议", "workdays": "工作日历",
    "audit": "审计日志", "honour": "称号", "honours": "称号", "payment": "津贴发放", "payments": "津贴发放",
    "certificate": "证书", "expert": "评审专家", "panel": "专家组", "unit": "推荐单位", "fact": "人员信息",
    "import": "导入", "screening": "资格筛查", "evidence": "证明材料", "session": "委员会会议", "credit": "信用审查",
    "ballot": "投票", "token": "接口令牌", "task": "后台任务", "report": "年度报告", "run": "发放批次",
}
VERBS = {
    "create": "新建", "update": "修改", "delete": "删除", "remove": "删除", "add": "添加", "view": "查看",
    "open": "开始", "close": "结束", "publish": "发布", "approve": "批准", "reject": "驳回", "revoke": "撤销",
    "suspend": "暂缓", "resume": "恢复", "stop": "停止", "import": "导入", "export": "导出", "submit": "提交",
    "withdraw": "撤回", "verify": "核验", "cancel": "取消", "issue": "颁发", "renew": "复核", "exit": "退出",
    "pay": "发放", "clawback": "追回", "start": "开始", "finish": "完成", "assign": "分配", "decide": "决定",
}


def action_label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    subject, _, rest = action.partition(".")
    if subject == "application" and rest and "." not in rest:
        from gongjiang.applications import states

        state = states.staff_label(rest)
        if state and state != rest:
            return f"申报状态变为{state}"
    words = [VERBS.get(p) or SUBJECTS.get(p) for p in action.split(".")]
    if all(words):
        return f"{words[0]}：{''.join(words[1:])}" if len(words) > 1 else words[0]
    return "其他操作"


def object_type_label(object_type: str) -> str:
    """`review.creditrequest` -> the model's Chinese verbose name."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return "其他对象"


DEFAULT_REPR = re.compile(r"^\w+ object \((\w+)\)$")


def object_label(entry) -> str:
    """What the entry is about, for people: the stored description, or the kind of object and its number
    when the object had no description of its own (Django's "CreditRequest object (3)")."""
    kind = object_type_label(entry.object_type)
    match = DEFAULT_REPR.match(entry.object_repr or "")
    if match or not entry.object_repr:
        number = match.group(1) if match else entry.object_id
        return f"{kind}（第{number}号）" if kind and number else kind
    return entry.object_repr
