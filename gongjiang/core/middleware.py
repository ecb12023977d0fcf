import logging
import time

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render

from .errors import DomainError, as_input_error

log = logging.getLogger("gongjiang")


class SessionRefreshMiddleware:
    """Moves a signed-in session's stored expiry on at most once per SESSION_REFRESH_SECONDS instead
    of writing the session row on every request (SESSION_SAVE_EVERY_REQUEST): the inactivity limit
    (SESSION_COOKIE_AGE) holds to within that minute, always on the early side."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # marks it modified: SessionMiddleware saves it with a new expiry
        return response


class DomainErrorMiddleware:
    """A DomainError that escapes a view becomes a Chinese error page, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.path.startswith("/api/"):
            # Django's bare 405 (require_POST, logout by GET): the same Chinese error page as the others.
            allow = response.get("Allow", "")
            response = render(request, "web/error.html", {"title": "请求方式不正确",
                                                          "message": "此页面不能这样打开，请从页面上的按钮操作"},
                              status=405)
            response["Allow"] = allow
        elif response.status_code == 404 and settings.DEBUG and request.resolver_match is None \
                and not request.path.startswith(("/api/", "/static/")):
            # An unknown address under DEBUG (`make run`): the Chinese page, not Django's technical one.
            from gongjiang.web.views import error_404

            response = error_404(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and settings.DEBUG and not request.path.startswith("/api/"):
            from gongjiang.web.views import error_404

            return error_404(request, exception)
        exception = as_input_error(exception) or exception
        if isinstance(exception, DomainError):
            log.warning("%s %s: %s", request.method, request.path, exception.log)
            return render(request, "web/error.html", {"message": exception.message}, status=exception.status)
        return None


class PrivacyHeadersMiddleware:
    """Headers Django and django-csp do not set: pages seen by a logged-in person are never stored
    by browsers or proxies (they show personal data), and powerful browser features are off."""

    PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/") \
                and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store, private"
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        return response


NUL_MESSAGE = "输入中含有不允许的控制字符（NUL），请删除后重试"


def has_nul(request) -> bool:
    """A NUL character in the query string, a form field (not a file's content) or a JSON body: no text
    field may hold one, and PostgreSQL refuses them."""
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return True
    if request.content_type == "application/json":
        return b"\x00" in request.body or b"\\u0000" in request.body
    return False


class NulInputMiddleware:
    """Refuse input with NUL characters up front with a 400 and a Chinese message (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            log.warning("%s %s: NUL character in input", request.method, request.path)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE, "code": "invalid"}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
            return render(request, "web/error.html", {"message": NUL_MESSAGE}, status=400)
        return self.get_response(request)
