"""Publishing notices, receiving and concluding objections, recording the approval.

Every date here comes from `gongjiang.workdays`: the notice's end date is
`notice_period_end(start, days)` (the start counts when it is a working day), an objection's
investigation deadline is `investigation_deadline(received_on, investigation_days)` (Huiyang
第十条（七）: 自接到异议之日起5个工作日内; the day of receipt is not counted).

`days` and `investigation_days` default to 5; a caller that has the round's policy should pass the
policy's values (公示工作日数, 异议调查工作日数).
"""
import datetime as dt
import re
import secrets
from dataclasses import dataclass, fields

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongjiang.accounts.permissions import Decision, check
from gongjiang.accounts.scope import in_scope
from gongjiang.applications.uploads import UploadRule, check_upload, delete_stored, store_checked
from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.vocab import Gender, SkillLevel
from gongjiang.registry.crypto import encrypt, lookup_hash
from gongjiang.workdays.services import CalendarMissing, investigation_deadline, notice_period_end

from .models import (
    DEFAULT_INVESTIGATION_DAYS, DEFAULT_NOTICE_DAYS, OBJECTION_TRANSITIONS, Approval, ApprovalKind, Channel, Conclusion, Notice,
    NoticeEntry, Objection, ObjectionAttachment, ObjectionStatus,
)
from .signals import candidate_removed, notice_approved

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
RECEIPT_LENGTH = 12  # 32**12 = 2**60 possibilities
ATTACHMENT_RULE = UploadRule(frozenset({"pdf", "jpeg", "png"}), max_bytes=10 * 1024 * 1024, max_pages=50,
                             max_pixels=40_000_000, label="异议附件")
MAX_ATTACHMENTS = 5
RATE_WINDOW = dt.timedelta(hours=1)
RATE_PER_ADDRESS = 5   # online objections per client address per hour
RATE_PER_CONTACT = 3   # online objections per filer contact per hour
TEXT_MIN, TEXT_MAX = 10, 5000

# Numbers that must never appear on a public notice: resident ID numbers and mobile numbers.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_CONTACT = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|[^@\s]+@[^@\s]+\.[^@\s]+)$")


@dataclass
class EntryData:
    name: str
    gender: str = ""
    employer: str = ""
    occupation: str = ""
    skill_level: int | None = None
    honour: str = ""
    application_id: int | None = None


# ---------------------------------------------------------------- publishing

def _check_public_text(label: str, value: str):
    if _ID_NUMBER.search(value or "") or _MOBILE.search(value or ""):
        raise DomainError(f"{label}中含有身份证号码或手机号码，公示内容不得公开这些信息，请删除后再发布",
                          log=f"personal number in public field {label}")


_ENTRY_FIELDS = {f.name for f in fields(EntryData)}


def _entry(data, honour="") -> EntryData:
    """An EntryData from an EntryData or a dict; extra keys are ignored, so the dicts of
    review.services.shortlist() (with "application", "score", "rank") can be passed as they are."""
    if isinstance(data, EntryData):
        e = data
    else:
        d = dict(data)
        if d.get("application") is not None and not d.get("application_id"):
            d["application_id"] = d["application"].pk
        e = EntryData(**{k: v for k, v in d.items() if k in _ENTRY_FIELDS})
    e.honour = e.honour or honour
    e.name = (e.name or "").strip()
    if not e.name:
        raise DomainError("公示人选须有姓名", log="entry without name")
    if e.gender and e.gender not in Gender.values:
        raise DomainError(f"{e.name}的性别不正确", log=f"bad gender {e.gender!r}")
    if e.skill_level is not None and e.skill_level not in SkillLevel.values:
        raise DomainError(f"{e.name}的技能等级不正确", log=f"bad skill level {e.skill_level!r}")
    for label, value in (("姓名", e.name), ("工作单位", e.employer), ("职业（工种）", e.occupation), ("称号", e.honour)):
        _check_public_text(f"{e.name}的{label}", value)
    return e


