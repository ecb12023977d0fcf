"""Backup and restore: a backup restored into an empty database (in a separate process, as an
operator would) holds every row, every uploaded file and the same audit chain; a restore with
other encryption keys, or into a database in use, is refused before anything is written."""
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from gongjiang.audit.models import AuditEntry
from gongjiang.ops.backup import read_manifest, row_counts


@pytest.fixture
def data(jurisdictions, make_user, settings, tmp_path):
    """An application with an uploaded evidence file, people with encrypted ID numbers, audit entries."""
    from gongjiang.rounds.tests.factories import submitted_self_application

    settings.MEDIA_ROOT = tmp_path / "uploads"
    return {"app": submitted_self_application(jurisdictions, make_user)["app"]}


def _target_env(tmp_path, **extra):
    """Environment of a second installation: a new empty database and uploads directory."""
    env = {**os.environ, "GONGJIANG_MEDIA_DIR": str(tmp_path / "restored-uploads"), **extra}
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        import psycopg

        name = f"gj_restore_{uuid.uuid4().hex[:8]}"
        db = settings.DATABASES["default"]
        base = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
    return env


def _gongjiang(env, *args):
    return subprocess.run([sys.executable, "-m", "gongjiang", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def _drop(env):
    if env["DATABASE_URL"].startswith("postgres"):
        import psycopg

        base, name = env["DATABASE_URL"].rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_finds_every_row_file_and_audit_hash(data, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    manifest = read_manifest(archive)
    assert manifest["counts"] == row_counts() and manifest["counts"]["applications.application"] == 1
    assert len(manifest["files"]) == data["app"].evidence.count() >= 1
    env = _target_env(tmp_path)
    try:
        done = _gongjiang(env, "restore", str(archive))
        assert done.returncode == 0, done.stderr
        assert "restored and verified" in done.stdout and "audit chain intact" in done.stdout
        hashes = list(AuditEntry.objects.order_by("id").values_list("hash", flat=True))
        check = ("import json; from gongjiang.audit.models import AuditEntry; from gongjiang.registry.models import Person;"
                 "from gongjiang.registry.crypto import decrypt;"
                 "print(json.dumps({'hashes': list(AuditEntry.objects.order_by('id').values_list('hash', flat=True)),"
                 "'ids': [decrypt(p.id_number_encrypted) for p in Person.objects.all()]}))")
        out = subprocess.run([sys.executable, "-m", "gongjiang", "shell", "-c", check], env=env, capture_output=True,
                             text=True, timeout=300)
        import json

        restored = json.loads(out.stdout.strip().splitlines()[-1])
        assert restored["hashes"] == hashes  # every audit entry, same hashes, same order
        assert restored["ids"] and all(len(i) == 18 for i in restored["ids"])  # encrypted numbers still readable
        for rel, _digest in manifest["files"].items():
            assert (tmp_path / "restored-uploads" / rel).read_bytes() == (Path(settings.MEDIA_ROOT) / rel).read_bytes()
        again = _gongjiang(env, "restore", str(archive))  # the database is now in use
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        _drop(env)


@pytest.mark.django_db(transaction=True)
def test_restore_with_other_keys_is_refused(data, tmp_path):
    from cryptography.fernet import Fernet

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    env = _target_env(tmp_path, GONGJIANG_FIELD_KEY=Fernet.generate_key().decode())
    try:
        done = _gongjiang(env, "restore", str(archive))
        assert done.returncode != 0 and "field_encryption key differs" in done.stderr
        if env["DATABASE_URL"].startswith("sqlite"):  # refused before anything was written, even the schema
            db = sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"))
            assert db.execute("select count(*) from sqlite_master where type = 'table'").fetchone() == (0,)
    finally:
        _drop(env)
