"""Registry actions: registering people, finding them by number, revealing a full number (audited)."""
import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from gongjiang.accounts.permissions import check
from gongjiang.accounts.scope import ORG_SCOPED_ROLES
from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.idnumbers import IdNumberError, parse_resident_id

from .crypto import encrypt, lookup_hash
from .models import Employment, Person


def normalise_phone(value: str) -> str:
    digits = "".join(c for c in (value or "") if c.isdigit() or c == "+")
    return digits


def find_person_by_id_number(number: str) -> Person | None:
    """The person with this resident ID number, found by its keyed hash; None if not registered."""
    if not number:
        return None
    return Person.objects.filter(id_number_hash=lookup_hash(number)).first()


def find_people_by_phone(phone: str):
    return Person.objects.filter(phone_hash=lookup_hash(normalise_phone(phone))) if phone else Person.objects.none()


def parse_id_number(number: str, *, today: dt.date | None = None):
    """Parse per GB 11643 or raise DomainError with the Chinese reason."""
    try:
        return parse_resident_id(number, today=today)
    except IdNumberError as e:
        raise DomainError(e.message, log=str(e)) from None


def set_person_numbers(person: Person, *, id_number: str, phone: str = "", today=None):
    """Fill the encrypted, hashed, masked and derived columns of `person` from the plain numbers."""
    parsed = parse_id_number(id_number, today=today)
    phone = normalise_phone(phone)
    person.id_number_encrypted = encrypt(parsed.number)
    person.id_number_hash = lookup_hash(parsed.number)
    person.birth_date = parsed.birth_date
    person.gender = parsed.gender
    person.region_code = parsed.region_code
    person.phone_encrypted = encrypt(phone)
    person.phone_hash = lookup_hash(phone) if phone else ""
    person.set_masks(parsed.number, phone)
    return parsed


@transaction.atomic
def register_person(*, name, id_number, jurisdiction, phone="", actor=None, source="self",
                    verification="unverified", post_category="worker", account=None, reason="", import_batch=None):
    """Create a person; an already registered number is a DomainError (use update for changes)."""
    name = (name or "").strip()
    if not name:
        raise DomainError("姓名不能为空", log="empty name")
    person = Person(name=name, jurisdiction=jurisdiction, source=source, verification=verification,
                    post_category=post_category, account=account, import_batch=import_batch)
    parsed = set_person_numbers(person, id_number=id_number, phone=phone)
    if Person.objects.filter(id_number_hash=person.id_number_hash).exists():
        raise DomainError("该身份证号码已在人才库中登记", log="duplicate id number")
    person.save()
    record("registry.person.create", actor=actor, obj=person, after=snapshot(person), reason=reason,
           organisation=None if actor else jurisdiction)
    person.warnings = parsed.warnings
    return person


def current_employments(on=None):
    """Employment spells not ended by `on` (default today): the relations that give an employer, and the
    jurisdiction it lies in, a say over a person. A spell that ended gives none."""
    from django.utils import timezone

    return Employment.objects.filter(Q(end__isnull=True) | Q(end__gte=on or timezone.localdate()))


def people_in_org(org):
    """People `org`'s officers may see: resident (registered) in its subtree, currently employed by an
    organisation in it, or applying in a round it organises. People who left the area, i.e. whose
    employment there ended, are out of scope."""
    employed = current_employments().filter(person=OuterRef("pk"), employer__path__startswith=org.path)
    applying = Person.applications.rel.related_model.objects.filter(
        person=OuterRef("pk"), round__organiser__path__startswith=org.path)
    return Person.objects.filter(Q(jurisdiction__path__startswith=org.path) | Exists(employed) | Exists(applying))


def scoped_people(user):
    """People an officer may see: registered in their subtree, or employed by an organisation in it.
    Applicants see only themselves."""
    if user.role in ORG_SCOPED_ROLES and user.organisation_id:
        return people_in_org(user.organisation)
    if getattr(user, "is_authenticated", False):
        return Person.objects.filter(account=user)
    return Person.objects.none()


def can_see_full_numbers(user, person) -> bool:
    """The owner, and officers holding registry.full_id whose scope includes the person."""
    if person.account_id and person.account_id == user.pk:
        return True
    return bool(check(user, "registry.full_id")) and scoped_people(user).filter(pk=person.pk).exists()


