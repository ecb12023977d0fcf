"""Honours: award, certificate numbers, exits, revocation and what they mean for benefits.

Everything per programme comes from the policy file (`honours[]` of policies/<code>.yaml): the term
(`term.years`, 惠阳 第十三条 2 years, 赣州 第十条 培养期 3 years), the certificate issuer and number
prefix (`certificate`, 赣州 第八条 市人民政府颁发), the exits and revocations with their effects.

API (all state changes audited, each in one transaction):

- `award_round(approval, *, application_ids, actor=None) -> list[Honour]`: one honour per approved
  application, numbered in the programme's gap-free series; called by the `notice_approved` signal
  inside `notices.services.record_approval`, so approval and award commit together.
- `award(application, *, approval, actor=None) -> Honour`: one of them.
- `record_exit(honour, *, exit_id, effective, actor, document_no, decided_by, reason) -> HonourDecision`:
  an exit of the policy's `exits` (left the post, moved away, higher title, term end).
- `revoke(honour, *, revocation_id, effective, actor, document_no, decided_by, reason) -> HonourDecision`:
  a revocation of the policy's `revocations`: title revoked, certificate recalled, clawback recorded,
  re-application barred as the policy says.
- `benefits_payable(honour, on) -> Decision`: whether the holder is entitled to benefits on a date
  (in term, not stopped by an exit, revocation or failed renewal, and — where the policy has a
  renewal review (环翠 第十二条) — from its due date only once it has passed), with the reason.
- Renewal review and term duties: see `term` (`file_renewal`, `decide_renewal`, `complete_duty`,
  `send_reminders`); `term.renewal_blocks(honour, on)` is the renewal part of `benefits_payable`.
- `clawback_of(honour) -> Clawback | None`: what must be returned (from which date, which items).
- `reapply_barred(person, policy) -> Decision`: allowed=True when a revocation bars re-applying.
- `verification(honour, today) -> Verdict`: the public status (有效/已期满/待遇已停止/已撤销).
- `outcome(honour, kind, outcome_id)`: the policy's exit or revocation entry.

Signals (gongjiang.honours.signals, sent inside the transaction of the change, so a receiver's
writes commit or roll back with it): `honour_awarded(honour, actor)`, `benefits_stopped(honour,
stop_from, actor, reason)` (exit, revocation, failed renewal), `renewal_passed(honour, review, actor)`.

Effects are the policy's `effects` (benefits stop from the effective date, title kept or revoked,
certificate recalled, clawback, ban) applied by one function, `_apply_effects`.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongjiang.accounts.permissions import Decision, check
from gongjiang.accounts.scope import in_scope
from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.vocab import CompetitionLevel, FactSource, OrgKind, Verification

from . import signals
from .models import (
    CertificateSeries, CertificateStatus, DecisionKind, Honour, HolderMessage, HonourDecision, HonourStatus, ReapplyBan,
    TitleStatus,
)
from .term import open_term, renewal_blocks

log = logging.getLogger(__name__)

AUDITED = ["person", "policy", "honour_code", "round", "application", "status", "title_status", "term_start",
           "term_end", "certificate_number", "certificate_status", "certificate_issue", "benefits_stop_on",
           "clawback", "clawback_from", "clawback_what", "reapply_ban"]

_LEVEL_OF_KIND = {OrgKind.PROVINCE: CompetitionLevel.PROVINCIAL, OrgKind.CITY: CompetitionLevel.CITY,
                  OrgKind.DISTRICT: CompetitionLevel.DISTRICT, OrgKind.DEVZONE: CompetitionLevel.DISTRICT}


def policy_of(honour_or_round):
    """The parsed policy of an honour or a round, as the edition in force on the round's reference
    date has it (an honour keeps the rules it was selected under)."""
    from gongjiang.policy.services import get_policy
    from gongjiang.rounds.models import Round

    rnd = honour_or_round if isinstance(honour_or_round, Round) else honour_or_round.round
    return get_policy(honour_or_round.policy.code).edition_on(rnd.reference_date)


def policy_honour(honour_or_round):
    """The policy file's honour entry (schema.Honour) of an honour or a round."""
    return policy_of(honour_or_round).honour(honour_or_round.honour_code)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_dates(spec, start: dt.date) -> tuple[dt.date, dt.date | None]:
    """(start, last day) of a term of `spec.term.years` years from `start`; no end without a term."""
    if spec.term is None:
        return start, None
    return start, add_years(start, spec.term.years) - dt.timedelta(days=1)


