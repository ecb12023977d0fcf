"""Forms of the expert pool pages and of the panel composition page."""
from django import forms

from . import experts as ex
from .models import RelationKind, UnitRelationKind


class ExpertFilterForm(forms.Form):
    q = forms.CharField(label="姓名/邮箱", required=False, max_length=60)
    occupation = forms.CharField(label="职业（工种）/专业领域", required=False, max_length=60)
    employer = forms.CharField(label="工作单位", required=False, max_length=100)
    level = forms.CharField(label="职称/技能等级", required=False, max_length=60)
    active = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("1", "在库"), ("0", "停用")])

    def filters(self):
        d = self.cleaned_data
        return {"q": d.get("q", "").strip(), "occupation": d.get("occupation", "").strip(),
                "employer": d.get("employer", "").strip(), "level": d.get("level", "").strip(),
                "active": {"1": True, "0": False}.get(d.get("active") or "")}


class ExpertForm(forms.Form):
    """Shared by adding (outside specialist or registry person) and editing."""

    name = forms.CharField(label="姓名", max_length=60)
    pool = forms.ModelChoiceField(label="所属专家库", queryset=None)
    occupations = forms.CharField(label="职业（工种）/专业领域", max_length=500, help_text="多个用顿号或逗号分隔")
    employer_name = forms.CharField(label="工作单位", max_length=200, required=False,
                                    help_text="与组织库中单位名称完全一致时自动关联该单位")
    title = forms.CharField(label="职称/技能等级", max_length=100, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    user = forms.ModelChoiceField(label="平台账号（评审专家）", queryset=None, required=False)

    def __init__(self, *args, officer=None, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = ex.pools_for(officer)
        self.fields["user"].queryset = ex.expert_accounts(officer)
        if person is not None:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "以人员库为准"

    def occupation_list(self):
        return ex.split_list(self.cleaned_data.get("occupations"))


class DeactivateForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=300, required=False)


class PersonRelationForm(forms.Form):
    kind = forms.ChoiceField(label="关系", choices=RelationKind.choices)
    who = forms.CharField(label="关系人（姓名或身份证号码）", max_length=60)
    note = forms.CharField(label="说明", max_length=200, required=False)


class UnitRelationForm(forms.Form):
    kind = forms.ChoiceField(label="关系", choices=UnitRelationKind.choices)
    organisation = forms.CharField(label="单位名称", max_length=200)
    note = forms.CharField(label="说明", max_length=200, required=False)


class RemoveRelationForm(forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=300)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过5MB")
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("只支持 .xlsx 或 .csv 文件")
        return f


class ComposeForm(forms.Form):
    name = forms.CharField(label="专家组名称", max_length=120)
    occupations = forms.CharField(label="职业（工种）组", required=False, max_length=300,
                                  help_text="多个用顿号或逗号分隔；填写后所选专家须涵盖其中之一")
    experts = forms.ModelMultipleChoiceField(label="专家", queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, pool=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = pool
        self.fields["experts"].label_from_instance = lambda e: (
            f"{e.name}（{'、'.join(e.occupations)}；{ex.employer_label(e) or '单位未填'}"
            f"{'；' + e.title if e.title else ''}）")

    def occupation_list(self):
        return ex.split_list(self.cleaned_data.get("occupations"))


class AddMemberForm(forms.Form):
    """增补专家 on a composed panel: one active expert of the round's pool not yet on it."""

    expert = forms.ModelChoiceField(label="增补专家", queryset=None)
    reason = forms.CharField(label="增补理由", max_length=300,
                             help_text="如：某专家声明回避后，专家组人数少于政策规定的最少人数")

    def __init__(self, *args, panel=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Expert

        self.fields["expert"].queryset = Expert.objects.filter(pk__in=[e.pk for e in ex.addable_experts(panel)])
        self.fields["expert"].label_from_instance = lambda e: (
            f"{e.name}（{'、'.join(e.occupations)}；{ex.employer_label(e) or '单位未填'}）")