REVEAL_REASON_MAX = 200


def reveal_numbers(person, *, actor, reason="") -> dict:
    """The full ID and phone numbers, for the owner or an authorised officer; every view is audited
    (the entry names the person and the officer's stated reason, never the number)."""
    if not can_see_full_numbers(actor, person):
        raise NotAllowed("您无权查看完整身份证号码", log="full id not allowed")
    own = bool(person.account_id) and person.account_id == actor.pk
    reason = (reason or "").strip()
    if not own and not reason:
        raise DomainError("请填写查看完整号码的理由（如：核对申报材料）", log="full id without reason")
    if len(reason) > REVEAL_REASON_MAX:
        raise DomainError(f"理由不能超过 {REVEAL_REASON_MAX} 个字", log="full id reason too long")
    record("registry.person.view_full_id", actor=actor, obj=person, reason=reason or "本人查看")
    return {"id_number": person.id_number, "phone": person.phone}


# ---- imports ----

def _import_jurisdiction(actor):
    decision = check(actor, "registry.import")
    if not decision:
        raise NotAllowed(decision.reason, log="import not allowed")
    org = actor.organisation
    if org is None or not org.is_jurisdiction:
        raise NotAllowed("只有行政区划的人社部门经办人可以导入数据", log="importer not at a jurisdiction")
    return org


def start_import(*, kind, data: bytes, file_name: str, actor) -> "ImportBatch":
    """Store the uploaded file (encrypted) and start its dry run as a background task."""
    import hashlib

    from .crypto import encrypt_bytes
    from .imports import MAX_FILE_BYTES, SPECS
    from .models import ImportBatch
    from .tasks import check_import_task

    if kind not in SPECS:
        raise DomainError("未知的导入类型", log=f"unknown import kind {kind!r}")
    jurisdiction = _import_jurisdiction(actor)
    if not file_name.lower().endswith((".xlsx", ".csv")):
        raise DomainError("只支持 .xlsx 或 .csv 文件", log="bad import file type")
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(f"文件过大（上限{MAX_FILE_BYTES // (1024 * 1024)}MB），请拆分后导入",
                          log=f"import file of {len(data)} bytes")
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, file_name=file_name[:200],
                                           file_sha256=hashlib.sha256(data).hexdigest(),
                                           file_encrypted=encrypt_bytes(data), jurisdiction=jurisdiction,
                                           created_by=actor)
        record("registry.import.upload", actor=actor, obj=batch, after=snapshot(batch, ["kind", "file_name", "file_sha256"]))
    transaction.on_commit(lambda: check_import_task.enqueue(batch.pk))
    return batch


def _check_batch(batch, *, on_progress=None):
    from .crypto import decrypt_bytes
    from .imports import SPECS, CellError, CheckResult, RowError, check_against_registry, parse_rows, read_table

    required = [c.header for c in SPECS[batch.kind] if c.required]
    try:
        table = read_table(decrypt_bytes(batch.file_encrypted), batch.file_name, required=required)
    except CellError as e:
        return None, CheckResult(errors=[RowError(1, "", str(e))])
    if on_progress:
        on_progress(0, len(table.rows))
    result = parse_rows(batch.kind, table, on_progress=lambda n: on_progress and on_progress(n, len(table.rows)))
    if not result.errors or result.records:
        check_against_registry(batch.kind, result, jurisdiction=batch.jurisdiction,
                               scope_people=scoped_people(batch.created_by))
    result.errors.sort(key=lambda e: (e.row, e.column))
    return table, result


def run_import_check(batch) -> None:
    """The dry run: every bad row with its row number, column and reason. Writes nothing but the batch."""
    from .models import ImportBatch

    def progress(done, total):
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)

    table, result = _check_batch(batch, on_progress=progress)
    batch.rows_total = len(table.rows) if table else 0
    batch.rows_done = batch.rows_total
    batch.errors = [e.as_dict() for e in result.errors[:5000]]
    batch.warnings = [w.as_dict() for w in result.warnings[:5000]]
    batch.status = ImportBatch.Status.INVALID if result.errors or not batch.rows_total else ImportBatch.Status.CHECKED
    if not batch.rows_total and not result.errors:
        batch.errors = [{"row": 1, "column": "", "reason": "文件中没有数据行"}]
    if batch.status == ImportBatch.Status.INVALID:
        batch.file_encrypted = ""  # a rejected file is not kept: its errors are, and it can never be committed
    batch.save(update_fields=["rows_total", "rows_done", "errors", "warnings", "status", "file_encrypted"])


