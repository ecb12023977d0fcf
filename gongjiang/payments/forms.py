from django import forms

from gongjiang.policy.models import Policy

from .models import PaymentRun, PayTo
from .schedule import parse_yuan


class YuanField(forms.CharField):
    """An amount in 元 with at most two decimals, cleaned to integer fen."""

    def clean(self, value):
        value = super().clean(value)
        fen = parse_yuan(value)
        if fen is None:
            raise forms.ValidationError("金额应为元，最多两位小数，例如 5000 或 5000.50")
        return fen


class RunForm(forms.Form):
    period_kind = forms.ChoiceField(label="期间类型", choices=PaymentRun.PeriodKind.choices)
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    month = forms.IntegerField(label="月份（月度批次）", min_value=1, max_value=12, required=False)

    def clean(self):
        data = super().clean()
        if data.get("period_kind") == "month" and not data.get("month"):
            self.add_error("month", "月度批次须选择月份")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=300)


class PrepareForm(forms.Form):
    budget_note = forms.CharField(label="超预算说明（超出或未录入预算时必填）", max_length=300, required=False)


class BankResultForm(forms.Form):
    file = forms.FileField(label="银行回盘文件（.csv 或 .xlsx）")


class BudgetForm(forms.Form):
    policy = forms.ModelChoiceField(label="政策（项目）", queryset=Policy.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = YuanField(label="预算（元）", max_length=20)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, policies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies if policies is not None else Policy.objects.none()


class AccountForm(forms.Form):
    kind = forms.ChoiceField(label="账户类型", choices=PayTo.choices[:2])
    bank = forms.CharField(label="开户银行", max_length=100)
    number = forms.CharField(label="账号", max_length=40)


class LedgerFilter(forms.Form):
    q = forms.CharField(label="姓名", max_length=60, required=False)
    status = forms.ChoiceField(label="状态", required=False)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, **kwargs):
        from .models import LineStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "全部")] + list(LineStatus.choices)


class SubsidyForm(forms.Form):
    item = forms.ChoiceField(label="补贴项目")
    training = forms.CharField(label="参加的区、市组织的培训考核", max_length=200)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(f"{p.pk}:{code}", f"{p.title}｜{title}") for p, code, title in items]


class BureauSubsidyForm(SubsidyForm):
    id_number = forms.CharField(label="身份证号码", max_length=18)
    field_order = ["id_number", "item", "training"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "核准"), ("reject", "不予核准")])
    reason = forms.CharField(label="审核意见（不予核准时必填）", max_length=300, required=False)


class RepaymentForm(forms.Form):
    amount = YuanField(label="退回金额（元）", max_length=20)
    paid_on = forms.DateField(label="退回日期", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="缴款凭证号", max_length=60)
