"""The Decree 30 incoming stamp ("ĐẾN") as a PDF stamp annotation.

The stamp records the registration of an incoming document: registration number (Số đến), date
and time received (Ngày), and optionally who it was passed to (Chuyển) and the record file (Số
và ký hiệu HS). It is added as a new stamp annotation with its own appearance stream in an
incremental update, so earlier signatures stay valid (a change at the ANNOTATIONS level, which
``verify_pdf`` accepts; see ``diffpolicy``).

Registration takes the number under a lock held until its transaction commits, so the stamp is
made in two steps: :func:`prepare_incoming_stamp` (parsing, page box, fonts) before the number
is taken, :meth:`PreparedStamp.finish` (the number, the annotation, the update) after.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

from .appearance import MM, VN_TZ
from .errors import FieldError
from .pdffont import EmbeddedFont
from .pdfio import open_writer, page_box, resolve_page_index

__all__ = ["PreparedStamp", "add_incoming_stamp", "prepare_incoming_stamp"]

_RED = b"0.78 0 0"
_STAMP_W, _STAMP_H = 50 * MM, 30 * MM  # Decree 30 paper stamp: 50 x 35 mm; fewer lines here


def _pdf_date(when: dt.datetime) -> generic.TextStringObject:
    off = when.utcoffset() or dt.timedelta(0)
    sign = "+" if off >= dt.timedelta(0) else "-"
    minutes = abs(int(off.total_seconds())) // 60
    return generic.TextStringObject(
        when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{minutes // 60:02d}'{minutes % 60:02d}'"
    )


def add_incoming_stamp(
    pdf: bytes,
    *,
    number: int | str,
    received_at: dt.datetime,
    handler: str | None = None,
    record: str | None = None,
    agency: str | None = None,
    page: int = 0,
    box: tuple[float, float, float, float] | None = None,
    tz: dt.tzinfo = VN_TZ,
) -> bytes:
    """Stamp "ĐẾN" with number and time received on ``page`` (top left of page 1 by default).

    ``handler`` fills the "Chuyển" line, ``record`` the "Số và ký hiệu HS" line and ``agency``
    adds the receiving agency's name on top. ``received_at`` must be timezone-aware.
    """
    return prepare_incoming_stamp(
        pdf, received_at=received_at, handler=handler, record=record, agency=agency, page=page,
        box=box, tz=tz, number_hint=str(number),
    ).finish(number)


_NUMBER = "Số: {}"


class PreparedStamp:
    """A stamp laid out on its PDF but for the registration number; :meth:`finish` once."""

    def __init__(
        self, writer: Any, index: int, lines: list[tuple[str, bool]],
        box: tuple[float, float, float, float], local: dt.datetime, regular: EmbeddedFont,
        bold: EmbeddedFont, prepare: Callable[[str], PreparedStamp],
    ) -> None:
        self._writer, self._index, self._lines, self._box = writer, index, lines, box
        self._local, self._regular, self._bold, self._prepare = local, regular, bold, prepare
        self._done = False

    def finish(self, number: int | str) -> bytes:
        """The stamped PDF (the original bytes plus an incremental update)."""
        if self._done:
            raise RuntimeError("a prepared stamp is finished once")
        self._done = True
        text = _NUMBER.format(number)
        if not self._regular.covers(text):  # a number with characters the subset lacks
            return self._prepare(str(number)).finish(number)
        lines = [(text if t == _NUMBER else t, bold) for t, bold in self._lines]
        writer, box = self._writer, self._box
        x1, y1, x2, y2 = box
        width, height = x2 - x1, y2 - y1
        content = _content(lines, self._regular, self._bold, width, height)
        appearance = writer.add_object(
            generic.StreamObject(
                {
                    pdf_name("/Type"): pdf_name("/XObject"),
                    pdf_name("/Subtype"): pdf_name("/Form"),
                    pdf_name("/BBox"): generic.ArrayObject(
                        [generic.FloatObject(v) for v in (0, 0, width, height)]
                    ),
                    pdf_name("/Resources"): generic.DictionaryObject(
                        {
                            pdf_name("/Font"): generic.DictionaryObject(
                                {pdf_name("/F0"): self._regular.ref,
                                 pdf_name("/F1"): self._bold.ref}
                            )
                        }
                    ),
                },
                stream_data=content,
            )
        )
        page_ref, _ = writer.find_page_for_modification(self._index)
        summary = " | ".join(t for t, _ in lines)
        annot = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Annot"),
                    pdf_name("/Subtype"): pdf_name("/Stamp"),
                    pdf_name("/Name"): pdf_name("/EdocIncoming"),
                    pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in box]),
                    pdf_name("/Contents"): generic.TextStringObject(f"ĐẾN | {summary}"),
                    pdf_name("/NM"): generic.TextStringObject(f"edoc-incoming-{uuid.uuid4()}"),
                    pdf_name("/M"): _pdf_date(self._local),
                    pdf_name("/F"): generic.NumberObject(4 | 128),  # print, locked
                    pdf_name("/P"): page_ref,
                    pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): appearance}),
                }
            )
        )
        writer.register_annotation(page_ref, annot)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


def prepare_incoming_stamp(
    pdf: bytes,
    *,
    received_at: dt.datetime,
    handler: str | None = None,
    record: str | None = None,
    agency: str | None = None,
    page: int = 0,
    box: tuple[float, float, float, float] | None = None,
    tz: dt.tzinfo = VN_TZ,
    number_hint: str = "",
) -> PreparedStamp:
    """Everything of :func:`add_incoming_stamp` that does not depend on the number (the fonts
    always hold the digits): raises the same errors, before any number is taken.
    ``number_hint``: characters the number may hold beyond digits."""
    if received_at.tzinfo is None:
        raise FieldError("received_at needs a timezone", code="stamp_invalid")
    writer = open_writer(pdf)
    index = resolve_page_index(writer, page)
    local = received_at.astimezone(tz)
    lines: list[tuple[str, bool]] = []
    if agency:
        lines.append((agency.upper(), True))
    lines.append((_NUMBER, False))
    lines.append((f"Ngày: {local:%d/%m/%Y} Giờ: {local:%H:%M}", False))
    if handler:
        lines.append((f"Chuyển: {handler}", False))
    if record:
        lines.append((f"Số và ký hiệu HS: {record}", False))

    if box is None:
        px1, _, _, py2 = page_box(writer, index)
        x1, y2 = px1 + 25 * MM, py2 - 4 * MM
        box = (x1, y2 - _STAMP_H, x1 + _STAMP_W, y2)
    x1, y1, x2, y2 = box
    width, height = x2 - x1, y2 - y1
    if width < 20 or height < 20:
        raise FieldError(f"stamp box {box} is too small", code="stamp_invalid")

    regular_text = "".join(
        _NUMBER.format(number_hint) if t == _NUMBER else t for t, bold in lines if not bold)
    regular = EmbeddedFont(writer, "serif", regular_text)
    bold = EmbeddedFont(writer, "serif-bold", "ĐẾN" + "".join(t for t, b in lines if b))

    def again(number: str) -> PreparedStamp:
        return prepare_incoming_stamp(pdf, received_at=received_at, handler=handler,
                                      record=record, agency=agency, page=page, box=box, tz=tz,
                                      number_hint=number)

    return PreparedStamp(writer, index, lines, box, local, regular, bold, again)


def _content(
    lines: list[tuple[str, bool]],
    regular: EmbeddedFont,
    bold: EmbeddedFont,
    width: float,
    height: float,
) -> bytes:
    """A red double-ruled box; "ĐẾN" large on the left, the lines to its right and below."""
    pad = 3.0
    ops = [b"q", _RED + b" RG", _RED + b" rg", b"1.2 w"]
    ops.append(b"%.2f %.2f %.2f %.2f re S" % (0.6, 0.6, width - 1.2, height - 1.2))
    n = len(lines)
    size = min(9.0, (height - 2 * pad) / (n * 1.25))
    big = min(2.2 * size, 18.0)
    den_w = bold.width("ĐẾN", big)
    line_h = (height - 2 * pad) / n
    ops.append(b"BT")
    for i, (text, is_bold) in enumerate(lines):
        font, res = (bold, b"/F1") if is_bold else (regular, b"/F0")
        y = height - pad - (i + 1) * line_h + (line_h - size) / 2 + 1
        # The number and date sit right of "ĐẾN"; other lines use the full width.
        x = pad + den_w + 4 if text.startswith(("Số:", "Ngày:")) else pad
        room = width - x - pad
        fs = size if font.width(text, size) <= room else size * room / font.width(text, size)
        ops.append(b"%s %.2f Tf 1 0 0 1 %.2f %.2f Tm %s Tj" % (res, fs, x, y, font.encode(text)))
    rows = [i for i, (t, _) in enumerate(lines) if t.startswith(("Số:", "Ngày:"))]
    if rows:
        top = height - pad - rows[0] * line_h
        bottom = height - pad - (rows[-1] + 1) * line_h
        y = (top + bottom) / 2 - big * 0.35
        ops.append(b"/F1 %.2f Tf 1 0 0 1 %.2f %.2f Tm %s Tj" % (big, pad, y, bold.encode("ĐẾN")))
    ops.append(b"ET Q")
    return b"\n".join(ops)