def _check_applications(ids):
    from gongjiang.applications.models import Application

    missing = ids - set(Application.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing:
        raise DomainError("公示名单中有不存在的申报", log=f"unknown application ids {sorted(missing)}")


def _period_end(start, days):
    try:
        return notice_period_end(start, days)
    except CalendarMissing as e:
        raise DomainError(f"无法计算公示截止日期：{e.message}", log=e.log, code=e.code) from None


def can_manage(user, notice) -> Decision:
    decision = check(user, "notice.manage")
    if decision and not in_scope(user, notice.organisation):
        return Decision(False, "该公示不在您的管理范围内")
    return decision


@transaction.atomic
def publish_notice(*, title: str, entries, start: dt.date, publisher, contact: str, body: str = "",
                   days: int = DEFAULT_NOTICE_DAYS, investigation_days: int = DEFAULT_INVESTIGATION_DAYS,
                   require_real_name: bool = True, round_id: int | None = None, policy_ref: str = "",
                   honour: str = "", organisation=None, corrects: Notice | None = None,
                   correction_reason: str = "") -> Notice:
    """Publish a notice of `entries` (EntryData or dicts with its fields, e.g. the rows of
    review.services.shortlist(round)) from `start` for `days` working days; `honour` is the title
    shown for entries that carry none. Pass the policy's 公示 days and investigation days when the
    round has a policy."""
    decision = check(publisher, "notice.manage")
    if not decision:
        raise NotAllowed(decision.reason)
    organisation = organisation or publisher.organisation
    if not in_scope(publisher, organisation):
        raise NotAllowed("不能以管理范围以外的单位名义发布公示")
    title, contact = (title or "").strip(), (contact or "").strip()
    if not title or not contact:
        raise DomainError("公示须有标题和异议受理方式", log="notice without title or contact")
    _check_public_text("标题", title)
    _check_public_text("正文", body)
    if days < 1 or investigation_days < 1:
        raise DomainError("公示工作日数和异议调查工作日数须至少为1", log="non-positive days")
    if start < timezone.localdate():
        raise DomainError("公示开始日期不能早于今天", log="notice start in the past")
    rows = [_entry(e, honour) for e in entries]
    if not rows:
        raise DomainError("公示名单不能为空", log="notice without entries")
    _check_applications({e.application_id for e in rows if e.application_id})
    if corrects is not None:
        corrects = Notice.objects.select_for_update().get(pk=corrects.pk)
        if not can_manage(publisher, corrects):
            raise NotAllowed("无权更正该公示")
        if Notice.objects.filter(corrects=corrects).exists():
            raise DomainError("该公示已发布过更正公告，请更正最新的公告", log="notice already corrected")
        if hasattr(corrects, "approval"):
            raise DomainError("该公示已记录批准，不能再更正", log="correcting an approved notice")
        if not correction_reason.strip():
            raise DomainError("更正公告须说明更正原因", log="correction without reason")
    notice = Notice.objects.create(
        title=title, body=body, contact=contact, organisation=organisation, round_id=round_id,
        policy_ref=policy_ref, start_date=start, end_date=_period_end(start, days), days=days,
        investigation_days=investigation_days, require_real_name=require_real_name, corrects=corrects,
        correction_reason=correction_reason.strip(), published_by=publisher, published_at=timezone.now())
    NoticeEntry.objects.bulk_create(
        NoticeEntry(notice=notice, position=i, name=e.name, gender=e.gender, employer=e.employer.strip(),
                    occupation=e.occupation.strip(), skill_level=e.skill_level, honour=e.honour.strip(),
                    application_id=e.application_id)
        for i, e in enumerate(rows, 1))
    after = snapshot(notice)
    after["entries"] = [e.name for e in rows]
    record("notice.correct" if corrects else "notice.publish", actor=publisher, obj=notice, after=after,
           reason=correction_reason)
    return notice


def latest_version(notice: Notice) -> Notice:
    while True:
        nxt = Notice.objects.filter(corrects=notice).first()
        if nxt is None:
            return notice
        notice = nxt


PUBLIC_STATES = {"upcoming": "尚未开始", "running": "公示中", "ended": "公示期满"}


def public_notices(*, state: str = "", q: str = "", year: int | None = None, today: dt.date | None = None):
    """The published notices, newest first, for the public list page and the API: `state` is
    upcoming / running / ended by today's date, `q` part of the title or of the publishing
    organisation's name. One query whatever the number of notices (the page slices it)."""
    from django.db.models import OuterRef, Q, Subquery

    today = today or timezone.localdate()
    correction = Notice.objects.filter(corrects=OuterRef("pk")).values("pk")[:1]
    qs = Notice.objects.select_related("organisation").annotate(corrected_by=Subquery(correction))
    if state == "upcoming":
        qs = qs.filter(start_date__gt=today)
    elif state == "running":
        qs = qs.filter(start_date__lte=today, end_date__gte=today)
    elif state == "ended":
        qs = qs.filter(end_date__lt=today)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(organisation__name__contains=q))
    if year:
        qs = qs.filter(start_date__year=year)
    return qs.order_by("-start_date", "-id")


