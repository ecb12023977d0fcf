"""Forms for editing a person's facts: one ModelForm per fact kind, sharing the date, level and rank
checks (Chinese messages, shown inline). The same forms validate the REST API's input."""
import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from gongjiang.accounts.models import Organisation
from gongjiang.core.vocab import JURISDICTION_KINDS, Verification

from .models import (
    Apprenticeship,
    Certificate,
    CompetitionResult,
    CreditRecord,
    EmployerAttribute,
    Employment,
    Innovation,
    MasterStudio,
    PersonAttribute,
    ProgrammeMembership,
    TitleAward,
)

# Dates that record something that has already happened: not after today.
PAST_DATES = {"start", "issued_on", "held_on", "awarded_on", "dated", "agreement_date", "established_on",
              "joined_on", "apprentice_certificate_date"}
# (start field, end field): the end must not be before the start.
DATE_PAIRS = [("start", "end"), ("awarded_on", "expires_on"), ("joined_on", "ends_on"),
              ("established_on", "ended_on"), ("agreement_date", "ended_on"),
              ("agreement_date", "apprentice_certificate_date")]
POSITIVE = {"rank", "apprentice_competition_rank"}


class FactForm(forms.ModelForm):
    """Base of every fact form. `person` is set on the instance before validation so the natural-key
    constraints (one certificate per occupation and level ...) are checked inline too."""

    person_field = "person"

    def __init__(self, *args, person, actor, **kwargs):
        super().__init__(*args, **kwargs)
        setattr(self.instance, self.person_field, person)
        self.actor = actor
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            if name in POSITIVE:
                field.min_value = 1
                field.validators.append(_positive)

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.discard(self.person_field)
        return exclude

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in PAST_DATES & set(self.fields):
            value = data.get(name)
            if isinstance(value, dt.date) and value > today:
                self.add_error(name, f"“{self.fields[name].label}”不能晚于今天")
        for start, end in DATE_PAIRS:
            if start in self.fields and end in self.fields and data.get(start) and data.get(end) \
                    and data[end] < data[start]:
                self.add_error(end, f"“{self.fields[end].label}”不能早于“{self.fields[start].label}”")
        return data


def _positive(value):
    if value is not None and value < 1:
        raise forms.ValidationError("名次须为正整数（第1名起）")


