"""Deep validation: corrupt, encrypted, oversized and hostile files get the right refusal."""
from __future__ import annotations

import io
import os
import zipfile

import pytest
from PIL import Image
from pypdf import PdfWriter

from edoc.capture.filetypes import FileKind
from edoc.capture.inspect import inspect_docx, inspect_image, inspect_pdf
from edoc.capture.limits import CaptureLimits
from edoc.errors import ValidationError
from tests.capture.assertions import assert_refusal
from tests.capture.samples import (
    QUYET_DINH,
    decree30_docx,
    decree30_pdf,
    docx_with_extra,
    image_bytes,
    patch_declared_size,
    png_header_only,
    zip_with_entries,
)

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def pdf_bytes():
    return decree30_pdf(QUYET_DINH, pages=3)


@pytest.fixture(scope="module")
def docx_bytes():
    return decree30_docx(QUYET_DINH)


# --- PDF ---------------------------------------------------------------------------------------

def test_pdf_page_count(pdf_bytes):
    info = inspect_pdf(pdf_bytes)
    assert info.page_count == 3
    assert info.pdf_version


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\nthis is not really a PDF\n",
    b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
])
def test_corrupt_pdf(data):
    with pytest.raises(ValidationError) as excinfo:
        inspect_pdf(data)
    assert_refusal(excinfo, ValidationError, "pdf_corrupt", "PDF")


