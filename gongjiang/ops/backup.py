"""Backup and restore of the whole platform: the database (every model, as Django's portable
JSON lines, so a SQLite backup restores into PostgreSQL and back) and the uploaded files, in one
.tar.gz with a manifest: row counts per model, each file's SHA-256, the audit chain's head hash,
the migrations applied, and fingerprints of the field-encryption and lookup-hash keys.

Restoring refuses to run when the keys' fingerprints differ (the ID and phone numbers could not
be read or looked up) or when the target database already holds accounts or audit entries; after
loading, it checks every count, every file's hash and the audit chain against the manifest.
"""
import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
# Rebuilt by migrate (content types, permissions) or transient (sessions, login lock-outs).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]
DATA_NAME = "data.jsonl"
MANIFEST_NAME = "manifest.json"


class BackupError(Exception):
    """A backup cannot be restored here; the message says why (English, for the operator)."""


def key_fingerprints() -> dict:
    """Short SHA-256 fingerprints of the keys in effect (never the keys themselves)."""
    from gongjiang.registry import crypto

    f = crypto.fernet()
    enc = hashlib.sha256(f._signing_key + f._encryption_key).hexdigest()[:16]
    lookup = hashlib.sha256(crypto.lookup_hash("gongjiang-key-fingerprint").encode()).hexdigest()[:16]
    return {"field_encryption": enc, "lookup_hash": lookup}


def _models():
    excluded_apps = {e for e in EXCLUDED if "." not in e}
    excluded_models = {e for e in EXCLUDED if "." in e}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in excluded_apps or label in excluded_models or not model._meta.managed:
            continue
        if model._meta.proxy:
            continue
        yield label, model


def _uploads_label() -> str:
    from gongjiang.applications.uploads import storage

    bucket = getattr(storage(), "bucket_name", None)
    return f"bucket {bucket}" if bucket else f"directory {settings.MEDIA_ROOT}"


def row_counts() -> dict:
    return {label: model._base_manager.count() for label, model in _models()}


def _media_files(folder: str = "") -> list[str]:
    """Every stored upload's name, through the uploads' storage (files or an S3 bucket)."""
    from gongjiang.applications.uploads import storage

    try:
        folders, files = storage().listdir(folder)
    except FileNotFoundError:  # no upload yet
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += _media_files(f"{folder}{sub}/")
    return sorted(names)


def _sha256(path) -> str:
    """SHA-256 of a file on disk (a Path) or of a stored upload (its name in the uploads' storage)."""
    from gongjiang.applications.uploads import storage

    h = hashlib.sha256()
    with (open(path, "rb") if isinstance(path, Path) else storage().open(path, "rb")) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _audit_head() -> dict:
    from gongjiang.audit.models import AuditHead

    head = AuditHead.objects.filter(id=1).first()
    return {"last_id": head.last_id, "last_hash": head.last_hash} if head else {}


def _migrations() -> list:
    return sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations())


def backup(destination: Path) -> dict:
    """Write the backup archive; returns its manifest."""
    from gongjiang.applications.uploads import storage

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / DATA_NAME
        call_command("dumpdata", format="jsonl", natural_foreign=True, exclude=EXCLUDED, output=str(data),
                     verbosity=0)
        files = {name: _sha256(name) for name in _media_files()}
        manifest = {
            "format": FORMAT, "created_at": timezone.now().isoformat(), "database": connection.vendor,
            "keys": key_fingerprints(), "counts": row_counts(), "files": files, "audit_head": _audit_head(),
            "migrations": _migrations(), "data_sha256": _sha256(data),
        }
        destination.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(destination, "w:gz") as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mtime = len(body), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(data, arcname=DATA_NAME)
            for rel in files:
                with storage().open(rel, "rb") as f:
                    info = tarfile.TarInfo(f"uploads/{rel}")
                    info.size, info.mtime = storage().size(rel), int(dt.datetime.now().timestamp())
                    tar.addfile(info, f)
    return manifest


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile(MANIFEST_NAME))


def _check_keys(manifest: dict):
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    ours = key_fingerprints()
    for name, fp in manifest["keys"].items():
        if ours.get(name) != fp:
            raise BackupError(f"the {name} key differs from the one the backup was made with "
                              f"(backup {fp}, here {ours.get(name)}): set the same GONGJIANG_FIELD_KEY / "
                              "GONGJIANG_HASH_KEY (and SECRET_KEY in development) before restoring")


def _check_target(manifest: dict):
    newer = set(manifest["migrations"]) - set(_migrations())
    if newer:
        raise BackupError(f"the backup comes from a newer release (migrations unknown here: {sorted(newer)[:5]})")
    from gongjiang.accounts.models import User
    from gongjiang.audit.models import AuditEntry

    if User.objects.exists() or AuditEntry.objects.exists():
        raise BackupError("the target database is not empty (it has accounts or audit entries); "
                          "restore into a new, empty database")
    if _media_files():
        raise BackupError(f"the uploads storage is not empty ({_uploads_label()})")


def restore(archive: Path) -> dict:
    """Load a backup into this (empty, migrated) database and uploads directory, then check it.
    Returns a summary: rows, files and audit entries verified."""
    from gongjiang.audit.services import verify

    manifest = read_manifest(archive)
    _check_keys(manifest)
    call_command("migrate", verbosity=0)
    _check_target(manifest)
    from django.core.files import File

    from gongjiang.applications.uploads import storage

    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        data = Path(tmp) / DATA_NAME
        tar.extract(DATA_NAME, tmp, filter="data")
        if _sha256(data) != manifest["data_sha256"]:
            raise BackupError("the database part of the backup is damaged (checksum mismatch)")
        # Rows that migrations created (they are in the backup too), then the backup's rows.
        call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(data), verbosity=0)
        for rel in manifest["files"]:
            with tar.extractfile(tar.getmember(f"uploads/{rel}")) as src:
                if storage().save(rel, File(src, name=rel)) != rel:
                    raise BackupError(f"the uploads storage kept {rel} under another name")
    counts = row_counts()
    wrong = {k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v}
    if wrong:
        raise BackupError(f"row counts differ after restore (backup, restored): {wrong}")
    bad_files = [rel for rel, digest in manifest["files"].items() if _sha256(rel) != digest]
    if bad_files:
        raise BackupError(f"files differ after restore: {bad_files[:5]}")
    chain = verify()
    if not chain.ok:
        raise BackupError(f"audit chain broken after restore at entry {chain.broken_at}: {chain.problem}")
    if manifest["audit_head"] and _audit_head() != manifest["audit_head"]:
        raise BackupError("audit chain head differs from the backup's")
    return {"rows": sum(counts.values()), "models": len(counts), "files": len(manifest["files"]),
            "audit_entries": chain.checked}
