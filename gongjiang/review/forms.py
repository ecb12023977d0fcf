from django import forms

from gongjiang.core.widgets import LeanSelect

from .models import Department, InspectionOutcome, OrganisationalOutcome, QualificationOutcome
from .tally import CHOICES


class QualificationForm(forms.Form):
    outcome = forms.ChoiceField(label="初审结论", choices=QualificationOutcome.choices, widget=forms.RadioSelect)
    article = forms.CharField(label="依据条款", max_length=60, required=False,
                              help_text="不通过时必填，如“第七条”“第十条（三）”")
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, clauses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.clauses = list(clauses)
        for c in self.clauses:
            self.fields[f"met_{c['id']}"] = forms.ChoiceField(
                label=f"{c['article']} {c['text']}", required=False,
                choices=[("", "—"), ("1", "符合"), ("0", "不符合")])
            self.fields[f"note_{c['id']}"] = forms.CharField(label="认定依据", required=False, max_length=300)

    def attestations(self):
        out = {}
        for c in self.clauses:
            met = self.cleaned_data.get(f"met_{c['id']}")
            if met in ("0", "1"):
                out[c["id"]] = {"met": met == "1", "note": self.cleaned_data.get(f"note_{c['id']}", "")}
        return out

    def attest_rows(self):
        return [(c, self[f"met_{c['id']}"], self[f"note_{c['id']}"]) for c in self.clauses]


class InspectionForm(forms.Form):
    visited_on = forms.DateField(label="考察日期", widget=forms.DateInput(attrs={"type": "date"}))
    visitors = forms.CharField(label="考察人员", max_length=300)
    employer_opinion = forms.CharField(label="所在单位意见", widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(label="考察情况", widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(label="结论", choices=InspectionOutcome.choices, widget=forms.RadioSelect)
    attachment = forms.FileField(label="附件（PDF，可选）", required=False)


class CreditRequestForm(forms.Form):
    letter_number = forms.CharField(label="函件文号", max_length=80, required=False)
    requested_on = forms.DateField(label="发函日期", widget=forms.DateInput(attrs={"type": "date"}))


class CreditAnswerForm(forms.Form):
    request_id = forms.IntegerField(widget=forms.HiddenInput)
    answered_on = forms.DateField(label="复函日期", widget=forms.DateInput(attrs={"type": "date"}))
    finding = forms.ChoiceField(label="意见", choices=[("clear", "无不良记录"), ("adverse", "有不良记录")])
    summary = forms.CharField(label="意见内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(label="复函文件（PDF，可选）", required=False)


class DrawForm(forms.Form):
    name = forms.CharField(label="专家组名称", max_length=120)
    occupations = forms.CharField(label="职业（工种）组", required=False,
                                  help_text="多个用顿号或逗号分隔；留空表示不限")
    size = forms.IntegerField(label="抽取专家人数", required=False, min_value=1, max_value=99,
                              help_text="政策规定了最少人数的，留空即按最少人数抽取")
    seed = forms.CharField(label="随机种子", required=False, max_length=64,
                           help_text="留空由系统生成；复核时填入原种子")

    def occupation_list(self):
        raw = self.cleaned_data.get("occupations", "")
        return [x.strip() for x in raw.replace("，", ",").replace("、", ",").split(",") if x.strip()]


class ScoreForm(forms.Form):
    comment = forms.CharField(label="评语", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for c in rubric.criteria:
            self.fields[f"c_{c.code}"] = forms.DecimalField(
                label=f"{c.label}（满分{c.max_points.normalize():f}）", min_value=0, max_value=c.max_points,
                decimal_places=2, help_text=c.description)
        self.order_fields([f"c_{c.code}" for c in rubric.criteria] + ["comment"])

    def points(self):
        return {c.code: self.cleaned_data[f"c_{c.code}"] for c in self.rubric.criteria}


class PaperScoreForm(ScoreForm):
    """代录: the expert's scores as written on the signed paper sheet, and the sheet itself."""

    sheet = forms.FileField(label="专家签字的纸质评分表（PDF）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*[f"c_{c.code}" for c in self.rubric.criteria], "comment", "sheet"])


class ConflictForm(forms.Form):
    reason = forms.CharField(label="回避理由", max_length=300)


class SessionForm(forms.Form):
    title = forms.CharField(label="会议名称", max_length=120)
    held_on = forms.DateField(label="会议日期", widget=forms.DateInput(attrs={"type": "date"}))
    members = forms.ModelMultipleChoiceField(label="委员", queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = committee
        if committee is not None:
            # Rendered from one plain query (a model field's choices iterate a server-side cursor:
            # three more round trips on PostgreSQL); validation still checks against the queryset.
            self.fields["members"].widget.choices = [(u.pk, str(u)) for u in committee]


class BallotForm(forms.Form):
    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for app in self.candidates:
            self.fields[f"v_{app.pk}"] = forms.ChoiceField(label=app.name, choices=CHOICES, widget=forms.RadioSelect)

    def choices(self):
        return {app.pk: self.cleaned_data[f"v_{app.pk}"] for app in self.candidates}

    def rows(self):
        return [(app, self[f"v_{app.pk}"]) for app in self.candidates]


DEPARTMENT_LABELS = dict(Department.choices)


class PublishNoticeForm(forms.Form):
    """Publish the shortlist as the round's public notice (公示)."""

    start = forms.DateField(label="公示开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label="公示工作日数", min_value=1, max_value=60, required=False,
                              help_text="留空按政策规定的天数")
    contact = forms.CharField(label="异议受理方式", max_length=500,
                              help_text="受理单位、电话、地址等（公开）")


class BoardFilter(forms.Form):
    """Filters of the round board's application list (GET)."""
    state = forms.ChoiceField(label="环节/状态", required=False, widget=LeanSelect)
    q = forms.CharField(label="姓名或申报编号", max_length=50, required=False)

    def __init__(self, *args, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "全部")] + [(s, label) for s, label, _ in columns]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"state": self.cleaned_data["state"], "q": self.cleaned_data["q"].strip()}


class OrganisationalReviewForm(forms.Form):
    """组织审查: the organisation department's conclusion on one candidate."""
    decided_on = forms.DateField(label="审查日期", widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(label="结论", choices=OrganisationalOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="理由（不通过的必填）", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label="审查意见（PDF，可选）", required=False)


class ForwardingForm(forms.Form):
    """推荐上报: the date, the receiving body and the recommendation letter."""
    forwarded_on = forms.DateField(label="上报日期", widget=forms.DateInput(attrs={"type": "date"}))
    receiving_body = forms.CharField(label="接收机关", max_length=120)
    letter_number = forms.CharField(label="推荐文号", max_length=80, required=False)
    document = forms.FileField(label="推荐上报文件（PDF）")


class ForwardingOutcomeForm(forms.Form):
    """The higher body's outcome for one forwarding: who was selected."""
    forwarding = forms.IntegerField(widget=forms.HiddenInput)
    outcome_on = forms.DateField(label="上级评定日期", widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label="评定结果说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(label="上级评定文件（PDF，可选）", required=False)
