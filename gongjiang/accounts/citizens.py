"""Accounts for citizens (申报人): self sign-up with real name and resident ID number, and the password
reset a bureau officer does at the counter for someone without e-mail.

A citizen's login name is their resident ID number (18 characters, X upper-case). Sign-up never says
whether an account already exists for a number (no account enumeration): when one does, nothing is
created and the page says the same as after a successful sign-up, pointing to 找回密码.
"""
import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gongjiang.audit.services import record
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.idnumbers import IdNumberError, parse_resident_id
from gongjiang.core.vocab import Role

from .models import User

PHONE = re.compile(r"1[3-9]\d{9}")


def normalise_id_number(value: str) -> str:
    try:
        return parse_resident_id(value).number
    except IdNumberError as e:
        raise DomainError(e.message, log="sign-up: invalid resident ID", code="id_number") from None


def sign_up(*, name: str, id_number: str, phone: str = "", email: str = "", password: str) -> User | None:
    """Open an applicant account; returns None (and changes nothing) when the number already has one.

    Where the registry knows the person (人才库), the name must be the one registered and the account is
    linked to that person, so their recorded facts and invitations appear on their home page."""
    from gongjiang.registry.services import find_person_by_id_number

    name, phone, email = (name or "").strip(), (phone or "").strip(), (email or "").strip().lower()
    if not name:
        raise DomainError("请填写真实姓名", log="sign-up: empty name", code="name")
    number = normalise_id_number(id_number)
    if not phone and not email:
        raise DomainError("请至少填写手机号码或电子邮箱中的一项，以便找回密码和接收通知", log="sign-up: no contact",
                          code="phone")
    if phone and not PHONE.fullmatch(phone):
        raise DomainError("手机号码应为11位数字，以1开头", log="sign-up: bad phone", code="phone")
    try:
        validate_password(password, User(username=number, display_name=name, email=email))
    except ValidationError as e:
        raise DomainError("；".join(e.messages), log="sign-up: weak password", code="password1") from None
    person = find_person_by_id_number(number)
    if person is not None and person.name != name:
        raise DomainError("姓名与人才库登记的身份证号码信息不一致，请核对；如有疑问请联系当地人社部门",
                          log="sign-up: name differs from the registry", code="name")
    if User.objects.filter(username=number).exists() or (person is not None and person.account_id):
        return None
    try:
        with transaction.atomic():
            user = User(username=number, role=Role.APPLICANT, display_name=name, email=email)
            user.set_password(password)
            user.save()
            if person is not None:
                person.account = user
                person.save(update_fields=["account"])
            record("user.signup", actor=user, obj=user,
                   after={"role": Role.APPLICANT, "email_given": bool(email), "phone_given": bool(phone),
                          "registry_person": person.pk if person else None},
                   reason="申报人自助注册")
    except IntegrityError:  # the same number signed up at the same moment
        return None
    return user


def applicant_by_id_number(id_number: str) -> User:
    number = normalise_id_number(id_number)
    user = User.objects.filter(username=number, role=Role.APPLICANT).first()
    if user is None:
        raise DomainError("没有以该身份证号码注册的申报人账号", log="assisted reset: no applicant account", code="id_number")
    return user


def assisted_reset(*, id_number: str, actor, reason: str) -> tuple[User, str]:
    """A bureau officer resets an applicant's password after checking their ID card in person: a temporary
    password, shown once, that must be changed at the next login. Audited with the officer's reason."""
    from .permissions import check
    from .services import reset_password

    decision = check(actor, "account.assist_reset")
    if not decision:
        raise NotAllowed(decision.reason)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写核验情况（如：本人持身份证到窗口办理）", log="assisted reset: no reason", code="reason")
    user = applicant_by_id_number(id_number)
    with transaction.atomic():
        password = reset_password(user, actor=actor, reason=f"窗口协助重置：{reason}")
    return user, password
