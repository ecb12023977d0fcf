"""Organisation and account actions. Each state change writes its audit entry in the same transaction.

Entries are filed under the organisation changed (or the account's organisation), so an auditor of
that subtree sees changes made to it by administrators above it."""
import datetime as dt

from django.db import transaction

from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError

from .models import Organisation, User



@transaction.atomic
def create_organisation(*, name, kind, parent=None, actor=None, reason="", **fields):
    org = Organisation(name=name, kind=kind, parent=parent, **fields)
    org.full_clean()
    org.save()
    record("org.create", actor=actor, obj=org, organisation=org, after=snapshot(org), reason=reason)
    return org


def ensure_organisation(*, name, kind, parent=None, actor=None, **fields):
    """Get or create by (parent, name): for idempotent seeding and imports."""
    existing = Organisation.objects.filter(parent=parent, name=name).first()
    if existing:
        return existing, False
    return create_organisation(name=name, kind=kind, parent=parent, actor=actor,
                               reason="初始化行政区划", **fields), True


def seed_jurisdictions(*, full: bool = False) -> int:
    """Load the jurisdiction tree (gongjiang.core.places): by default the places the policies name
    (the `seed` subtrees of accounts/data/jurisdictions.yaml), with `full` all of China's
    provinces, prefectures, counties and development zones. Idempotent (matched on parent and
    name) and bulk: one query per tree level, one audit entry for the whole load. Returns how many
    places were created."""
    from gongjiang.core.places import china_tree, seed_tree

    tree = china_tree() if full else seed_tree()
    created = 0
    with transaction.atomic():
        level = [(None, node) for node in tree]
        while level:
            parent_ids = {p.pk for p, _ in level if p}
            query = Organisation.objects.filter(parent_id__in=parent_ids) if parent_ids else \
                Organisation.objects.filter(parent__isnull=True)
            existing = {(o.parent_id, o.name): o for o in query}
            new = [Organisation(name=n["name"], kind=n["kind"], parent=p, region_code=n.get("region_code", ""),
                                depth=p.depth + 1 if p else 0)
                   for p, n in level if (p.pk if p else None, n["name"]) not in existing]
            if new:
                Organisation.objects.bulk_create(new)
                for org in new:
                    org.path = (org.parent.path if org.parent else "/") + f"{org.pk}/"
                Organisation.objects.bulk_update(new, ["path"])
                for org in new:
                    existing[(org.parent_id, org.name)] = org
                created += len(new)
            level = [(existing[(p.pk if p else None, n["name"])], child)
                     for p, n in level for child in n.get("children") or []]
        if created:
            record("org.seed", after={"created": created, "full": full}, reason="初始化行政区划",
                   object_type="accounts.organisation", object_repr=f"行政区划 {created} 个")
    return created


@transaction.atomic
def create_user(*, username, role, organisation=None, display_name="", password=None, email="",
                actor=None, reason="", password_change_required=False):
    """Create an account. `password_change_required` makes the person set their own password at
    first login (for passwords an administrator chose or generated)."""
    user = User(username=username, role=role, organisation=organisation,
                display_name=display_name, email=email, password_change_required=password_change_required)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = role == "sysadmin"
    user.is_superuser = role == "sysadmin"
    user.full_clean(exclude=["password"])
    user.save()
    record("user.create", actor=actor, obj=user, organisation=user.organisation,
           after={"username": username, "role": role, "organisation": organisation.name if organisation else None},
           reason=reason)
    return user


def jurisdiction_by_name(name: str) -> Organisation:
    return Organisation.objects.get(name=name, kind__in=["province", "city", "district", "devzone"])


ORG_EDITABLE_FIELDS = ["name", "kind", "parent", "region_code", "uscc", "is_large_enterprise", "is_active"]


