"""The frame every Decree 30 document shares (Phụ lục I): the header and the signature block.

Header: a borderless two-column table. Left: governing body (upright capitals), issuing agency
(bold capitals) with a short rule, the number line, for a công văn the "V/v" subject, then the
confidentiality and urgency marks. Right: the national title (bold capitals) over the motto (bold)
with a rule as long as the motto, then the place and date line (italic).

Signature block: a borderless two-column table. Left: "Nơi nhận:" (bold italic 12) with the
recipients (11) ending in "- Lưu: VT, ...". Right: the capacity lines and the position (bold
capitals), free space for the signature image, the signer's name (bold).

The number line and the date line carry zero-length bookmarks (see :mod:`.anchors`); so do the
first free line of the signature space and the name line.
"""
from __future__ import annotations

from docx.document import Document as DocxDocument

from edoc.drafting import anchors
from edoc.drafting.ooxml import (
    Run,
    add_bookmark,
    add_paragraph,
    add_short_rule,
    borderless_table,
    boxed_run_paragraph,
)
from edoc.drafting.spec import DraftSpec

__all__ = [
    "BODY_SIZE",
    "HEADER_COLUMNS_MM",
    "MARGINS_MM",
    "MOTTO",
    "NATIONAL_TITLE",
    "SIGNATURE_COLUMNS_MM",
    "add_header",
    "add_heading",
    "add_signature_block",
    "date_placeholder",
    "number_placeholder",
]

#: Top, bottom, left, right (Phụ lục I: 20–25, 20–25, 30–35, 15–20 mm).
MARGINS_MM = (20, 20, 30, 15)
TEXT_WIDTH_MM = 210 - MARGINS_MM[2] - MARGINS_MM[3]
#: Cell text is inset by 1 mm on each side and the table starts 1 mm left of the margin, so the
#: columns add up to the text width plus 2 mm.
HEADER_COLUMNS_MM = (64.0, TEXT_WIDTH_MM + 2 - 64.0)
SIGNATURE_COLUMNS_MM = (82.0, TEXT_WIDTH_MM + 2 - 82.0)
CELL_INSET_MM = 1.0

BODY_SIZE = 14
HEADER_SIZE = 13
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NATIONAL_TITLE_SIZE = 12
MOTTO_SIZE = 13
DATE_SIZE = 13
NUMBER_SIZE = 13
SIGNER_SIZE = 14
SIGNATURE_SPACE_LINES = 4
MARK_RED = (0xE0, 0x00, 0x00)

_PT_PER_MM = 72 / 25.4
_BOLD_CAPS_EM = 0.68  # average advance of bold capitals in Times, in ems (rule lengths)
_BOLD_EM = 0.5


def number_placeholder(notation: str) -> str:
    return f"Số: ……/{notation}"


def date_placeholder(place: str) -> str:
    return f"{place.strip()}, ngày …… tháng …… năm 20……"


def _text_mm(text: str, size: float, em: float) -> float:
    return len(text) * size * em / _PT_PER_MM


def _cong_van_subject(subject: str) -> str:
    """"V/v ..." (ô 5b); "V/v" abbreviates "về việc", so a leading "Về việc" is not repeated."""
    text = subject.strip()
    lowered = text.lower()
    if lowered.startswith("v/v"):
        return "V/v " + text[3:].strip()
    if lowered.startswith("về việc"):
        text = text[len("về việc"):].strip()
    return f"V/v {text}"


