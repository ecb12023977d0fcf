"""Structured logs: every response carries a request id (nginx's, when it sends a valid one), and
the JSON log line of the request has it with method, path, status and duration."""
import io
import json
import logging

from gongjiang.ops.logs import JsonFormatter, RequestIdFilter


def _capture():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("gongjiang.request")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    return stream, lambda: (logger.removeHandler(handler), logger.setLevel(old))


def test_request_id_from_nginx_is_kept_and_logged_as_json(client, db):
    stream, done = _capture()
    try:
        resp = client.get("/healthz", HTTP_X_REQUEST_ID="a1b2c3d4e5f6a7b8")
    finally:
        done()
    assert resp["X-Request-ID"] == "a1b2c3d4e5f6a7b8"
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "a1b2c3d4e5f6a7b8" and line["method"] == "GET" and line["path"] == "/healthz"
    assert line["status"] == 200 and line["duration_ms"] >= 0 and line["user_id"] is None and line["level"] == "INFO"


def test_missing_or_malformed_request_id_is_replaced(client, db):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert forged != "bad id\nwith newline" and len(forged) == 32
