"""A round against its policy's calendar: the selection cycle (惠阳 第四条 每两年; 仲恺 第五条（二）1
每年5月份下发评选通知) and the policy's own deadlines (聊城 三: 2019年7月31日前报送).

An off-cycle year or an unusual month is flagged, not refused: the bureau may have reasons (a
delayed call), and the flag is shown on the round's page and recorded when the round is opened.
"""
from __future__ import annotations

import datetime as dt


def flags(policy, *, year: int, opens_on: dt.date, honour_code: str = "", exclude_pk=None) -> list[str]:
    """Chinese warnings where a round of `year` opening on `opens_on` is off the policy's cycle."""
    from gongjiang.rounds.models import Round

    cycle = _edition(policy, year).cycle  # the edition in force that year
    if cycle is None:
        return []
    out = []
    others = Round.objects.filter(policy__code=policy.code, year__lt=year)
    if honour_code:
        others = others.filter(honour_code=honour_code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    # The cycle counts from the policy's first round (an off-cycle round does not move it).
    first = others.order_by("year").values_list("year", flat=True).first()
    if first is not None and cycle.years > 1 and (year - first) % cycle.years:
        out.append(f"本政策每{cycle.years}年遴选一次（{cycle.article}），首个批次为{first}年度，"
                   f"{year}年度不在遴选周期内")
    if cycle.month and opens_on.month != cycle.month:
        out.append(f"本政策一般于每年{cycle.month}月下发通知（{cycle.article}），本批次于{opens_on.month}月开始申报")
    return out


def round_flags(rnd) -> list[str]:
    return flags(rnd.policy, year=rnd.year, opens_on=rnd.opens_on, honour_code=rnd.honour_code, exclude_pk=rnd.pk)


def policy_deadline(policy, year: int) -> tuple[dt.date | None, str]:
    """The recommendation deadline the policy itself states for `year` (聊城 三: 2019年7月31日前报送),
    with its article; (None, "") where it states none for that year."""
    unit = _edition(policy, year).recommendation.unit_procedure
    if unit is None or unit.deadline is None or unit.deadline.year != year:
        return None, ""
    return unit.deadline, unit.article


def _edition(policy, year: int):
    """The policy as the edition in force on the year's reference date has it (1 January where the
    policy names no reference date, as rounds.policy_link.round_defaults)."""
    from .policy_link import parsed

    top = parsed(policy)
    return top.edition_on(top.reference_on(year) if top.reference_date else dt.date(year, 1, 1))
