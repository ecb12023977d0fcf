"""The printable PDF of a notice, with the embedded CJK font of gongjiang.core.pdf_fonts."""
import io

from django.utils import timezone

from gongjiang.core.pdf_fonts import cjk_font


def notice_pdf(notice, *, public_url: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=24, alignment=1, wordWrap="CJK")
    text = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21)
    plain = ParagraphStyle("p", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    right = ParagraphStyle("r", parent=plain, alignment=2)

    def p(s, style=text):
        return Paragraph(escape(s).replace("\n", "<br/>"), style)

    story = [p(notice.title, title), Spacer(1, 4 * mm)]
    if notice.corrects_id:
        story.append(p(f"更正说明：{notice.correction_reason}", plain))
    for para in [x for x in notice.body.splitlines() if x.strip()]:
        story.append(p(para.strip()))
    story.append(Spacer(1, 3 * mm))
    head = ["序号", "姓名", "性别", "工作单位", "职业（工种）", "技能等级", "拟授予称号"]
    rows = [[p(h, cell) for h in head]]
    for e in notice.entries.all():
        name = e.name + ("（已取消：" + e.removed_reason + "）" if e.removed else "")
        rows.append([p(str(e.position), cell), p(name, cell), p(e.get_gender_display(), cell), p(e.employer, cell),
                     p(e.occupation, cell), p(e.get_skill_level_display() if e.skill_level is not None else "", cell),
                     p(e.honour, cell)])
    table = Table(rows, colWidths=[10 * mm, 24 * mm, 10 * mm, 50 * mm, 28 * mm, 26 * mm, 26 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [table, Spacer(1, 4 * mm),
              p(f"公示时间：{notice.start_date:%Y年%m月%d日}至{notice.end_date:%Y年%m月%d日}（{notice.days}个工作日）。"
                f"{'依据' + notice.policy_ref + '。' if notice.policy_ref else ''}", plain),
              p("公示期间，如对公示人选有异议，请以真实姓名和联系方式提出，并提供必要的事实和证据"
                if notice.require_real_name else "公示期间，如对公示人选有异议，可提出并提供必要的事实和证据", plain),
              p(f"异议受理：{notice.contact}", plain),
              p(f"网上提出异议：{public_url}", plain),
              Spacer(1, 8 * mm), p(notice.organisation.name, right),
              p(f"{timezone.localtime(notice.published_at):%Y年%m月%d日}", right)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=notice.title, author=notice.organisation.name)
    doc.build(story)
    return buf.getvalue()