def test_truncated_pdf(pdf_bytes):
    with pytest.raises(ValidationError) as excinfo:
        inspect_pdf(pdf_bytes[: len(pdf_bytes) // 3])
    assert excinfo.value.code == "pdf_corrupt"


def _encrypted(pdf: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu",
                   algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf_with_a_password(pdf_bytes):
    with pytest.raises(ValidationError) as excinfo:
        inspect_pdf(_encrypted(pdf_bytes, "mat-khau"))
    assert_refusal(excinfo, ValidationError, "pdf_encrypted", "mật khẩu")
    assert excinfo.value.details["needs_password"] is True


def test_pdf_encrypted_with_owner_password_only_is_refused_too(pdf_bytes):
    # It opens without a password, but cannot be signed, OCRed or kept as PDF/A as it is.
    with pytest.raises(ValidationError) as excinfo:
        inspect_pdf(_encrypted(pdf_bytes, ""))
    assert excinfo.value.code == "pdf_encrypted"
    assert excinfo.value.details["needs_password"] is False


def test_pdf_page_limit(pdf_bytes):
    assert inspect_pdf(pdf_bytes, limits=CaptureLimits(max_pages=3)).page_count == 3
    with pytest.raises(ValidationError) as excinfo:
        inspect_pdf(pdf_bytes, limits=CaptureLimits(max_pages=2))
    assert_refusal(excinfo, ValidationError, "pdf_too_many_pages", "3 trang", "2 trang")


# --- DOCX --------------------------------------------------------------------------------------

def test_docx_ok(docx_bytes):
    info = inspect_docx(docx_bytes)
    assert 5 < info.entry_count < 50
    assert info.uncompressed_size > len(docx_bytes)


def test_docx_zip_bomb_high_ratio_entry(docx_bytes):
    # 20 MiB of zeros deflate to about 20 KiB (ratio ~1000): a classic bomb entry.
    bomb = docx_with_extra(docx_bytes, {"word/media/image1.bin": bytes(20 * MiB)})
    assert len(bomb) < len(docx_bytes) + 100_000
    with pytest.raises(ValidationError) as excinfo:
        inspect_docx(bomb)
    assert_refusal(excinfo, ValidationError, "docx_zip_bomb", "Word")


def test_docx_zip_bomb_total_size(docx_bytes):
    # Poorly compressible data (no ratio alarm) but more than the total allowance.
    payload = os.urandom(3 * MiB)
    big = docx_with_extra(docx_bytes, {"word/media/a.bin": payload, "word/media/b.bin": payload})
    limits = CaptureLimits(docx_max_uncompressed=4 * MiB)
    with pytest.raises(ValidationError) as excinfo:
        inspect_docx(big, limits=limits)
    assert excinfo.value.code == "docx_zip_bomb"
    assert excinfo.value.details["reason"] == "declared_size"


def test_docx_zip_bomb_lying_central_directory(docx_bytes):
    """Declared sizes are small and plausible; the real stream inflates to far more. The guard
    inflates the raw data itself, so the lie is caught before python-docx reads anything."""
    bomb = docx_with_extra(docx_bytes, {"word/media/image1.bin": bytes(20 * MiB)})
    lying = patch_declared_size(bomb, "word/media/image1.bin", 1000)
    with zipfile.ZipFile(io.BytesIO(lying)) as zf:
        assert zf.getinfo("word/media/image1.bin").file_size == 1000
    with pytest.raises(ValidationError) as excinfo:
        inspect_docx(lying)
    assert excinfo.value.code == "docx_zip_bomb"
    assert excinfo.value.details["reason"] == "ratio"


def test_docx_declared_size_smaller_than_real_data(docx_bytes):
    # Text that compresses moderately (no ratio alarm) under a central directory that lies.
    text = " ".join(f"dòng {i} của văn bản" for i in range(60_000)).encode()
    padded = docx_with_extra(docx_bytes, {"word/extra.xml": text})
    lying = patch_declared_size(padded, "word/extra.xml", 1000)
    with pytest.raises(ValidationError) as excinfo:
        inspect_docx(lying)
    assert_refusal(excinfo, ValidationError, "docx_zip_bomb")
    assert excinfo.value.details["reason"] == "size_mismatch"
    assert excinfo.value.details["actual"] == len(text)


def test_docx_too_many_entries():
    with pytest.raises(ValidationError) as excinfo:
        inspect_docx(zip_with_entries(3000))
    assert excinfo.value.code == "docx_zip_bomb"
    assert excinfo.value.details["reason"] == "too_many_entries"


@pytest.mark.parametrize("mangle", ["truncate", "flip", "no_document"])
def test_corrupt_docx(docx_bytes, mangle):
    if mangle == "truncate":
        data = docx_bytes[: len(docx_bytes) // 2]
    elif mangle == "flip":
        # Damage the deflate data of word/document.xml: the CRC (or inflate) fails.
        with zipfile.ZipFile(io.BytesIO(docx_bytes)) as zf:
            info = zf.getinfo("word/document.xml")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
        data = bytearray(docx_bytes)
        for i in range(start, start + 40):
            data[i] ^= 0xFF
        data = bytes(data)
    else:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("word/document.xml", "<không phải XML")
        data = out.getvalue()
    with pytest.raises(ValidationError) as excinfo:
        inspect_docx(data)
    assert_refusal(excinfo, ValidationError, "docx_corrupt", "Word")


def test_macro_enabled_document_renamed_docx(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in parts.items():
            zf.writestr(name, payload)
    with pytest.raises(ValidationError) as excinfo:
        inspect_docx(out.getvalue())
    assert_refusal(excinfo, ValidationError, "docx_not_document", "macro")


# --- images ------------------------------------------------------------------------------------

def test_image_info():
    img = Image.new("RGB", (1240, 1754), "white")
    info = inspect_image(image_bytes(img, "JPEG", dpi=(150, 150)), FileKind.JPEG)
    assert (info.width, info.height, info.frame_count, info.has_alpha) == (1240, 1754, 1, False)
    assert info.dpi == pytest.approx((150, 150))


def test_multipage_tiff_frames():
    frames = [Image.new("L", (200, 300), shade) for shade in (0, 128, 255)]
    data = image_bytes(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    assert inspect_image(data, FileKind.TIFF).frame_count == 3
    with pytest.raises(ValidationError) as excinfo:
        inspect_image(data, FileKind.TIFF, limits=CaptureLimits(max_pages=2))
    assert excinfo.value.code == "image_too_many_pages"


@pytest.mark.parametrize(("width", "height"), [
    (20_000, 20_000),    # 400 MP: Pillow's own bomb error fires while opening
    (10_000, 9_000),     # 90 MP: past our 80 MP limit, only a warning for Pillow
])
def test_image_bomb(width, height):
    bomb = png_header_only(width, height)
    assert len(bomb) < 1000
    with pytest.raises(ValidationError) as excinfo:
        inspect_image(bomb, FileKind.PNG)
    assert_refusal(excinfo, ValidationError, "image_too_large", "Ảnh quá lớn")


def test_image_pixel_limit_is_configurable():
    data = image_bytes(Image.new("L", (1000, 1000)), "PNG")
    assert inspect_image(data, FileKind.PNG, limits=CaptureLimits(image_max_pixels=10**6))
    with pytest.raises(ValidationError) as excinfo:
        inspect_image(data, FileKind.PNG, limits=CaptureLimits(image_max_pixels=10**6 - 1))
    assert excinfo.value.code == "image_too_large"


@pytest.mark.parametrize(("kind", "data"), [
    (FileKind.PNG, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    (FileKind.JPEG, b"\xff\xd8\xff\xe0" + b"garbage" * 20),
    (FileKind.TIFF, b"II*\x00" + b"\xff" * 64),
], ids=["png", "jpeg", "tiff"])
def test_corrupt_image(kind, data):
    with pytest.raises(ValidationError) as excinfo:
        inspect_image(data, kind)
    assert_refusal(excinfo, ValidationError, "image_corrupt", "ảnh")


def test_truncated_image_is_corrupt():
    noisy = Image.effect_noise((600, 600), 80).convert("RGB")
    data = image_bytes(noisy, "JPEG", quality=95)
    with pytest.raises(ValidationError) as excinfo:
        inspect_image(data[: len(data) // 2], FileKind.JPEG)
    assert excinfo.value.code == "image_corrupt"
