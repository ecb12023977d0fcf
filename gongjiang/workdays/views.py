from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.http import HttpResponse

from gongjiang.accounts.permissions import requires
from gongjiang.core.errors import DomainError

from . import services
from .forms import CalculatorForm, DaysForm, ImportForm, MarkEnteredForm, ReasonForm, YearForm
from .models import CalendarYear, SpecialDay


def _form_errors(form, exc: DomainError):
    form.add_error(None, exc.message)


@requires("workdays.manage")
def index(request):
    year_form, import_form = YearForm(prefix="y"), ImportForm(prefix="i")
    if request.method == "POST" and "y-year" in request.POST:
        year_form = YearForm(request.POST, prefix="y")
        if year_form.is_valid():
            try:
                cal = services.create_year(year_form.cleaned_data["year"], actor=request.user,
                                           source_detail=year_form.cleaned_data["source_detail"])
                return redirect("workdays:year", year=cal.year)
            except DomainError as e:
                _form_errors(year_form, e)
    elif request.method == "POST":
        import_form = ImportForm(request.POST, request.FILES, prefix="i")
        if import_form.is_valid():
            d = import_form.cleaned_data
            try:
                cals = services.import_schedule(d["text"], actor=request.user, source_detail=d["source_detail"],
                                                mark_complete=d["mark_complete"], reason="文件导入")
                messages.success(request, "已导入：" + "、".join(str(c) for c in cals))
                return redirect("workdays:year", year=cals[0].year)
            except DomainError as e:
                _form_errors(import_form, e)
    calc, result = CalculatorForm(request.GET or None), None
    if calc.is_bound and calc.is_valid():
        try:
            start, days = calc.cleaned_data["start"], calc.cleaned_data["days"]
            result = {"end": services.notice_period_end(start, days),
                      "deadline": services.investigation_deadline(start, days)}
        except DomainError as e:
            _form_errors(calc, e)
    summaries = [services.summarise(c) for c in CalendarYear.objects.prefetch_related("days")]
    return render(request, "workdays/index.html", {
        "summaries": summaries, "year_form": year_form, "import_form": import_form,
        "calc": calc, "result": result, "package_years": services.package_years(),
        "package_version": services.package_version()})


@requires("workdays.manage")
def year(request, year):
    cal = get_object_or_404(CalendarYear, year=year)
    days_form, mark_form = DaysForm(prefix="d"), MarkEnteredForm(prefix="m", initial={"source_detail": cal.source_detail})
    if request.method == "POST" and "d-start" in request.POST:
        days_form = DaysForm(request.POST, prefix="d")
        if days_form.is_valid():
            d = days_form.cleaned_data
            try:
                added = services.add_days(cal, start=d["start"], end=d["end"], kind=d["kind"], name=d["name"],
                                          actor=request.user, reason=d["reason"])
                messages.success(request, f"已登记{len(added)}天")
                return redirect("workdays:year", year=cal.year)
            except DomainError as e:
                _form_errors(days_form, e)
    elif request.method == "POST":
        mark_form = MarkEnteredForm(request.POST, prefix="m")
        if mark_form.is_valid():
            try:
                services.mark_entered(cal, actor=request.user, source_detail=mark_form.cleaned_data["source_detail"],
                                      reason=mark_form.cleaned_data["reason"])
                messages.success(request, f"{cal.year}年已确认录入完整，可用于工作日计算")
                return redirect("workdays:year", year=cal.year)
            except DomainError as e:
                _form_errors(mark_form, e)
    return render(request, "workdays/year.html", {
        "cal": cal, "summary": services.summarise(cal), "days": cal.days.all(),
        "days_form": days_form, "mark_form": mark_form, "reason_form": ReasonForm()})


@require_POST
@requires("workdays.manage")
def remove_day(request, pk):
    day = get_object_or_404(SpecialDay, pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    services.remove_day(day, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    messages.success(request, f"已删除 {day.date:%Y-%m-%d}")
    return redirect("workdays:year", year=day.calendar.year)


@requires("workdays.manage")
def export(request, year):
    cal = get_object_or_404(CalendarYear, year=year)
    response = HttpResponse(services.schedule_text(cal), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workdays-{cal.year}.txt"'
    return response
