"""Form widgets of the busiest pages.

`LeanSelect` writes its <option>s in Python. Django's Select renders every option through a template
include, which on a dashboard's 批次 filter with a few dozen rounds cost more than the rest of the
page (bench/web.py). Same markup as Django's Select (tests/test_lean_select in core/tests).
"""
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class LeanSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups, multiple: Django's way
        selected = {str(v) for v in self.format_value(value)}
        options, found = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            chosen = not found and option_value in selected
            found = found or chosen
            options.append(format_html('<option value="{}"{}>{}</option>', option_value,
                                       mark_safe(" selected") if chosen else "", label))
        final = self.build_attrs(self.attrs, attrs)
        # In the order of Django's attrs.html (flatatt would move boolean attributes last).
        attributes = format_html_join("", "{}", ((format_html(" {}", k) if v is True else format_html(' {}="{}"', k, v),)
                                                 for k, v in final.items() if v is not False and v is not None))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, mark_safe("".join(options)))
