"""Text form fields that are placed before signing and filled afterwards.

The clerk numbers and dates an outgoing document after the leader signed it (Decree 30, art. 15):
``add_text_fields`` puts empty, read-only fields (e.g. ``so_ky_hieu``, ``ngay_ban_hanh``) into the
draft; ``fill_fields`` writes the values in an incremental update that changes only the fields'
values and appearance streams, which signature validators classify as form filling, so the
leader's signature stays valid.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from .acroform import field_type, iter_fields
from .errors import FieldError
from .fonts import FontRole
from .pdffont import EmbeddedFont
from .pdfio import open_writer, resolve_page_index

__all__ = ["TextFieldSpec", "add_text_fields", "fill_fields"]

Style = Literal["regular", "bold", "italic"]
Align = Literal["left", "center", "right"]

# Default-appearance fonts: standard Times faces name the style; the appearance streams we
# write embed a real Vietnamese-capable font instead (the fields are read-only, so viewers do
# not regenerate them from /DA).
_DA_FONTS: dict[Style, tuple[str, str, FontRole]] = {
    "regular": ("/EdocSerif", "/Times-Roman", "serif"),
    "bold": ("/EdocSerifBold", "/Times-Bold", "serif-bold"),
    "italic": ("/EdocSerifItalic", "/Times-Italic", "serif-italic"),
}
_ROLE_BY_DA = {name: role for name, _, role in _DA_FONTS.values()}
_QUADDING: dict[Align, int] = {"left": 0, "center": 1, "right": 2}
_FF_READ_ONLY = 1
_ANNOT_PRINT = 4
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")


@dataclass(frozen=True, kw_only=True)
class TextFieldSpec:
    """A named single-line text field on ``page`` (0-based, -1 = last) at ``box`` (points)."""

    name: str
    page: int
    box: tuple[float, float, float, float]
    font_size: float = 13.0
    style: Style = "regular"
    align: Align = "left"

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise FieldError(f"invalid field name {self.name!r}", code="field_name_invalid")
        x1, y1, x2, y2 = self.box
        if x2 - x1 <= 1 or y2 - y1 <= 1:
            raise FieldError(f"empty field box {self.box}", code="field_box_invalid")
        if self.style not in _DA_FONTS or self.align not in _QUADDING or self.font_size <= 0:
            raise FieldError("invalid field style, alignment or size", code="field_style_invalid")


def _has_signatures(writer: IncrementalPdfFileWriter) -> bool:
    return any(field_type(f) == "/Sig" and "/V" in f for _, f in iter_fields(writer))


def _acroform(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    root = writer.root
    if "/AcroForm" not in root:
        root[pdf_name("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        )
        writer.update_root()
    form = root["/AcroForm"]
    writer.update_container(form)
    if "/Fields" not in form:
        form[pdf_name("/Fields")] = generic.ArrayObject()
    return form


def _ensure_da_fonts(writer: IncrementalPdfFileWriter, form: generic.DictionaryObject) -> None:
    if "/DR" not in form:
        form[pdf_name("/DR")] = generic.DictionaryObject()
    dr = form["/DR"]
    writer.update_container(dr)
    if "/Font" not in dr:
        dr[pdf_name("/Font")] = generic.DictionaryObject()
    fonts = dr["/Font"]
    writer.update_container(fonts)
    for res_name, base, _ in _DA_FONTS.values():
        if res_name not in fonts:
            fonts[pdf_name(res_name)] = writer.add_object(
                generic.DictionaryObject(
                    {
                        pdf_name("/Type"): pdf_name("/Font"),
                        pdf_name("/Subtype"): pdf_name("/Type1"),
                        pdf_name("/BaseFont"): pdf_name(base),
                        pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
                    }
                )
            )


def _empty_appearance(writer, width: float, height: float) -> generic.IndirectObject:
    return writer.add_object(
        generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(
                    [
                        generic.FloatObject(0),
                        generic.FloatObject(0),
                        generic.FloatObject(width),
                        generic.FloatObject(height),
                    ]
                ),
            },
            stream_data=b"/Tx BMC EMC",
        )
    )


def add_text_fields(pdf: bytes, fields: Sequence[TextFieldSpec]) -> bytes:
    """Add empty read-only text fields to an unsigned PDF (one incremental update).

    Refuses (``document_already_signed``) when the PDF carries a signature: new fields after a
    signature are not an allowed change. ``field_exists`` when a name is taken.
    """
    writer = open_writer(pdf)
    if _has_signatures(writer):
        raise FieldError(
            "fields must be added before the document is signed", code="document_already_signed"
        )
    form = _acroform(writer)
    existing = {name for name, _ in iter_fields(writer)}
    names = [f.name for f in fields]
    clash = (set(names) & existing) or {n for n in names if names.count(n) > 1}
    if clash:
        raise FieldError(f"field(s) already exist: {sorted(clash)}", code="field_exists")
    _ensure_da_fonts(writer, form)
    fields_arr = form["/Fields"]
    writer.update_container(fields_arr)
    for spec in fields:
        page_ref, _ = writer.find_page_for_modification(resolve_page_index(writer, spec.page))
        x1, y1, x2, y2 = spec.box
        da_font = _DA_FONTS[spec.style][0]
        field = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): generic.TextStringObject(spec.name),
                pdf_name("/Ff"): generic.NumberObject(_FF_READ_ONLY),
                pdf_name("/F"): generic.NumberObject(_ANNOT_PRINT),
                pdf_name("/DA"): generic.TextStringObject(f"{da_font} {spec.font_size:g} Tf 0 g"),
                pdf_name("/Q"): generic.NumberObject(_QUADDING[spec.align]),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (x1, y1, x2, y2)]
                ),
                pdf_name("/P"): page_ref,
                pdf_name("/AP"): generic.DictionaryObject(
                    {pdf_name("/N"): _empty_appearance(writer, x2 - x1, y2 - y1)}
                ),
            }
        )
        field_ref = writer.add_object(field)
        fields_arr.append(field_ref)
        writer.register_annotation(page_ref, field_ref)
    return _output(writer)


def _output(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_DA_RE = re.compile(rb"/([^\s/\[\]()<>]+)\s+([0-9.]+)\s+Tf")


def _style_of(field: generic.DictionaryObject) -> tuple[FontRole, float]:
    da = field.get("/DA")
    match = _DA_RE.search(str(da).encode()) if da is not None else None
    if match is None:
        return "serif", 12.0
    role = _ROLE_BY_DA.get("/" + match.group(1).decode(), "serif")
    size = float(match.group(2)) or 12.0  # 0 means auto size
    return role, size


def _appearance(
    writer: IncrementalPdfFileWriter,
    font: EmbeddedFont,
    text: str,
    rect: tuple[float, float, float, float],
    size: float,
    quadding: int,
) -> generic.IndirectObject:
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    pad = 2.0
    m = font.metrics
    # Shrink the text to fit the box rather than clip it.
    size = min(size, (height - 1) * 1000 / (m.ascent - m.descent))
    text_w = font.width(text, size)
    if text_w > width - 2 * pad:
        size *= (width - 2 * pad) / text_w
        text_w = font.width(text, size)
    x = {0: pad, 1: (width - text_w) / 2, 2: width - pad - text_w}[quadding]
    y = (height - (m.ascent - m.descent) * size / 1000) / 2 - m.descent * size / 1000
    content = b"/Tx BMC q BT /F0 %.2f Tf 0 g %.2f %.2f Td %s Tj ET Q EMC" % (
        size,
        x,
        y,
        font.encode(text),
    )
    return writer.add_object(
        generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(
                    [
                        generic.FloatObject(0),
                        generic.FloatObject(0),
                        generic.FloatObject(width),
                        generic.FloatObject(height),
                    ]
                ),
                pdf_name("/Resources"): generic.DictionaryObject(
                    {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F0"): font.ref})}
                ),
            },
            stream_data=content,
        )
    )


def fill_fields(pdf: bytes, values: Mapping[str, str]) -> bytes:
    """Set text field values with Vietnamese appearance streams, as one incremental update.

    Only the fields' ``/V`` and ``/AP`` change, so earlier signatures see form filling.
    Errors: ``field_missing`` (no such text field), ``font_missing_glyphs``.
    """
    if not values:
        raise FieldError("no field values given", code="field_missing")
    writer = open_writer(pdf)
    all_fields = dict(iter_fields(writer))
    targets: dict[str, generic.DictionaryObject] = {}
    for name in values:
        field = all_fields.get(name)
        if field is None or field_type(field) != "/Tx":
            raise FieldError(f"no text field named {name!r}", code="field_missing")
        targets[name] = field
    # One embedded font per style, covering every value in this update.
    by_role: dict[FontRole, list[str]] = {}
    for name, field in targets.items():
        by_role.setdefault(_style_of(field)[0], []).append(values[name])
    fonts = {role: EmbeddedFont(writer, role, "".join(texts)) for role, texts in by_role.items()}
    for name, field in targets.items():
        text = unicodedata.normalize("NFC", values[name]).replace("\n", " ")
        role, size = _style_of(field)
        widget = field if "/Rect" in field else field["/Kids"][0].get_object()
        rect = tuple(float(v) for v in widget["/Rect"])
        rect = (
            min(rect[0], rect[2]),
            min(rect[1], rect[3]),
            max(rect[0], rect[2]),
            max(rect[1], rect[3]),
        )
        quadding = min(max(int(field.get("/Q", 0)), 0), 2)
        field[pdf_name("/V")] = generic.TextStringObject(text)
        widget[pdf_name("/AP")] = generic.DictionaryObject(
            {pdf_name("/N"): _appearance(writer, fonts[role], text, rect, size, quadding)}
        )
        writer.update_container(field)
        writer.update_container(widget)
    return _output(writer)
