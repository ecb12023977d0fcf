"""Home-page to-dos of the review stages: applications waiting for 受理 at the bureau, scoring for
experts, open votes for committee members; decisions for applicants and employers as messages."""
from django.db.models import Count
from django.urls import reverse

from gongjiang.accounts.permissions import check
from gongjiang.web.inbox import Item, Message, message_provider, provider

from .models import Assignment, CommitteeSession, Notification, VoterRoll


@message_provider
def decisions(user, since):
    return [Message(title=n.title, url=n.url or reverse("web:home"), at=n.created_at, unread=n.read_at is None,
                    detail=n.body[:120])
            for n in Notification.objects.filter(user=user, created_at__gte=since).order_by("-created_at")[:30]]


@provider
def to_accept(user):
    """Recommended applications the bureau has not yet taken into review, per round."""
    if user.role != "bureau" or not check(user, "review.manage"):
        return []
    from gongjiang.applications.models import Application

    from . import stages as st
    from .services import rounds_in_review

    rows = (Application.objects.filter(round__in=rounds_in_review(user), status=st.RECOMMENDED)
            .values("round_id", "round__title", "round__application_deadline").annotate(n=Count("pk"))
            .order_by("round__application_deadline"))
    return [Item(title=f"{r['round__title']}：已报送待受理的申报", url=reverse("review:board", args=[r["round_id"]]),
                 count=r["n"], detail="受理后进入资格初审")
            for r in rows]


@provider
def to_score(user):
    if user.role != "expert":
        return []
    n = Assignment.objects.filter(expert__user=user, active=True, panel__closed_at__isnull=True,
                                  score__isnull=True).count()
    return [Item(title="待评分的申报", url=reverse("review:expert_home"), count=n)] if n else []


@provider
def to_vote(user):
    if user.role != "committee":
        return []
    open_sessions = CommitteeSession.objects.filter(members=user, present=user, closed_at__isnull=True,
                                                    mode="secret")
    voted = set(VoterRoll.objects.filter(member=user).values_list("session_id", flat=True))
    return [Item(title=f"待投票：{s.title}", url=reverse("review:session", args=[s.pk]), due=s.held_on)
            for s in open_sessions if s.pk not in voted]
