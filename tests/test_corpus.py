"""The hostile-input corpus (tests/corpus) through every entry point (issue 14 item 6).

Generic over the URL resolver, like the permission matrix: every page a role can open is fetched, and
every form on it is sent back with each corpus string in all of its fields (filters by GET, actions by
POST: once with hidden fields kept, so the action is reached, once with them replaced too), and every
file field receives each corpus upload. Nothing may answer with a server error; the page a new engineer
adds is covered without writing anything here. Logging out is skipped so that the session lasts."""
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from gongjiang.accounts.permissions import check
from gongjiang.core.vocab import Role
from tests.corpus import STRINGS, UPLOADS
from tests.test_permission_matrix import _pages, capability_of, matrix  # noqa: F401  (matrix: the fixture)

SKIPPED_ACTIONS = ("/logout",)
TEXT_TYPES = {"text", "search", "number", "date", "email", "tel", "url", "password", "month", "datetime-local", ""}


class _Forms(HTMLParser):
    """The forms of a page: method, action, fields (name -> (type, value)), submit buttons, file fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                             "fields": {}, "buttons": [], "files": []}
            self.forms.append(self._current)
            return
        form = self._current
        if form is None or not a.get("name"):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                form["files"].append(a["name"])
            elif kind == "submit":
                form["buttons"].append((a["name"], a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                form["fields"].setdefault(a["name"], ("check", a.get("value", "on")))
            else:
                form["fields"][a["name"]] = (kind, a.get("value", ""))
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            form["buttons"].append((a["name"], a.get("value", "")))
        elif tag in ("textarea", "select"):
            form["fields"][a["name"]] = (tag, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _forms(response):
    parser = _Forms()
    parser.feed(response.content.decode("utf-8", errors="replace"))
    return parser.forms


def _hostile(fields, value, *, replace_hidden):
    data = {}
    for name, (kind, default) in fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        if kind == "hidden" and not replace_hidden:
            data[name] = default
        elif kind in TEXT_TYPES or kind in ("textarea", "select", "hidden"):
            data[name] = value
        else:
            data[name] = default
    return data


def _pages_for(role, ctx, samples):
    """(name, url) of every guarded page the role may open, with the matrix samples for URL kwargs."""
    user = ctx.users[role]
    for name, pattern in _pages():
        cap = capability_of(pattern.callback)
        if cap is None or not check(user, cap) or (pattern.pattern.converters and name not in samples):
            continue
        try:
            yield name, reverse(name, kwargs=samples.get(name, {}))
        except NoReverseMatch:
            continue


def _each_page_once(ctx, samples):
    """(role, client, name, url): every page once, as the first role that may open it."""
    seen = set()
    for role in Role:
        client = Client(raise_request_exception=False)
        client.force_login(ctx.users[role])
        for name, url in _pages_for(role, ctx, samples):
            if name not in seen:
                seen.add(name)
                yield role, client, name, url


def test_hostile_strings_through_every_form(matrix):  # noqa: F811
    ctx, samples = matrix
    problems, sent = [], 0
    for role, client, name, url in _each_page_once(ctx, samples):
        page = client.get(url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        for form in _forms(page):
            target = urljoin(url, form["action"]) if form["action"] else url
            if target.endswith(SKIPPED_ACTIONS) or not (form["fields"] or form["buttons"]):
                continue
            button = dict(form["buttons"][:1])
            for label, value in STRINGS:
                # Hidden fields (the action, the record's id) get the strings that break ids and numbers.
                replacing = form["method"] == "post" and label in ("nul", "bigint_overflow", "over_long", "sql")
                for replace_hidden in ((False, True) if replacing else (False,)):
                    data = _hostile(form["fields"], value, replace_hidden=replace_hidden) | button
                    send = client.post if form["method"] == "post" else client.get
                    response = send(target, data)
                    sent += 1
                    if response.status_code >= 500:
                        problems.append(f"{name}: {form['method'].upper()} {target} with {label} "
                                        f"(hidden {'replaced' if replace_hidden else 'kept'}) -> {response.status_code}")
                client.force_login(ctx.users[role])  # a form may end or rotate the session
    assert sent > 100, sent
    assert not problems, "\n".join(problems)


def test_hostile_uploads_through_every_file_field(matrix, settings, tmp_path):  # noqa: F811
    ctx, samples = matrix
    settings.MEDIA_ROOT = tmp_path
    problems, sent = [], 0
    for role, client, name, url in _each_page_once(ctx, samples):
        page = client.get(url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        for form in _forms(page):
            if not form["files"] or form["method"] != "post":
                continue
            target = urljoin(url, form["action"]) if form["action"] else url
            base = {k: v for k, (_kind, v) in form["fields"].items() if k != "csrfmiddlewaretoken"}
            # Names with directories arrive as their last part (Django's parser cuts them), i.e. as good files.
            for file_name, make in [(n, m) for n, m in UPLOADS if "/" not in n and "\\" not in n]:
                content = make()
                files = {field: SimpleUploadedFile(file_name, content) for field in form["files"]}
                response = client.post(target, base | dict(form["buttons"][:1]) | files)
                sent += 1
                if response.status_code >= 500:
                    problems.append(f"{name}: upload {file_name} to {target} as {role} -> {response.status_code}")
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert sent >= len(UPLOADS), sent
    assert not problems, "\n".join(problems)
    assert not stored, f"rejected uploads were kept: {stored}"
