"""Django's Simplified Chinese formats, with ISO dates first among the input formats: a date field
(<input type="date">) only accepts YYYY-MM-DD, and Django renders a form's initial date with the first
input format, so "2026/12/07" left the field empty and the first click on 发布公示 did nothing."""
from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DATES
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _DATETIMES

DATE_INPUT_FORMATS = ["%Y-%m-%d"] + [f for f in _DATES if f != "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] + [f for f in _DATETIMES if f != "%Y-%m-%d %H:%M"]