def commit_import(batch, *, actor):
    """All or nothing: re-check the file against the current registry, then write every row in one
    transaction. Re-importing the same file finds every row unchanged."""
    from django.utils import timezone

    from .imports import apply_records
    from .models import ImportBatch

    _import_jurisdiction(actor)
    if batch.created_by_id != actor.pk and not actor.organisation.contains(batch.jurisdiction):
        raise NotAllowed("只能导入本辖区的批次", log="foreign batch")
    if batch.status != ImportBatch.Status.CHECKED:
        raise DomainError(f"该批次状态为“{batch.get_status_display()}”，不能导入", log="batch not checked")
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.CHECKED:
            raise DomainError("该批次已在导入或已导入", log="batch raced")
        _, result = _check_batch(locked)
        if result.errors:
            raise DomainError(f"数据已变化，重新校验发现{len(result.errors)}处错误，请重新上传", log="recheck failed")
        counts = apply_records(locked.kind, result.records, batch=locked, actor=actor)
        before = snapshot(locked, ["status"])
        locked.status = ImportBatch.Status.COMMITTED
        locked.committed_at = timezone.now()
        locked.rows_created, locked.rows_updated, locked.rows_unchanged = counts.created, counts.updated, counts.unchanged
        locked.file_encrypted = ""
        locked.save()
        record("registry.import.commit", actor=actor, obj=locked, before=before,
               after=snapshot(locked, ["status", "rows_total", "rows_created", "rows_updated", "rows_unchanged"]))
    return locked


def discard_import(batch, *, actor):
    from .models import ImportBatch

    _import_jurisdiction(actor)
    if batch.status in (ImportBatch.Status.COMMITTED, ImportBatch.Status.DISCARDED):
        raise DomainError("该批次已结束", log="batch finished")
    with transaction.atomic():
        before = snapshot(batch, ["status"])
        batch.status = ImportBatch.Status.DISCARDED
        batch.file_encrypted = ""
        batch.save(update_fields=["status", "file_encrypted"])
        record("registry.import.discard", actor=actor, obj=batch, before=before, after=snapshot(batch, ["status"]))


# ---- editing and verifying facts ----

def editable_people(user):
    """People whose facts `user` may edit (registry.edit): bureau officers everyone in their
    jurisdiction (as `people_in_org`); employer officers their own employees, i.e. people with a
    current employment spell at an organisation in their subtree."""
    from gongjiang.core.vocab import Role

    if not check(user, "registry.edit") or not user.organisation_id:
        return Person.objects.none()
    if user.role == Role.BUREAU:
        return people_in_org(user.organisation)
    current = current_employments().filter(person=OuterRef("pk"), employer__path__startswith=user.organisation.path)
    return Person.objects.filter(Exists(current))


def can_edit_person(user, person) -> bool:
    return editable_people(user).filter(pk=person.pk).exists()


def editable_employers(user):
    """Employers whose designations `user` may edit (registry.edit): those in the subtree of the
    user's organisation (a bureau's jurisdiction, an employer officer's own organisation)."""
    from gongjiang.accounts.models import Organisation
    from gongjiang.core.vocab import JURISDICTION_KINDS

    if not check(user, "registry.edit") or not user.organisation_id:
        return Organisation.objects.none()
    return Organisation.objects.filter(path__startswith=user.organisation.path) \
        .exclude(kind__in=list(JURISDICTION_KINDS))


def person_of_fact(fact):
    """The holder of a fact: its person (the master of an apprenticeship, the organisation of an
    employer designation)."""
    if hasattr(fact, "organisation_id"):
        return fact.organisation
    return fact.master if hasattr(fact, "master_id") else fact.person


