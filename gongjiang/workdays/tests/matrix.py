"""Permission-matrix samples for the calendar pages: the year 2026 (seeded from the package)."""

API_PUBLIC = {
    "GET /api/workdays/is-working-day": "官方节假日和调休安排是公开信息",
    "GET /api/workdays/add-working-days": "官方节假日和调休安排是公开信息",
    "GET /api/workdays/working-days-between": "官方节假日和调休安排是公开信息",
}


def samples(ctx):
    from gongjiang.workdays import services
    from gongjiang.workdays.models import CalendarYear

    services.year_ready(2026)  # re-imported from the package if a transactional test flushed it
    day = CalendarYear.objects.get(year=2026).days.order_by("date").first()
    # remove_day is POST-only; on an entered year an empty form is refused (a reason is required).
    return {"workdays:year": {"year": 2026}, "workdays:export": {"year": 2026}, "workdays:remove_day": {"pk": day.pk}}
