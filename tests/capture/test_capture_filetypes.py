from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from edoc.capture.filetypes import FileKind, check_type, sniff
from edoc.errors import UnsupportedFileType, ValidationError
from tests.capture.assertions import assert_refusal
from tests.capture.samples import QUYET_DINH, decree30_docx, decree30_pdf, image_bytes


@pytest.fixture(scope="module")
def pdf_bytes():
    return decree30_pdf(QUYET_DINH)


@pytest.fixture(scope="module")
def docx_bytes():
    return decree30_docx(QUYET_DINH)


def _image(fmt: str, **save) -> bytes:
    return image_bytes(Image.new("RGB", (40, 30), "white"), fmt, **save)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, payload in entries.items():
            zf.writestr(name, payload)
    return out.getvalue()


def test_accepted_kinds_by_content(pdf_bytes, docx_bytes):
    assert check_type(pdf_bytes, "a.pdf") is FileKind.PDF
    assert check_type(docx_bytes, "a.docx") is FileKind.DOCX
    assert check_type(_image("JPEG"), "a.jpg") is FileKind.JPEG
    assert check_type(_image("JPEG"), "a.JPEG") is FileKind.JPEG
    assert check_type(_image("PNG"), "a.png") is FileKind.PNG
    assert check_type(_image("TIFF"), "a.tif") is FileKind.TIFF
    assert check_type(_image("TIFF"), "a.tiff") is FileKind.TIFF
    # Big-endian TIFF ("MM\0*") as some scanners write it.
    assert check_type(b"MM\x00*" + b"\x00" * 100, "scan.tif") is FileKind.TIFF


def test_name_without_extension_is_judged_by_content(pdf_bytes):
    assert check_type(pdf_bytes, "van-ban") is FileKind.PDF
    assert check_type(pdf_bytes, None) is FileKind.PDF


def test_mime_types():
    assert FileKind.PDF.mime_type == "application/pdf"
    assert FileKind.DOCX.mime_type.endswith("wordprocessingml.document")
    assert FileKind.TIFF.is_image and not FileKind.PDF.is_image


def test_empty_file():
    with pytest.raises(ValidationError) as excinfo:
        check_type(b"", "a.pdf")
    assert_refusal(excinfo, ValidationError, "empty_file", "rỗng")


@pytest.mark.parametrize(("data", "name", "detected"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "quyet-dinh.pdf", "png"),  # a PNG renamed .pdf
    (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "cong-van.pdf", "jpeg"),
    (b"%PDF-1.7\n" + b"\x00" * 50, "anh.jpg", "pdf"),
    (b"%PDF-1.7\n" + b"\x00" * 50, "van-ban.docx", "pdf"),
    (b"%PDF-1.7\n" + b"\x00" * 50, "virus.exe", "pdf"),
])
def test_extension_must_agree_with_content(data, name, detected):
    with pytest.raises(UnsupportedFileType) as excinfo:
        check_type(data, name)
    assert_refusal(excinfo, UnsupportedFileType, "file_type_mismatch", "phần mở rộng")
    assert excinfo.value.status == 415
    assert excinfo.value.details["detected"] == detected


def test_mismatch_message_names_the_real_type():
    with pytest.raises(UnsupportedFileType) as excinfo:
        check_type(_image("PNG"), "quyet-dinh.pdf")
    assert "ảnh PNG" in str(excinfo.value.message)
    assert "“.pdf”" in str(excinfo.value.message)


@pytest.mark.parametrize(("data", "name", "label"), [
    (b"Xin ch\xc3\xa0o, \xc4\x91\xc3\xa2y l\xc3\xa0 v\xc4\x83n b\xe1\xba\xa3n.\n", "a.pdf",
     "văn bản thuần"),  # a text file renamed .pdf
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "cu.doc", "Office 97-2003"),
    (b"MZ\x90\x00" + b"\x00" * 100, "setup.pdf", ".exe"),
    (b"GIF89a" + b"\x00" * 20, "a.gif", "GIF"),
    (b"{\\rtf1\\ansi hello}", "a.rtf", "RTF"),
    (b"<!DOCTYPE html><html></html>", "a.pdf", "HTML"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20, "IMG_0001.HEIC", "HEIC"),
    (b"\x00\x01\x02\x03\xfe\xff" * 10, "a.pdf", None),
])
def test_unsupported_formats_are_named(data, name, label):
    with pytest.raises(UnsupportedFileType) as excinfo:
        check_type(data, name)
    assert_refusal(excinfo, UnsupportedFileType, "unsupported_file_type", "PDF, DOCX")
    if label:
        assert label in str(excinfo.value.message)
    else:
        assert "Không nhận ra" in str(excinfo.value.message)


def test_office_zip_families():
    assert sniff(_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"})).label \
        == "bảng tính Excel (.xlsx)"
    assert "PowerPoint" in sniff(_zip({"[Content_Types].xml": b"<T/>",
                                       "ppt/presentation.xml": b"<p/>"})).label
    assert sniff(_zip({"a.txt": b"x"})).label == "tệp nén ZIP"
    assert sniff(_zip({"[Content_Types].xml": b"<T/>", "word/document.xml": b"<d/>"})).kind \
        is FileKind.DOCX


def test_xlsx_renamed_docx_is_refused():
    with pytest.raises(UnsupportedFileType) as excinfo:
        check_type(_zip({"[Content_Types].xml": b"<T/>", "xl/workbook.xml": b"<w/>"}), "a.docx")
    assert "Excel" in str(excinfo.value.message)


def test_pdf_header_after_leading_junk_is_still_pdf():
    assert sniff(b"\r\n\r\n%PDF-1.4\n...").kind is FileKind.PDF
