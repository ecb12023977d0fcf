"""The permission matrix: every role over every page and API endpoint of the project.

Generic over the URL resolver and the API, so it covers pages other engineers add:

* every URL pattern is either guarded (`@requires("capability")` sets `view.capability`; a
  class-based view may set a `capability` attribute), explicitly public (PUBLIC below, with the
  reason), or login-only (LOGIN_ONLY) — a forgotten guard fails `test_every_page_is_guarded_public_or_login_only`;
* for every guarded page and every role: allowed (200/302; a POST-only view is POSTed an empty
  form and may also answer 400) when the role holds the capability, 403/404 otherwise, never a 500,
  and a denied response is the plain error page with none of the sample's protected data in it;
* anonymous visitors are sent to the login page;
* data scope by current relations: an app's `out_of_scope(ctx)` returns (markers, {page or API key:
  kwargs}) of data no matrix account may reach, such as a former employee; every role gets a denial or
  a body without any of those markers, never a 5xx;
* every API operation in the OpenAPI schema: anonymous → 401, a role without the capability → 403,
  a role with it → not 401/403/404/5xx; an operation without authentication must be listed in
  API_PUBLIC (with the reason).

Apps extend the matrix with `gongjiang/<app>/tests/matrix.py`, which may define:

    PUBLIC = {"notices:public_list": "公示须向社会公开（第X条）"}        # url name -> reason
    LOGIN_ONLY = {"applications:mine": "an applicant's own list; data scope inside"}
    API_LOGIN_ONLY = {"GET /api/applications/mine": "..."}; API_PUBLIC = {"GET /api/notices/": "..."}
    def samples(ctx):          # url name (or "METHOD /api/path/{param}") -> URL kwargs
        app = make_application(person=ctx.person_of(ctx.users["applicant"]), employer=ctx.employer)
        ctx.protect(app.person.name)          # strings that must never appear in a denied body
        return {"applications:detail": {"pk": app.pk}, "GET /api/applications/{app_id}": {"app_id": app.pk}}

`ctx.users[role]` is the account the matrix logs in as for that role. All officers act inside one
subtree (惠州市 › 惠阳区) so that a sample placed under `ctx.employer` or `ctx.district` is in scope
of every officer who holds the capability: bureau, recommender, expert, committee and finance at
惠阳区, the employer officer at `ctx.employer` (an enterprise in 惠阳区), the auditor at 惠州市,
the system administrator at 广东省; the applicant has no organisation. A sample an expert or an
applicant should see must be assigned to / owned by `ctx.users["expert"]` / `ctx.users["applicant"]`.
"""
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from gongjiang.accounts.permissions import CAPABILITIES, check
from gongjiang.core.vocab import Role

# Pages anyone may open, with the reason. Apps add theirs in their matrix.py.
PUBLIC = {
    "web:landing": "the public entry page: links to open calls and public notices",
    "web:login": "the login form",
    "web:logout": "POST only; ends the caller's own session",
    "web:health": "for the load balancer and monitoring; says only whether the database answers",
}
# Pages for any logged-in account; what they show is the user's own (data scope inside).
LOGIN_ONLY = {
    "web:home": "each person's own to-do list and quick links",
    "accounts:password_change": "changing one's own password",
}
# Namespaces walked elsewhere: Django admin has its own guard (sysadmin only, tested in
# gongjiang/web/tests/test_shell.py and below); the API is walked through its OpenAPI schema.
SEPARATELY_WALKED = {"admin", "api"}
# API operations any logged-in account may call, "METHOD /api/path" -> reason.
API_LOGIN_ONLY = {
    "GET /api/accounts/me": "one's own account and capabilities",
}
# API operations without authentication (auth=None), "METHOD /api/path" -> reason. Apps add theirs.
API_PUBLIC = {}
ALLOWED_STATUS = {200, 302}
DENIED_STATUS = {403, 404}


@dataclass
class MatrixContext:
    """What sample builders get: the matrix accounts and the organisations they act for."""

    users: dict
    jurisdictions: dict
    district: object
    city: object
    employer: object
    make_org: object
    make_user: object
    markers: set = field(default_factory=set)

    def protect(self, *strings):
        """Strings (names, numbers, texts of the sample) that a denied response must not contain."""
        self.markers.update(s for s in strings if s)


def _hooks():
    for config in apps.get_app_configs():
        if config.name.startswith("gongjiang.") and find_spec(f"{config.name}.tests") \
                and find_spec(f"{config.name}.tests.matrix"):
            yield import_module(f"{config.name}.tests.matrix")


def _merged(attr, base):
    merged = dict(base)
    for hook in _hooks():
        merged.update(getattr(hook, attr, {}))
    return merged


