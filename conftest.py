"""Shared test fixtures: real factories for organisations and users on the real database."""
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


def _missing_parts(config):
    """What this run cannot do, as marker -> reason. `postgres_only` tests wait for the PostgreSQL half
    of scripts/run-tests on any machine; a missing chromium is a skip outside CI, a failure in CI."""
    from django.db import connection

    missing = {}
    if connection.vendor != "postgresql":
        missing["postgres_only"] = f"needs PostgreSQL, this run uses {connection.vendor} (the PostgreSQL half runs it)"
    if os.environ.get("CI") != "true" and not os.path.exists(CHROMIUM):
        missing["browser"] = f"{CHROMIUM} not installed (apt-get install chromium fonts-wqy-microhei)"
    return missing


def pytest_collection_modifyitems(config, items):
    """Tests this run cannot do are skipped with the reason (see _missing_parts), never silently."""
    missing = _missing_parts(config)
    config._gongjiang_skipped = {}
    for item in items:
        for marker, reason in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))
                config._gongjiang_skipped[reason] = config._gongjiang_skipped.get(reason, 0) + 1
                break


def pytest_terminal_summary(terminalreporter, config):
    skipped = getattr(config, "_gongjiang_skipped", {})
    if skipped:
        terminalreporter.section("not run on this machine")
        for reason, n in skipped.items():
            terminalreporter.write_line(f"SKIPPED {n} test(s): {reason}")
        terminalreporter.write_line("Everything else ran. In CI (CI=true) chromium is installed and a missing one fails.")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 with test-sized cost parameters: same algorithm, a fraction of the time per hash."""
    settings.PASSWORD_HASHERS = ["gongjiang.core.testing.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_page_caches():
    """Each test starts with no cached public page or dashboard figure (gongjiang.core.caching)."""
    from gongjiang.core import caching

    caching.clear()


@pytest.fixture(autouse=True)
def _audit_checkpoints(settings, tmp_path):
    """Each test its own audit checkpoint file, never the developer's var/ one."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture
def jurisdictions(db):
    from gongjiang.accounts.services import seed_jurisdictions

    seed_jurisdictions()
    from gongjiang.accounts.models import Organisation

    return {o.name: o for o in Organisation.objects.all()}


_counter = {"n": 0}


@pytest.fixture
def make_org(db):
    from gongjiang.accounts.services import create_organisation
    from gongjiang.core.idnumbers import make_uscc

    def make(name=None, kind="enterprise", parent=None, **fields):
        _counter["n"] += 1
        n = _counter["n"]
        if kind == "enterprise" and "uscc" not in fields:
            fields["uscc"] = make_uscc(f"9144130{n:010d}")
        return create_organisation(name=name or f"测试单位{n}", kind=kind, parent=parent, **fields)

    return make


@pytest.fixture
def make_user(db):
    from gongjiang.accounts.services import create_user

    def make(role, organisation=None, username=None, password="correct-horse-battery-9", **fields):
        _counter["n"] += 1
        return create_user(username=username or f"{role}{_counter['n']}", role=role,
                           organisation=organisation, password=password,
                           display_name=fields.pop("display_name", f"测试{role}"), **fields)

    return make


class Clock:
    """A settable "now" for tests whose dates must fall in the official calendar's years: every
    `timezone.now()` / `timezone.localdate()` (and so every default date) reads it."""

    def __init__(self, monkeypatch):
        import datetime as dt
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        self._dt, self._cst, self.now = dt, ZoneInfo("Asia/Shanghai"), None
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, day, hour=10):
        self.now = self._dt.datetime(day.year, day.month, day.day, hour, tzinfo=self._cst).astimezone(self._dt.UTC)

    def advance(self, **delta):
        self.now += self._dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Clock set to Monday 2026-11-23 10:00 China time; `clock.set(date)` / `clock.advance(hours=1)`."""
    import datetime as dt

    c = Clock(monkeypatch)
    c.set(dt.date(2026, 11, 23))
    return c