# ---------------------------------------------------------------- award

def _next_number(rnd, spec) -> tuple[CertificateSeries | None, int | None, str | None]:
    if spec.certificate is None:
        return None, None, None
    CertificateSeries.objects.get_or_create(policy=rnd.policy, honour_code=spec.code,
                                            defaults={"prefix": spec.certificate.number_prefix})
    series = CertificateSeries.objects.select_for_update().get(policy=rnd.policy, honour_code=spec.code)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return series, series.last_number, f"{series.prefix}{series.last_number:06d}"


def _title_level(rnd) -> int:
    org = rnd.policy.jurisdiction or rnd.organiser
    while org is not None and org.kind not in _LEVEL_OF_KIND:
        org = org.parent
    return _LEVEL_OF_KIND.get(getattr(org, "kind", None), CompetitionLevel.DISTRICT)


def _register_title(honour, spec, rnd):
    """The honour as a title on the registry person, so later rounds' eligibility reads it
    (惠阳 第八条（六）, 聊城 “仍在管理期内…原则上不再推荐”)."""
    from gongjiang.registry.models import TitleAward, TitleCode
    from gongjiang.registry.names import normalise_title

    code, name, raw = normalise_title(TitleCode.PLATFORM_HONOUR, spec.title)
    existing = TitleAward.objects.filter(person=honour.person, code=code, name=name,
                                         awarded_on=honour.awarded_on).first()
    if existing is not None:
        return existing
    return TitleAward.objects.create(
        person=honour.person, code=code, name=name, raw_name=raw, level=_title_level(rnd),
        awarded_on=honour.awarded_on, expires_on=honour.term_end, issuer=honour.issuer[:120],
        source=FactSource.REGISTRY, verification=Verification.VERIFIED,
        note=f"本平台授予（{honour.document_number}）"[:300])


@transaction.atomic
def award(application, *, approval, actor=None) -> Honour:
    """The honour of one approved application (its registry person, the round's policy honour)."""
    from gongjiang.review import stages as st

    if application.status != st.APPROVED:
        raise DomainError(f"{application.name}的申报尚未批准，不能授予称号", log="award of unapproved application")
    if application.person_id is None:
        raise DomainError(f"{application.name}尚未登记到人才库，不能授予称号，请先在人才库中登记并关联申报",
                          log="award without registry person")
    existing = Honour.objects.filter(application=application).first()
    if existing is not None:
        return existing
    rnd = application.round
    spec = policy_of(rnd).honour(application.tier)  # the tier applied for, in a round of several
    start, end = term_dates(spec, approval.decided_on)
    series, number, cert_no = _next_number(rnd, spec)
    honour = Honour.objects.create(
        person=application.person, name=application.person.name, policy=rnd.policy, honour_code=spec.code,
        title=spec.title, round=rnd, application=application, approval=approval, employer=application.employer,
        occupation=((application.facts or {}).get("skill") or {}).get("occupation", "")[:100],
        jurisdiction=rnd.organiser, awarded_on=approval.decided_on, document_number=approval.document_number,
        term_name=spec.term.name if spec.term else "", term_article=spec.term.article if spec.term else "",
        term_start=start, term_end=end, issuer=spec.certificate.issuer if spec.certificate else approval.authority,
        certificate_name=spec.certificate.name if spec.certificate else "",
        series=series, series_number=number, certificate_number=cert_no,
        certificate_status=CertificateStatus.VALID if cert_no else CertificateStatus.NONE,
        token=secrets.token_urlsafe(18))
    honour.title_award = _register_title(honour, spec, rnd)
    honour.save(update_fields=["title_award"])
    open_term(honour, spec)
    record("honour.award", actor=actor, obj=honour, organisation=rnd.organiser, after=snapshot(honour, AUDITED),
           reason=f"{approval.authority}（{approval.document_number}）")
    term = f"，{honour.term_name}{_d(start)}至{_d(end)}" if end else ""
    number = f"，证书编号{cert_no}" if cert_no else ""
    tell(honour, f"祝贺您获得“{spec.title}”称号（{approval.document_number}）{term}{number}。")
    signals.honour_awarded.send(sender=Honour, honour=honour, actor=actor)
    return honour