def chain(notice: Notice) -> list[Notice]:
    """The notice and every notice it (transitively) corrects."""
    out = [notice]
    while out[-1].corrects_id:
        out.append(out[-1].corrects)
    return out


def period_state(notice: Notice, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if today < notice.start_date:
        return "upcoming"
    return "running" if today <= notice.end_date else "ended"


def closure(notice: Notice, today: dt.date | None = None) -> Decision:
    """Whether the list is closed: the period has ended and no objection (on this notice or one it
    corrects) is open. The reason says what is still missing."""
    if Notice.objects.filter(corrects=notice).exists():
        return Decision(False, "本公示已被更正，以更正后的公示为准")
    state = period_state(notice, today)
    if state != "ended":
        return Decision(False, f"公示期至{notice.end_date:%Y年%-m月%-d日}，尚未结束")
    open_count = Objection.objects.filter(notice__in=chain(notice), status=ObjectionStatus.OPEN).count()
    if open_count:
        return Decision(False, f"尚有{open_count}件异议未办结")
    return Decision(True, "公示期满，无未办结异议")


def closed_among(notices, today: dt.date | None = None) -> list[Notice]:
    """The notices of the queryset `notices` that `closure` allows, in a few queries whatever their
    number: the ended, uncorrected ones, less those with an open objection on themselves or on a
    notice they (transitively) correct: from the open objections (few) up their corrections, one
    query per level of correction."""
    today = today or timezone.localdate()
    ended = list(notices.filter(end_date__lt=today, correction__isnull=True))
    blocked = set(Objection.objects.filter(status=ObjectionStatus.OPEN).values_list("notice_id", flat=True))
    level = blocked
    while level:
        level = set(Notice.objects.filter(corrects__in=level).values_list("pk", flat=True)) - blocked
        blocked |= level
    return [n for n in ended if n.pk not in blocked]


def notice_closed(notice: Notice, today: dt.date | None = None) -> bool:
    return closure(notice, today).allowed


# ---------------------------------------------------------------- objections

def _receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def _deadline(received_on, notice):
    try:
        return investigation_deadline(received_on, notice.investigation_days)
    except CalendarMissing:
        return None  # never lose an objection for a missing calendar; computed when the year is entered


def _check_rate(notice, *, client_hash, contact_hash, now):
    since = now - RATE_WINDOW
    recent = Objection.objects.filter(channel=Channel.ONLINE, received_at__gte=since)
    if client_hash and recent.filter(client_hash=client_hash).count() >= RATE_PER_ADDRESS:
        raise DomainError(f"提交过于频繁：同一网络地址每小时最多提出{RATE_PER_ADDRESS}件异议。请一小时后再试，"
                          f"或按公示所列方式书面提出（{notice.contact[:80]}）。", log="objection rate limit per address",
                          code="rate_limited")
    if contact_hash and recent.filter(filer_contact_hash=contact_hash).count() >= RATE_PER_CONTACT:
        raise DomainError(f"提交过于频繁：同一联系方式每小时最多提出{RATE_PER_CONTACT}件异议。请一小时后再试，"
                          f"或按公示所列方式书面提出（{notice.contact[:80]}）。", log="objection rate limit per contact",
                          code="rate_limited")


def file_objection(notice: Notice, *, entry: NoticeEntry, text: str, filer_name: str = "", filer_contact: str = "",
                   client_address: str = "", attachments=(), channel: str = Channel.ONLINE, recorded_by=None,
                   received_on: dt.date | None = None) -> Objection:
    """Receive an objection against `entry`. Online objections are rate-limited per address and per
    contact; an officer (`recorded_by`) registers objections received by letter, phone or visit,
    which are not rate-limited and may carry the date they were received."""
    now = timezone.now()
    today = timezone.localdate(now)
    if channel != Channel.ONLINE:
        if recorded_by is None or not check(recorded_by, "objection.handle") or not in_scope(recorded_by, notice.organisation):
            raise NotAllowed("只有本公示单位的异议处理人员可以登记书面、电话或来访异议")
    received_on = received_on if (received_on and channel != Channel.ONLINE) else today
    if received_on > today:
        raise DomainError("收到日期不能晚于今天", log="objection received in the future")
    if Notice.objects.filter(corrects=notice).exists():
        raise DomainError("本公示已发布更正公告，请对更正后的公示提出异议", log="objection on superseded notice")
    if received_on < notice.start_date:
        raise DomainError("公示尚未开始，暂不受理异议", log="objection before notice start")
    if received_on > notice.end_date:
        raise DomainError(f"公示期已于{notice.end_date:%Y年%-m月%-d日}结束，不再受理异议",
                          log="objection after notice end")
    if entry.notice_id != notice.pk:
        raise DomainError("所选人选不在本公示名单中", log="entry of another notice")
    if entry.removed:
        raise DomainError("该人选已被取消，无需再提出异议", log="objection on removed entry")
    text, filer_name, filer_contact = (text or "").strip(), (filer_name or "").strip(), (filer_contact or "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise DomainError(f"异议内容须为{TEXT_MIN}至{TEXT_MAX}字，请写明异议的事实和理由", log="objection text length")
    if notice.require_real_name and (not filer_name or not filer_contact):
        raise DomainError("本公示要求实名提出异议，请填写真实姓名和联系方式", log="anonymous objection refused")
    if filer_contact and not _CONTACT.match(filer_contact.replace(" ", "")):
        raise DomainError("联系方式请填写手机号码、固定电话（如0752-1234567）或电子邮箱", log="bad contact")
    contact_hash = lookup_hash(filer_contact.replace(" ", "")) if filer_contact else ""
    client_hash = lookup_hash("addr:" + client_address) if client_address else ""
    files = list(attachments)
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(f"附件最多{MAX_ATTACHMENTS}个", log="too many attachments")
    checked = [check_upload(f, rule=ATTACHMENT_RULE) for f in files]  # all checked before anything is stored
    stored = []
    try:
        with transaction.atomic():
            if channel == Channel.ONLINE:
                _check_rate(notice, client_hash=client_hash, contact_hash=contact_hash, now=now)
            stored = [(c, store_checked(c, folder="objections")) for c in checked]
            objection = _create_objection(
                notice=notice, entry=entry, channel=channel, filer_name=filer_name,
                filer_contact_encrypted=encrypt(filer_contact), filer_contact_hash=contact_hash,
                client_hash=client_hash, text=text, received_at=now, received_on=received_on,
                deadline=_deadline(received_on, notice), recorded_by=recorded_by)
            for c, rel in stored:
                ObjectionAttachment.objects.create(objection=objection, name=c.name, content_type=c.content_type,
                                                   size=c.size, sha256=c.sha256, path=rel)
            record("objection.file", actor=recorded_by, obj=objection, organisation=notice.organisation,
                   after=snapshot(objection, fields=_PUBLIC_AUDIT_FIELDS) | {"attachments": len(stored)},
                   reason=Channel(channel).label)
    except BaseException:
        for _c, rel in stored:
            delete_stored(rel)
        raise
    return objection


# Audit entries of an objection never carry the filer's contact or address hash.
_PUBLIC_AUDIT_FIELDS = {"notice", "entry", "receipt", "channel", "received_on", "deadline", "status",
                        "conclusion", "findings"}


def _create_objection(**fields) -> Objection:
    for _ in range(5):
        try:
            with transaction.atomic():
                return Objection.objects.create(receipt=_receipt(), **fields)
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a unique receipt number")


def can_handle(user, objection) -> Decision:
    decision = check(user, "objection.handle")
    if decision and not in_scope(user, objection.notice.organisation):
        return Decision(False, "该异议不在您的管理范围内")
    return decision


@transaction.atomic
def conclude_objection(objection: Objection, *, actor, conclusion: str, findings: str,
                       public_reason: str = "") -> Objection:
    """Record the investigation's findings and conclusion. 异议成立 removes the candidate from the list
    with `public_reason` (shown on the public notice) and sends `candidate_removed`."""
    objection = Objection.objects.select_for_update().select_related("notice__organisation", "entry").get(pk=objection.pk)
    decision = can_handle(actor, objection)
    if not decision:
        raise NotAllowed(decision.reason)
    if ObjectionStatus.CONCLUDED not in OBJECTION_TRANSITIONS[ObjectionStatus(objection.status)]:
        raise DomainError("该异议已办结", log="objection already concluded")
    if conclusion not in Conclusion.values:
        raise DomainError("请选择结论：异议不成立或异议成立", log=f"bad conclusion {conclusion!r}")
    findings, public_reason = (findings or "").strip(), (public_reason or "").strip()
    if not findings:
        raise DomainError("请填写调查核实情况", log="conclusion without findings")
    if conclusion == Conclusion.UPHELD and not public_reason:
        raise DomainError("异议成立将取消该人选，请填写对外公布的取消原因", log="upheld without public reason")
    _check_public_text("取消原因", public_reason)
    before = snapshot(objection, fields=_PUBLIC_AUDIT_FIELDS)
    objection.status, objection.conclusion, objection.findings = ObjectionStatus.CONCLUDED, conclusion, findings
    objection.concluded_by, objection.concluded_at = actor, timezone.now()
    objection.save()
    record("objection.conclude", actor=actor, obj=objection, before=before,
           after=snapshot(objection, fields=_PUBLIC_AUDIT_FIELDS), reason=findings[:500])
    entry = objection.entry
    if conclusion == Conclusion.UPHELD and not entry.removed:
        entry = NoticeEntry.objects.select_for_update().get(pk=entry.pk)
        entry.removed_at, entry.removed_reason, entry.removed_by_objection = timezone.now(), public_reason, objection
        entry.save(update_fields=["removed_at", "removed_reason", "removed_by_objection"])
        record("notice.candidate_removed", actor=actor, obj=objection.notice,
               after={"entry": entry.pk, "name": entry.name, "application_id": entry.application_id},
               reason=public_reason)
        candidate_removed.send(sender=NoticeEntry, entry=entry, notice=objection.notice,
                               application_id=entry.application_id, reason=public_reason, objection=objection)
    return objection


def fill_missing_deadlines() -> int:
    """Compute deadlines that could not be computed when the objection arrived (calendar missing)."""
    done = 0
    for objection in Objection.objects.filter(deadline__isnull=True).select_related("notice"):
        deadline = _deadline(objection.received_on, objection.notice)
        if deadline:
            Objection.objects.filter(pk=objection.pk).update(deadline=deadline)
            done += 1
    return done


def is_overdue(objection: Objection, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return objection.status == ObjectionStatus.OPEN and objection.deadline is not None and today > objection.deadline


def lookup_receipt(receipt: str) -> Objection | None:
    receipt = re.sub(r"[\s-]", "", receipt or "").upper()
    if len(receipt) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in receipt):
        return None
    return Objection.objects.select_related("notice", "entry").filter(receipt=receipt).first()


# ---------------------------------------------------------------- approval

@transaction.atomic
def record_approval(notice: Notice, *, actor, kind: str, authority: str, document_number: str,
                    decided_on: dt.date, note: str = "") -> Approval:
    """Record the approval (批准/审定/命名) of a closed notice, with its document number and date."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    decision = can_manage(actor, notice)
    if not decision:
        raise NotAllowed(decision.reason)
    state = closure(notice)
    if not state:
        raise DomainError(f"尚不能记录批准：{state.reason}", log="approval before notice closed")
    if kind not in ApprovalKind.values:
        raise DomainError("请选择批准方式：批准、审定或命名", log=f"bad approval kind {kind!r}")
    if Approval.objects.filter(notice=notice).exists():
        raise DomainError("该公示已记录批准", log="approval exists")
    if not (authority or "").strip() or not (document_number or "").strip():
        raise DomainError("请填写批准机关和文号", log="approval without document")
    if decided_on <= notice.end_date or decided_on > timezone.localdate():
        raise DomainError("批准日期须在公示期结束之后、且不晚于今天", log="approval date out of range")
    approval = Approval.objects.create(notice=notice, kind=kind, authority=authority.strip(),
                                       document_number=document_number.strip(), decided_on=decided_on,
                                       note=note, recorded_by=actor, recorded_at=timezone.now())
    record("notice.approve", actor=actor, obj=notice, after=snapshot(approval))
    ids = [e.application_id for e in notice.entries.filter(removed_at__isnull=True) if e.application_id]
    notice_approved.send(sender=Notice, notice=notice, approval=approval, application_ids=ids)
    return approval
