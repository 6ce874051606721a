"""Text extraction (Vietnamese, in order) and detection of scans that need OCR."""
from __future__ import annotations

import io
import unicodedata

import docx
import img2pdf
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfWriter

from edoc.capture.extract import extract_docx, extract_pdf, extract_text, is_meaningful
from edoc.capture.filetypes import FileKind
from edoc.errors import ValidationError
from tests.capture.samples import (
    NOTO,
    QUYET_DINH,
    decree30_docx,
    decree30_pdf,
    image_bytes,
    scan_page,
    watermarked_scan_pdf,
)


def _docx(build) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _scanned_pdf(pages: int = 1) -> bytes:
    img = scan_page(QUYET_DINH, dpi=100)
    return img2pdf.convert([image_bytes(img, "PNG", dpi=(100, 100))] * pages)


def test_pdf_vietnamese_text_per_page():
    result = extract_pdf(decree30_pdf(QUYET_DINH, pages=3))
    assert result.page_count == 3 and len(result.pages) == 3
    first = result.pages[0]
    for phrase in ("UBND TỈNH PHÚ THỌ", "SỞ NỘI VỤ", "Số: 15/QĐ-SNV",
                   "Phú Thọ, ngày 05 tháng 3 năm 2025", "QUYẾT ĐỊNH",
                   "Về việc phê duyệt Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức"):
        assert phrase in first
    assert result.pages[1].startswith("Trang 2.")
    assert unicodedata.is_normalized("NFC", result.text)
    assert result.text == "\n\n".join(result.pages)
    assert result.first_page == first
    assert result.needs_ocr is False and result.ocr_pages == () and result.ocr_mode is None


def test_pdf_max_pages():
    result = extract_pdf(decree30_pdf(QUYET_DINH, pages=3), max_pages=1)
    assert result.page_count == 3
    assert len(result.pages) == 1


def test_scanned_pdf_needs_ocr():
    result = extract_pdf(_scanned_pdf(pages=2))
    assert result.page_count == 2
    assert result.pages == ("", "")
    assert result.needs_ocr is True
    assert result.ocr_pages == (0, 1)
    assert result.ocr_mode == "skip"


def test_blank_born_digital_page_does_not_need_ocr():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    result = extract_pdf(out.getvalue())
    assert result.pages == ("",)
    assert result.needs_ocr is False


def test_mixed_pdf_only_scanned_pages_need_ocr():
    writer = PdfWriter(clone_from=io.BytesIO(decree30_pdf(QUYET_DINH)))
    writer.append(io.BytesIO(_scanned_pdf()))
    out = io.BytesIO()
    writer.write(out)
    result = extract_pdf(out.getvalue())
    assert result.page_count == 2
    assert result.needs_ocr is True
    assert result.ocr_pages == (1,)


def test_scan_with_a_watermark_text_asks_for_redo_ocr():
    """Scanner apps stamp a short text line on the image: there is text, but no text layer, and
    ocrmypdf --skip-text would skip the page."""
    result = extract_pdf(watermarked_scan_pdf(QUYET_DINH, dpi=100))
    assert result.page_count == 1
    assert "CamScanner" in result.pages[0]
    assert result.needs_ocr is True
    assert result.ocr_mode == "redo"


def test_encrypted_or_corrupt_pdf_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        extract_pdf(b"%PDF-1.4\nnot a pdf")
    assert excinfo.value.code == "pdf_corrupt"


def test_is_meaningful():
    assert is_meaningful("Ủy ban nhân dân tỉnh Phú Thọ ban hành quyết định về việc phê duyệt")
    assert not is_meaningful("Scanned with CamScanner")
    assert not is_meaningful("\ue001\ue002\ue003 " * 40)  # private-use glyph codes
    assert not is_meaningful("")


def test_docx_paragraphs_and_tables_in_order():
    def build(d):
        d.add_paragraph("Đoạn mở đầu về công tác văn thư.")
        table = d.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Đơn vị"
        table.cell(0, 1).text = "Số văn bản"
        table.cell(1, 0).text = "Văn phòng Sở"
        table.cell(1, 1).text = "12"
        merged = d.add_table(rows=2, cols=2)
        merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Ô gộp hai cột"
        merged.cell(1, 0).text = "Trái"
        merged.cell(1, 1).text = "Phải"
        d.add_paragraph("Đoạn kết thúc.")

    result = extract_docx(_docx(build))
    assert result.pages[0].split("\n") == [
        "Đoạn mở đầu về công tác văn thư.", "Đơn vị", "Số văn bản", "Văn phòng Sở", "12",
        "Ô gộp hai cột", "Trái", "Phải", "Đoạn kết thúc."]
    assert result.needs_ocr is False


def test_docx_pages_split_at_page_breaks():
    def build(d):
        d.add_paragraph("Trang một.")
        d.add_page_break()
        d.add_paragraph("Trang hai.")
        p = d.add_paragraph("Trước ngắt")
        p.add_run().add_break(docx.enum.text.WD_BREAK.PAGE)
        p.add_run("sau ngắt")

    result = extract_docx(_docx(build))
    assert result.pages == ("Trang một.", "Trang hai.\nTrước ngắt", "sau ngắt")
    assert result.page_count == 3


