"""Date fields are pre-filled in the one format <input type="date"> accepts (issue 15 §7): otherwise the
browser shows an empty field and refuses the first click."""
import datetime as dt
import re

from django import forms


def test_every_date_input_renders_its_initial_value_as_iso(settings):
    class F(forms.Form):
        start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    html = str(F(initial={"start": dt.date(2026, 12, 7)})["start"])
    assert re.search(r'value="2026-12-07"', html), html


def test_iso_slash_and_chinese_dates_are_all_accepted():
    field = forms.DateField()
    assert field.clean("2026-12-07") == field.clean("2026/12/07") == dt.date(2026, 12, 7)


def test_notice_start_date_form_is_prefilled_for_the_date_picker():
    from gongjiang.review.forms import PublishNoticeForm

    html = str(PublishNoticeForm(initial={"start": dt.date(2026, 11, 23)})["start"])
    assert 'value="2026-11-23"' in html
