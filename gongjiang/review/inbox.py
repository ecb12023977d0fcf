"""Home-page to-dos of the review stages: decisions for applicants and employers, scoring for
experts, open votes for committee members."""
from django.urls import reverse

from gongjiang.web.inbox import Item, provider

from .models import Assignment, CommitteeSession, Notification, VoterRoll


@provider
def decisions(user):
    return [Item(title=n.title, url=n.url or reverse("web:home"), detail=n.body[:120])
            for n in Notification.objects.filter(user=user, read_at__isnull=True)[:20]]


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
