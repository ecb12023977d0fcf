from django import forms

from gongjiang.core.vocab import CompetitionClass, CompetitionLevel, SkillLevel

from .models import DeadlineKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    policy = forms.ModelChoiceField(label="政策", queryset=None)
    honour_code = forms.CharField(label="称号代码（政策有多个称号时填写，如优秀技师）", required=False, max_length=60)
    all_tiers = forms.BooleanField(label="同一批次评选政策中的全部称号（等级），各称号名额分别计算", required=False)
    tier_quotas = forms.CharField(label="各称号名额（政策未规定当年名额时填写，如：首席技师50，优秀技师200）",
                                  required=False, max_length=300)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="批次名称", max_length=200)
    code = forms.SlugField(label="批次编号（字母、数字、连字符）", max_length=60)
    opens_on = forms.DateField(label="申报开始日期", widget=DATE)
    application_deadline = forms.DateField(label="申报截止日期", widget=DATE)
    recommendation_deadline = forms.DateField(label="推荐报送截止日期", widget=DATE, required=False)
    review_deadline = forms.DateField(label="审核评审截止日期", widget=DATE, required=False)
    reference_date = forms.DateField(label="年龄、岗位计算基准日（留空按政策规定）", widget=DATE, required=False)
    quota = forms.IntegerField(label="遴选名额（留空按政策规定）", min_value=1, required=False)
    contact = forms.CharField(label="联系方式", max_length=200, required=False)
    call_text = forms.CharField(label="申报通知正文", widget=forms.Textarea, required=False)

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies


class UnitForm(forms.Form):
    organisation = forms.ModelChoiceField(label="推荐单位", queryset=None)
    kind = forms.ChoiceField(label="单位类型")
    quota = forms.IntegerField(label="推荐名额（留空按政策上限）", min_value=1, required=False)
    reason = forms.CharField(label="说明（超过“一般不超过”的名额时必填）", required=False, max_length=300)

    def __init__(self, *args, organisations, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["kind"].choices = [(r["kind"], r["label"]) for r in rules] or [("unit", "推荐单位")]


class ExtendForm(forms.Form):
    kind = forms.ChoiceField(label="截止类型", choices=DeadlineKind.choices)
    new_date = forms.DateField(label="新的截止日期", widget=DATE)
    reason = forms.CharField(label="延长理由", max_length=500)


class SelfCheckForm(forms.Form):
    """A few facts a worker enters to see which conditions they meet. Nothing is stored. In a
    round of several tiers (仲恺 第五条) the worker chooses the tier to check against."""

    tier = forms.ChoiceField(label="自测的称号（等级）", required=False)
    birth_date = forms.DateField(label="出生日期", widget=DATE)
    gender = forms.ChoiceField(label="性别", choices=[("男", "男"), ("女", "女")])
    skill_level = forms.TypedChoiceField(label="最高职业资格/技能等级", coerce=int, required=False,
                                         choices=[("", "无")] + [(v, lbl) for v, lbl in SkillLevel.choices if v >= 1])
    certificate_date = forms.DateField(label="取得该等级证书日期", widget=DATE, required=False)
    job_start = forms.DateField(label="在现单位（本地区）连续工作起始日期", widget=DATE, required=False)
    frontline = forms.BooleanField(label="目前在一线技能岗位工作", required=False, initial=True)
    competition_level = forms.TypedChoiceField(label="最好竞赛成绩：级别", coerce=int, required=False,
                                               choices=[("", "无")] + list(CompetitionLevel.choices))
    competition_class = forms.TypedChoiceField(label="竞赛类别", coerce=int, required=False,
                                               choices=list(CompetitionClass.choices))
    competition_rank = forms.IntegerField(label="名次", min_value=1, required=False)
    competition_date = forms.DateField(label="比赛日期", widget=DATE, required=False)

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        if tiers:
            self.fields["tier"].choices = list(tiers)
            self.fields["tier"].required = True
        else:
            del self.fields["tier"]

    def facts(self) -> dict:
        d = self.cleaned_data
        facts = {"personal": {"name": "自测", "birth_date": d["birth_date"].isoformat(), "gender": d["gender"]},
                 "employment": {}, "skill": {}, "competitions": [], "titles": []}
        if d.get("job_start"):
            facts["employment"] = {"start": d["job_start"].isoformat(), "frontline": d.get("frontline", False)}
        if d.get("skill_level") not in (None, ""):
            facts["skill"] = {"level": d["skill_level"],
                              "issued_on": d["certificate_date"].isoformat() if d.get("certificate_date") else None}
        if d.get("competition_level") not in (None, "") and d.get("competition_rank"):
            facts["competitions"] = [{"level": d["competition_level"], "klass": d.get("competition_class") or 0,
                                      "rank": d["competition_rank"],
                                      "held_on": d["competition_date"].isoformat() if d.get("competition_date") else None}]
        return facts


class PublicCallFilter(forms.Form):
    """Filters of the public call list (GET): bad input shows inline and filters nothing."""
    q = forms.CharField(label="关键词", max_length=50, required=False,
                        widget=forms.TextInput(attrs={"placeholder": "批次名称或组织单位"}))
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    accepting = forms.BooleanField(label="仅看正在申报", required=False)

    def filter(self, qs, today):
        from django.db.models import Q

        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["q"].strip():
            qs = qs.filter(Q(title__contains=d["q"].strip()) | Q(organiser__name__contains=d["q"].strip()))
        if d["year"]:
            qs = qs.filter(year=d["year"])
        if d["accepting"]:
            qs = qs.filter(status="open", opens_on__lte=today, application_deadline__gte=today)
        return qs