@transaction.atomic
def award_round(approval, *, application_ids, actor=None) -> list[Honour]:
    """One honour per approved application of `application_ids`, numbered in serial order."""
    from gongjiang.applications.models import Application
    from gongjiang.review import stages as st

    apps = (Application.objects.select_related("round__policy", "round__organiser", "person", "employer")
            .filter(pk__in=list(application_ids), status=st.APPROVED).order_by("serial"))
    return [award(app, approval=approval, actor=actor) for app in apps]


def on_notice_approved(sender, *, notice, approval, application_ids=(), **kwargs):
    """Receiver of notices.signals.notice_approved (connected after the applications app's)."""
    award_round(approval, application_ids=application_ids, actor=approval.recorded_by)


# ---------------------------------------------------------------- decisions

def _d(day):
    return f"{day:%Y年%-m月%-d日}" if day else ""


def outcome(honour, kind: str, outcome_id: str):
    spec = policy_honour(honour)
    entries = spec.exits if kind == DecisionKind.EXIT else spec.revocations
    for entry in entries:
        if entry.id == outcome_id:
            return entry
    raise DomainError("请选择政策规定的情形", log=f"unknown {kind} {outcome_id!r} for {honour.policy.code}")


def can_decide(user, honour) -> Decision:
    decision = check(user, "honour.decide")
    if decision and not in_scope(user, honour.jurisdiction):
        return Decision(False, "该称号获得者不在您的管理范围内")
    return decision


def _apply_effects(honour, effects, *, effective: dt.date, status: str):
    if effects.benefits == "stop":
        honour.benefits_stop_on = min(filter(None, [honour.benefits_stop_on, effective]))
    if effects.title == "revoked":
        honour.title_status = TitleStatus.REVOKED
        if honour.title_award_id:
            award_row = honour.title_award
            honour.title_award = None
            award_row.delete()  # the person no longer holds the title: later rounds must not read it
    elif effects.title == "kept" and honour.title_status == TitleStatus.HELD:
        honour.title_status = TitleStatus.KEPT
    if effects.certificate == "recalled" and honour.certificate_status == CertificateStatus.VALID:
        honour.certificate_status = CertificateStatus.RECALLED
    if effects.clawback:
        honour.clawback = True
        start = honour.awarded_on if effects.clawback_from == "award" else effective
        honour.clawback_from = min(filter(None, [honour.clawback_from, start]))
        honour.clawback_what = sorted(set(honour.clawback_what) | set(effects.clawback_what))
    if effects.ban_reapply == "permanent" or (effects.ban_reapply == "current_round"
                                              and honour.reapply_ban != ReapplyBan.PERMANENT):
        honour.reapply_ban = effects.ban_reapply
    if status == HonourStatus.REVOKED or honour.status == HonourStatus.ACTIVE:
        honour.status = status
    if honour.status != HonourStatus.ACTIVE and honour.benefits_stop_on is None:
        honour.benefits_stop_on = effective


