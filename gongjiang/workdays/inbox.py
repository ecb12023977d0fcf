"""Home-page to-do: remind calendar managers to enter next year's schedule before it is needed."""
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongjiang.accounts.permissions import check
from gongjiang.web.inbox import Item, provider

from .models import CalendarYear

REMIND_FROM_MONTH = 10  # the State Council usually publishes next year's schedule in Oct–Dec


@provider
def next_year_missing(user):
    if not check(user, "workdays.manage"):
        return []
    today = timezone.localdate()
    return [Item(title=f"{y}年工作日历尚未录入完整", url=reverse("workdays:index"),
                 due=dt.date(y, 1, 1) if y > today.year else today,
                 detail="公示截止日、异议调查期限跨入该年时将无法计算")
            for y in missing_years(today)]


def missing_years(today: dt.date) -> list[int]:
    """This year, and from October next year, when neither entered nor available from the package."""
    from .services import package_years

    years = [today.year] + ([today.year + 1] if today.month >= REMIND_FROM_MONTH else [])
    entered = set(CalendarYear.objects.filter(year__in=years, complete=True).values_list("year", flat=True))
    return [y for y in years if y not in entered and y not in package_years()]
