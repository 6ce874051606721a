"""A register as a printable PDF (fpdf2, Noto Sans, landscape A4).

Page 1 is the book's cover: agency, title, book name, year and period. The table follows with
the ten headings and their numbers "(1)" … "(10)" repeated at the top of every page, rows whose
long texts wrap inside their column, a closing line with the number of documents, and
"Trang x/y" at the foot of every page.

The table is drawn directly (rectangles and text lines) instead of with fpdf2's ``table()``:
rows are streamed from the iterable and never kept, word widths are cached (subjects repeat the
same Vietnamese syllables), and each row costs the same whatever its position, so 10,000 rows
take a few seconds.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from flask_babel import lazy_gettext as _l
from fpdf import FPDF, XPos, YPos

from edoc.errors import ServiceUnavailable
from edoc.registers.columns import Column, RegisterLayout, clean_text

__all__ = ["DEFAULT_FONT_DIR", "write_pdf"]

DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/noto")
_FONT_FILES = {"": "NotoSans-Regular.ttf", "B": "NotoSans-Bold.ttf", "I": "NotoSans-Italic.ttf"}
_FAMILY = "NotoSans"

_MARGIN = 10.0  # mm; the ten column widths add up to 297 - 2 × 10
_TOP = 10.0
_BOTTOM = 12.0
_SIZE = 8.5     # table text, pt
_LINE = 3.9     # mm per text line
_PAD_X = 1.2
_PAD_Y = 1.0
_ELLIPSIS = "…"
_PAGES_ALIAS = "{pagestotal}"


def _format(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)


class _RegisterPdf(FPDF):
    def __init__(self, layout: RegisterLayout, *, running_title: str, font_dir: Path) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.layout = layout
        self.running_title = running_title
        self.in_table = False
        self._widths: dict[tuple[str, str], float] = {}
        self.set_margins(_MARGIN, _TOP, _MARGIN)
        self.set_auto_page_break(False)
        # Room for a five-digit page count in the footer ("{nb}" reserves only two digits).
        self.alias_nb_pages(_PAGES_ALIAS)
        for style, name in _FONT_FILES.items():
            path = font_dir / name
            if not path.is_file():
                raise ServiceUnavailable(
                    _l("Máy chủ thiếu phông chữ Noto Sans để in sổ đăng ký (%(path)s).",
                       path=str(path)), code="font_missing", path=str(path))
            self.add_font(_FAMILY, style, str(path))
        self.heading_lines = [self._wrap(c.heading, c.pdf_width - 2 * _PAD_X, "B")
                              for c in layout.columns]

    # -- text measuring and wrapping -------------------------------------------------------
    def _width(self, word: str, style: str) -> float:
        key = (style, word)
        width = self._widths.get(key)
        if width is None:
            if (self.font_family, self.font_style, self.font_size_pt) != \
                    (_FAMILY.lower(), style, _SIZE):
                self.set_font(_FAMILY, style, _SIZE)
            width = self._widths[key] = self.get_string_width(word)
        return width

    def _break_word(self, word: str, width: float, style: str) -> list[str]:
        pieces, current = [], ""
        for ch in word:
            if current and self._width(current + ch, style) > width:
                pieces.append(current)
                current = ch
            else:
                current += ch
        pieces.append(current)
        return pieces

    def _wrap(self, text: str, width: float, style: str = "") -> list[str]:
        lines: list[str] = []
        space = self._width(" ", style)
        for paragraph in text.split("\n"):
            current, used = "", 0.0
            for word in paragraph.split():
                word_width = self._width(word, style)
                if current and used + space + word_width <= width:
                    current, used = f"{current} {word}", used + space + word_width
                    continue
                if current:
                    lines.append(current)
                pieces = [word] if word_width <= width else self._break_word(word, width, style)
                lines.extend(pieces[:-1])
                current = pieces[-1]
                used = self._width(current, style)
            lines.append(current)
        while len(lines) > 1 and not lines[-1]:
            lines.pop()
        return lines or [""]

    # -- page furniture ----------------------------------------------------------------------
    def header(self) -> None:
        if not self.in_table:
            return
        self.set_font(_FAMILY, "I", 7.5)
        self.set_xy(_MARGIN, _TOP - 5)
        self.cell(0, 4, self.running_title, align="L")
        self.set_y(_TOP)
        self._draw_row(self.heading_lines, style="B", fill=True)
        numbers = [[f"({i})"] for i in range(1, len(self.layout.columns) + 1)]
        self._draw_row(numbers, style="I", centre_all=True)

    def footer(self) -> None:
        self.set_font(_FAMILY, "", 7.5)
        self.set_y(-_BOTTOM + 4)
        self.cell(0, 4, f"Trang {self.page_no()}/{_PAGES_ALIAS}", align="C")

    # -- table ---------------------------------------------------------------------------------
    @property
    def floor(self) -> float:
        return self.h - _BOTTOM

    def _draw_row(self, lines: list[list[str]], *, style: str = "", fill: bool = False,
                  centre_all: bool = False) -> None:
        columns: tuple[Column, ...] = self.layout.columns
        height = max(len(cell) for cell in lines) * _LINE + 2 * _PAD_Y
        x, y = _MARGIN, self.get_y()
        self.set_font(_FAMILY, style, _SIZE)
        if fill:
            self.set_fill_color(237, 237, 237)
        for column, cell in zip(columns, lines, strict=True):
            self.rect(x, y, column.pdf_width, height, style="DF" if fill else "D")
            centred = centre_all or fill or column.align == "center"
            for index, line in enumerate(cell):
                if not line:
                    continue
                offset = _PAD_X
                if centred:
                    offset = max(_PAD_X, (column.pdf_width - self._width(line, style)) / 2)
                self.text(x + offset, y + _PAD_Y + index * _LINE + _LINE * 0.78, line)
            x += column.pdf_width
        self.set_y(y + height)

    def add_row(self, values: tuple[object, ...]) -> None:
        columns = self.layout.columns
        lines = [self._wrap(_format(v), c.pdf_width - 2 * _PAD_X)
                 for c, v in zip(columns, values, strict=True)]
        height = max(len(cell) for cell in lines) * _LINE + 2 * _PAD_Y
        if self.get_y() + height > self.floor:
            self.add_page()
            room = int((self.floor - self.get_y() - 2 * _PAD_Y) // _LINE)
            if height > self.floor - self.get_y():
                # A row taller than a page (a pasted essay in "Ghi chú"): cut it, visibly.
                lines = [cell if len(cell) <= room else [*cell[:room - 1],
                                                         cell[room - 1] + _ELLIPSIS]
                         for cell in lines]
        self._draw_row(lines)


def write_pdf(layout: RegisterLayout, rows: Iterable[object], *, agency_name: str,
              book_name: str, year_text: str, period: str, font_dir: Path = DEFAULT_FONT_DIR
              ) -> bytes:
    book = clean_text(book_name)
    pdf = _RegisterPdf(layout, running_title=f"{layout.title} — {book} — {period}",
                       font_dir=font_dir)
    pdf.set_title(f"{layout.title} - {book} - {period}")
    pdf.set_author(clean_text(agency_name))
    pdf.set_creator("edoc")
    pdf.set_lang("vi")

    _cover(pdf, layout, agency=clean_text(agency_name), book=book, year_text=year_text,
           period=period)
    pdf.in_table = True
    pdf.add_page()
    count = 0
    for row in rows:
        pdf.add_row(layout.values(row))
        count += 1
    if pdf.get_y() + 10 > pdf.floor:
        pdf.in_table = False
        pdf.add_page()
    pdf.set_font(_FAMILY, "B", 9.5)
    pdf.set_xy(_MARGIN, pdf.get_y() + 3)
    pdf.cell(0, 5, f"Tổng số văn bản đã đăng ký: {count}.")
    return bytes(pdf.output())


def _cover(pdf: _RegisterPdf, layout: RegisterLayout, *, agency: str, book: str,
           year_text: str, period: str) -> None:
    pdf.add_page()
    pdf.set_font(_FAMILY, "B", 14)
    pdf.set_y(22)
    pdf.multi_cell(0, 7, agency.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y = pdf.get_y() + 2
    pdf.line(pdf.w / 2 - 25, y, pdf.w / 2 + 25, y)
    pdf.set_y(70)
    pdf.set_font(_FAMILY, "B", 28)
    pdf.multi_cell(0, 14, layout.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(_FAMILY, "B", 16)
    pdf.multi_cell(0, 9, book, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(_FAMILY, "", 15)
    pdf.multi_cell(0, 8, year_text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, "I", 13)
    pdf.multi_cell(0, 8, period, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
