"""Small python-docx helpers for the Decree 30 layout: fonts, borderless tables, rules, bookmarks.

python-docx has no API for paragraph borders, table borders, bookmarks or PAGE fields, so those
are written as raw WordprocessingML here; Word and LibreOffice both read them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

__all__ = [
    "FONT",
    "Run",
    "add_bookmark",
    "add_page_number_header",
    "add_paragraph",
    "add_short_rule",
    "borderless_table",
    "boxed_run_paragraph",
    "setup_document",
]

#: Decree 30 prescribes Times New Roman (TCVN 6909:2001 Unicode). On the server LibreOffice
#: substitutes the metric-compatible Liberation Serif (Debian fonts-liberation2), so line breaks
#: match what the drafter saw in Word.
FONT = "Times New Roman"

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: tuple[int, int, int] | None = None


def _set_run_fonts(rpr_parent, size: float | None = None) -> None:
    """Name the font for every script slot, so Vietnamese never falls back to a CJK font."""
    if rpr_parent.tag == qn("w:pPr"):
        # The paragraph mark's run properties; python-docx has no accessor for them.
        rpr = rpr_parent.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_parent.append(rpr)
    else:
        rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(round(size * 2)))


def setup_document(doc: DocxDocument, *, body_size: float, margins_mm: tuple[int, int, int, int]
                   ) -> None:
    """A4 portrait, the given margins (top, bottom, left, right), Times New Roman everywhere."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, bottom, left, right = margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(body_size)
    _set_run_fonts(normal.element, body_size)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    doc.core_properties.language = "vi-VN"


def add_paragraph(container, runs: Iterable[Run | str] = (), *, align: str = "left",
                  size: float | None = None, space_before: float = 0, space_after: float = 0,
                  first_line_indent_mm: float | None = None, keep_with_next: bool = False,
                  line_spacing: float | None = None) -> Paragraph:
    """Append a paragraph of runs to a document or table cell (reusing an empty first paragraph
    of a fresh cell, which Word requires to exist)."""
    if isinstance(container, _Cell) and len(container.paragraphs) == 1 and \
            not container.paragraphs[0].runs and not getattr(container, "_edoc_used", False):
        para = container.paragraphs[0]
        container._edoc_used = True
    else:
        para = container.add_paragraph()
    para.alignment = ALIGN[align]
    pf = para.paragraph_format
    pf.space_before = Pt(space_before)
    pf.space_after = Pt(space_after)
    if line_spacing is not None:
        pf.line_spacing = line_spacing
    if first_line_indent_mm is not None:
        pf.first_line_indent = Mm(first_line_indent_mm)
    if keep_with_next:
        pf.keep_with_next = True
    if size is not None:
        # The paragraph mark's size sets the height of an empty line (placeholder lines).
        _set_run_fonts(para._p.get_or_add_pPr(), size)
    for item in runs:
        spec = Run(item) if isinstance(item, str) else item
        run = para.add_run(spec.text)
        run.bold = spec.bold or None
        run.italic = spec.italic or None
        run_size = spec.size if spec.size is not None else size
        _set_run_fonts(run._r, run_size)
        if spec.color is not None:
            run.font.color.rgb = RGBColor(*spec.color)
    return para


def _border(tag: str, *, val: str = "single", size_eighths: int = 6, space: int = 1) -> OxmlElement:
    el = OxmlElement(tag)
    el.set(qn("w:val"), val)
    if val != "nil":
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), str(space))
        el.set(qn("w:color"), "000000")
    return el


def add_short_rule(container, *, rule_mm: float, column_mm: float) -> Paragraph:
    """A centred horizontal rule ``rule_mm`` long: a tiny empty paragraph with a bottom border,
    indented from both sides so that the border has the wanted length."""
    para = add_paragraph(container, align="center", size=2, space_before=2)
    indent = max(0.0, (column_mm - rule_mm) / 2)
    para.paragraph_format.left_indent = Mm(indent)
    para.paragraph_format.right_indent = Mm(indent)
    ppr = para._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    borders.append(_border("w:bottom", size_eighths=6, space=1))
    # w:pBdr must precede w:spacing/w:ind/w:jc in pPr (schema order), or Word rejects the file.
    ppr.insert(0, borders)
    _move_pstyle_first(ppr)
    return para


