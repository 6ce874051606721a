"""Decree 30 sample documents made on the fly: PDF (fpdf2 + Noto Sans), DOCX (python-docx),
scanned pages (Pillow at 300 dpi), and the broken files the capture pipeline must refuse."""
from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

NOTO = "/usr/share/fonts/truetype/noto/"


@dataclass(frozen=True)
class Decree30Doc:
    """The first page of an administrative document, Decree 30 layout (Phụ lục I)."""

    agency_lines: tuple[str, ...]           # top-left block, one printed line each
    number_line: str                        # "Số: 15/QĐ-SNV"
    place_date: str                         # "Phú Thọ, ngày 05 tháng 3 năm 2025"
    heading: str | None = None              # "QUYẾT ĐỊNH"; None for a công văn
    subject_lines: tuple[str, ...] = ()     # under the heading, or the V/v lines of a công văn
    marks: tuple[str, ...] = ()             # "KHẨN", "MẬT" under the number
    body: tuple[str, ...] = field(default=())


QUYET_DINH = Decree30Doc(
    agency_lines=("UBND TỈNH PHÚ THỌ", "SỞ NỘI VỤ"),
    number_line="Số: 15/QĐ-SNV",
    place_date="Phú Thọ, ngày 05 tháng 3 năm 2025",
    heading="QUYẾT ĐỊNH",
    subject_lines=("Về việc phê duyệt Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức",
                   "tỉnh Phú Thọ năm 2025"),
    body=("GIÁM ĐỐC SỞ NỘI VỤ",
          "Căn cứ Quyết định số 09/2024/QĐ-UBND ngày 01 tháng 02 năm 2024 của Ủy ban nhân dân "
          "tỉnh Phú Thọ quy định chức năng, nhiệm vụ, quyền hạn của Sở Nội vụ;",
          "Theo đề nghị của Trưởng phòng Công chức, viên chức.",
          "QUYẾT ĐỊNH:",
          "Điều 1. Phê duyệt Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức năm 2025."),
)

CONG_VAN = Decree30Doc(
    agency_lines=("ỦY BAN NHÂN DÂN", "TỈNH PHÚ THỌ"),
    number_line="Số: 05/UBND-VP",
    place_date="Phú Thọ, ngày 12 tháng 02 năm 2025",
    subject_lines=("V/v triển khai Kế hoạch chuyển đổi số", "năm 2025"),
    marks=("KHẨN",),
    body=("Kính gửi: Các sở, ban, ngành tỉnh.",
          "Thực hiện Nghị quyết số 57-NQ/TW ngày 22 tháng 12 năm 2024 của Bộ Chính trị, Ủy ban "
          "nhân dân tỉnh đề nghị các cơ quan triển khai các nội dung sau:"),
)

KE_HOACH = Decree30Doc(
    agency_lines=("UBND HUYỆN TAM NÔNG", "PHÒNG NỘI VỤ"),
    number_line="Số: 07/KH-PNV",
    place_date="Tam Nông, ngày 9 tháng 01 năm 2025",
    heading="KẾ HOẠCH",
    subject_lines=("Tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm 2024",),
    marks=("MẬT", "HỎA TỐC"),
    body=("I. MỤC ĐÍCH, YÊU CẦU", "1. Đánh giá kết quả công tác thi đua năm 2024."),
)


def _fonts(pdf: FPDF) -> None:
    pdf.add_font("Noto", "", NOTO + "NotoSans-Regular.ttf")
    pdf.add_font("Noto", "B", NOTO + "NotoSans-Bold.ttf")
    pdf.add_font("Noto", "I", NOTO + "NotoSans-Italic.ttf")


