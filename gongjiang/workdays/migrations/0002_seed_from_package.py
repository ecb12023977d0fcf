"""Seed the years the pinned chinesecalendar package covers (2004–2026 for 1.11.0)."""
from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from gongjiang.workdays.services import _package_days, package_version, package_years

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    for year in package_years():
        if CalendarYear.objects.filter(year=year).exists():
            continue
        cal = CalendarYear.objects.create(year=year, source="package", source_detail=package_version(),
                                          complete=True, completed_at=timezone.now())
        SpecialDay.objects.bulk_create(SpecialDay(calendar=cal, date=d, kind=str(k), name=n)
                                       for d, k, n in _package_days(year))


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