def effects_text(effects) -> str:
    """The effects in words, for the holder's notice and the decision page."""
    parts = []
    if effects.get("benefits") == "stop":
        parts.append("停止享受相应待遇")
    if effects.get("title") == "revoked":
        parts.append("撤销称号")
    elif effects.get("title") == "kept":
        parts.append("保留称号")
    if effects.get("certificate") == "recalled":
        parts.append("收回证书")
    if effects.get("clawback"):
        what = "、".join(effects.get("clawback_what") or []) or "已发放的资金"
        parts.append(f"追回{what}")
    if effects.get("ban_reapply") == "permanent":
        parts.append("不得再次申报")
    if effects.get("referral"):
        parts.append("涉嫌犯罪的移交司法机关依法处理")
    return "，".join(parts) or "按政策规定处理"


@transaction.atomic
def decide(honour, *, kind: str, outcome_id: str, effective: dt.date, actor, document_no: str, decided_by: str,
           reason: str) -> HonourDecision:
    """Record an exit or a revocation (the one function behind `record_exit` and `revoke`)."""
    honour = Honour.objects.select_for_update(of=("self",)).select_related("policy", "jurisdiction", "title_award").get(
        pk=honour.pk)
    allowed = can_decide(actor, honour)
    if not allowed:
        raise NotAllowed(allowed.reason)
    entry = outcome(honour, kind, outcome_id)
    document_no, decided_by, reason = (document_no or "").strip(), (decided_by or "").strip(), (reason or "").strip()
    if not document_no or not decided_by or not reason:
        raise DomainError("请填写决定文号、决定机关和事实理由", log="decision without document")
    if honour.status == HonourStatus.REVOKED:
        raise DomainError("该称号已撤销，不能再作出决定", log="decision on revoked honour")
    if kind == DecisionKind.EXIT and honour.status != HonourStatus.ACTIVE:
        raise DomainError("该称号获得者已退出，无需再次办理退出", log="second exit")
    if not isinstance(effective, dt.date) or effective < honour.awarded_on or effective > timezone.localdate():
        raise DomainError("生效日期须在授予日期之后、且不晚于今天", log="decision date out of range")
    if entry.during_term_only and honour.term_end and effective > honour.term_end:
        raise DomainError(f"{entry.article}规定的情形仅适用于{honour.term_name or '管理期'}内"
                          f"（{_d(honour.term_start)}至{_d(honour.term_end)}）", log="outcome outside term")
    before = snapshot(honour, AUDITED)
    effects = entry.effects.model_dump()
    status = HonourStatus.REVOKED if kind == DecisionKind.REVOCATION else HonourStatus.EXITED
    _apply_effects(honour, entry.effects, effective=effective, status=status)
    honour.save()
    notice = (f"经{decided_by}决定（{document_no}），依据《{honour.policy.title}》{entry.article}"
              f"（{entry.when}），自{_d(effective)}起对您的“{honour.title}”称号作如下处理：{effects_text(effects)}。")
    decision = HonourDecision.objects.create(
        honour=honour, kind=kind, outcome_id=entry.id, article=entry.article, when_text=entry.when[:300],
        event=entry.event, effective_on=effective, document_number=document_no, decided_by=decided_by[:300],
        reason=reason, effects=effects, notice_text=notice, recorded_by=actor)
    record(f"honour.{kind}", actor=actor, obj=honour, organisation=honour.jurisdiction, before=before,
           after=snapshot(honour, AUDITED) | {"decision": decision.pk, "article": entry.article},
           reason=f"{entry.article} {document_no}：{reason}"[:1000])
    tell(honour, notice)
    if honour.benefits_stop_on is not None:
        signals.benefits_stopped.send(sender=Honour, honour=honour, stop_from=honour.benefits_stop_on, actor=actor,
                                      reason=notice)
    return decision


