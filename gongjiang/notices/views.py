"""Public notice pages (no login), the objection form and receipt lookup; officer pages for
publishing, correcting, handling objections and recording the approval."""
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongjiang.accounts.permissions import requires
from gongjiang.accounts.scope import org_q
from gongjiang.applications.uploads import file_response
from gongjiang.audit.services import record
from gongjiang.core.caching import public_page
from gongjiang.core.listing import paginate
from gongjiang.core.errors import DomainError

from . import services
from .forms import (
    ApprovalForm, ConcludeForm, CorrectionForm, LookupForm, NoticeForm, ObjectionForm, PublicNoticeFilter,
    RecordObjectionForm, entries_text,
)
from .models import Notice, Objection, ObjectionAttachment, ObjectionStatus
from .pdf import notice_pdf

RECEIPT_SESSION_KEY = "notices_last_receipt"


def _fail(form, exc: DomainError):
    form.add_error(None, exc.message)


# ---------------------------------------------------------------- public

PUBLIC_PAGE_SIZE = 20


@public_page
def public_list(request):
    form = PublicNoticeFilter(request.GET or None)
    page, query = paginate(request, services.public_notices(**form.filters()), PUBLIC_PAGE_SIZE)
    return render(request, "notices/public_list.html", {"page": page, "query": query, "form": form,
                                                        "today": timezone.localdate()})


def _public_notice(pk):
    return get_object_or_404(Notice.objects.select_related("organisation", "corrects"), pk=pk)


def public_detail(request, pk):
    notice = _public_notice(pk)
    return render(request, "notices/public_detail.html", {
        "notice": notice, "entries": notice.entries.all(), "state": services.period_state(notice),
        "latest": services.latest_version(notice), "approval": getattr(notice, "approval", None)})


def public_pdf(request, pk):
    notice = _public_notice(pk)
    url = request.build_absolute_uri(reverse("notices:public_detail", args=[notice.pk]))
    response = HttpResponse(notice_pdf(notice, public_url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


def _client_address(request):
    # The direct peer only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


def file_objection(request, pk):
    notice = _public_notice(pk)
    form = ObjectionForm(request.POST or None, notice=notice)
    state = services.period_state(notice)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            form.add_error(None, "提交未被受理：表单中隐藏的“网址”栏被填写，疑似自动程序提交。"
                                 "如您是正常用户，请刷新页面后重新填写，或按公示所列方式书面提出。")
            return render(request, "notices/objection_form.html", {"notice": notice, "form": form, "state": state},
                          status=400)
        d = form.cleaned_data
        try:
            objection = services.file_objection(
                notice, entry=notice.entries.get(pk=d["entry"]), text=d["text"], filer_name=d["filer_name"],
                filer_contact=d["filer_contact"], client_address=_client_address(request),
                attachments=request.FILES.getlist("attachments"))
        except DomainError as e:
            _fail(form, e)
        else:
            request.session[RECEIPT_SESSION_KEY] = objection.receipt
            return redirect("notices:objection_received")
    return render(request, "notices/objection_form.html", {"notice": notice, "form": form, "state": state},
                  status=400 if form.errors else 200)


def objection_received(request):
    receipt = request.session.get(RECEIPT_SESSION_KEY)
    objection = services.lookup_receipt(receipt) if receipt else None
    if objection is None:
        return redirect("notices:lookup")
    return render(request, "notices/objection_received.html", {"objection": objection})


def lookup(request):
    form, objection = LookupForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        objection = services.lookup_receipt(form.cleaned_data["receipt"])
        if objection is None:
            form.add_error("receipt", "未找到该受理编号，请核对后重新输入")
    return render(request, "notices/lookup.html", {"form": form, "objection": objection})


# ---------------------------------------------------------------- officers: notices

def _managed(user):
    return Notice.objects.filter(org_q(user, "organisation")).select_related("organisation")


MANAGE_PAGE_SIZE = 50


@requires("notice.manage")
def manage(request):
    notices = _managed(request.user).select_related("approval").annotate(
        open_objections=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN)),
        superseded=Count("correction")).order_by("-start_date", "-id")
    page, query = paginate(request, notices, MANAGE_PAGE_SIZE)
    return render(request, "notices/manage.html", {"notices": page, "page": page, "query": query})


def _publish_from_form(request, form, **extra):
    d = form.cleaned_data
    return services.publish_notice(
        title=d["title"], body=d["body"], entries=d["entries"], start=d["start"], days=d["days"],
        investigation_days=d["investigation_days"], policy_ref=d["policy_ref"], contact=d["contact"],
        require_real_name=d["require_real_name"], publisher=request.user, **extra)


