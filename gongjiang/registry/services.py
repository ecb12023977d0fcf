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


def scoped_people(user):
    """People an officer may see: registered in their subtree, or employed by an organisation in it.
    Applicants see only themselves."""
    if user.role in ORG_SCOPED_ROLES and user.organisation_id:
        path = user.organisation.path
        employed = Employment.objects.filter(person=OuterRef("pk"), employer__path__startswith=path)
        return Person.objects.filter(Q(jurisdiction__path__startswith=path) | Exists(employed))
    if getattr(user, "is_authenticated", False):
        return Person.objects.filter(account=user)
    return Person.objects.none()


def can_see_full_numbers(user, person) -> bool:
    """The owner, and officers holding registry.full_id whose scope includes the person."""
    if person.account_id and person.account_id == user.pk:
        return True
    return bool(check(user, "registry.full_id")) and scoped_people(user).filter(pk=person.pk).exists()


def reveal_numbers(person, *, actor, reason="查看完整号码") -> dict:
    """The full ID and phone numbers, for the owner or an authorised officer; every view is audited
    (the entry names the person, never the number)."""
    if not can_see_full_numbers(actor, person):
        raise NotAllowed("您无权查看完整身份证号码", log="full id not allowed")
    record("registry.person.view_full_id", actor=actor, obj=person, reason=reason)
    return {"id_number": person.id_number, "phone": person.phone}
