import datetime as dt

from django import forms

from .models import HonourStatus


class RegisterFilter(forms.Form):
    """Filters of the holder register; bad input shows inline, never a 500."""

    q = forms.CharField(label="关键词", required=False, max_length=60,
                        widget=forms.TextInput(attrs={"placeholder": "姓名或证书编号"}))
    programme = forms.ChoiceField(label="项目", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *HonourStatus.choices])
    employer = forms.CharField(label="工作单位", required=False, max_length=100)
    occupation = forms.CharField(label="职业（工种）", required=False, max_length=60)
    year = forms.IntegerField(label="授予年度", required=False, min_value=2000, max_value=2100)
    jurisdiction = forms.ChoiceField(label="管理单位", required=False)

    def __init__(self, data, *, programmes, jurisdictions):
        super().__init__(data)
        self.fields["programme"].choices = [("", "全部"), *programmes]
        self.fields["jurisdiction"].choices = [("", "全部"), *jurisdictions]

    def apply(self, qs):
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        if d["q"]:
            from django.db.models import Q

            qs = qs.filter(Q(name__icontains=d["q"]) | Q(certificate_number__icontains=d["q"]))
        if d["programme"]:
            policy_id, _, code = d["programme"].partition(":")
            qs = qs.filter(policy_id=policy_id, honour_code=code)
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["employer"]:
            qs = qs.filter(employer__name__icontains=d["employer"])
        if d["occupation"]:
            qs = qs.filter(occupation__icontains=d["occupation"])
        if d["year"]:
            qs = qs.filter(awarded_on__year=d["year"])
        if d["jurisdiction"]:
            qs = qs.filter(jurisdiction_id=d["jurisdiction"])
        return qs


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="政策规定的情形")
    effective = forms.DateField(label="生效日期（自该日起停止待遇）", widget=forms.DateInput(attrs={"type": "date"}))
    document_no = forms.CharField(label="决定文号", max_length=100)
    decided_by = forms.CharField(label="决定机关（多级决定依次填写）", max_length=300)
    reason = forms.CharField(label="事实和理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *, outcomes, default_decided_by=""):
        super().__init__(data, initial={"effective": dt.date.today(), "decided_by": default_decided_by})
        self.fields["outcome"].choices = [(o.id, f"{o.article}：{o.when}") for o in outcomes]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the content checks are done by the service (applications.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return super().clean(data, initial)


class RenewalFileForm(forms.Form):
    statement = forms.CharField(label="复核申请表（管理期内的工作、技术成果、奖励和带徒情况）", max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label="证明材料（PDF或图片，可多选）", required=False)


class DutyForm(forms.Form):
    report = forms.CharField(label="报告或办理情况", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    result = forms.ChoiceField(label="考核结果", required=False,
                               choices=[("", "—"), ("excellent", "优秀"), ("pass", "合格"), ("fail", "不合格")])
    files = MultipleFileField(label="附件（PDF或图片，可多选）", required=False)

    def __init__(self, data=None, files=None, *, assessment=False):
        super().__init__(data, files)
        if not assessment:
            del self.fields["result"]
