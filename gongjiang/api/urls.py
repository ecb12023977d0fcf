"""The REST API (django-ninja, OpenAPI at /api/docs). Each app that offers endpoints has an
`api.py` with a `router`; they are mounted here under the app's name.

Authentication is the web session (with CSRF on writes). Guard an operation with the same
`@requires("capability")` as a page, placed under the router decorator (and under `@paginate`);
the capability is then checked before the request's parameters are parsed, so a role without it
gets 403 whatever it sends, never a validation error that tells it about the endpoint.
"""
from functools import wraps
from importlib import import_module
from importlib.util import find_spec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from gongjiang.accounts.permissions import check
from gongjiang.core.errors import DomainError

API_APPS = ["accounts", "audit", "registry", "policy", "workdays", "rounds", "applications", "review", "notices"]

api = NinjaAPI(title="工匠平台 API", version="1", auth=django_auth, urls_namespace="api",
               description="会话认证（先在网页登录），写操作须带 X-CSRFToken 头。权限与数据范围与网页一致。",
               docs_decorator=login_required)


@api.exception_handler(DomainError)
def domain_error(request, exc):
    return api.create_response(request, {"detail": exc.message, "code": exc.code}, status=exc.status)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权访问", "code": "forbidden"}, status=403)


def _capability_first(run):
    """Ninja "view" decorator: refuse a logged-in user without the operation's capability before
    ninja validates the input. Anonymous requests fall through to the session auth (401)."""
    operation = getattr(run, "__self__", None)
    capability = getattr(getattr(operation, "view_func", None), "capability", None)
    if capability is None:
        return run

    @wraps(run)
    def guarded(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            decision = check(user, capability)
            if not decision:
                return api.create_response(request, {"detail": decision.reason, "code": "forbidden"}, status=403)
        return run(request, *args, **kwargs)

    return guarded


api.add_decorator(_capability_first, mode="view")

for _app in API_APPS:
    if find_spec(f"gongjiang.{_app}.api"):
        api.add_router(f"/{_app}/", import_module(f"gongjiang.{_app}.api").router)

urlpatterns = [path("", api.urls)]
