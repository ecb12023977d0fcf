"""Uploads in an S3-compatible object store (GONGJIANG_UPLOAD_STORAGE=s3, django-storages), shown
against a real S3 protocol server on this machine (moto's server): an application's evidence is
checked, stored as an object of the private bucket and nowhere on the server's disk, served to the
officer through the permission-checked view, backed up with its hash, and deleted as an object."""
import socket
import tarfile

import pytest

from gongjiang.applications import uploads

BUCKET = "gongjiang-uploads"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def bucket(settings, monkeypatch, tmp_path):
    """A bucket on a local S3 server; the uploads' storage set up from the environment as in production."""
    import boto3
    from moto.server import ThreadedMotoServer

    from gongjiang.settings import upload_storage

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {"AWS_ACCESS_KEY_ID": "gongjiang-test", "AWS_SECRET_ACCESS_KEY": "gongjiang-test-secret"}.items():
        monkeypatch.setenv(key, value)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    settings.MEDIA_ROOT = tmp_path / "local-uploads"
    settings.STORAGES = {**settings.STORAGES, "default": upload_storage({
        "GONGJIANG_UPLOAD_STORAGE": "s3", "GONGJIANG_S3_BUCKET": BUCKET, "GONGJIANG_S3_ENDPOINT_URL": endpoint,
        "GONGJIANG_S3_REGION": "us-east-1"})}
    yield s3
    server.stop()


def _objects(s3) -> dict:
    return {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_evidence_kept_in_the_bucket_served_backed_up_and_deleted(bucket, client, jurisdictions, make_user, tmp_path):
    from gongjiang.ops.backup import backup
    from gongjiang.rounds.tests.factories import submitted_self_application

    made = submitted_self_application(jurisdictions, make_user)
    officer, app = made["officer"], made["app"]
    ev = app.evidence.get()

    objects = _objects(bucket)
    assert objects == {f"uploads/{ev.path}": ev.size} and ev.path.startswith("evidence/")
    assert not (tmp_path / "local-uploads").exists()  # nothing on this server's disk
    acl = bucket.get_object_acl(Bucket=BUCKET, Key=f"uploads/{ev.path}")
    assert all(g["Grantee"].get("URI") is None for g in acl["Grants"])  # private: no public grant

    client.force_login(officer)
    resp = client.get(f"/applications/{app.pk}/files/{ev.pk}/")
    assert resp.status_code == 200 and resp["Cache-Control"] == "private, no-store"
    body = b"".join(resp.streaming_content)
    assert body[:4] == b"%PDF" and len(body) == ev.size

    manifest = backup(tmp_path / "backup.tar.gz")
    assert list(manifest["files"]) == [ev.path] and manifest["files"][ev.path] == ev.sha256
    with tarfile.open(tmp_path / "backup.tar.gz") as tar:
        assert tar.extractfile(f"uploads/{ev.path}").read() == body

    uploads.delete_stored(ev.path)
    assert _objects(bucket) == {}
    missing = client.get(f"/applications/{app.pk}/files/{ev.pk}/")
    assert missing.status_code == 404
