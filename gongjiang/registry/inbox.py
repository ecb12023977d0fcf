"""Home-page items: invitations to apply (免申即享) for the applicant linked to a registry person."""
from gongjiang.web.inbox import Item, provider

from .models import Invitation


@provider
def invitations(user):
    if not getattr(user, "is_authenticated", False) or user.role != "applicant":
        return []
    from django.urls import reverse

    return [Item(title=f"您符合“{inv.run.policy.title}”的申报条件，欢迎申报",
                 url=reverse("registry:invitation_detail", args=[inv.pk]),
                 detail=f"资格筛查（基准日期 {inv.run.reference_date:%Y年%-m月%-d日}）显示您符合可自动核验的条件")
            for inv in Invitation.objects.filter(person__account=user, dismissed=False).select_related("run__policy")]
