"""LeanSelect writes the same <select> as Django's template-rendered Select, much faster."""
import re

from django import forms

from gongjiang.core.widgets import LeanSelect


def _same_markup(html):
    return re.sub(r">\s+<", "><", str(html)).strip()


class Both(forms.Form):
    lean = forms.TypedChoiceField(label="批次", required=False, coerce=int, empty_value=None, widget=LeanSelect)
    django = forms.TypedChoiceField(label="批次", required=False, coerce=int, empty_value=None)
    lean_required = forms.ChoiceField(label="状态", widget=LeanSelect(attrs={"class": "x"}))
    django_required = forms.ChoiceField(label="状态", widget=forms.Select(attrs={"class": "x"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rounds = [("", "全部批次"), (1, "2026年度<首席技师>遴选"), (2, "2025年度遴选"), (2, "重复")]
        self.fields["lean"].choices = self.fields["django"].choices = rounds
        self.fields["lean_required"].choices = self.fields["django_required"].choices = [("", "请选择"), ("a", "甲")]


def test_same_markup_as_django_select_for_no_choice_a_choice_and_bad_input():
    for data in (None, {"lean": "2", "django": "2", "lean_required": "a", "django_required": "a"},
                 {"lean": "abc", "django": "abc"}):
        form = Both(data)
        form.is_valid()
        lean = _same_markup(form["lean"]).replace("id_lean", "id_x").replace('name="lean"', 'name="x"')
        django = _same_markup(form["django"]).replace("id_django", "id_x").replace('name="django"', 'name="x"')
        assert lean == django
        assert "&lt;首席技师&gt;" in lean  # labels escaped
        lean = _same_markup(form["lean_required"]).replace("lean_required", "x")
        assert lean == _same_markup(form["django_required"]).replace("django_required", "x") and " required" in lean
