"""Caches of what many people open at once (bench/web.py measures them).

They live in each server process's own memory (the `pages` cache alias, LocMemCache), are never
shared between app servers and need not be: every entry is keyed by

- the audit log's head (`data_version`, one primary-key read per request): every state change the
  services make, on any server, appends an audit entry, so an entry is never used after a change
  anywhere;
- this process's `generation()`, which moves whenever a model of a data app is saved or deleted
  here (post_save / post_delete / m2m_changed), audited or not;
- today's date, for what a page says by the date (公示中, 已过期).

and kept at most a number of seconds, so that a change written outside the services (a database
console, a bulk `.update()` without its audit entry) shows within that time:

- `public_page`: the public pages (notice list, calls, certificate verification) rendered for
  visitors without a session, at most PUBLIC_PAGE_CACHE_SECONDS (60 s). Nothing personal is in
  them: only cookie-less GET requests are served from or stored in the cache, such a page carries
  no CSRF token (base.html leaves it out when `request.shared_page` is set; the cached pages post
  nothing), and a response that sets a cookie or used a CSRF token anyway is never stored.
- `per_user`: a leader's dashboard figures, keyed by the user as well (one person's data scope never
  serves another's), at most DASHBOARD_CACHE_SECONDS (60 s).
"""
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

# Apps whose rows never appear in cached pages or figures: a login, a session refresh or an audit
# entry must not retire the caches.
IGNORED_APPS = frozenset({"sessions", "admin", "contenttypes", "axes", "django_tasks_database", "audit"})

_state = {"generation": 0}


def generation() -> int:
    return _state["generation"]


def bump(sender=None, **kwargs):
    if sender is None or sender._meta.app_label not in IGNORED_APPS:
        _state["generation"] += 1


def connect():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(bump, dispatch_uid=f"gongjiang-cache-generation-{signal!r}")


def _pages():
    return caches["pages"]


def public_page(view):
    """Serve a public page from the per-process cache to visitors who send no cookies (see above)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not seconds or request.method != "GET" or request.COOKIES:
            return view(request, *args, **kwargs)
        key = (f"public:{data_version()}:{generation()}:{timezone.localdate()}:"
               f"{request.headers.get('HX-Request', '')}:{request.get_full_path()}")
        hit = _pages().get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        request.shared_page = True
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if (response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False)
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
            _pages().set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapped


def data_version() -> int:
    """The id of the newest audit entry: moves with every audited change, on whichever server."""
    from gongjiang.audit.models import AuditHead

    return AuditHead.objects.filter(id=1).values_list("last_id", flat=True).first() or 0


def per_user(user, name: str, args: tuple, compute, seconds: int | None = None):
    """compute(), or its value for this user and these arguments computed since the last audited
    change and within the last `seconds`."""
    seconds = settings.DASHBOARD_CACHE_SECONDS if seconds is None else seconds
    if not seconds:
        return compute()
    key = f"user:{data_version()}:{generation()}:{timezone.localdate()}:{user.pk}:{name}:{args!r}"
    value = _pages().get(key)
    if value is None:
        value = compute()
        _pages().set(key, value, seconds)
    return value


def clear():
    """Forget every cached page and figure of this process (tests start from nothing)."""
    bump()
    _pages().clear()