def record_exit(honour, *, exit_id, effective, actor, document_no, decided_by, reason) -> HonourDecision:
    """An exit of the policy's `exits` (环翠 第十六条: title kept, benefits stop; 惠阳 第十七条)."""
    return decide(honour, kind=DecisionKind.EXIT, outcome_id=exit_id, effective=effective, actor=actor,
                  document_no=document_no, decided_by=decided_by, reason=reason)


def revoke(honour, *, revocation_id, effective, actor, document_no, decided_by, reason) -> HonourDecision:
    """A revocation of the policy's `revocations` (惠阳 第十八条, 赣州 第十二条, 环翠 第十七条)."""
    return decide(honour, kind=DecisionKind.REVOCATION, outcome_id=revocation_id, effective=effective, actor=actor,
                  document_no=document_no, decided_by=decided_by, reason=reason)


def tell(honour, text: str) -> HolderMessage:
    """A message to the holder (their account, else the account that applied)."""
    recipient = honour.person.account
    if recipient is None and honour.application_id:
        recipient = honour.application.applicant_account
    return HolderMessage.objects.create(honour=honour, recipient=recipient, text=text)


# ---------------------------------------------------------------- reading

def benefits_payable(honour, on: dt.date) -> Decision:
    """Whether the holder is entitled to benefits on `on`: within the term, before any stop date
    (exit, revocation, failed renewal). The reason says why not."""
    if honour.status == HonourStatus.REVOKED:
        return Decision(False, "称号已撤销")
    if on < honour.term_start:
        return Decision(False, f"{honour.term_name or '期限'}自{_d(honour.term_start)}开始")
    if honour.benefits_stop_on and on >= honour.benefits_stop_on:
        return Decision(False, f"自{_d(honour.benefits_stop_on)}起停止享受待遇")
    if honour.term_end and on > honour.term_end:
        return Decision(False, f"{honour.term_name or '期限'}已于{_d(honour.term_end)}届满")
    blocked = renewal_blocks(honour, on)
    if blocked:
        return Decision(False, blocked)
    return Decision(True, "在期内，享受待遇")


@dataclass(frozen=True)
class Clawback:
    since: dt.date  # money paid on or after this date must be returned
    what: tuple[str, ...]
    article: str
    document_number: str
    # the policy's cash benefits the honour carried: (benefit id, name, amount in fen per payment,
    # schedule) — payments turns what was actually paid since `since` into a receivable
    cash_benefits: tuple[tuple[str, str, int, str], ...] = ()


def clawback_of(honour) -> Clawback | None:
    """What a revocation requires to be returned (赣州 第十二条: 收回证书和奖励资金), or None."""
    if not honour.clawback:
        return None
    decision = honour.decisions.filter(effects__clawback=True).order_by("recorded_at", "pk").first()
    from gongjiang.policy.schema import value_at

    cash = tuple((b.id, b.name, value_at(b.amount_fen, honour.awarded_on), b.schedule)
                 for b in policy_honour(honour).benefits if b.kind == "cash")
    return Clawback(since=honour.clawback_from, what=tuple(honour.clawback_what),
                    article=decision.article if decision else "", document_number=decision.document_number if decision else "",
                    cash_benefits=cash)


def reapply_barred(person, policy) -> Decision:
    """allowed=True when a revocation under `policy` bars the person from applying again
    (惠阳 第十八条: 不得再次申报); the reason cites the article and document."""
    honour = (Honour.objects.filter(person=person, policy=policy, reapply_ban=ReapplyBan.PERMANENT)
              .order_by("-awarded_on").first())
    if honour is None:
        return Decision(False, "")
    decision = honour.decisions.filter(kind=DecisionKind.REVOCATION).order_by("-recorded_at").first()
    where = f"（{decision.article}，{decision.document_number}）" if decision else ""
    return Decision(True, f"“{honour.title}”称号已被撤销{where}，按政策规定不得再次申报")


@dataclass(frozen=True)
class Verdict:
    code: str  # valid | expired | stopped | revoked | recalled
    label: str
    tone: str  # pass | fail | needs_review (CSS status-*)