def test_docx_line_breaks_and_tabs():
    def build(d):
        p = d.add_paragraph("Nơi nhận:")
        p.add_run().add_break()
        p.add_run("- Như trên;\t- Lưu: VT.")

    assert extract_docx(_docx(build)).pages[0] == "Nơi nhận:\n- Như trên; - Lưu: VT."


def test_decree30_docx_header_table_reads_column_by_column():
    first = extract_docx(decree30_docx(QUYET_DINH)).pages[0].split("\n")
    assert first[:6] == ["UBND TỈNH PHÚ THỌ", "SỞ NỘI VỤ", "Số: 15/QĐ-SNV",
                         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                         "Phú Thọ, ngày 05 tháng 3 năm 2025"]
    assert first[6] == "QUYẾT ĐỊNH"


def test_extract_text_dispatch():
    assert extract_text(decree30_docx(QUYET_DINH), FileKind.DOCX).page_count == 2
    assert extract_text(decree30_pdf(QUYET_DINH), FileKind.PDF).page_count == 1
    with pytest.raises(ValueError):
        extract_text(b"", FileKind.PNG)


def test_ocr_eth_is_read_as_d_with_stroke():
    pdf = FPDF(format="A4")
    pdf.add_font("Noto", "", NOTO + "NotoSans-Regular.ttf")
    pdf.add_page()
    pdf.set_font("Noto", "", 12)
    pdf.cell(100, 10, "QUY\u1ebeT \u00d0\u1ecaNH")  # "QUYẾT ÐỊNH" with U+00D0
    assert extract_pdf(bytes(pdf.output())).pages[0] == "QUYẾT ĐỊNH"


def test_image_in_pdf_needs_ocr_even_inside_a_form_xobject():
    # A page whose image sits in a Form XObject (as some scanner drivers write it).
    writer = PdfWriter(clone_from=io.BytesIO(_scanned_pdf()))
    page = writer.pages[0]
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    resources = page["/Resources"]
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"),
                 NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject(page.mediabox),
                 NameObject("/Resources"): resources})
    form_ref = writer._add_object(form)
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/XObject"): DictionaryObject({NameObject("/Fm0"): form_ref})})
    contents = DecodedStreamObject()
    contents.set_data(b"q /Fm0 Do Q")
    page.replace_contents(contents)
    out = io.BytesIO()
    writer.write(out)
    assert extract_pdf(out.getvalue()).needs_ocr is True


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_images_have_no_text_until_ocr(mode):
    data = image_bytes(Image.new(mode, (200, 200), "white"), "PNG")
    pdf = img2pdf.convert(data)
    assert extract_pdf(pdf).needs_ocr is True


def test_docx_tracked_changes_and_text_box_fallback():
    from docx.oxml import parse_xml

    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')

    def build(d):
        p = d.add_paragraph("Giữ ")
        p._p.append(parse_xml(f'<w:del {ns} w:id="1" w:author="a"><w:r><w:delText>đã xóa '
                              '</w:delText></w:r></w:del>'))
        p._p.append(parse_xml(f'<w:ins {ns} w:id="2" w:author="a"><w:r><w:t>đã thêm</w:t>'
                              '</w:r></w:ins>'))
        box = d.add_paragraph()
        box._p.append(parse_xml(
            f'<w:r {ns}><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p>'
            '<w:r><w:t>KHẨN</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback>'
            '<w:txbxContent><w:p><w:r><w:t>KHẨN</w:t></w:r></w:p></w:txbxContent>'
            '</mc:Fallback></mc:AlternateContent></w:r>'))

    assert extract_docx(_docx(build)).pages[0] == "Giữ đã thêm\nKHẨN"


@pytest.mark.parametrize("order", ["columns", "rows"])
def test_pdfium_reads_the_same_vietnamese_text_as_pypdf(order, monkeypatch):
    """PDFium gives the text (faster); pypdf is the fallback. Both read our samples alike."""
    from edoc.capture import extract
    from tests.capture.samples import CONG_VAN, KE_HOACH

    for sample in (QUYET_DINH, CONG_VAN, KE_HOACH):
        data = decree30_pdf(sample, order=order, pages=2)
        fast = extract_pdf(data)
        assert extract._pdfium_texts(data, 2) == list(fast.pages)
        with monkeypatch.context() as m:
            m.setattr(extract, "_pdfium_texts", lambda data, count: [])
            assert extract_pdf(data) == fast


def test_pdfium_page_failure_falls_back_to_pypdf_for_that_page(monkeypatch):
    from edoc.capture import extract

    data = decree30_pdf(QUYET_DINH, pages=2)
    expected = extract_pdf(data)
    monkeypatch.setattr(extract, "_pdfium_texts", lambda data, count: [None, "trang hai"])
    result = extract_pdf(data)
    assert result.pages == (expected.pages[0], "trang hai")


def test_pdfium_cannot_open_but_pypdf_can(monkeypatch):
    import pypdfium2

    from edoc.capture import extract

    data = decree30_pdf(QUYET_DINH)
    expected = extract_pdf(data)

    def refuse(*args, **kwargs):
        raise pypdfium2.PdfiumError("cannot open")

    monkeypatch.setattr(pypdfium2, "PdfDocument", refuse)
    assert extract._pdfium_texts(data, 1) == []
    assert extract_pdf(data) == expected
