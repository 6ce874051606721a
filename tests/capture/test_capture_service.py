"""The capture service end to end, as the upload page, the API and the connector call it."""
from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from PIL import Image

from edoc.capture import CaptureLimits, FileKind, capture, read_limited
from edoc.errors import PayloadTooLarge, UnsupportedFileType, ValidationError
from tests.capture.assertions import assert_refusal
from tests.capture.samples import (
    CONG_VAN,
    QUYET_DINH,
    decree30_docx,
    decree30_pdf,
    image_bytes,
    png_header_only,
    scan_page,
)


def test_pdf():
    data = decree30_pdf(QUYET_DINH, pages=2)
    result = capture(data, "Quyết định 15.pdf")
    assert (result.kind, result.mime_type, result.page_count) == (FileKind.PDF, "application/pdf",
                                                                  2)
    assert result.filename == "Quyết định 15.pdf"
    assert result.sha256 == hashlib.sha256(data).hexdigest() == result.pdf_sha256
    assert result.pdf is data and result.pdf_filename == result.filename
    assert result.size == len(data)
    assert not result.needs_ocr
    assert "Căn cứ Quyết định số 09/2024/QĐ-UBND" in result.extract.text
    s = result.suggestion
    assert (s.number, s.notation, s.document_date, s.type_key) == (
        "15", "QĐ-SNV", date(2025, 3, 5), "quyet_dinh")


def test_docx():
    result = capture(decree30_docx(CONG_VAN), "cong-van-05.docx")
    assert result.kind is FileKind.DOCX
    assert result.pdf is None and result.pdf_filename is None and result.pdf_sha256 is None
    assert result.page_count == 2
    s = result.suggestion
    assert (s.number, s.notation, s.type_key, s.urgency_key) == ("05", "UBND-VP", "cong_van",
                                                                 "khan")
    assert s.subject == "V/v triển khai Kế hoạch chuyển đổi số năm 2025"


def test_multipage_tiff_scan_becomes_a_pdf_that_needs_ocr():
    pages = [scan_page(QUYET_DINH, dpi=100) for _ in range(3)]
    data = image_bytes(pages[0], "TIFF", save_all=True, append_images=pages[1:],
                       compression="tiff_lzw", dpi=(100, 100))
    result = capture(data, "Bản quét.tif")
    assert result.kind is FileKind.TIFF and result.mime_type == "image/tiff"
    assert result.page_count == 3 and result.extract.page_count == 3
    assert result.pdf.startswith(b"%PDF-")
    assert result.pdf_filename == "Bản quét.pdf"
    assert result.pdf_sha256 == hashlib.sha256(result.pdf).hexdigest() != result.sha256
    assert result.needs_ocr and result.extract.ocr_mode == "skip"
    assert result.suggestion.number is None


def test_jpeg_photo_without_extension():
    data = image_bytes(Image.new("RGB", (800, 600), "white"), "JPEG")
    result = capture(data, "anh-chup")
    assert result.kind is FileKind.JPEG
    assert result.pdf_filename == "anh-chup.pdf"


def test_text_pages_limits_extraction():
    result = capture(decree30_pdf(QUYET_DINH, pages=3), "a.pdf", text_pages=1)
    assert result.page_count == 3
    assert len(result.extract.pages) == 1
    assert result.suggestion.notation == "QĐ-SNV"


@pytest.mark.parametrize(("data", "name", "cls", "code"), [
    (b"%PDF-1.4 whatever", "../../etc/passwd.pdf", ValidationError, "bad_filename"),
    (b"", "rong.pdf", ValidationError, "empty_file"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "quyet-dinh.pdf", UnsupportedFileType,
     "file_type_mismatch"),
    (b"<html><body>trang web</body></html>", "van-ban.pdf", UnsupportedFileType,
     "unsupported_file_type"),
    (b"%PDF-1.4\nnot really\n", "hong.pdf", ValidationError, "pdf_corrupt"),
    (b"PK\x03\x04word/document.xml" + b"\x00" * 40, "hong.docx", ValidationError,
     "docx_corrupt"),
    (png_header_only(20_000, 20_000), "bom.png", ValidationError, "image_too_large"),
])
def test_bad_inputs(data, name, cls, code):
    with pytest.raises(cls) as excinfo:
        capture(data, name)
    assert_refusal(excinfo, cls, code)


def test_size_limit():
    data = decree30_pdf(QUYET_DINH)
    with pytest.raises(PayloadTooLarge) as excinfo:
        capture(data, "a.pdf", limits=CaptureLimits(max_bytes=len(data) - 1))
    assert_refusal(excinfo, PayloadTooLarge, "payload_too_large", "dung lượng")
    assert excinfo.value.status == 413


def test_read_limited():
    limits = CaptureLimits(max_bytes=3 * 1024 * 1024)
    assert read_limited(io.BytesIO(b"x" * 1000), limits=limits) == b"x" * 1000
    with pytest.raises(PayloadTooLarge):
        read_limited(io.BytesIO(b"x" * (3 * 1024 * 1024 + 1)), limits=limits)


def test_result_is_frozen():
    result = capture(decree30_pdf(QUYET_DINH), "a.pdf")
    with pytest.raises(AttributeError):
        result.filename = "b.pdf"  # type: ignore[misc]