def verification(honour, today: dt.date | None = None) -> Verdict:
    """The public status of an honour and its certificate."""
    today = today or timezone.localdate()
    if honour.status == HonourStatus.REVOKED or honour.title_status == TitleStatus.REVOKED:
        return Verdict("revoked", "已撤销：称号已被撤销" + ("，证书已收回" if honour.certificate_status == "recalled" else ""),
                       "fail")
    if honour.certificate_status == CertificateStatus.RECALLED:
        return Verdict("recalled", "证书已收回", "fail")
    if honour.benefits_stop_on and today >= honour.benefits_stop_on:
        return Verdict("stopped", f"称号有效，自{_d(honour.benefits_stop_on)}起不再享受待遇", "needs_review")
    if honour.term_end and today > honour.term_end:
        return Verdict("expired", f"称号有效，{honour.term_name or '期限'}已于{_d(honour.term_end)}届满", "needs_review")
    if honour.term_end:
        return Verdict("valid", f"有效，{honour.term_name or '期限'}内（至{_d(honour.term_end)}）", "pass")
    return Verdict("valid", "有效", "pass")


# ---------------------------------------------------------------- certificates

def _printable(honour):
    if not honour.certificate_number:
        raise DomainError("该称号政策未规定颁发证书", log="no certificate")
    if honour.certificate_status == CertificateStatus.RECALLED:
        raise DomainError("证书已收回，不能打印或补发", log="recalled certificate")


@transaction.atomic
def print_certificates(honours, *, actor, reason: str = "打印证书") -> bytes:
    """The certificate PDF of `honours` (one page each); every printed certificate is audited."""
    from .certificates import certificates_pdf

    honours = list(honours)
    for honour in honours:
        _printable(honour)
    pdf = certificates_pdf(honours)
    for honour in honours:
        record("honour.certificate_print", actor=actor, obj=honour, organisation=honour.jurisdiction,
               after={"certificate_number": honour.certificate_number, "issue": honour.certificate_issue},
               reason=reason[:500])
    return pdf


@transaction.atomic
def reissue_certificate(honour, *, actor, reason: str) -> Honour:
    """补发: a new issue of the certificate (lost or damaged); the printed issue number changes so
    the verification page tells which paper is current."""
    honour = Honour.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=honour.pk)
    allowed = can_decide(actor, honour)
    if not allowed:
        raise NotAllowed(allowed.reason)
    _printable(honour)
    if honour.status == HonourStatus.REVOKED:
        raise DomainError("称号已撤销，不能补发证书", log="reissue of revoked")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写补发原因（如遗失、损毁）", log="reissue without reason")
    before = snapshot(honour, AUDITED)
    honour.certificate_issue += 1
    honour.save(update_fields=["certificate_issue"])
    record("honour.certificate_reissue", actor=actor, obj=honour, organisation=honour.jurisdiction, before=before,
           after=snapshot(honour, AUDITED), reason=reason[:500])
    return honour


# ---------------------------------------------------------------- lists

def visible_honours(user):
    """Honours a user may see: the holder their own; employers their employees'; officers those of
    their jurisdiction's programmes or employers."""
    from django.db.models import Q

    from gongjiang.accounts.scope import org_q
    from gongjiang.core.vocab import Role

    qs = Honour.objects.select_related("policy", "round", "employer", "jurisdiction")
    if user.role == Role.APPLICANT:
        return qs.filter(person__account=user)
    if user.role == Role.EMPLOYER:
        return qs.filter(org_q(user, "employer"))
    return qs.filter(org_q(user, "jurisdiction") | org_q(user, "employer") | Q(pk__in=[]))


def non_cash_benefits(honour) -> list:
    """The policy's non-cash benefits of the honour (赣州 第九条 市人才目录, 惠阳 第十二条（二）
    归善人才卡银卡), as schema.Benefit entries."""
    return [b for b in policy_honour(honour).benefits if b.kind != "cash"]
