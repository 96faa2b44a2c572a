"""A PDF report (reportlab): title, the filters used, summary figures, a chart of verdicts by
rating, then each claim with its rating, summary, rationale and evidence links.

Text goes into reportlab Paragraphs, which read a small markup language: everything from the
database is escaped first. A Unicode TrueType font (DejaVu Sans where installed, else reportlab's
own Vera) keeps non-Latin text from turning into black boxes where the font has the glyphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

_FONT_CANDIDATES = [
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
]


def _register_fonts() -> tuple[str, str]:
    if "ReportSans" in pdfmetrics.getRegisteredFontNames():
        return "ReportSans", "ReportSans-Bold"
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    candidates = [*_FONT_CANDIDATES, (str(vera / "Vera.ttf"), str(vera / "VeraBd.ttf"))]
    for regular, bold in candidates:
        if Path(regular).exists() and Path(bold).exists():
            pdfmetrics.registerFont(TTFont("ReportSans", regular))
            pdfmetrics.registerFont(TTFont("ReportSans-Bold", bold))
            pdfmetrics.registerFontFamily("ReportSans", normal="ReportSans", bold="ReportSans-Bold")
            return "ReportSans", "ReportSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles():
    regular, bold = _register_fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("T", parent=base["Title"], fontName=bold, fontSize=18),
        "h2": ParagraphStyle("H2", parent=base["Heading2"], fontName=bold, fontSize=13),
        "h3": ParagraphStyle("H3", parent=base["Heading3"], fontName=bold, fontSize=11),
        "body": ParagraphStyle("B", parent=base["BodyText"], fontName=regular, fontSize=9.5),
        "small": ParagraphStyle(
            "S", parent=base["BodyText"], fontName=regular, fontSize=8, textColor=colors.grey
        ),
        "font": regular,
        "bold": bold,
    }


def _text(value) -> str:
    """Database text made safe for a Paragraph: markup escaped, line breaks kept."""
    return escape(str(value or "")).replace("\n", "<br/>")


def _link(url: str) -> str:
    safe = escape(url, {'"': "&quot;"})
    return f'<link href="{safe}" color="blue">{safe}</link>'


def _chart(counts: list[tuple[str, int]], font: str) -> Drawing:
    height = 30 + 18 * max(1, len(counts))
    drawing = Drawing(170 * mm, height)
    if not counts:
        drawing.add(String(0, height / 2, "No verdicts.", fontName=font, fontSize=9))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 90, 15
    chart.width, chart.height = 170 * mm - 130, height - 25
    chart.data = [[n for _, n in counts]]
    chart.categoryAxis.categoryNames = [label for label, _ in counts]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    top = max(n for _, n in counts)
    chart.valueAxis.valueStep = max(1, top // 5 + (1 if top % 5 else 0))
    chart.bars[0].fillColor = colors.HexColor("#0b5cad")
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 8
    drawing.add(chart)
    return drawing


def write(
    rows: Iterable[dict],
    out: BinaryIO,
    *,
    filters_described: list[tuple[str, str]],
    rating_order: list[str] | None = None,
    on_row=None,
    title: str = "Approved and published verdicts",
) -> int:
    """Write the report to `out`; returns the number of claims in it."""
    st = _styles()
    claims_story: list = []
    by_rating: Counter[str] = Counter()
    by_state: Counter[str] = Counter()
    evidence_links = 0
    count = 0
    for row in rows:
        count += 1
        by_rating[row["rating"] or "No rating"] += 1
        by_state[row["state"]] += 1
        evidence_links += len(row["evidence"])
        block = _claim_block(row, st)
        claims_story.extend(block if isinstance(block, list) else [block])
        if on_row:
            on_row()

    org = settings.FACTCHECK_ORGANISATION["name"]
    story: list = [
        Paragraph(_text(f"{org}: verdict report"), st["title"]),
        Paragraph(_text(title), st["h2"]),
        Paragraph(_text(f"Generated {timezone.localtime():%Y-%m-%d %H:%M %Z}"), st["small"]),
        Paragraph("Filters used", st["h2"]),
    ]
    if filters_described:
        for label, value in filters_described:
            story.append(Paragraph(f"<b>{_text(label)}:</b> {_text(value)}", st["body"]))
    else:
        story.append(Paragraph("None: every verdict the requester may export.", st["body"]))
    story.append(Paragraph("Summary", st["h2"]))
    figures = [
        ["Claims", str(count)],
        ["Published", str(by_state.get("published", 0))],
        ["Approved, not yet published", str(by_state.get("approved", 0))],
        ["Evidence links", str(evidence_links)],
    ]
    table = Table(figures, colWidths=[70 * mm, 30 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st["font"]),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ]
        )
    )
    story += [table, Paragraph("Verdicts by rating", st["h2"])]
    order = {label: i for i, label in enumerate(rating_order or [])}
    counts = sorted(by_rating.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    story.append(_chart(counts, st["font"]))
    story.append(Paragraph("Claims", st["h2"]))
    if not claims_story:
        story.append(Paragraph("No claims match these filters.", st["body"]))
    story += claims_story

    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{org}: verdict report: {title}",
        author=org,
    )
    doc.build(story)
    return count


def _claim_block(row: dict, st) -> KeepTogether | list:
    article = row["article"]
    source = " · ".join(
        part
        for part in (
            row["claimant"] and f"Claimant: {row['claimant']}",
            article["publisher"],
            (article["published_at"] or "")[:10],
        )
        if part
    )
    parts = [
        HRFlowable(width="100%", thickness=0.5, color=colors.lightgrey, spaceBefore=4),
        Paragraph(f"#{row['id']} · {_text(row['claim'])}", st["h3"]),
    ]
    if source:
        parts.append(Paragraph(_text(source), st["small"]))
    rating = row["rating"] or "No rating yet"
    parts.append(
        Paragraph(
            f"<b>Rating:</b> {_text(rating)} · <b>State:</b> {_text(row['state'])}", st["body"]
        )
    )
    if row["summary"]:
        parts.append(Paragraph(f"<b>Summary:</b> {_text(row['summary'])}", st["body"]))
    if row["rationale"]:
        parts.append(Paragraph(f"<b>Rationale:</b> {_text(row['rationale'])}", st["body"]))
    for correction in row["corrections"]:
        parts.append(
            Paragraph(
                f"<b>Correction {_text((correction['date'] or '')[:10])}:</b> "
                f"{_text(correction['note'])}",
                st["body"],
            )
        )
    if row["evidence"]:
        parts.append(Paragraph("<b>Evidence:</b>", st["body"]))
        for e in row["evidence"]:
            label = f"{_text(e['title'])}: " if e["title"] else ""
            status = _text(f"{e['stance']}; link {e['link'].lower()}")
            archived = f" (archived copy: {_link(e['archive_url'])})" if e["archive_url"] else ""
            quote = f"; {_text(e['quote'])}" if e["quote"] else ""
            parts.append(
                Paragraph(f"• {label}{_link(e['url'])}{archived} [{status}{quote}]", st["body"])
            )
    parts.append(Spacer(1, 3 * mm))
    # Long rationales may not fit on one page: only short blocks are kept together.
    if len(row["rationale"]) < 1500 and len(row["evidence"]) < 10:
        return KeepTogether(parts)
    return parts
