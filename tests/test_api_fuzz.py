"""Schemathesis over the whole OpenAPI document, for every role and for an anonymous visitor: generated
parameters and bodies (huge integers, NUL and other odd characters, missing fields) must never give a
server error, and every documented response must match its schema. A few examples per operation and
role keep it to a couple of minutes per database; the matrix accounts act inside 惠阳区 as in
tests/test_permission_matrix.py, with one sample of each app so that ids in paths sometimes exist."""
import pytest
import schemathesis
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gongjiang.core.vocab import Role
from tests.test_permission_matrix import matrix  # noqa: F401  (the fixture: matrix accounts and samples)

EXAMPLES_PER_OPERATION = 4
CSRF_TOKEN = "schemathesisCsrfToken0123456789A"  # 32 characters: accepted as the unmasked secret


def _session_cookies(user):
    if user is None:
        return {"csrftoken": CSRF_TOKEN}
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session["_auth_user_backend"] = "gongjiang.accounts.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return {"sessionid": session.session_key, "csrftoken": CSRF_TOKEN}


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: a request through the WSGI handler must not close the test's
    database connection (its transaction holds the fixtures)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", [None, *Role])
def test_api_fuzz_no_server_error_and_schema_conformance(role, matrix, keep_test_connection):
    from gongjiang.api.urls import api

    ctx, _ = matrix
    user = ctx.users[role] if role else None
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = WSGIHandler()
    cookies, headers = _session_cookies(user), {"X-CSRFToken": CSRF_TOKEN}
    failures, statuses = [], {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(cookies=cookies, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                                   headers=headers)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path} as {role}: {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)
    assert sum(statuses.values()) >= 2 * len(operations), statuses
    assert any(200 <= status < 300 for status in statuses), statuses  # logged in and reaching handlers
    if user is None:
        assert 401 in statuses