def decree30_pdf(doc: Decree30Doc, *, order: str = "columns", pages: int = 1) -> bytes:
    """A text PDF laid out like the document. ``order`` is the order the two header columns are
    written in the content stream, which is the order text extractors give them back:
    ``columns`` (left block, then right), ``right_first`` or ``rows`` (row by row)."""
    pdf = FPDF(format="A4")
    _fonts(pdf)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    left = [("", line) for line in doc.agency_lines[:-1]] + [("B", doc.agency_lines[-1]),
                                                             ("", doc.number_line)]
    if doc.heading is None:
        left += [("", line) for line in doc.subject_lines]
    left += [("B", mark) for mark in doc.marks]
    right = [("B", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), ("B", "Độc lập - Tự do - Hạnh phúc"),
             ("I", doc.place_date)]

    def put(column: int, row: int, style: str, text: str) -> None:
        pdf.set_font("Noto", style, 12)
        x, width = (20, 75) if column == 0 else (95, 100)
        pdf.set_xy(x, 20 + row * 7)
        pdf.cell(width, 7, text, align="C")

    if order == "columns":
        cells = [(0, i, *c) for i, c in enumerate(left)] + [(1, i, *c) for i, c in enumerate(right)]
    elif order == "right_first":
        cells = [(1, i, *c) for i, c in enumerate(right)] + [(0, i, *c) for i, c in enumerate(left)]
    elif order == "rows":
        cells = []
        for i in range(max(len(left), len(right))):
            if i < len(left):
                cells.append((0, i, *left[i]))
            if i < len(right):
                cells.append((1, i, *right[i]))
    else:
        raise ValueError(order)
    for cell in cells:
        put(*cell)
    y = 20 + max(len(left), len(right)) * 7 + 8
    pdf.set_xy(30, y)
    if doc.heading:
        pdf.set_font("Noto", "B", 14)
        pdf.cell(160, 8, doc.heading, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Noto", "B", 13)
        for line in doc.subject_lines:
            pdf.set_x(30)
            pdf.cell(160, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.set_font("Noto", "", 13)
    for line in doc.body:
        pdf.set_x(30)
        pdf.multi_cell(160, 7, line, new_x="LMARGIN", new_y="NEXT")
    for n in range(2, pages + 1):
        pdf.add_page()
        pdf.set_font("Noto", "", 13)
        pdf.set_x(30)
        pdf.multi_cell(160, 7, f"Trang {n}. Nội dung tiếp theo của văn bản về công tác văn thư.")
    return bytes(pdf.output())


def decree30_docx(doc: Decree30Doc) -> bytes:
    """A Word file with the header as a borderless two-column table, as agencies' templates do."""
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    left, right = table.cell(0, 0), table.cell(0, 1)
    lines = [*doc.agency_lines, doc.number_line]
    if doc.heading is None:
        lines += list(doc.subject_lines)
    lines += list(doc.marks)
    left.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        left.add_paragraph(line)
    right.paragraphs[0].text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    right.add_paragraph("Độc lập - Tự do - Hạnh phúc")
    right.add_paragraph(doc.place_date)
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.heading:
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(doc.heading)
        run.bold = True
        run.font.size = Pt(14)
        p = document.add_paragraph(" ".join(doc.subject_lines))
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in doc.body:
        document.add_paragraph(line)
    document.add_page_break()
    document.add_paragraph("Nơi nhận: Như trên; Lưu: VT.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def scan_page(doc: Decree30Doc, *, dpi: int = 300, mode: str = "L") -> Image.Image:
    """The first page printed and scanned: an A4 image at ``dpi`` with Noto Sans text."""
    scale = dpi / 300
    img = Image.new(mode, (round(2480 * scale), round(3508 * scale)), "white")
    draw = ImageDraw.Draw(img)
    size = round(50 * scale)
    regular = ImageFont.truetype(NOTO + "NotoSans-Regular.ttf", size)
    bold = ImageFont.truetype(NOTO + "NotoSans-Bold.ttf", size)

    def centred(x0: float, x1: float, y: float, text: str, font) -> None:
        width = draw.textlength(text, font=font)
        draw.text(((x0 + x1 - width) / 2, y), text, font=font, fill="black")

    step = round(80 * scale)
    left_x, right_x = (round(150 * scale), round(1100 * scale)), (round(1050 * scale),
                                                                  round(2400 * scale))
    top = round(240 * scale)
    left = [*doc.agency_lines, doc.number_line] + (
        list(doc.subject_lines) if doc.heading is None else [])
    for i, line in enumerate(left):
        centred(*left_x, top + i * step, line, bold if i == len(doc.agency_lines) - 1 else regular)
    for i, line in enumerate(("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                              doc.place_date)):
        centred(*right_x, top + i * step, line, bold if i < 2 else regular)
    y = top + (max(len(left), 3) + 2) * step
    if doc.heading:
        centred(250 * scale, 2300 * scale, y, doc.heading, bold)
        for line in doc.subject_lines:
            y += step
            centred(250 * scale, 2300 * scale, y, line, bold)
        y += 2 * step
    for line in doc.body[:2]:
        draw.text((300 * scale, y), line[:60], font=regular, fill="black")
        y += step
    return img


def image_bytes(img: Image.Image, fmt: str, **save) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **save)
    return out.getvalue()


# --- broken and hostile files ------------------------------------------------------------------

def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels in a few hundred bytes (an image bomb)."""
    import zlib

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    idat = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def docx_with_extra(base: bytes, extra: dict[str, bytes],
                    compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """``base`` (a DOCX) with more entries added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, payload in extra.items():
            dst.writestr(name, payload, compress_type=compression)
    return out.getvalue()


def patch_declared_size(data: bytes, entry: str, declared: int) -> bytes:
    """Make the central directory and the local header claim ``declared`` uncompressed bytes for
    ``entry`` (a lying archive: the real stream inflates to much more)."""
    buf = bytearray(data)
    name = entry.encode()
    pos = 0
    while (pos := buf.find(b"PK\x01\x02", pos)) >= 0:
        name_len = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46:pos + 46 + name_len]) == name:
            struct.pack_into("<I", buf, pos + 24, declared)
            local = struct.unpack_from("<I", buf, pos + 42)[0]
            struct.pack_into("<I", buf, local + 22, declared)
            return bytes(buf)
        pos += 4
    raise KeyError(entry)


def zip_with_entries(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(count):
            zf.writestr(f"word/media/{i}.bin", b"")
    return out.getvalue()


def watermarked_scan_pdf(doc: Decree30Doc, *, dpi: int = 300) -> bytes:
    """A scan as scanner apps save it: the page image plus a short line of real text (their
    watermark), so the page has text but no text layer for its content."""
    pdf = FPDF(format="A4")
    pdf.add_font("Noto", "", NOTO + "NotoSans-Regular.ttf")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(io.BytesIO(image_bytes(scan_page(doc, dpi=dpi), "PNG", dpi=(dpi, dpi))),
              x=0, y=0, w=210, h=297)
    pdf.set_font("Noto", "", 8)
    pdf.set_xy(150, 285)
    pdf.cell(50, 5, "Scanned with CamScanner")
    return bytes(pdf.output())
