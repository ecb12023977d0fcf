from django import forms

from .models import DayKind
from .services import IMPORT_HELP


class YearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=1950, max_value=2199)
    source_detail = forms.CharField(label="依据文件", max_length=200, required=False,
                                    help_text="如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）")


class DaysForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期（单日可不填）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类型", choices=DayKind.choices)
    name = forms.CharField(label="节日名称", max_length=40, required=False)
    reason = forms.CharField(label="修改理由（年度已确认后必填）", max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200, required=False)


class MarkEnteredForm(forms.Form):
    source_detail = forms.CharField(label="依据文件", max_length=200, required=False)
    reason = forms.CharField(label="说明", max_length=200, required=False)
    confirm = forms.BooleanField(label="我已核对：本年度全部放假日期和调休上班日期均已按国务院办公厅通知录入")


class ImportForm(forms.Form):
    text = forms.CharField(label="节假日安排", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=IMPORT_HELP)
    file = forms.FileField(label="或上传文本文件（UTF-8，同上格式）", required=False)
    source_detail = forms.CharField(label="依据文件", max_length=200, required=False)
    mark_complete = forms.BooleanField(label="导入后确认该年度录入完整", required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > 64 * 1024:
                raise forms.ValidationError("文件过大（不超过64KB）")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("文件须为UTF-8编码的文本") from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("请填写或上传节假日安排")
        return data


class CalculatorForm(forms.Form):
    start = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label="工作日数", min_value=1, max_value=250, initial=5)
