"""Caches of what many people open at once (bench/web.py measures them).

They live in each server process's own memory (the `pages` cache alias, LocMemCache), are never
shared between app servers and need not be: every entry is keyed by

- the audit log's head (`data_version`, one primary-key read per request): every state change the
  services make, on any server, appends an audit entry, so an entry is never used after a change
  anywhere;
- this process's `generation()`, which moves whenever a model of a data app is saved here
  (post_save / m2m_changed), audited or not. Deletes are not listened to: a post_delete receiver
  for every model would turn off Django's fast delete everywhere (deleting a screening run of
  200,000 results loaded every row); the services audit their deletes, which moves the audit head;
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
- `private_page`: the pages a signed-in person opens again and again (home, round board,
  dashboards), rendered for that session, at most PRIVATE_PAGE_CACHE_SECONDS (60 s). Keyed by the
  session and its CSRF cookie as well (the page's forms carry that session's token), and by the
  session's own page version, which moves with every request of the session that may write
  (any method but GET and HEAD) and wherever a GET writes for its reader (`personal_change`: opening
  messages marks them read), so a person's own change shows on their next page whichever server
  serves it. A request with a flash message to show is never served from or stored in the cache.
"""
import hashlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db.models.signals import m2m_changed, post_save
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
    for signal in (post_save, m2m_changed):
        signal.connect(bump, dispatch_uid=f"gongjiang-cache-generation-{signal!r}")


def _pages():
    return caches["pages"]


def _rendered(view, request, *args, **kwargs):
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response


def _storable(response) -> bool:
    """A whole, successful page that sets no cookie of its own."""
    return response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False)


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
        response = _rendered(view, request, *args, **kwargs)
        if _storable(response) and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            _pages().set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapped


PAGE_VERSION = "_page_version"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def personal_change(request) -> None:
    """What this session sees has changed (e.g. messages marked read): its cached pages are retired."""
    session = getattr(request, "session", None)
    if session is not None and not session.is_empty():
        session[PAGE_VERSION] = session.get(PAGE_VERSION, 0) + 1


class PersonalChangeMiddleware:
    """Every request of a session that may write retires that session's cached pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in UNSAFE_METHODS:
            personal_change(request)
        return self.get_response(request)


def _session_part(request) -> str | None:
    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return None
    secret = f"{session.session_key}:{request.COOKIES.get(settings.CSRF_COOKIE_NAME, '')}"
    return f"{hashlib.sha256(secret.encode()).hexdigest()[:32]}:{session.get(PAGE_VERSION, 0)}"


def private_page(view):
    """Serve a signed-in person's page from the per-process cache of their session (see above).
    Put it under the view's permission decorator, so the permission is checked on every request."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.PRIVATE_PAGE_CACHE_SECONDS
        session = _session_part(request) if request.user.is_authenticated else None
        if not seconds or request.method != "GET" or session is None or len(messages.get_messages(request)):
            return view(request, *args, **kwargs)
        version = getattr(request.session, "data_version", None)  # read with the session (core.sessions)
        key = (f"private:{data_version() if version is None else version}:{generation()}:{timezone.localdate()}:{request.user.pk}:{session}:"
               f"{request.headers.get('HX-Request', '')}:{request.get_full_path()}")
        hit = _pages().get(key)
        if hit is not None:
            content, headers = hit
            return HttpResponse(content, headers=headers)
        response = _rendered(view, request, *args, **kwargs)
        # The forms' CSRF token stays valid for the cached copy only if it was made from the secret the
        # browser already holds (a new secret goes out in this response's cookie alone).
        csrf_kept = request.META.get("CSRF_COOKIE", "") in ("", request.COOKIES.get(settings.CSRF_COOKIE_NAME))
        if _storable(response) and csrf_kept and not len(messages.get_messages(request)):
            _pages().set(key, (response.content, dict(response.headers)), seconds)
        return response

    return wrapped


def data_version() -> int:
    """The id of the newest audit entry: moves with every audited change, on whichever server."""
    from django.db import connection

    from gongjiang.audit.models import AuditHead

    # Plain SQL: read on every cached page, where the ORM's query building cost more than the read.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_id FROM {connection.ops.quote_name(AuditHead._meta.db_table)} WHERE id = 1")
        row = cursor.fetchone()
    return (row[0] if row else 0) or 0


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
