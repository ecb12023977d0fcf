"""Printable exports: the 申报表 of an application and a unit's recommendation report as PDF (Chinese
in an embedded TrueType font), and the 基本情况一览表 as an Excel file set up for A3 landscape.
"""
import io

from django.utils import timezone

from gongjiang.core.pdf_fonts import cjk_font
from gongjiang.core.vocab import CompetitionClass, CompetitionLevel, SkillLevel


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    font = cjk_font()
    return {
        "title": ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=10),
        "h": ParagraphStyle("h", fontName=font, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("b", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK"),
        "cell": ParagraphStyle("c", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK"),
        "small": ParagraphStyle("s", fontName=font, fontSize=8.5, leading=12, textColor="#555555", wordWrap="CJK"),
    }


def _esc(text) -> str:
    from xml.sax.saxutils import escape

    return escape(str(text if text is not None else "")).replace("\n", "<br/>")


def _table(rows, widths, st):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(_esc(c), st["cell"]) for c in row] for row in rows]
    t = Table(data, colWidths=widths, repeatRows=0)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2"))]))
    return t


def _doc(buf, title):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    return SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                             bottomMargin=16 * mm, title=title, author="工匠平台", creator="工匠平台")


def _footer(text):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(cjk_font(), 8)
        canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, 10 * 2.83, f"{text}　第{doc.page}页")
        canvas.restoreState()
    return draw


def _join(*parts) -> str:
    """Words separated by a space, leaving out the empty ones (never "None")."""
    return " ".join(str(p) for p in parts if p not in (None, ""))


def level_label(value) -> str:
    try:
        return SkillLevel(int(value)).label
    except (TypeError, ValueError):
        return ""


def competition_label(c) -> str:
    try:
        level = CompetitionLevel(int(c.get("level"))).label
    except (TypeError, ValueError):
        level = ""
    try:
        klass = CompetitionClass(int(c.get("klass", 0))).label if int(c.get("klass", 0)) else ""
    except (TypeError, ValueError):
        klass = ""
    return f"{c.get('name') or ''}（{level}{klass}）第{c.get('rank') or ''}名 {c.get('held_on') or ''}"


def application_pdf(app, version=None) -> bytes:
    """The 申报表: the submitted version's content (or the draft's, marked as such)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    st = _styles()
    facts = version.facts if version else app.facts
    deed = version.deed_text if version else app.deed_text
    signed = version.commitment_name if version else app.commitment_name
    p, job, skill = facts.get("personal", {}), facts.get("employment", {}), facts.get("skill", {})
    buf = io.BytesIO()
    doc = _doc(buf, f"{app.round.title}申报表")
    story = [Paragraph(_esc(f"{app.round.title}申报表"), st["title"]),
             Paragraph(_esc(f"申报编号：{app.serial}　申报途径：{app.get_route_display()}　"
                            + (f"版本：第{version.number}版（{timezone.localtime(version.submitted_at):%Y-%m-%d %H:%M}提交）"
                               if version else "草稿（未提交）")), st["small"]), Spacer(1, 4 * mm)]
    w = [30 * mm, 55 * mm, 30 * mm, 59 * mm]
    story.append(_table([
        ["姓名", p.get("name", ""), "性别", p.get("gender", "")],
        ["出生日期", p.get("birth_date", ""), "身份证号", p.get("id_number_masked", "")],
        ["工作单位", job.get("employer_name", ""), "岗位/工种", job.get("post", "")],
        ["一线岗位", "是" if job.get("frontline", True) else "否", "入职时间", job.get("start", "")],
        ["职业（工种）", skill.get("occupation", ""), "技能等级", level_label(skill.get("level"))],
        ["证书编号", skill.get("number", ""), "发证日期", skill.get("issued_on", "")],
        ["推荐单位", str(app.unit.organisation) if app.unit_id else "—", "涉密人员", "是" if app.classified else "否"],
    ], w, st))
    sections = [
        ("竞赛获奖", [competition_label(c) for c in facts.get("competitions", [])]),
        ("称号与荣誉", [_join(t.get("name"), t.get("awarded_on")) for t in facts.get("titles", [])]),
        ("带徒情况", [_join(a.get("name"), a.get("note")) for a in facts.get("apprentices", [])]),
    ]
    ach = facts.get("achievements", {})
    labels = {c.get("id"): c for c in facts.get("achievement_labels", [])}
    if ach:
        sections.insert(0, ("符合条件及业绩", [
            f"{labels.get(k, {}).get('article', '')} {labels.get(k, {}).get('label', k)}：{v}"
            for k, v in ach.items() if v]))
    for title, lines in sections:
        story.append(Paragraph(_esc(title), st["h"]))
        story.append(Paragraph(_esc("\n".join(lines) if lines else "无"), st["body"]))
    story.append(Paragraph(_esc(f"事迹材料（{len(deed or '')}字）"), st["h"]))
    story.append(Paragraph(_esc(deed or ""), st["body"]))
    story.append(Paragraph("单位推荐意见", st["h"]))
    story.append(Paragraph(_esc(app.employer_opinion or "—"), st["body"]))
    story.append(Paragraph("承诺书", st["h"]))
    story.append(Paragraph(_esc(commitment_text(app.round) + f"\n\n承诺人（签名）：{signed or '（未签署）'}"), st["body"]))
    doc.build(story, onFirstPage=_footer(app.serial), onLaterPages=_footer(app.serial))
    return buf.getvalue()


def commitment_text(rnd) -> str:
    return (f"本人自愿参加{rnd.title}，承诺所填报的信息和提交的材料真实、准确、完整，"
            "不存在弄虚作假、虚报成果等情形。如有不实，本人自愿承担取消申报资格、撤销称号、"
            "收回证书和奖励资金等一切后果，并承担相应的法律责任。")


def report_pdf(unit, applications) -> bytes:
    """A recommending unit's 推荐报告: work done, opinion, candidates ranked, classified marked."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    st = _styles()
    buf = io.BytesIO()
    title = f"{unit.organisation}关于推荐{unit.round.title}人选的报告"
    doc = _doc(buf, title)
    story = [Paragraph(_esc(title), st["title"]), Paragraph(_esc(f"{unit.round.organiser}："), st["body"]),
             Spacer(1, 3 * mm), Paragraph(_esc(unit.report_text or "（推荐报告尚未填写）"), st["body"]),
             Paragraph("推荐人选（按推荐顺序）", st["h"])]
    rows = [["排序", "姓名", "工作单位", "职业（工种）/等级", "涉密"]]
    for a in applications:
        skill = a.facts.get("skill", {})
        rows.append([a.unit_rank or "", a.name, a.facts.get("employment", {}).get("employer_name", ""),
                     f"{skill.get('occupation', '')} {level_label(skill.get('level'))}", "涉密" if a.classified else ""])
    t = _table(rows, [14 * mm, 24 * mm, 62 * mm, 50 * mm, 16 * mm], st)
    story.append(t)
    if unit.notice_starts_on:
        story.append(Paragraph(_esc(f"推荐人选已于{unit.notice_starts_on:%Y年%m月%d日}至{unit.notice_ends_on:%Y年%m月%d日}"
                                    f"在本单位公示{unit.round.unit_notice_working_days}个工作日。"), st["body"]))
    story.append(Spacer(1, 10 * mm))
    when = timezone.localtime(unit.report_submitted_at) if unit.report_submitted_at else timezone.localtime()
    story.append(Paragraph(_esc(f"{unit.organisation}（盖章）\n{when:%Y年%m月%d日}"), st["body"]))
    doc.build(story, onFirstPage=_footer(str(unit.organisation)), onLaterPages=_footer(str(unit.organisation)))
    return buf.getvalue()