def _in_scope(actor, holder) -> bool:
    if isinstance(holder, Person):
        return can_edit_person(actor, holder)
    return editable_employers(actor).filter(pk=holder.pk).exists()


def _require_edit(actor, holder):
    decision = check(actor, "registry.edit")
    if not decision:
        raise NotAllowed(decision.reason, log="edit not allowed")
    if not _in_scope(actor, holder):
        raise NotAllowed("该人员或单位不在您的管理范围内", log="holder out of edit scope")


def _fact_source(actor):
    from gongjiang.core.vocab import FactSource, Role

    return FactSource.EMPLOYER if actor.role == Role.EMPLOYER else FactSource.REGISTRY


def save_fact(form, *, actor, reason=""):
    """Create or update the fact of a valid FactForm. An edited fact loses its verification (it has
    to be checked again); the audit entry holds the row before and after."""
    from gongjiang.core.vocab import Verification

    fact = form.instance
    person = person_of_fact(fact)
    _require_edit(actor, person)
    creating = fact.pk is None
    with transaction.atomic():
        before = None if creating else snapshot(type(fact).objects.select_for_update().get(pk=fact.pk))
        fact = form.save(commit=False)
        fact.source = _fact_source(actor)
        fact.verification, fact.verified_by, fact.verified_at = Verification.UNVERIFIED, None, None
        fact.save()
        record("registry.fact.create" if creating else "registry.fact.update", actor=actor, obj=fact,
               before=before, after=snapshot(fact), reason=reason or f"{person.name}：{fact._meta.verbose_name}")
    return fact


def withdraw_fact(fact, *, actor, reason):
    """Remove a fact that should not be in the registry (entered by mistake, no longer true)."""
    person = person_of_fact(fact)
    _require_edit(actor, person)
    if not (reason or "").strip():
        raise DomainError("请填写撤回理由", log="withdraw without reason")
    with transaction.atomic():
        before = snapshot(fact)
        record("registry.fact.withdraw", actor=actor, obj=fact, before=before, reason=reason.strip())
        fact.delete()


def verify_fact(fact, *, actor, decision, reason):
    """Bureau verification: `decision` "verified" or "rejected", with a reason. A rejected fact is
    ignored by every policy clause (gongjiang.policy.facts contract)."""
    from django.utils import timezone

    from gongjiang.core.vocab import Verification

    allowed = check(actor, "registry.verify")
    if not allowed:
        raise NotAllowed(allowed.reason, log="verify not allowed")
    if not _in_scope(actor, person_of_fact(fact)):
        raise NotAllowed("该人员或单位不在您的管理范围内", log="holder out of verify scope")
    if decision not in (Verification.VERIFIED, Verification.REJECTED):
        raise DomainError("核验结论须为“核验通过”或“核验不通过”", log=f"bad decision {decision!r}")
    if not (reason or "").strip():
        raise DomainError("请填写核验理由", log="verify without reason")
    fields = ["verification", "verified_by", "verified_at"]
    with transaction.atomic():
        fact = type(fact).objects.select_for_update().get(pk=fact.pk)
        before = snapshot(fact, fields)
        fact.verification, fact.verified_by, fact.verified_at = decision, actor, timezone.now()
        fact.save(update_fields=fields)
        action = "registry.fact.verify" if decision == Verification.VERIFIED else "registry.fact.reject"
        record(action, actor=actor, obj=fact, before=before, after=snapshot(fact, fields), reason=reason.strip())
    return fact


# ---- invitations ----

def dismiss_invitation(invitation, *, actor, reason=""):
    """The applicant dismisses an invitation to apply: it leaves their home page (audited)."""
    from django.utils import timezone

    if invitation.person.account_id != actor.pk:
        raise NotAllowed("只能忽略本人的申报邀请", log="foreign invitation")
    if invitation.dismissed:
        return invitation
    with transaction.atomic():
        before = snapshot(invitation, ["dismissed"])
        invitation.dismissed, invitation.dismissed_at = True, timezone.now()
        invitation.save(update_fields=["dismissed", "dismissed_at"])
        record("registry.invitation.dismiss", actor=actor, obj=invitation, before=before,
               after=snapshot(invitation, ["dismissed"]), reason=reason or "申请人忽略申报邀请")
    return invitation