def add_header(doc: DocxDocument, spec: DraftSpec, *, notation: str, is_cong_van: bool) -> None:
    left_w, right_w = HEADER_COLUMNS_MM
    table = borderless_table(doc, HEADER_COLUMNS_MM)
    left, right = table.rows[0].cells
    inner_left = left_w - 2 * CELL_INSET_MM

    if spec.governing_body:
        add_paragraph(left, [Run(spec.governing_body.upper())], align="center",
                      size=HEADER_SIZE)
    agency = spec.agency_name.upper()
    add_paragraph(left, [Run(agency, bold=True)], align="center", size=HEADER_SIZE)
    # Rule: one third to one half of the agency name line (ô 2), centred.
    name_mm = min(inner_left, _text_mm(agency, HEADER_SIZE, _BOLD_CAPS_EM))
    add_short_rule(left, rule_mm=max(12.0, name_mm * 0.4), column_mm=inner_left)
    number = add_paragraph(left, [Run(number_placeholder(notation))], align="center",
                           size=NUMBER_SIZE, space_before=6)
    add_bookmark(number, anchors.NUMBER)
    if is_cong_van:
        subject = _cong_van_subject(spec.subject)
        add_paragraph(left, [Run(subject)], align="center", size=12, space_before=3)
    for mark in spec.marks():
        boxed_run_paragraph(left, mark, size=HEADER_SIZE, color=MARK_RED)

    inner_right = right_w - 2 * CELL_INSET_MM
    add_paragraph(right, [Run(NATIONAL_TITLE, bold=True)], align="center",
                  size=NATIONAL_TITLE_SIZE)
    add_paragraph(right, [Run(MOTTO, bold=True)], align="center", size=MOTTO_SIZE)
    # Rule under the motto: as long as the motto line.
    add_short_rule(right, rule_mm=_text_mm(MOTTO, MOTTO_SIZE, _BOLD_EM),
                   column_mm=inner_right)
    date = add_paragraph(right, [Run(date_placeholder(spec.place), italic=True)],
                         align="center", size=DATE_SIZE, space_before=6)
    add_bookmark(date, anchors.DATE)


def _recipient_lines(spec: DraftSpec) -> list[str]:
    lines = []
    for item in spec.recipients:
        text = item.strip().lstrip("-").strip().rstrip(";.").strip()
        if text:
            lines.append(f"- {text};")
    archive = spec.archive_notation.strip().rstrip(".")
    lines.append(f"- Lưu: {archive}." if archive else "- Lưu: VT.")
    return lines


def add_signature_block(doc: DocxDocument, spec: DraftSpec) -> None:
    table = borderless_table(doc, SIGNATURE_COLUMNS_MM)
    left, right = table.rows[0].cells
    add_paragraph(left, [Run("Nơi nhận:", bold=True, italic=True, size=12)], space_before=12,
                  size=12)
    for line in _recipient_lines(spec):
        add_paragraph(left, [Run(line, size=11)], size=11)

    for i, line in enumerate(spec.signer_lines()):
        add_paragraph(right, [Run(line, bold=True)], align="center", size=SIGNER_SIZE,
                      space_before=12 if i == 0 else 0, keep_with_next=True)
    for i in range(SIGNATURE_SPACE_LINES):
        space = add_paragraph(right, align="center", size=SIGNER_SIZE, keep_with_next=True)
        if i == 0:
            add_bookmark(space, anchors.SIGNATURE)
    name = add_paragraph(right, [Run(spec.signer_name.strip(), bold=True)], align="center",
                         size=SIGNER_SIZE)
    add_bookmark(name, anchors.SIGNER_NAME)


def add_heading(doc: DocxDocument, heading: str, subject: str | None) -> None:
    """Type name (bold capitals) and subject (bold) centred, with a short rule below (ô 5a)."""
    add_paragraph(doc, [Run(heading, bold=True)], align="center", size=BODY_SIZE,
                  space_before=18, keep_with_next=True)
    if subject:
        add_paragraph(doc, [Run(subject.strip(), bold=True)], align="center", size=BODY_SIZE,
                      keep_with_next=True)
    longest = max(len(heading), min(len(subject or ""), 70))
    rule = max(15.0, min(TEXT_WIDTH_MM / 2, longest * BODY_SIZE * _BOLD_EM / _PT_PER_MM * 0.4))
    add_short_rule(doc, rule_mm=rule, column_mm=TEXT_WIDTH_MM)