OVERVIEW_HEADERS = ["序号", "推荐单位", "排序", "姓名", "性别", "出生年月", "工作单位", "岗位/工种", "职业（工种）",
                    "技能等级", "主要竞赛成绩", "称号与荣誉", "申报途径", "状态", "涉密", "资格初判"]
OVERVIEW_WIDTHS = [6, 18, 6, 10, 5, 10, 28, 14, 14, 14, 36, 28, 10, 14, 6, 10]


def overview_xlsx(title, applications) -> bytes:
    """The 基本情况一览表: one row per candidate, A3 landscape, fit to width, title and header
    rows repeated on every printed page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from gongjiang.core.excel import safe_cell

    wb = Workbook()
    ws = wb.active
    ws.title = "基本情况一览表"
    ncol = len(OVERVIEW_HEADERS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(1, 1, f"{title}申报人员基本情况一览表").font = Font(size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    for c, (h, w) in enumerate(zip(OVERVIEW_HEADERS, OVERVIEW_WIDTHS), start=1):
        cell = ws.cell(2, c, h)
        cell.font, cell.border = Font(bold=True), border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = w
    for i, a in enumerate(applications, start=1):
        f = a.facts or {}
        p, job, skill = f.get("personal", {}), f.get("employment", {}), f.get("skill", {})
        row = [i, str(a.unit.organisation) if a.unit_id else "", a.unit_rank or "", a.name, p.get("gender", ""),
               (p.get("birth_date") or "")[:7], job.get("employer_name", ""), job.get("post", ""),
               skill.get("occupation", ""), level_label(skill.get("level")),
               "\n".join(competition_label(c) for c in f.get("competitions", [])[:3]),
               "\n".join(t.get("name", "") for t in f.get("titles", [])[:3]), a.get_route_display(),
               a.staff_status, "是" if a.classified else "", ELIGIBILITY_LABELS.get(a.eligibility_status, "")]
        for c, v in enumerate(row, start=1):
            cell = ws.cell(i + 2, c, safe_cell(v))
            cell.border, cell.alignment = border, wrap
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = "E3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ELIGIBILITY_LABELS = {"pass": "符合", "fail": "不符合", "needs_review": "待人工审核"}


def commitment_pdf(rnd) -> bytes:
    """The blank 承诺书 of a round, for those who print and sign on paper."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    st = _styles()
    buf = io.BytesIO()
    doc = _doc(buf, f"{rnd.title}承诺书")
    doc.build([Paragraph("承 诺 书", st["title"]), Spacer(1, 6 * mm), Paragraph(_esc(commitment_text(rnd)), st["body"]),
               Spacer(1, 20 * mm), Paragraph("承诺人（签名）：＿＿＿＿＿＿＿＿　　年　　月　　日", st["body"])])
    return buf.getvalue()