@transaction.atomic
def update_organisation(org, *, actor, reason="", **changes):
    """Edit an organisation. Moving it under a new parent rewrites the paths of its whole subtree."""
    unknown = set(changes) - set(ORG_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    before = snapshot(org)
    old_path = org.path
    new_parent = changes.get("parent", org.parent)
    if new_parent is not None and new_parent.path.startswith(old_path):
        raise DomainError("不能把组织移到它自己或其下级组织之下", log="organisation moved under its own subtree")
    for field, value in changes.items():
        setattr(org, field, value)
    if org.uscc == "":
        org.uscc = None
    org.full_clean()
    org.save()
    org.refresh_from_db()
    if org.path != old_path:
        _rewrite_subtree_paths(old_path, org.path, org.depth)
    after = snapshot(org)
    if before != after:
        record("org.update", actor=actor, obj=org, organisation=org, before=before, after=after, reason=reason)
    return org


def _rewrite_subtree_paths(old_prefix, new_prefix, new_root_depth):
    depth_shift = new_root_depth - (old_prefix.count("/") - 2)
    descendants = Organisation.objects.filter(path__startswith=old_prefix).exclude(path=old_prefix)
    for child in descendants.select_for_update():
        Organisation.objects.filter(pk=child.pk).update(
            path=new_prefix + child.path[len(old_prefix):], depth=child.depth + depth_shift)


USER_AUDIT_FIELDS = ["username", "role", "organisation", "display_name", "email", "is_active"]


def _user_state(user):
    return snapshot(user, fields=USER_AUDIT_FIELDS)


@transaction.atomic
def update_user(user, *, actor, reason="", **changes):
    allowed = {"role", "organisation", "display_name", "email"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if actor is not None and actor.pk == user.pk and changes.get("role", user.role) != user.role:
        raise DomainError("不能修改自己的角色，请由另一位系统管理员操作", log="self role change refused")
    before = _user_state(user)
    for field, value in changes.items():
        setattr(user, field, value)
    user.is_staff = user.is_superuser = user.role == "sysadmin"
    user.full_clean(exclude=["password"])
    user.save()
    after = _user_state(user)
    if before != after:
        record("user.update", actor=actor, obj=user, organisation=user.organisation, before=before, after=after,
               reason=reason)
    return user


@transaction.atomic
def set_user_active(user, *, active, actor, reason=""):
    """Deactivate (or reactivate) an account. A deactivated account cannot log in, and its open
    sessions stop working (the authentication backend refuses inactive users)."""
    if not reason.strip():
        raise DomainError("停用或启用账号须填写理由", log="activation change without reason")
    if actor is not None and actor.pk == user.pk and not active:
        raise DomainError("不能停用自己的账号", log="self-deactivation refused")
    if user.is_active == active:
        return user
    before = _user_state(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    record("user.activate" if active else "user.deactivate", actor=actor, obj=user, organisation=user.organisation,
           before=before,
           after=_user_state(user), reason=reason)
    return user


def generate_password(length=14):
    """A random temporary password that passes the validators (letters and digits, no look-alikes)."""
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


@transaction.atomic
def reset_password(user, *, actor, reason="", password=None):
    """Set a new password chosen by an administrator (or a random one, returned once).
    Open sessions stop working (the session hash covers the password); the password itself never
    reaches the audit log."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    password = password or generate_password()
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise DomainError("；".join(e.messages), log="reset password rejected by validators") from None
    user.set_password(password)
    user.password_change_required = True
    user.save(update_fields=["password", "password_change_required"])
    unlock_user(user, actor=actor, reason="重置密码时一并解锁", quiet=True)
    record("user.reset_password", actor=actor, obj=user, organisation=user.organisation,
           after={"password_changed": True}, reason=reason)
    return password


@transaction.atomic
def change_own_password(user, *, new_password):
    """A user changes their own password (the form has validated both)."""
    user.set_password(new_password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    record("user.change_password", actor=user, obj=user, after={"password_changed": True}, reason="本人修改密码")
    return user


def lockouts(usernames=None):
    """Login-failure records of these usernames (all when None), from django-axes, newest first."""
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.order_by("-attempt_time")
    return qs if usernames is None else qs.filter(username__in=list(usernames))


def locked_usernames(usernames=None) -> set:
    """Which of these usernames (all when None) are locked out now: failures at the limit, not yet cooled off."""
    from django.conf import settings
    from django.utils import timezone

    cutoff = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return set(lockouts(usernames).filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                          attempt_time__gte=cutoff).values_list("username", flat=True))


def is_locked(user) -> bool:
    return user.username in locked_usernames([user.username])


@transaction.atomic
def unlock_user(user, *, actor, reason="", quiet=False):
    """Clear django-axes failure records of a username, lifting a lockout. Returns how many were cleared."""
    from axes.utils import reset

    cleared = reset(username=user.username)
    if cleared and not quiet:
        record("user.unlock", actor=actor, obj=user, organisation=user.organisation,
               after={"cleared_attempts": cleared}, reason=reason)
    return cleared