@requires("notice.manage")
def create(request):
    form = NoticeForm(request.POST or None, initial={"start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            notice = _publish_from_form(request, form)
        except DomainError as e:
            _fail(form, e)
        else:
            messages.success(request, f"公示已发布，截止日期{notice.end_date:%Y年%-m月%-d日}")
            return redirect("notices:manage_detail", pk=notice.pk)
    return render(request, "notices/create.html", {"form": form, "correcting": None})


@requires("notice.manage")
def correct(request, pk):
    original = get_object_or_404(_managed(request.user), pk=pk)
    initial = {"title": original.title, "body": original.body, "contact": original.contact,
               "days": original.days, "investigation_days": original.investigation_days,
               "policy_ref": original.policy_ref, "require_real_name": original.require_real_name,
               "start": timezone.localdate(), "entries": entries_text(original.entries.filter(removed_at__isnull=True))}
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notice = _publish_from_form(request, form, corrects=original, round_id=original.round_id,
                                        organisation=original.organisation,
                                        correction_reason=form.cleaned_data["correction_reason"])
        except DomainError as e:
            _fail(form, e)
        else:
            messages.success(request, "更正公告已发布，原公示已标注为已更正")
            return redirect("notices:manage_detail", pk=notice.pk)
    return render(request, "notices/create.html", {"form": form, "correcting": original})


@requires("notice.manage")
def manage_detail(request, pk):
    notice = get_object_or_404(_managed(request.user), pk=pk)
    approval_form = ApprovalForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and approval_form.is_valid():
        try:
            services.record_approval(notice, actor=request.user, **approval_form.cleaned_data)
        except DomainError as e:
            _fail(approval_form, e)
        else:
            messages.success(request, "已记录批准")
            return redirect("notices:manage_detail", pk=notice.pk)
    objections = Objection.objects.filter(notice__in=services.chain(notice)).select_related("entry")
    return render(request, "notices/manage_detail.html", {
        "notice": notice, "entries": notice.entries.all(), "objections": objections,
        "closure": services.closure(notice), "approval": getattr(notice, "approval", None),
        "approval_form": approval_form, "today": timezone.localdate(),
        "corrected_by": Notice.objects.filter(corrects=notice).first()})


# ---------------------------------------------------------------- officers: objections

def _handled(user):
    return Objection.objects.filter(org_q(user, "notice__organisation")).select_related("notice", "entry")


@requires("objection.handle")
def queue(request):
    status = request.GET.get("status", ObjectionStatus.OPEN)
    objections = _handled(request.user)
    if status in ObjectionStatus.values:
        objections = objections.filter(status=status)
    today = timezone.localdate()
    rows = [{"o": o, "overdue": services.is_overdue(o, today)} for o in objections.order_by("deadline", "received_at")]
    return render(request, "notices/queue.html", {"rows": rows, "status": status, "statuses": ObjectionStatus.choices,
                                                  "today": today})


@requires("objection.handle")
def objection_detail(request, pk):
    objection = get_object_or_404(_handled(request.user), pk=pk)
    form = ConcludeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conclude_objection(objection, actor=request.user, **form.cleaned_data)
        except DomainError as e:
            _fail(form, e)
        else:
            messages.success(request, f"异议{objection.receipt}已办结")
            return redirect("notices:objection_detail", pk=objection.pk)
    return render(request, "notices/objection_detail.html", {
        "objection": objection, "form": form, "overdue": services.is_overdue(objection),
        "contact": objection.contact})


@requires("objection.handle")
def record_objection(request, pk):
    notice = get_object_or_404(_managed(request.user), pk=pk)
    form = RecordObjectionForm(request.POST or None, notice=notice, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            objection = services.file_objection(
                notice, entry=notice.entries.get(pk=d["entry"]), text=d["text"], filer_name=d["filer_name"],
                filer_contact=d["filer_contact"], attachments=request.FILES.getlist("attachments"),
                channel=d["channel"], recorded_by=request.user, received_on=d["received_on"])
        except DomainError as e:
            _fail(form, e)
        else:
            messages.success(request, f"已登记，受理编号 {objection.receipt}（请告知异议人）")
            return redirect("notices:objection_detail", pk=objection.pk)
    return render(request, "notices/record_objection.html", {"notice": notice, "form": form})


@requires("objection.handle")
def attachment(request, pk):
    item = get_object_or_404(ObjectionAttachment.objects.filter(
        objection__in=_handled(request.user)).select_related("objection"), pk=pk)
    record("objection.attachment.view", actor=request.user, obj=item.objection,
           after={"attachment": item.pk, "name": item.name, "sha256": item.sha256})
    return file_response(item.path, download_name=item.name, content_type=item.content_type)