def _move_pstyle_first(ppr) -> None:
    for tag in ("w:keepNext", "w:pStyle"):
        el = ppr.find(qn(tag))
        if el is not None:
            ppr.remove(el)
            ppr.insert(0, el)


def boxed_run_paragraph(container, text: str, *, size: float, color: tuple[int, int, int],
                        align: str = "center") -> Paragraph:
    """A paragraph whose text is framed (urgency and confidentiality marks, §3.6)."""
    para = add_paragraph(container, [Run(text, bold=True, size=size, color=color)], align=align,
                         space_before=3)
    run = para.runs[0]
    rpr = run._r.get_or_add_rPr()
    bdr = OxmlElement("w:bdr")
    bdr.set(qn("w:val"), "single")
    bdr.set(qn("w:sz"), "8")
    bdr.set(qn("w:space"), "0")
    bdr.set(qn("w:color"), "{:02X}{:02X}{:02X}".format(*color))
    rpr.append(bdr)
    return para


def borderless_table(doc: DocxDocument, widths_mm: Iterable[float]) -> Table:
    """A fixed-layout table without borders, one row, columns of the given widths."""
    widths = list(widths_mm)
    table = doc.add_table(rows=1, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_border(f"w:{edge}", val="nil"))
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(round(Mm(1).twips)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    # Shift the table left by the cell margin so the text lines up with the body's left edge.
    ind = OxmlElement("w:tblInd")
    ind.set(qn("w:w"), str(-round(Mm(1).twips)))
    ind.set(qn("w:type"), "dxa")
    for element in (ind, borders, margins):
        _insert_in_order(tbl_pr, element, _TBL_PR_ORDER)
    # table.autofit = False made the layout fixed; Word then wants the total width too.
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:w"), str(round(sum(Mm(w).twips for w in widths))))
        tbl_w.set(qn("w:type"), "dxa")
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Mm(width)
        for cell in col.cells:
            cell.width = Mm(width)
    return table


#: Child order of w:tblPr in the OOXML schema; Word rejects a file whose order differs.
_TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                 "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
                 "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")


def _insert_in_order(parent, child, order: tuple[str, ...]) -> None:
    """Insert ``child`` before the first sibling that the schema puts after it."""
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    mine = rank[child.tag]
    for index, sibling in enumerate(parent):
        if rank.get(sibling.tag, -1) > mine:
            parent.insert(index, child)
            return
    parent.append(child)


_bookmark_ids = count(100)


def add_bookmark(paragraph: Paragraph, name: str) -> None:
    """A zero-length bookmark at the start of the paragraph.

    LibreOffice exports it as a PDF named destination (page, left, top), which is how the
    converter finds where the number and date go without leaving any visible text behind.
    """
    bid = str(next(_bookmark_ids))
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), bid)
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), bid)
    ppr = paragraph._p.pPr
    index = 1 if ppr is not None else 0
    paragraph._p.insert(index, start)
    paragraph._p.insert(index + 1, end)


def _field_runs(paragraph: Paragraph, instruction: str, size: float) -> None:
    for kind in ("begin", None, "separate", "text", "end"):
        run = paragraph.add_run()
        _set_run_fonts(run._r, size)
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif kind == "text":
            run.text = "2"
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


def add_page_number_header(doc: DocxDocument, *, size: float) -> None:
    """Page numbers centred in the top margin from page 2 on; none on page 1 (§3.8)."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header
    para = header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field_runs(para, "PAGE", size)
    first = section.first_page_header.paragraphs[0]
    first.text = ""
