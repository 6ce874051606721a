"""The content part of each template, between the header and the signature block.

The caller gives the text; the template gives the structure each type customarily has:
- công văn, tờ trình: "Kính gửi:" then the body;
- quyết định: the issuing authority, the "Căn cứ ..." lines (italic), "Theo đề nghị của ...",
  "QUYẾT ĐỊNH:", then one "Điều N." per body paragraph (three standard articles when none);
- báo cáo, kế hoạch, tờ trình: the customary section headings when the body is empty;
- giấy mời: the invitee, "Tới dự", "Thời gian", "Địa điểm", then the body.
The content ends with "./." (Phụ lục I, ô 6).

Body paragraphs: Times New Roman 14, justified, first line indented 12.7 mm, 6 pt apart.
A paragraph opening with a roman numeral ("II. ") is a bold section heading; an opening "1. ",
"1.2. " or "Điều 3." is set in bold.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from docx.document import Document as DocxDocument

from edoc.drafting.layout import BODY_SIZE
from edoc.drafting.ooxml import Run, add_paragraph
from edoc.drafting.spec import DraftSpec

__all__ = ["BODY_BUILDERS", "add_body"]

_ROMAN_HEADING = re.compile(r"^[IVXLC]+\.\s")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*\.|Điều\s+\d+\.)\s*")
END_MARK = "./."

_SKELETONS: dict[str, tuple[str, ...]] = {
    "bao_cao": ("I. KẾT QUẢ THỰC HIỆN", "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
                "III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRONG THỜI GIAN TỚI", "IV. KIẾN NGHỊ, ĐỀ XUẤT"),
    "ke_hoach": ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN"),
    "to_trinh": ("I. SỰ CẦN THIẾT", "II. NỘI DUNG ĐỀ XUẤT", "III. KIẾN NGHỊ"),
}


def _with_end_mark(paragraphs: Sequence[str]) -> list[str]:
    items = [p.strip() for p in paragraphs if p and p.strip()]
    if items and not items[-1].endswith(END_MARK):
        items[-1] = items[-1].rstrip(".") + END_MARK
    return items


def body_paragraph(doc: DocxDocument, text: str, *, italic: bool = False,
                   indent: bool = True) -> None:
    if _ROMAN_HEADING.match(text):
        runs = [Run(text, bold=True)]
    elif match := _NUMBERED.match(text):
        runs = [Run(match.group(0), bold=True, italic=italic),
                Run(text[match.end():], italic=italic)]
    else:
        runs = [Run(text, italic=italic)]
    add_paragraph(doc, runs, align="justify", size=BODY_SIZE, space_before=6,
                  first_line_indent_mm=12.7 if indent else None)


def _addressees(doc: DocxDocument, names: Sequence[str]) -> None:
    """"Kính gửi:" (ô 9a): on one centred line for one addressee, else one dashed line each."""
    names = [n.strip().lstrip("-").strip().rstrip(";.") for n in names if n.strip()]
    if not names:
        return
    if len(names) == 1:
        add_paragraph(doc, [Run(f"Kính gửi: {names[0]}.")], align="center", size=BODY_SIZE,
                      space_before=12, space_after=6)
        return
    add_paragraph(doc, [Run("Kính gửi:")], size=BODY_SIZE, space_before=12,
                  first_line_indent_mm=30)
    for i, name in enumerate(names):
        end = "." if i == len(names) - 1 else ";"
        add_paragraph(doc, [Run(f"- {name}{end}")], size=BODY_SIZE,
                      first_line_indent_mm=55, space_after=6 if end == "." else 0)


def _plain(doc: DocxDocument, spec: DraftSpec) -> None:
    paragraphs = spec.body or _SKELETONS.get(spec.type_key, ())
    for text in _with_end_mark(paragraphs):
        body_paragraph(doc, text)


def _cong_van(doc: DocxDocument, spec: DraftSpec) -> None:
    _addressees(doc, spec.addressees)
    _plain(doc, spec)


def _to_trinh(doc: DocxDocument, spec: DraftSpec) -> None:
    _addressees(doc, spec.addressees)
    _plain(doc, spec)


_STANDARD_ARTICLES = (
    "……………………………………………………………………",
    "Quyết định này có hiệu lực kể từ ngày ký.",
    "Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị và cá nhân có liên quan chịu trách nhiệm "
    "thi hành Quyết định này.",
)


def _quyet_dinh(doc: DocxDocument, spec: DraftSpec) -> None:
    authority = spec.issuing_authority or spec.agency_name
    add_paragraph(doc, [Run(authority.strip().upper(), bold=True)],
                  align="center", size=BODY_SIZE, space_before=12, space_after=6)
    bases = [b.strip().rstrip(";.") for b in spec.legal_bases if b.strip()]
    for i, basis in enumerate(bases):
        if not basis.lower().startswith("căn cứ"):
            basis = f"Căn cứ {basis}"
        end = ";" if i < len(bases) - 1 or spec.proposal else "."
        body_paragraph(doc, basis + end, italic=True)
    if spec.proposal:
        proposal = spec.proposal.strip().rstrip(".")
        if not proposal.lower().startswith("theo đề nghị"):
            proposal = f"Theo đề nghị của {proposal}"
        body_paragraph(doc, proposal + ".", italic=True)
    add_paragraph(doc, [Run("QUYẾT ĐỊNH:", bold=True)], align="center", size=BODY_SIZE,
                  space_before=12, space_after=6, keep_with_next=True)
    articles = _with_end_mark(spec.body or _STANDARD_ARTICLES)
    for number, text in enumerate(articles, start=1):
        text = re.sub(r"^Điều\s+\d+\.\s*", "", text)
        body_paragraph(doc, f"Điều {number}. {text}")


def _giay_moi(doc: DocxDocument, spec: DraftSpec) -> None:
    inv = spec.invitation
    if inv is None:  # render_draft refuses this with a ValidationError first
        raise ValueError("a giấy mời needs its invitation details")
    add_paragraph(doc, [Run(f"{spec.agency_name.strip()} trân trọng kính mời:")],
                  align="justify", size=BODY_SIZE, space_before=12, first_line_indent_mm=12.7)
    add_paragraph(doc, [Run(inv.invitees.strip(), bold=True)], align="center", size=BODY_SIZE,
                  space_before=6)
    for label, value in (("Tới dự", inv.event), ("Thời gian", inv.time_text()),
                         ("Địa điểm", inv.venue)):
        add_paragraph(doc, [Run(f"{label}: ", bold=True), Run(value.strip())], align="justify",
                      size=BODY_SIZE, space_before=6, first_line_indent_mm=12.7)
    for text in _with_end_mark(spec.body):
        body_paragraph(doc, text)


BODY_BUILDERS: dict[str, Callable[[DocxDocument, DraftSpec], None]] = {
    "cong_van": _cong_van,
    "quyet_dinh": _quyet_dinh,
    "to_trinh": _to_trinh,
    "giay_moi": _giay_moi,
}


def add_body(doc: DocxDocument, spec: DraftSpec) -> None:
    BODY_BUILDERS.get(spec.type_key, _plain)(doc, spec)
