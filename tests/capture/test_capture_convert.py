"""Scanned images into PDF: page count, page size, transparency."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from edoc.capture.convert import images_to_pdf
from edoc.capture.filetypes import FileKind
from edoc.errors import ValidationError
from tests.capture.samples import image_bytes, png_header_only

A4_PT = (595.28, 841.89)


def _pages(pdf: bytes):
    return PdfReader(io.BytesIO(pdf)).pages


def test_jpeg_scan_at_300_dpi_keeps_a4_size_and_is_not_recompressed():
    data = image_bytes(Image.new("RGB", (2480, 3508), "white"), "JPEG", dpi=(300, 300))
    result = images_to_pdf(data, FileKind.JPEG)
    pages = _pages(result.pdf)
    assert result.page_count == len(pages) == 1
    box = pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_PT[0], abs=1)
    assert float(box.height) == pytest.approx(A4_PT[1], abs=1)
    # img2pdf embeds the JPEG stream itself (DCTDecode), byte for byte.
    assert data in result.pdf


def test_multipage_tiff_becomes_multipage_pdf():
    frames = [Image.new("L", (1240, 1754), shade) for shade in (0, 100, 200, 255)]
    data = image_bytes(frames[0], "TIFF", save_all=True, append_images=frames[1:],
                       compression="tiff_lzw", dpi=(150, 150))
    result = images_to_pdf(data, FileKind.TIFF)
    assert result.page_count == 4
    assert len(_pages(result.pdf)) == 4


def test_bilevel_group4_tiff():
    data = image_bytes(Image.new("1", (1700, 2200), 1), "TIFF", compression="group4",
                       dpi=(200, 200))
    result = images_to_pdf(data, FileKind.TIFF)
    assert len(_pages(result.pdf)) == 1


def test_png_with_alpha_is_flattened_on_white():
    img = Image.new("RGBA", (400, 300), (0, 0, 0, 0))  # fully transparent
    img.paste((200, 0, 0, 255), (100, 100, 200, 200))   # one opaque red square
    result = images_to_pdf(image_bytes(img, "PNG", dpi=(200, 200)), FileKind.PNG)
    page = _pages(result.pdf)[0]
    xobjects = page["/Resources"]["/XObject"].get_object()
    assert all("/SMask" not in xobj.get_object() for xobj in xobjects.values())
    embedded = page.images[0].image.convert("RGB")
    assert embedded.getpixel((10, 10)) == (255, 255, 255)
    assert embedded.getpixel((150, 150)) == (200, 0, 0)


def test_palette_png_with_transparency():
    img = Image.new("P", (100, 100), 0)
    img.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    img.info["transparency"] = 0
    result = images_to_pdf(image_bytes(img, "PNG", transparency=0), FileKind.PNG)
    assert result.page_count == 1
    embedded = _pages(result.pdf)[0].images[0].image.convert("RGB")
    assert embedded.getpixel((50, 50)) == (255, 255, 255)  # the transparent black is paper


def test_phone_photo_without_scan_resolution_is_fitted_into_a4_landscape():
    data = image_bytes(Image.new("RGB", (4000, 3000), "grey"), "JPEG", dpi=(72, 72))
    box = _pages(images_to_pdf(data, FileKind.JPEG).pdf)[0].mediabox
    assert float(box.width) <= A4_PT[1] + 1 and float(box.height) <= A4_PT[0] + 1
    assert float(box.width) / float(box.height) == pytest.approx(4 / 3, rel=0.01)


def test_image_bomb_is_refused_before_conversion():
    with pytest.raises(ValidationError) as excinfo:
        images_to_pdf(png_header_only(30_000, 30_000), FileKind.PNG)
    assert excinfo.value.code == "image_too_large"
