"""Home-page to-dos for applications: the applicant's drafts, returns and unread messages; the
employer's applications awaiting its opinion; the recommending unit's candidates to forward and
those proposed whose unit steps and report are still to do; for
bureau and unit officers, open rounds that take competition winners (环翠 第十条（二）)."""
from django.db.models import Count
from django.urls import reverse

from gongjiang.core.vocab import Role
from gongjiang.web.inbox import Item, Message, message_provider, provider

from .models import Application, ApplicationMessage
from .states import State


@provider
def application_items(user):
    items = []
    if user.role == Role.APPLICANT:
        for app in Application.objects.filter(applicant_account=user, status__in=[State.DRAFT, State.RETURNED]) \
                .select_related("round"):
            verb = "请修改后重新提交" if app.status == State.RETURNED else "请完成并提交"
            items.append(Item(f"{app.round.title}：{verb}", reverse("applications:edit", args=[app.pk]),
                              due=app.round.application_deadline))
    elif user.role == Role.EMPLOYER and user.organisation_id:
        rows = (Application.objects.filter(employer__path__startswith=user.organisation.path, status=State.SUBMITTED)
                .values("round_id", "round__title", "round__application_deadline").annotate(n=Count("pk")))
        for r in rows:
            items.append(Item(f"{r['round__title']}：待单位审核的申报", reverse("applications:list")
                              + f"?round={r['round_id']}&status=submitted", count=r["n"],
                              due=r["round__application_deadline"]))
    elif user.role in (Role.RECOMMENDER, Role.BUREAU) and user.organisation_id:
        rows = (Application.objects.filter(unit__organisation__path__startswith=user.organisation.path,
                                           status__in=[State.EMPLOYER_VERIFIED, State.UNIT_PROPOSED])
                .values("unit_id", "unit__organisation__name", "round__title", "round__recommendation_deadline",
                        "round__application_deadline", "status").annotate(n=Count("pk")))
        for r in rows:
            # 拟推荐: the unit's steps (公示, 审定 …) and its report are still to do before the bureau receives them.
            what = "待推荐人选" if r["status"] == State.EMPLOYER_VERIFIED else "拟推荐人选待完成单位推荐程序并报送"
            items.append(Item(f"{r['round__title']}：{r['unit__organisation__name']}{what}",
                              reverse("applications:unit", args=[r["unit_id"]]), count=r["n"],
                              due=r["round__recommendation_deadline"] or r["round__application_deadline"]))
        items.extend(competition_items(user))
    return items


@message_provider
def application_messages(user, since):
    """Messages about one's applications (state changes, return reasons), read or not."""
    return [Message(title=msg.text, url=reverse("applications:detail", args=[msg.application_id]), at=msg.created_at,
                    unread=msg.read_at is None)
            for msg in ApplicationMessage.objects.filter(recipient=user, created_at__gte=since)[:30]]


def my_applications(user):
    """An applicant's applications with their state as the applicant reads it, and where to follow them."""
    if user.role != Role.APPLICANT:
        return []
    return list(Application.objects.filter(applicant_account=user).exclude(status=State.WITHDRAWN)
                .select_related("round").only("status", "round__title").order_by("-created_at"))


def competition_items(user):
    """Open rounds whose policy lists the competition-winner route (环翠 第十条（二）) and in which
    `user` may nominate: a link to the nomination page."""
    from gongjiang.rounds.models import RoundStatus
    from gongjiang.rounds.services import visible_rounds

    from . import services

    return [Item(f"{rnd.title}：推荐竞赛优胜者（{services.competition_route(rnd).article}）",
                 reverse("applications:competition", args=[rnd.pk]), due=rnd.application_deadline,
                 detail="从人才库中竞赛成绩优异者中推荐")
            for rnd in visible_rounds(user).filter(status=RoundStatus.OPEN)
            if rnd.is_accepting and not services.competition_nominator_refusal(user, rnd)]
