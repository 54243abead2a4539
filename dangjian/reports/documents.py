"""A briefing as a Word document (.docx, python-docx) and as a PDF (WeasyPrint), from the text
of one version: the title as the document's title heading, the body's headings and
paragraphs as `briefings.blocks` reads them.

Chinese text needs an East Asian font named in each run's `w:rFonts w:eastAsia`: Word falls
back to a Latin font otherwise and some viewers show boxes. The .docx asks for SimSun / SimHei
(宋体 / 黑体, on every Chinese Windows); the PDF embeds Noto CJK (Debian's fonts-noto-cjk)."""

from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone

from dangjian.reports.briefings import blocks
from dangjian.reports.models import Briefing, BriefingVersion

BODY_FONT = "SimSun"  # 宋体
HEADING_FONT = "SimHei"  # 黑体
LATIN_FONT = "Times New Roman"


def briefing_docx(briefing: Briefing, version: BriefingVersion) -> bytes:
    from docx import Document  # imported here: only the download needs it
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    document = Document()
    _font(document.styles["Normal"], BODY_FONT, Pt(12))
    for name in ("Title", "Heading 1"):
        style = document.styles[name]
        _font(style, HEADING_FONT, Pt(20 if name == "Title" else 14))
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = name == "Title"
    title = document.add_heading(version.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = document.add_paragraph(_meta(briefing))
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in blocks(version.body):
        if block.kind == "heading":
            document.add_heading(block.text, level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            paragraph = document.add_paragraph(block.text)
            paragraph.paragraph_format.first_line_indent = Pt(24)  # two characters
            paragraph.paragraph_format.line_spacing = 1.5
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _font(style, east_asian: str, size) -> None:
    from docx.oxml.ns import qn

    style.font.name = LATIN_FONT
    style.font.size = size
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def briefing_pdf(briefing: Briefing, version: BriefingVersion) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs time at start-up

    html = render_to_string(
        "reports/briefing_print.html",
        {
            "version": version,
            "meta": _meta(briefing),
            "blocks": blocks(version.body),
            "printed_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()


def _meta(briefing: Briefing) -> str:
    return f"{briefing.scope_label} · {briefing.period.label}"
