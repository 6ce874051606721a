"""OCR of a scanned Vietnamese page with ocrmypdf + tesseract-ocr-vie (real subprocesses)."""
from __future__ import annotations

from datetime import date

import img2pdf
import pytest

from edoc.capture.extract import extract_pdf
from edoc.capture.ocr import OcrError, OcrUnavailable, available_languages, ocr_pdf
from edoc.capture.suggest import suggest_metadata
from edoc.search.text import fold
from tests.capture.assertions import assert_refusal
from tests.capture.samples import QUYET_DINH, image_bytes, scan_page, watermarked_scan_pdf


@pytest.fixture(scope="module")
def scanned_pdf(tmp_path_factory):
    """An image-only PDF of the first page, scanned at 300 dpi."""
    path = tmp_path_factory.mktemp("ocr") / "scan.pdf"
    page = image_bytes(scan_page(QUYET_DINH, dpi=300), "PNG", dpi=(300, 300))
    path.write_bytes(img2pdf.convert(page))
    return path


def test_vietnamese_data_is_installed():
    assert "vie" in available_languages()


@pytest.mark.slow
def test_ocr_of_a_scanned_vietnamese_page(scanned_pdf, tmp_path):
    before = extract_pdf(scanned_pdf.read_bytes())
    assert before.needs_ocr and before.pages == ("",)

    result = ocr_pdf(scanned_pdf, tmp_path / "ocr.pdf", timeout=180)
    assert result.output_path == tmp_path / "ocr.pdf"
    assert (result.language, result.mode) == ("vie", "skip")  # "auto" chose --skip-text

    after = extract_pdf(result.output_path.read_bytes())
    assert after.page_count == 1
    assert after.needs_ocr is False
    text = after.first_page
    for words in ("UBND TỈNH PHÚ THỌ", "SỞ NỘI VỤ", "QUYẾT ĐỊNH", "Độc lập", "Hạnh phúc",
                  "Phú Thọ, ngày 05 tháng 3 năm 2025", "phê duyệt Kế hoạch đào tạo",
                  "bồi dưỡng cán bộ, công chức", "Căn cứ"):
        assert words in text, (words, text)
    # The recognised text feeds the suggestion like any text layer.
    s = suggest_metadata(text)
    assert (s.number, s.notation, s.document_date) == ("15", "QĐ-SNV", date(2025, 3, 5))
    assert (s.issuing_agency, s.type_key) == ("SỞ NỘI VỤ", "quyet_dinh")
    assert fold(s.subject).startswith("ve viec phe duyet ke hoach dao tao")


@pytest.mark.slow
def test_scan_with_a_watermark_is_read_with_redo_ocr(tmp_path):
    src = tmp_path / "camscanner.pdf"
    src.write_bytes(watermarked_scan_pdf(QUYET_DINH))
    skipped = ocr_pdf(src, tmp_path / "skip.pdf", mode="skip", timeout=180)
    assert "QUYẾT ĐỊNH" not in extract_pdf(skipped.output_path.read_bytes()).first_page

    result = ocr_pdf(src, tmp_path / "auto.pdf", timeout=180)
    assert result.mode == "redo"
    text = extract_pdf(result.output_path.read_bytes()).first_page
    assert "QUYẾT ĐỊNH" in text and "Phú Thọ, ngày 05 tháng 3 năm 2025" in text
    assert "CamScanner" in text


@pytest.mark.slow
def test_ocr_timeout_leaves_no_output(scanned_pdf, tmp_path):
    with pytest.raises(OcrError) as excinfo:
        ocr_pdf(scanned_pdf, tmp_path / "out.pdf", timeout=0.05)
    assert_refusal(excinfo, OcrError, "ocr_timeout", "OCR")
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.slow
def test_ocr_of_a_file_that_is_not_a_pdf(tmp_path):
    src = tmp_path / "not.pdf"
    src.write_bytes(b"Day khong phai la PDF")
    with pytest.raises(OcrError) as excinfo:
        ocr_pdf(src, tmp_path / "out.pdf", timeout=120)
    assert excinfo.value.code in {"ocr_bad_input", "ocr_failed"}
    assert excinfo.value.details["returncode"] != 0
    assert not (tmp_path / "out.pdf").exists()


def test_missing_language_data_is_a_clear_error(scanned_pdf, tmp_path):
    with pytest.raises(OcrUnavailable) as excinfo:
        ocr_pdf(scanned_pdf, tmp_path / "out.pdf", language="vie+khm")
    assert_refusal(excinfo, OcrUnavailable, "ocr_unavailable", "tesseract-ocr-khm")
    assert excinfo.value.status == 503
    assert excinfo.value.details["missing"] == ["khm"]


def test_unknown_mode(scanned_pdf, tmp_path):
    with pytest.raises(ValueError):
        ocr_pdf(scanned_pdf, tmp_path / "out.pdf", mode="fast")
