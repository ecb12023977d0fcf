"""Permission-matrix samples for the notice pages: a notice of 惠阳区 with one objection that has
an attachment. Built with the ORM at fixed 2026 dates so the samples do not depend on today."""
import datetime as dt

PUBLIC = {
    "notices:public_list": "公示须向社会公开（如惠阳第十条（七）在政府信息公开网站上公示）",
    "notices:public_detail": "公示内容向社会公开；不含身份证号码和手机号码",
    "notices:public_pdf": "公示的打印版，与公开页面内容相同",
    "notices:file_objection": "任何人可在公示期内提出异议（广泛听取社会意见）",
    "notices:objection_received": "shows the receipt just issued to this browser session only",
    "notices:lookup": "status and conclusion by unguessable receipt number; no filer data",
}
API_PUBLIC = {
    "GET /api/notices/": "公示须向社会公开；与公开页面内容相同，不含身份证号码和手机号码",
    "GET /api/notices/{pk}": "公示详情向社会公开；与公开页面内容相同",
}


def samples(ctx):
    from django.utils import timezone

    from gongjiang.applications.uploads import upload_root
    from gongjiang.applications.tests.corpus import pdf_bytes
    from gongjiang.notices.models import Notice, NoticeEntry, Objection, ObjectionAttachment

    notice = Notice.objects.create(
        title="矩阵公示", contact="矩阵人社局 0752-0000000", organisation=ctx.district, start_date=dt.date(2026, 11, 23),
        end_date=dt.date(2026, 11, 27), published_by=ctx.users["bureau"], published_at=timezone.now())
    entry = NoticeEntry.objects.create(notice=notice, position=1, name="矩阵公示人选")
    objection = Objection.objects.create(
        notice=notice, entry=entry, receipt="MATRIX234567", filer_name="矩阵异议人", text="矩阵异议内容：证书不实",
        received_at=timezone.now(), received_on=dt.date(2026, 11, 23), deadline=dt.date(2026, 11, 30))
    rel = "objections/matrix/sample.pdf"
    path = upload_root() / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pdf_bytes()
    path.write_bytes(data)
    attachment = ObjectionAttachment.objects.create(objection=objection, name="证据.pdf", content_type="application/pdf",
                                                    size=len(data), sha256="0" * 64, path=rel)
    ctx.protect("矩阵异议人", "矩阵异议内容：证书不实", "MATRIX234567")
    return {
        "notices:manage_detail": {"pk": notice.pk}, "notices:correct": {"pk": notice.pk},
        "notices:record_objection": {"pk": notice.pk}, "notices:objection_detail": {"pk": objection.pk},
        "notices:attachment": {"pk": attachment.pk},
        "notices:public_detail": {"pk": notice.pk}, "notices:public_pdf": {"pk": notice.pk},
        "notices:file_objection": {"pk": notice.pk},
        "GET /api/notices/{pk}": {"pk": notice.pk},
    }
