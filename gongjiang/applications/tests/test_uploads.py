"""The upload validator refuses the bad-file corpus with clear Chinese messages and stores nothing."""
import pytest
from django.http import Http404

from gongjiang.applications import uploads
from gongjiang.applications.uploads import PDF_ONLY, PHOTO, UploadRejected, UploadRule, check_upload

from . import corpus


@pytest.mark.parametrize("name,make,words", corpus.BAD_FILES, ids=[f[0] for f in corpus.BAD_FILES])
def test_check_upload_bad_pdf_corpus_rejected(name, make, words, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Django's multipart parser already cuts paths from names; callers passing raw names
    # (API, batch imports) are protected by the validator itself.
    with pytest.raises(UploadRejected) as exc:
        check_upload(corpus.upload(name, make()), rule=PDF_ONLY, name=name)
    assert words in exc.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name,make,words", corpus.BAD_PHOTOS, ids=[f"{f[0]}-{f[2]}" for f in corpus.BAD_PHOTOS])
def test_check_upload_bad_photo_corpus_rejected(name, make, words):
    with pytest.raises(UploadRejected) as exc:
        check_upload(corpus.upload(name, make(), "image/png"), rule=PHOTO)
    assert words in exc.value.message


def test_check_upload_good_pdf_accepted_and_described():
    checked = check_upload(corpus.upload("职业资格证书（高级技师）.pdf", corpus.pdf_bytes(pages=2)), rule=PDF_ONLY)
    assert checked.kind == "pdf" and checked.pages == 2
    assert checked.content_type == "application/pdf"
    assert checked.name == "职业资格证书（高级技师）.pdf"
    assert len(checked.sha256) == 64


def test_check_upload_good_photos_accepted():
    png = check_upload(corpus.upload("证件照.PNG", corpus.png_bytes(300, 400)), rule=PHOTO)
    jpg = check_upload(corpus.upload("证件照.jpeg", corpus.jpeg_bytes()), rule=PHOTO)
    assert (png.kind, png.width, png.height) == ("png", 300, 400)
    assert jpg.kind == "jpeg"


def test_check_upload_over_size_limit_rejected():
    small = UploadRule(frozenset({"pdf"}), max_bytes=1024 * 1024)
    with pytest.raises(UploadRejected) as exc:
        check_upload(corpus.upload("大文件.pdf", corpus.pdf_bytes() + b"\x00" * (2 * 1024 * 1024)), rule=small)
    assert "大小上限1MB" in exc.value.message


def test_check_upload_too_many_pages_rejected():
    rule = UploadRule(frozenset({"pdf"}), max_pages=3)
    with pytest.raises(UploadRejected) as exc:
        check_upload(corpus.upload("多页.pdf", corpus.pdf_bytes(pages=5)), rule=rule)
    assert "页数过多" in exc.value.message


def test_sanitise_filename_strips_control_and_reserved_characters():
    assert uploads.sanitise_filename('..证书<1>?.PDF', kind="pdf") == "证书_1__.pdf"
    assert uploads.sanitise_filename("无扩展名", kind="pdf") == "无扩展名.pdf"
    assert uploads.sanitise_filename("a\u202egpj.exe", kind="pdf") == "agpj.pdf"
    assert len(uploads.sanitise_filename("长" * 300 + ".pdf", kind="pdf")) <= 120


def test_store_checked_writes_outside_web_root_with_generated_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    checked = check_upload(corpus.upload("证书.pdf", corpus.pdf_bytes()), rule=PDF_ONLY)
    rel = uploads.store_checked(checked, folder="evidence")
    assert rel.startswith("evidence/") and rel.endswith(".pdf") and "证书" not in rel
    assert (tmp_path / rel).read_bytes() == checked.content
    for outside in ("../../etc/passwd", "/etc/passwd", "evidence/../../x.pdf", "evidence\\..\\x.pdf", ""):
        with pytest.raises(Http404):
            uploads.file_response(outside, download_name="x.pdf", content_type="application/pdf")
    assert (tmp_path / rel).stat().st_mode & 0o777 == 0o640
