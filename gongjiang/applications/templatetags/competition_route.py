"""`{% competition_link round user %}`: on the round page, the link to nominate competition winners
(环翠 第十条（二）) for an officer who may do so in that round; nothing otherwise."""
from django import template
from django.urls import reverse
from django.utils.html import format_html

from gongjiang.accounts.permissions import check

register = template.Library()


@register.simple_tag
def competition_link(rnd, user):
    from gongjiang.applications import services

    if not check(user, "application.nominate_competition") or services.competition_nominator_refusal(user, rnd):
        return ""
    return format_html('<a class="button" href="{}">推荐竞赛优胜者（{}）</a>',
                       reverse("applications:competition", args=[rnd.pk]), services.competition_route(rnd).article)
