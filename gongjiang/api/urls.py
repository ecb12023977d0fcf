"""The REST API (django-ninja, OpenAPI at /api/docs). Each app that offers endpoints has an
`api.py` with a `router`; they are mounted here under the app's name.

Authentication: an API token (`Authorization: Bearer gj_…`, see gongjiang.api.tokens) for other
systems, or the web session (with CSRF on writes) for pages' scripts and the docs page. Guard an operation with the same
`@requires("capability")` as a page, placed under the router decorator (and under `@paginate`);
the capability is then checked before the request's parameters are parsed, so a role without it
gets 403 whatever it sends, never a validation error that tells it about the endpoint.
"""
from functools import wraps
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import include, path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from gongjiang.accounts.permissions import check
from gongjiang.core.errors import DomainError

from .tokens import TokenAuth, bearer_key, request_user_for_key

API_APPS = ["accounts", "audit", "registry", "policy", "workdays", "rounds", "applications", "review", "notices",
            "honours", "payments"]

api = NinjaAPI(title="工匠平台 API", version="1", auth=[TokenAuth(), django_auth], urls_namespace="api",
               description="其他系统使用接口令牌：请求头 `Authorization: Bearer <令牌>`（系统管理员在“接口令牌”页面创建，"
                           "令牌绑定角色和组织，可随时吊销）。网页脚本使用登录会话，写操作须带 X-CSRFToken 头。"
                           "权限与数据范围与网页一致。错误响应均为 {\"code\": 错误代码, \"detail\": 中文说明}。",
               docs_decorator=login_required)


def error(request, status: int, code: str, detail: str, **extra):
    """The one shape of every API error: a stable English `code` and a Chinese `detail`."""
    return api.create_response(request, {"code": code, "detail": detail, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc):
    return error(request, exc.status, exc.code, exc.message)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return error(request, 403, "forbidden", str(exc) or "无权访问")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", "未登录或接口令牌无效、已过期、已吊销")


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, "not_found", "请求的资源不存在或不在您的数据范围内")


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return error(request, 422, "invalid_request", "请求参数格式有误，请对照接口文档检查", errors=exc.errors)


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
        if (user is None or not user.is_authenticated) and bearer_key(request):
            user = request_user_for_key(request, bearer_key(request))
        if user is not None and user.is_authenticated:
            decision = check(user, capability)
            if not decision:
                return error(request, 403, "forbidden", decision.reason)
        return run(request, *args, **kwargs)

    return guarded


api.add_decorator(_capability_first, mode="view")

for _app in API_APPS:
    if find_spec(f"gongjiang.{_app}") and find_spec(f"gongjiang.{_app}.api"):
        api.add_router(f"/{_app}/", import_module(f"gongjiang.{_app}.api").router)

if apps.is_installed("gongjiang.honours"):
    api.add_router("/holders/", import_module("gongjiang.api.holders").router)

urlpatterns = [path("tokens/", include("gongjiang.api.token_urls")), path("", api.urls)]
