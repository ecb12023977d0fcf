"""Home-page to-dos for finance officers (batches to approve, results to import) and the bureau
(subsidy claims to decide)."""
from django.urls import reverse

from gongjiang.accounts.permissions import check
from gongjiang.accounts.scope import org_q
from gongjiang.web.inbox import Item, provider

from .models import PaymentRun, SubsidyClaim


@provider
def payment_todos(user):
    items = []
    if check(user, "payments.manage"):
        runs = PaymentRun.objects.filter(org_q(user, "organisation"))
        waiting = runs.filter(status=PaymentRun.Status.PREPARED).exclude(prepared_by=user).count()
        if waiting:
            items.append(Item(title="发放批次待复核", url=reverse("payments:index"), count=waiting))
        exported = runs.filter(status=PaymentRun.Status.EXPORTED).count()
        if exported:
            items.append(Item(title="发放批次待导入银行回盘", url=reverse("payments:index"), count=exported))
    if check(user, "payments.subsidy_decide"):
        claims = SubsidyClaim.objects.filter(org_q(user, "policy__jurisdiction"),
                                             status=SubsidyClaim.Status.SUBMITTED).count()
        if claims:
            items.append(Item(title="培训和鉴定费用补贴待审核", url=reverse("payments:subsidies"), count=claims))
    return items
