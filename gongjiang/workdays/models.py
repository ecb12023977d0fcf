"""China's official calendar as data: per year, the State Council's public holidays and the
adjusted working days (调休上班日). A date is a working day when it is an adjusted working day,
or a Monday-to-Friday that is not a holiday. A year may be used for arithmetic only once it is
marked as entered (`CalendarYear.complete`)."""
from django.conf import settings
from django.db import models


class YearSource(models.TextChoices):
    PACKAGE = "package", "软件包导入（chinesecalendar）"
    MANUAL = "manual", "管理员录入"
    FILE = "file", "文件导入"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=10, choices=YearSource.choices)
    source_detail = models.CharField("来源说明", max_length=200, blank=True,
                                     help_text="如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）")
    complete = models.BooleanField("已确认录入完整", default=False)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["-year"]
        constraints = [
            # A completed year says when it was completed (by whom: a user, or the system for
            # years imported from the package).
            models.CheckConstraint(condition=models.Q(complete=False) | models.Q(completed_at__isnull=False),
                                   name="workdays_complete_has_time"),
            models.CheckConstraint(condition=models.Q(source__in=[s.value for s in YearSource]),
                                   name="workdays_year_source_valid"),
        ]

    def __str__(self):
        return f"{self.year}年"


class SpecialDay(models.Model):
    calendar = models.ForeignKey(CalendarYear, verbose_name="年度", on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("节日", max_length=40, blank=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=[k.value for k in DayKind]),
                                   name="workdays_day_kind_valid"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"
