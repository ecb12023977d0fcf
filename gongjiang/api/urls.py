"""The REST API (django-ninja, OpenAPI at /api/docs). Each app that offers endpoints has an
`api.py` with a `router`; they are mounted here under the app's name.

Authentication: an API token (`Authorization: Bearer gj_…`, see gongjiang.api.tokens) for other
systems, or the web session (with CSRF on writes) for pages' scripts and the docs page. Guard an operation with the same
`@requires("capability")` as a page, placed under the router decorator (and under `@paginate`);
the capability is then checked before the request's parameters are parsed, so a role without it
gets 403 whatever it sends, never a validation error that tells it about the endpoint.
"""
import logging
from functools import wraps
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from django.urls import include, path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from gongjiang.accounts.permissions import check
from gongjiang.core.errors import DomainError, as_input_error

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


VALIDATION_ZH = {
    "missing": "必须填写", "int_parsing": "应为整数", "int_from_float": "应为整数", "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false", "date_parsing": "日期格式应为 年-月-日", "date_from_datetime_parsing":
    "日期格式应为 年-月-日", "datetime_parsing": "时间格式不正确", "datetime_from_date_parsing": "时间格式不正确",
    "json_invalid": "不是有效的 JSON", "string_type": "应为文字", "int_type": "应为整数", "list_type": "应为列表",
    "dict_type": "应为对象", "model_attributes_type": "应为对象", "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内", "uuid_parsing": "格式不正确", "string_too_long": "过长",
    "string_too_short": "过短", "too_long": "条目过多", "greater_than_equal": "过小", "greater_than": "过小",
    "less_than_equal": "过大", "less_than": "过大",
}


def _problem_zh(problem_raw, problem) -> str:
    ctx = problem_raw.get("ctx") or {}
    bound = next((ctx[k] for k in ("le", "lt", "ge", "gt", "max_length", "min_length") if k in ctx), None)
    if problem["type"] in ("less_than_equal", "less_than"):
        text = f"不能大于 {bound}"
    elif problem["type"] in ("greater_than_equal", "greater_than"):
        text = f"不能小于 {bound}"
    elif problem["type"] == "string_too_long":
        text = f"不能超过 {bound} 个字"
    else:
        text = VALIDATION_ZH.get(problem["type"], "格式不正确")
    name = ".".join(p for p in problem["loc"][1:] if p) or "请求内容"
    return f"{name}：{text}"


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def input_refused_by_database(request, exc):
    refused = as_input_error(exc)
    logging.getLogger("gongjiang").warning("%s %s: %s", request.method, request.path, refused.log)
    return error(request, refused.status, refused.code, refused.message)


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
    """Bad parameters or body: 422 with a Chinese sentence per problem and the machine-readable list."""
    problems = [{"loc": [str(part) for part in e.get("loc", ())], "type": str(e.get("type", "")),
                 "msg": str(e.get("msg", ""))} for e in exc.errors]
    detail = "；".join(_problem_zh(e, p) for e, p in zip(exc.errors, problems))
    return error(request, 422, "invalid_request", f"请求参数格式有误：{detail}" if detail else
                 "请求参数格式有误，请对照接口文档检查", errors=problems)


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
