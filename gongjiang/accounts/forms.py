"""Forms of the organisation and account pages. Validation errors show inline, in Chinese."""
from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.db.models import Q

from gongjiang.core.vocab import OrgKind, Role

from .models import Organisation, User

REASON_FIELD = dict(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="名称或信用代码", required=False, max_length=100)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部")] + list(OrgKind.choices))

    def apply(self, qs):
        if not self.is_valid():
            return qs
        q = self.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(uscc__iexact=q.upper()) | Q(region_code=q))
        if self.cleaned_data["kind"]:
            qs = qs.filter(kind=self.cleaned_data["kind"])
        return qs


class OrganisationForm(forms.ModelForm):
    reason = forms.CharField(required=False, **REASON_FIELD)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "parent", "region_code", "uscc", "is_large_enterprise", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.exclude(kind=OrgKind.ENTERPRISE)
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents.order_by("path")
        self.fields["parent"].label_from_instance = lambda o: "　" * o.depth + o.name
        self.fields["uscc"].required = False
        self.fields["uscc"].help_text = "企业必填；按 GB 32100 校验第18位校验码"

    def clean_uscc(self):
        return (self.cleaned_data.get("uscc") or "").strip().upper() or None

    def changes(self):
        """The model fields as the service takes them."""
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class UserFilterForm(forms.Form):
    q = forms.CharField(label="用户名或姓名", required=False, max_length=100)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部")] + list(Role.choices))
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), ("active", "启用"), ("inactive", "停用"), ("locked", "已锁定")])


def organisation_field(required=False):
    field = forms.ModelChoiceField(label="所属组织", required=required,
                                   queryset=Organisation.objects.filter(is_active=True).order_by("path"))
    field.label_from_instance = lambda o: "　" * o.depth + o.name
    return field


class UserForm(forms.Form):
    username = forms.RegexField(label="用户名", max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 @/./+/-/_"})
    display_name = forms.CharField(label="姓名", max_length=60)
    email = forms.EmailField(label="电子邮箱", required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    organisation = organisation_field()
    reason = forms.CharField(required=False, **REASON_FIELD)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {
                "username": instance.username, "display_name": instance.display_name, "email": instance.email,
                "role": instance.role, "organisation": instance.organisation_id})
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = organisation_field()
        if instance is not None:
            self.fields["username"].disabled = True

    def clean_username(self):
        username = self.cleaned_data["username"]
        if self.instance is None and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该用户名已被使用")
        return username

    def clean(self):
        data = super().clean()
        if data.get("role") and data["role"] != Role.APPLICANT and not data.get("organisation"):
            self.add_error("organisation", "经办人、专家、委员等须选择所属组织")
        if data.get("role") == Role.APPLICANT and data.get("organisation"):
            self.add_error("organisation", "申报人账号不属于任何组织，请留空")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(required=True, **REASON_FIELD)


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, two new ones, the validators), labels in Chinese."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"