def _walk(patterns, namespace=""):
    """(namespace prefix like "accounts:", pattern) of every URL pattern."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            yield from _walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern):
            yield namespace, p


def capability_of(callback):
    cap = getattr(callback, "capability", None)
    view_class = getattr(callback, "view_class", None)
    if cap is None and view_class is not None:
        cap = getattr(view_class, "capability", None)
    return cap


def _pages():
    """(url name, pattern) of every page outside the separately walked namespaces."""
    out = []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace.split(":")[0] in SEPARATELY_WALKED:
            continue
        out.append((f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>", pattern))
    return out


def test_every_page_is_guarded_public_or_login_only(db):
    public, login_only = _merged("PUBLIC", PUBLIC), _merged("LOGIN_ONLY", LOGIN_ONLY)
    unguarded = []
    for name, pattern in _pages():
        cap = capability_of(pattern.callback)
        if cap is not None:
            assert cap in CAPABILITIES, f"{name}: unknown capability {cap!r}"
        elif name not in public and name not in login_only:
            unguarded.append(name)
    assert not unguarded, ("pages with neither @requires(capability) nor an entry in PUBLIC/LOGIN_ONLY "
                           f"(tests/test_permission_matrix.py or the app's tests/matrix.py): {unguarded}")
    stale = [n for n in {**public, **login_only} if n not in dict(_pages())]
    assert not stale, f"PUBLIC/LOGIN_ONLY list pages that no longer exist: {stale}"


@pytest.fixture
def matrix(jurisdictions, make_org, make_user):
    district, city = jurisdictions["惠阳区"], jurisdictions["惠州市"]
    employer = make_org(name="矩阵测试精工有限公司", parent=district)
    homes = {Role.APPLICANT: None, Role.EMPLOYER: employer, Role.AUDITOR: city,
             Role.SYSADMIN: jurisdictions["广东省"]}
    # password=None: an unusable password, no argon2 hashing (the matrix logs in with force_login)
    users = {role: make_user(role, homes.get(role, district), username=f"matrix_{role}", password=None,
                             display_name=f"矩阵{role.label}") for role in Role}
    ctx = MatrixContext(users=users, jurisdictions=jurisdictions, district=district, city=city,
                        employer=employer, make_org=make_org, make_user=make_user)
    samples = {}
    for hook in _hooks():
        if hasattr(hook, "samples"):
            samples.update(hook.samples(ctx))
    return ctx, samples


def _denied_body_problems(name, response, markers):
    problems = []
    templates = [t.name for t in getattr(response, "templates", []) or [] if t.name]
    if templates and templates[0] != "web/error.html":
        problems.append(f"{name}: denied response rendered {templates[0]} instead of the error page")
    body = response.content.decode("utf-8", errors="replace")
    leaked = [m for m in markers if m in body]
    if leaked:
        problems.append(f"{name}: denied response contains protected data {leaked}")
    return problems


def _get(client, url):
    """GET the page; a POST-only view (405 without GET in Allow) is POSTed with an empty form instead,
    so its guard is exercised too. (The test client does not enforce CSRF.)"""
    try:
        response = client.get(url)
        if response.status_code == 405 and "GET" not in response.get("Allow", ""):
            response = client.post(url, {})
        return response, None
    except Exception as e:  # a 500 in the view: the test client re-raises it
        return None, f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("role", list(Role))
def test_every_guarded_page_for_role(role, matrix):
    ctx, samples = matrix
    user = ctx.users[role]
    client = Client()
    client.force_login(user)
    problems = []
    for name, pattern in _pages():
        cap = capability_of(pattern.callback)
        if cap is None:
            continue
        kwargs = samples.get(name, {})
        if pattern.pattern.converters and not kwargs:
            problems.append(f"{name}: needs URL kwargs; add a sample in the app's tests/matrix.py")
            continue
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            problems.append(f"{name}: the sample kwargs {kwargs} do not fit the URL pattern")
            continue
        response, error = _get(client, url)
        if error:
            problems.append(f"{name} as {role}: server error {error}")
            continue
        allowed = bool(check(user, cap))
        status = response.status_code
        if allowed:
            if status not in ALLOWED_STATUS and not (response.request["REQUEST_METHOD"] == "POST" and status == 400):
                problems.append(f"{name} as {role} (holds {cap}): expected 200/302, got {status}")
        else:
            if status not in DENIED_STATUS:
                problems.append(f"{name} as {role} (lacks {cap}): expected 403/404, got {status}")
            else:
                problems.extend(_denied_body_problems(f"{name} as {role}", response, ctx.markers))
    assert not problems, "\n".join(problems)


def test_every_guarded_page_sends_anonymous_to_login(matrix):
    _, samples = matrix
    client = Client()
    login = reverse("web:login")
    problems = []
    for name, pattern in _pages():
        if capability_of(pattern.callback) is None or (pattern.pattern.converters and name not in samples):
            continue  # a missing sample is reported by test_every_guarded_page_for_role
        try:
            url = reverse(name, kwargs=samples.get(name, {}))
        except NoReverseMatch:
            continue  # reported by test_every_guarded_page_for_role
        response, error = _get(client, url)
        if error or response.status_code != 302 or not response["Location"].startswith(login):
            problems.append(f"{name}: anonymous got {error or response.status_code}")
    assert not problems, "\n".join(problems)


def test_admin_site_only_for_sysadmin(matrix):
    ctx, _ = matrix
    for role, user in ctx.users.items():
        client = Client()
        client.force_login(user)
        status = client.get("/admin/").status_code
        assert status == (200 if role == Role.SYSADMIN else 302), (role, status)


# ---- API ----

def _api_operations():
    """(key "METHOD /api/path/{param}", method, path template, operation) for every API operation."""
    from gongjiang.api.urls import api

    schema = api.get_openapi_schema()
    by_id = {}
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for op in path_view.operations:
                by_id[api.get_openapi_operation_id(op)] = op
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            op = by_id[spec["operationId"]]
            yield f"{method.upper()} {path}", method, path, op


def test_every_api_operation_is_guarded_or_login_only(db):
    login_only, public = _merged("API_LOGIN_ONLY", API_LOGIN_ONLY), _merged("API_PUBLIC", API_PUBLIC)
    unguarded = [key for key, _, _, op in _api_operations()
                 if capability_of(op.view_func) is None and key not in login_only and key not in public]
    assert not unguarded, f"API operations without @requires(capability) or an API_LOGIN_ONLY entry: {unguarded}"
    open_ops = [key for key, _, _, op in _api_operations() if not op.auth_callbacks and key not in public]
    assert not open_ops, f"API operations without authentication that are not listed in API_PUBLIC: {open_ops}"


def _api_url(path, params):
    for k, v in params.items():
        path = path.replace("{" + k + "}", str(v))
    return path


def _call(client, method, url):
    try:
        if method == "get":
            return client.get(url), None
        return client.generic(method.upper(), url, "{}", content_type="application/json"), None
    except Exception as e:
        return None, f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("role", [None, *Role])
def test_every_api_operation_for_role(role, matrix):
    ctx, samples = matrix
    client = Client()
    user = ctx.users[role] if role else None
    if user:
        client.force_login(user)
    public = _merged("API_PUBLIC", API_PUBLIC)
    problems = []
    for key, method, path, op in _api_operations():
        if "{" in path and key not in samples:
            problems.append(f"{key}: needs path parameters; add a sample in the app's tests/matrix.py")
            continue
        response, error = _call(client, method, _api_url(path, samples.get(key, {})))
        if error:
            problems.append(f"{key} as {role}: server error {error}")
            continue
        status = response.status_code
        cap = capability_of(op.view_func)
        if key in public:
            ok = status < 500 and status not in {401, 403}
        elif user is None:
            ok = status == 401
        elif cap is None or check(user, cap):
            ok = status < 500 and status not in {401, 403, 404}
        else:
            ok = status in DENIED_STATUS
            if ok:
                leaked = [m for m in ctx.markers if m in response.content.decode("utf-8", errors="replace")]
                if leaked:
                    problems.append(f"{key} as {role}: denied response contains {leaked}")
        if not ok:
            problems.append(f"{key} as {role} (capability {cap}): unexpected {status}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", list(Role))
def test_out_of_scope_data_never_shown_to_role(role, matrix):
    """Scope follows current relations only: e.g. a person whose employment in the district ended years
    ago is seen, revealed and edited by nobody there (each app's `out_of_scope` in its tests/matrix.py)."""
    ctx, _ = matrix
    client = Client()
    client.force_login(ctx.users[role])
    operations = {key: method for key, method, _, _ in _api_operations()}
    pages = dict(_pages())
    problems, checked = [], 0
    for hook in _hooks():
        if not hasattr(hook, "out_of_scope"):
            continue
        markers, targets = hook.out_of_scope(ctx)
        for name, kwargs in targets.items():
            if name in operations:
                response, error = _call(client, operations[name], _api_url(name.split(" ", 1)[1], kwargs))
            else:
                assert name in pages, f"out_of_scope names an unknown page {name}"
                response, error = _get(client, reverse(name, kwargs=kwargs))
            checked += 1
            if error or response.status_code >= 500:
                problems.append(f"{name} as {role}: server error {error or response.status_code}")
                continue
            body = response.content
            if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
                body = _xlsx_text(body)
            leaked = [m for m in markers if m.encode("utf-8") in body]
            if leaked:
                problems.append(f"{name} as {role}: out-of-scope data shown {leaked} (status {response.status_code})")
    assert checked, "no app declares out_of_scope samples"
    assert not problems, "\n".join(problems)


def _xlsx_text(content: bytes) -> bytes:
    import io

    from openpyxl import load_workbook

    rows = load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    return "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows).encode("utf-8")
