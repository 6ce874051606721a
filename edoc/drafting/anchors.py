"""Bookmark anchors: how a draft made from our templates tells where the number and date go.

Why bookmarks, not form fields in the DOCX (option (a) of the design) — tested with the
LibreOffice 7.4 of Debian 12 (``libreoffice-writer-nogui``):
- legacy ``FORMTEXT`` fields and ``w:sdt`` content controls in a DOCX are **not** exported as
  PDF form fields (``ExportFormFields`` only covers Writer's own form controls; content-control
  export arrived in later LibreOffice releases). The PDF had no AcroForm at all.
- the fields would in any case be LibreOffice's widgets, with its own fonts and appearance
  streams, which the signing package would have to adopt before signing and filling.

What works reliably (option (b)): a zero-length Word bookmark at the start of the number line and
of the date line. The placeholder text ("Số: ……/QĐ-UBND", "Vĩnh Phúc, ngày …… tháng ……
năm 20……") stays visible in the DOCX the drafter edits; :func:`blank_placeholders` empties those
two paragraphs just before conversion (the empty paragraph keeps its line height), and
LibreOffice's ``ExportBookmarksToPDFDestination`` turns each bookmark into a PDF named
destination carrying the page and the (left, top) point of the line; for an empty centred
paragraph "left" is the centre of its column. :mod:`.pdf_anchors` turns that into field
rectangles, which ``signing.add_text_fields`` uses. Nothing junk is left in the PDF: named
destinations are invisible and the lines are empty until the clerk fills the fields.
Word keeps bookmarks when the drafter edits around them; if one is lost, the converter falls back
to finding the lines by their text (:mod:`.locate`).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from lxml import etree

from edoc.errors import ValidationError

__all__ = ["ALL", "DATE", "NUMBER", "SIGNATURE", "SIGNER_NAME", "BlankedDocx",
           "blank_placeholders"]

NUMBER = "edocSoKyHieu"
DATE = "edocNgayBanHanh"
SIGNATURE = "edocChuKy"  # first free line of the signature space
SIGNER_NAME = "edocHoTen"
ALL = (NUMBER, DATE, SIGNATURE, SIGNER_NAME)
#: The paragraphs whose text is a placeholder that the filled form field replaces.
_PLACEHOLDERS = (NUMBER, DATE)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCUMENT_PART = "word/document.xml"
#: A real document.xml is a few MB at most; refuse decompression bombs before parsing.
_MAX_PART_BYTES = 64 * 1024 * 1024
_CONTENT_TAGS = {f"{{{_W}}}{t}" for t in ("r", "hyperlink", "fldSimple", "sdt", "ins", "smartTag",
                                           "customXml")}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_blank_text=False)


def _invalid() -> ValidationError:
    return ValidationError(_l("Tệp DOCX không hợp lệ hoặc bị hỏng."), code="invalid_docx")


@dataclass(frozen=True)
class BlankedDocx:
    docx: bytes
    #: Our anchor names present in the document.
    anchors: frozenset[str]
    #: The text removed from each placeholder line, by anchor name ("Vĩnh Phúc, ngày ……").
    removed: dict[str, str] = field(default_factory=dict)


def blank_placeholders(docx_bytes: bytes) -> BlankedDocx:
    """Empty the number and date paragraphs marked by our bookmarks.

    A DOCX without our bookmarks comes back unchanged (same bytes) with no anchors.
    """
    try:
        zin = zipfile.ZipFile(io.BytesIO(docx_bytes))
        info = zin.getinfo(_DOCUMENT_PART)
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise _invalid() from None
    if info.file_size > _MAX_PART_BYTES:
        raise _invalid()
    try:
        root = etree.fromstring(zin.read(info), _parser())
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError):
        raise _invalid() from None

    found: set[str] = set()
    removed: dict[str, str] = {}
    for start in root.iter(f"{{{_W}}}bookmarkStart"):
        name = start.get(f"{{{_W}}}name")
        if name not in ALL:
            continue
        found.add(name)
        if name not in _PLACEHOLDERS:
            continue
        para = _paragraph_of(start)
        if para is None:
            continue
        removed[name] = "".join(para.itertext(f"{{{_W}}}t")).strip()
        for child in list(para):
            if child.tag in _CONTENT_TAGS:
                para.remove(child)
    if not removed:
        return BlankedDocx(docx_bytes, frozenset(found))

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = (etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                   standalone=True)
                    if item.filename == _DOCUMENT_PART else zin.read(item))
            zout.writestr(item, data)
    return BlankedDocx(out.getvalue(), frozenset(found), removed)


def _paragraph_of(element) -> etree._Element | None:
    """The paragraph holding a bookmark; Word may also put it just before the paragraph."""
    parent = element.getparent()
    while parent is not None and parent.tag != f"{{{_W}}}p":
        parent = parent.getparent()
    if parent is not None:
        return parent
    sibling = element.getnext()
    while sibling is not None and sibling.tag != f"{{{_W}}}p":
        if sibling.tag not in {f"{{{_W}}}bookmarkEnd", f"{{{_W}}}bookmarkStart"}:
            return None
        sibling = sibling.getnext()
    return sibling
