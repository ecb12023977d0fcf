"""Reading the audit log: scope and filters shared by the log viewer, its export and the API."""
import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone

from gongjiang.accounts import scope
from gongjiang.core.vocab import Role

from .models import AuditEntry


def visible_entries(user):
    """System administrators see the whole log; auditors the entries of organisations in their subtree."""
    if user.role == Role.SYSADMIN:
        return AuditEntry.objects.all()
    orgs = scope.visible_organisations(user).values("pk")
    return AuditEntry.objects.filter(organisation_id_snapshot__in=orgs)


class EntryFilterForm(forms.Form):
    action = forms.CharField(label="操作", required=False, max_length=80,
                             widget=forms.Select(choices=[("", "全部"), ("auth.", "登录与退出")]))
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    object = forms.CharField(label="对象", required=False, max_length=100,
                             help_text="对象类型、编号或名称")
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data


def filter_entries(qs, data):
    """Apply validated filter values (a dict as EntryFilterForm.cleaned_data) to a queryset."""
    if data.get("action"):
        qs = qs.filter(action__startswith=data["action"].strip())
    if data.get("actor"):
        actor = data["actor"].strip()
        qs = qs.filter(Q(actor_name__icontains=actor) | Q(actor__username=actor))
    if data.get("object"):
        obj = data["object"].strip()
        qs = qs.filter(Q(object_type=obj) | Q(object_id=obj) | Q(object_repr__icontains=obj))
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        qs = qs.filter(created_at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz))
    if data.get("date_to"):
        qs = qs.filter(created_at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min,
                                                          tzinfo=tz))
    return qs


def entries_for(user, params):
    """(form, queryset) for request parameters; an invalid filter shows its error and filters nothing out
    of scope either way."""
    form = EntryFilterForm(params or None)
    qs = visible_entries(user).order_by("-id")
    if form.is_bound and form.is_valid():
        qs = filter_entries(qs, form.cleaned_data)
    return form, qs
