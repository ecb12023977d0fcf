import re

from django import forms

from gongjiang.core.vocab import Gender, SkillLevel

from .models import DEFAULT_INVESTIGATION_DAYS, DEFAULT_NOTICE_DAYS, ApprovalKind, Channel, Conclusion
from .services import EntryData

ENTRIES_HELP = "每行一人，依次为：姓名、性别、工作单位、职业（工种）、技能等级、拟授予称号，用逗号或制表符分隔（可从Excel复制）。不得填写身份证号码和手机号码。"
_GENDERS = {label: value for value, label in Gender.choices}


def _skill_level(token: str):
    token = token.strip()
    if not token:
        return None
    for value, label in SkillLevel.choices:
        short = label.split("（")[0]
        inner = label[label.find("（") + 1:-1] if "（" in label else None
        if token in (label, short, inner):
            return value
    raise forms.ValidationError(f"无法识别的技能等级“{token}”")


def parse_entries(text: str) -> list[EntryData]:
    rows, errors = [], []
    for no, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        cols = [c.strip() for c in re.split(r"[\t,，]", line)]
        cols += [""] * (6 - len(cols))
        name, gender, employer, occupation, level, honour = cols[:6]
        try:
            if gender and gender not in _GENDERS:
                raise forms.ValidationError(f"性别须为“男”或“女”，而不是“{gender}”")
            rows.append(EntryData(name=name, gender=_GENDERS.get(gender, ""), employer=employer, occupation=occupation,
                                  skill_level=_skill_level(level), honour=honour))
        except forms.ValidationError as e:
            errors.append(f"第{no}行：{e.messages[0]}")
    if errors:
        raise forms.ValidationError(errors)
    if not rows:
        raise forms.ValidationError("请填写公示名单")
    return rows


def entries_text(entries) -> str:
    return "\n".join(",".join([e.name, e.get_gender_display(), e.employer, e.occupation,
                               e.get_skill_level_display().split("（")[0] if e.skill_level is not None else "", e.honour])
                     for e in entries)


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    entries = forms.CharField(label="公示名单", widget=forms.Textarea(attrs={"rows": 6}), help_text=ENTRIES_HELP)
    start = forms.DateField(label="公示开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label="公示工作日数", min_value=1, max_value=60, initial=DEFAULT_NOTICE_DAYS,
                              help_text="按政策规定填写，如“公示时间不少于5个工作日”；截止日期由系统按工作日历计算")
    investigation_days = forms.IntegerField(label="异议调查核实工作日数", min_value=1, max_value=60,
                                            initial=DEFAULT_INVESTIGATION_DAYS,
                                            help_text="按政策规定填写，如“自接到异议之日起5个工作日内调查核实”")
    policy_ref = forms.CharField(label="依据条款", max_length=200, required=False)
    contact = forms.CharField(label="异议受理方式（公开）", widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="受理单位、办公电话、地址")
    require_real_name = forms.BooleanField(label="异议须实名提出（填写真实姓名和联系方式）", required=False, initial=True)

    def clean_entries(self):
        return parse_entries(self.cleaned_data["entries"])


class CorrectionForm(NoticeForm):
    correction_reason = forms.CharField(label="更正原因（公开）", widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(forms.Form):
    entry = forms.TypedChoiceField(label="异议对象", coerce=int)
    filer_name = forms.CharField(label="您的真实姓名", max_length=60, required=False)
    filer_contact = forms.CharField(label="联系方式（手机、固定电话或电子邮箱）", max_length=100, required=False)
    text = forms.CharField(label="异议内容（事实和理由）", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    # Honeypot: hidden from people by CSS, filled in by form-filling bots.
    website = forms.CharField(label="网址（请勿填写）", required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def __init__(self, *args, notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "请选择")] + [
            (e.pk, f"{e.position}. {e.name}（{e.employer}）") for e in notice.entries.filter(removed_at__isnull=True)]
        if notice.require_real_name:
            for f in ("filer_name", "filer_contact"):
                self.fields[f].required = True
        else:
            self.fields["filer_name"].label = "您的姓名（可不填）"
            self.fields["filer_contact"].label = "联系方式（可不填；不填则只能凭受理编号查询结果）"


class RecordObjectionForm(ObjectionForm):
    channel = forms.ChoiceField(label="收到方式", choices=[c for c in Channel.choices if c[0] != Channel.ONLINE])
    received_on = forms.DateField(label="收到日期", widget=forms.DateInput(attrs={"type": "date"}))


class ConcludeForm(forms.Form):
    conclusion = forms.ChoiceField(label="结论", choices=Conclusion.choices, widget=forms.RadioSelect)
    findings = forms.CharField(label="调查核实情况", widget=forms.Textarea(attrs={"rows": 5}))
    public_reason = forms.CharField(label="取消原因（异议成立时必填，将在公示页面公开）", required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class ApprovalForm(forms.Form):
    kind = forms.ChoiceField(label="方式", choices=ApprovalKind.choices)
    authority = forms.CharField(label="批准机关", max_length=200)
    document_number = forms.CharField(label="文号", max_length=100, help_text="批准文件的文号，如“××人社〔2026〕12号”")
    decided_on = forms.DateField(label="批准日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LookupForm(forms.Form):
    receipt = forms.CharField(label="受理编号", max_length=20)


class PublicNoticeFilter(forms.Form):
    """Filters of the public notice list (GET): bad input shows inline and filters nothing."""
    q = forms.CharField(label="关键词", max_length=50, required=False,
                        widget=forms.TextInput(attrs={"placeholder": "标题或公示单位"}))
    state = forms.ChoiceField(label="状态", required=False,
                              choices=[("", "全部"), ("running", "公示中"), ("upcoming", "尚未开始"),
                                       ("ended", "公示期满")])
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"q": d["q"].strip(), "state": d["state"], "year": d["year"]}