class EmploymentForm(FactForm):
    class Meta:
        model = Employment
        fields = ["employer", "jurisdiction", "post", "frontline", "is_legal_representative", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gongjiang.accounts.scope import visible_organisations

        orgs = visible_organisations(self.actor) if self.actor else Organisation.objects.none()
        self.fields["employer"].queryset = orgs.exclude(kind__in=list(JURISDICTION_KINDS)).order_by("path")
        self.fields["jurisdiction"].queryset = Organisation.objects.filter(
            kind__in=list(JURISDICTION_KINDS)).order_by("path")


class CertificateForm(FactForm):
    class Meta:
        model = Certificate
        fields = ["occupation", "level", "kind", "number", "issuer", "issued_on"]


class CompetitionForm(FactForm):
    class Meta:
        model = CompetitionResult
        fields = ["name", "occupation", "level", "klass", "rank", "held_on"]


class NamedForm(FactForm):
    """Titles and programmes: the typed name is stored as its canonical name (names.py)."""

    def clean(self):
        data = super().clean()
        if data.get("code") == "other" and not (data.get("name") or "").strip():
            self.add_error("name", "选择“其他”时须填写名称")
        return data

    def _post_clean(self):
        from .names import apply_to

        super()._post_clean()
        if not self.errors:
            self.instance.raw_name = ""
            apply_to(self.instance)


class TitleForm(NamedForm):
    class Meta:
        model = TitleAward
        fields = ["code", "name", "level", "awarded_on", "expires_on", "issuer"]


class ProgrammeForm(NamedForm):
    class Meta:
        model = ProgrammeMembership
        fields = ["code", "name", "level", "catalogue_class", "joined_on", "ends_on"]

    def clean_catalogue_class(self):
        value = (self.cleaned_data.get("catalogue_class") or "").strip().upper()
        if value and value not in "ABCDEF":
            raise forms.ValidationError("人才目录类别须为 A–F 中的一个字母")
        return value


class AchievementForm(FactForm):
    class Meta:
        model = Innovation
        fields = ["kind", "title", "number", "level", "grade", "dated"]


class ApprenticeForm(FactForm):
    person_field = "master"

    class Meta:
        model = Apprenticeship
        fields = ["apprentice_name", "agreement_date", "ended_on", "has_agreement", "apprentice_certificate_level",
                  "apprentice_certificate_date", "apprentice_competition_rank", "apprentice_is_backbone"]


class StudioForm(FactForm):
    class Meta:
        model = MasterStudio
        fields = ["kind", "name", "level", "established_on", "ended_on", "is_leader"]


class CreditRecordForm(FactForm):
    class Meta:
        model = CreditRecord
        fields = ["kind", "start", "end", "description"]


class AttributeFormMixin:
    """The attribute is chosen from the vocabulary (policies/vocabulary.yaml) for this kind of
    holder; value, place and level are checked against its entry (registry.attributes)."""

    holder = "person"

    def _attribute_fields(self):
        from . import attributes

        self.fields["attribute"] = forms.ChoiceField(label=self.fields["attribute"].label,
                                                     choices=[("", "请选择")] + attributes.choices(self.holder))

    def clean(self):
        from . import attributes

        data = super().clean()
        name = data.get("attribute")
        if name:
            entry = attributes.find(name, self.holder)
            for field, reason in attributes.problems(entry, value=data.get("value"), has_place=bool(data.get("place")),
                                                     level=data.get("level")):
                self.add_error(field if field in self.fields else None, reason)
        return data


class AttributeForm(AttributeFormMixin, FactForm):
    class Meta:
        model = PersonAttribute
        fields = ["attribute", "holds", "value", "place", "level", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._attribute_fields()
        self.fields["place"].queryset = Organisation.objects.filter(
            kind__in=list(JURISDICTION_KINDS)).order_by("path")
        self.fields["place"].help_text = "户籍地、常住地等以地区为取值的属性填写"


class DesignationForm(AttributeFormMixin, FactForm):
    """An employer's designation (专精特新, 高新技术企业…); the holder is the organisation."""

    holder = "employer"
    person_field = "organisation"

    class Meta:
        model = EmployerAttribute
        fields = ["attribute", "holds", "value", "level", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._attribute_fields()


@dataclass(frozen=True)
class FactKind:
    slug: str
    label: str
    form: type
    related: str  # Person's related name

    @property
    def model(self):
        return self.form._meta.model


FACT_KINDS = {k.slug: k for k in [
    FactKind("employment", "工作经历", EmploymentForm, "employments"),
    FactKind("certificate", "职业资格/技能等级证书", CertificateForm, "certificates"),
    FactKind("competition", "竞赛成绩", CompetitionForm, "competition_results"),
    FactKind("title", "称号与奖励", TitleForm, "titles"),
    FactKind("programme", "人才工程/人才目录", ProgrammeForm, "programmes"),
    FactKind("achievement", "创新成果/专利/标准", AchievementForm, "innovations"),
    FactKind("apprentice", "带徒记录", ApprenticeForm, "apprenticeships"),
    FactKind("studio", "技能大师工作室", StudioForm, "studios"),
    FactKind("credit", "信用与纪律记录", CreditRecordForm, "credit_records"),
    FactKind("attribute", "人员属性", AttributeForm, "attributes"),
]}
KIND_OF_RELATED = {k.related: k for k in FACT_KINDS.values()}
DESIGNATION = FactKind("designation", "单位认定", DesignationForm, "attributes")


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(label="核验结论", widget=forms.RadioSelect,
                                 choices=[(Verification.VERIFIED, "核验通过"), (Verification.REJECTED, "核验不通过（驳回）")])
    reason = forms.CharField(label="理由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="将记入审计日志；驳回的记录不再参与资格判断")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写理由")
        return reason


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回理由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写撤回理由")
        return reason
