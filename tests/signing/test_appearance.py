"""Decree 30 appearances: what is drawn where, checked on rendered pixels."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from signing import AppearanceError, SignatureAppearance, format_signing_time, sign_pdf
from signing import fonts as fonts_module
from signing.appearance import MM, layout_for

from .render import blue_pixels, dark_pixels, red_pixels, render_page

PAGE_H = 842  # A4 height in points; pdftoppm at 72 dpi maps 1 pt to 1 px


def widget_rects(pdf: bytes, page: int) -> dict[str, tuple[float, ...]]:
    reader = PdfReader(io.BytesIO(pdf))
    rects = {}
    for annot in reader.pages[page].get("/Annots", []):
        obj = annot.get_object()
        if obj.get("/FT") == "/Sig":
            rects[obj["/T"]] = tuple(float(v) for v in obj["/Rect"])
    return rects


def to_image_box(rect):
    x1, y1, x2, y2 = rect
    return (x1, PAGE_H - y2, x2, PAGE_H - y1)


def test_signer_and_seal_render_and_overlap(
    pdf_doc, user_key, agency_key, signature_png, seal_png, tmp_path
):
    signed = sign_pdf(
        pdf_doc, user_key, appearance=SignatureAppearance(kind="signer", image=signature_png)
    )
    sealed = sign_pdf(
        signed, agency_key, appearance=SignatureAppearance(kind="seal", image=seal_png)
    )
    rects = widget_rects(sealed, 1)  # last page
    signer, seal = rects["Signature1"], rects["Seal1"]
    assert signer[0] > 595 / 2  # bottom right area of the last page
    assert signer[1] < 842 / 3

    page = render_page(sealed, 2, tmp_path)
    assert blue_pixels(page, to_image_box(signer)) > 100
    assert red_pixels(page, to_image_box(seal)) > 300
    # The signer's name is printed under the image in black.
    name_strip = (signer[0], PAGE_H - signer[1] - 20, signer[2], PAGE_H - signer[1])
    assert dark_pixels(page, name_strip) > 30

    # Seal: actual size (36 mm for 425 px at 300 dpi), its image over the left third of the
    # signer's image.
    layout = layout_for(
        SignatureAppearance(kind="seal", image=seal_png), "x", "UBND tỉnh Vĩnh Phúc"
    )
    assert layout.image_box[2] == pytest.approx(36 * MM, rel=0.01)
    seal_img_right = seal[0] + layout.image_box[0] + layout.image_box[2]
    assert seal_img_right == pytest.approx(signer[0] + (signer[2] - signer[0]) / 3, abs=1)
    assert seal[0] < signer[0]


def test_seal_shows_agency_and_iso_time(pdf_doc, agency_key, seal_png, tmp_path):
    sealed = sign_pdf(
        pdf_doc, agency_key, appearance=SignatureAppearance(kind="seal", image=seal_png)
    )
    seal = widget_rects(sealed, 1)["Seal1"]
    page = render_page(sealed, 2, tmp_path)
    text_strip = (seal[0], PAGE_H - seal[1] - 22, seal[2], PAGE_H - seal[1])
    assert dark_pixels(page, text_strip) > 80  # agency name and time lines


def test_appendix_text_block_top_right_of_first_page(pdf_doc, agency_key, tmp_path):
    appearance = SignatureAppearance(kind="appendix", reference="Phụ lục kèm Quyết định 15/QĐ-UBND")
    signed = sign_pdf(pdf_doc, agency_key, appearance=appearance)
    rect = widget_rects(signed, 0)["AppendixSeal1"]
    assert rect[2] > 595 - 60 and rect[3] > 842 - 40  # top right corner
    page = render_page(signed, 1, tmp_path)
    assert dark_pixels(page, to_image_box(rect)) > 150
    assert red_pixels(page, to_image_box(rect)) == 0  # no seal image, black text only


def test_explicit_box_is_used(pdf_doc, user_key, signature_png):
    box = (100.0, 100.0, 250.0, 170.0)
    signed = sign_pdf(
        pdf_doc,
        user_key,
        appearance=SignatureAppearance(kind="signer", image=signature_png, page=0, box=box),
    )
    assert widget_rects(signed, 0)["Signature1"] == pytest.approx(box)


def test_signing_time_format():
    when = dt.datetime(2025, 3, 5, 7, 30, 15, 123456, tzinfo=dt.UTC)
    assert format_signing_time(when) == "2025-03-05T14:30:15+07:00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", format_signing_time(when))


def test_static_layers_are_rendered_once(signature_png):
    appearance = SignatureAppearance(kind="signer", image=signature_png)
    first = layout_for(appearance, "Nguyễn Văn An", "UBND")
    again = layout_for(
        SignatureAppearance(kind="signer", image=bytes(signature_png)), "Nguyễn Văn An", "UBND"
    )
    assert again is first


def test_appearance_rules():
    with pytest.raises(AppearanceError) as err:
        SignatureAppearance(kind="signer")
    assert err.value.code == "image_missing"
    with pytest.raises(AppearanceError):
        SignatureAppearance(kind="appendix", image=b"\x89PNG\r\n\x1a\n")
    with pytest.raises(AppearanceError):
        SignatureAppearance(kind="stamp", image=None)  # type: ignore[arg-type]


def test_missing_font_is_a_clear_error(monkeypatch, signature_png, tmp_path):
    monkeypatch.setitem(fonts_module._CANDIDATES, "serif-bold", (tmp_path / "nope.ttf",))
    fonts_module.find_font.cache_clear()
    try:
        with pytest.raises(AppearanceError) as err:
            layout_for(SignatureAppearance(kind="signer", image=signature_png), "Ánh", "X")
        assert err.value.code == "font_missing"
        assert "fonts-noto-core" in err.value.message
    finally:
        fonts_module.find_font.cache_clear()


def test_oversized_image_is_scaled_down():
    from PIL import Image

    from .conftest import png_bytes

    huge = png_bytes(Image.new("RGBA", (4000, 1600), (0, 0, 200, 255)))
    layout = layout_for(SignatureAppearance(kind="signer", image=huge), "A", "B")
    picture = layout.layers[0].image
    assert picture.width <= round(35 * MM / 72 * 400)  # 35 mm at 400 dpi
    assert picture.height == round(1600 * picture.width / 4000)
