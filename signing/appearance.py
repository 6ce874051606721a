"""Visible signature appearances as Decree 30 prescribes, rendered to images with Pillow.

* ``signer``: the person's signature image (blue, transparent PNG) centred above their name.
* ``seal``: the agency's seal image (red, transparent PNG, actual size) with the agency name and
  the signing time (ISO 8601, +07:00) under it; placed over the left third of the signer's image.
* ``appendix``: no image; the document's number/notation and the signing time, 10 pt serif,
  black, at the top right of the first page of a separately filed appendix.

Text is rasterised with Pillow rather than set with an embedded PDF font: pyHanko's OpenType
subsetting costs about 300 ms per signature, the raster costs well under a millisecond. The parts
that do not change between signatures (image, names) are rendered and encoded once and cached;
only the time line is drawn per signature.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from .errors import AppearanceError
from .fonts import FontRole, find_font

__all__ = [
    "VN_TZ",
    "AppearanceKind",
    "EncodedImage",
    "PlacedImage",
    "SignatureAppearance",
    "StampLayout",
    "format_signing_time",
    "is_png",
    "layout_for",
    "render_time_layer",
]

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
AppearanceKind = Literal["signer", "seal", "appendix"]

MM = 72 / 25.4  # PDF points per millimetre
_PX_PER_PT = 300 / 72  # text is rasterised at 300 dpi
_MAX_IMAGE_DPI = 400
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DEFAULT_IMAGE_WIDTH_MM = {"signer": 35.0, "seal": 36.0}  # used when the PNG carries no DPI
_MAX_IMAGE_HEIGHT_MM = {"signer": 30.0, "seal": 45.0}
_BLACK = (0, 0, 0)


def is_png(data: bytes) -> bool:
    return data[:8] == _PNG_MAGIC


def format_signing_time(when: dt.datetime, tz: dt.tzinfo = VN_TZ) -> str:
    """ISO 8601 to the second with the numeric offset, e.g. ``2025-03-05T14:30:15+07:00``."""
    return when.astimezone(tz).replace(microsecond=0).isoformat()


@dataclass(frozen=True, kw_only=True)
class SignatureAppearance:
    """How a signature looks and where it goes.

    ``box`` is ``(x1, y1, x2, y2)`` in PDF points on ``page`` (0 = first, -1 = last); without it
    the signature is placed automatically (signer: bottom right of the last page; seal: over the
    left third of the signer's signature on that page; appendix: top right of the first page).
    ``name`` and ``organization`` default to the certificate's common and organisation names.
    ``image_width_mm`` overrides the physical width of the image (otherwise the PNG's DPI, or
    35 mm for a signature and 36 mm for a seal).
    """

    kind: AppearanceKind
    image: bytes | None = field(default=None, repr=False)
    name: str | None = None
    organization: str | None = None
    reference: str | None = None
    page: int | None = None
    box: tuple[float, float, float, float] | None = None
    timezone: dt.tzinfo = VN_TZ
    image_width_mm: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("signer", "seal", "appendix"):
            raise AppearanceError(
                f"unknown appearance kind {self.kind!r}", code="appearance_invalid"
            )
        if self.kind == "appendix":
            if self.image is not None:
                raise AppearanceError(
                    "an appendix signature shows no image (Decree 30)", code="appearance_invalid"
                )
        elif self.image is None:
            raise AppearanceError(f"a {self.kind} appearance needs an image", code="image_missing")
        else:
            _check_png(self.image)
        if self.box is not None:
            x1, y1, x2, y2 = self.box
            if x2 - x1 <= 1 or y2 - y1 <= 1:
                raise AppearanceError(f"empty signature box {self.box}", code="appearance_invalid")
        if self.image_width_mm is not None and self.image_width_mm <= 0:
            raise AppearanceError("image_width_mm must be positive", code="appearance_invalid")

    @property
    def target_page(self) -> int:
        if self.page is not None:
            return self.page
        return 0 if self.kind == "appendix" else -1


def _check_png(data: bytes) -> None:
    if not is_png(data):
        raise AppearanceError("the signature image is not a PNG file", code="image_not_png")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "PNG":
                raise AppearanceError("the signature image is not a PNG", code="image_not_png")
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise AppearanceError(
            f"the signature image is not a readable PNG: {exc}", code="image_not_png"
        ) from None


@dataclass(frozen=True)
class EncodedImage:
    """An RGBA raster split into PDF image data: Flate-compressed RGB plus an alpha soft mask."""

    width: int
    height: int
    rgb: bytes = field(repr=False)
    alpha: bytes | None = field(repr=False)

    @classmethod
    def from_pil(cls, img: Image.Image) -> EncodedImage:
        rgba = img.convert("RGBA")
        alpha = rgba.getchannel("A")
        # An all-opaque image needs no soft mask; skip it to save a stream.
        lo, _ = alpha.getextrema()
        return cls(
            width=rgba.width,
            height=rgba.height,
            rgb=zlib.compress(rgba.convert("RGB").tobytes(), 6),
            alpha=None if lo == 255 else zlib.compress(alpha.tobytes(), 6),
        )


@dataclass(frozen=True)
class PlacedImage:
    """An image drawn at ``(x, y)`` with size ``(w, h)`` in points, inside the stamp."""

    image: EncodedImage
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class StampLayout:
    """The static part of a stamp plus the slot where the signing time goes (if any)."""

    width: float
    height: float
    layers: tuple[PlacedImage, ...]
    time_slot: tuple[float, float, float, float] | None = None  # x, y, w, h (points)
    time_font: tuple[FontRole, float] = ("serif", 8.0)
    image_box: tuple[float, float, float, float] | None = None  # where the PNG sits (x, y, w, h)


@cache
def _load_font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px)


def _font(role: FontRole, size_px: int) -> ImageFont.FreeTypeFont:
    return _load_font(str(find_font(role)), size_px)


def _text_image(text: str, role: FontRole, size_pt: float, color=_BLACK) -> Image.Image:
    """Rasterise one line; the height leaves room for stacked Vietnamese diacritics."""
    font = _font(role, round(size_pt * _PX_PER_PT))
    ascent, descent = font.getmetrics()
    top = round(0.18 * font.size)  # e.g. "Ễ" rises above the font's ascent
    width = max(1, round(font.getlength(text)) + 2)
    img = Image.new("RGBA", (width, ascent + descent + top), (*color, 0))
    ImageDraw.Draw(img).text((1, top), text, font=font, fill=(*color, 255), anchor="la")
    return img


def _text_size_pt(text: str, role: FontRole, size_pt: float) -> tuple[float, float]:
    font = _font(role, round(size_pt * _PX_PER_PT))
    ascent, descent = font.getmetrics()
    w = (font.getlength(text) + 2) / _PX_PER_PT
    h = (ascent + descent + round(0.18 * font.size)) / _PX_PER_PT
    return w, h


def _image_size_pt(img: Image.Image, kind: str, width_mm: float | None) -> tuple[float, float]:
    if width_mm is None:
        dpi = img.info.get("dpi")
        if dpi and dpi[0] and float(dpi[0]) > 1:
            width_mm = img.width / float(dpi[0]) * 25.4
        else:
            width_mm = _DEFAULT_IMAGE_WIDTH_MM[kind]
    w = width_mm * MM
    h = w * img.height / img.width
    max_h = _MAX_IMAGE_HEIGHT_MM[kind] * MM
    if h > max_h:
        w, h = w * max_h / h, max_h
    return w, h


def _time_sample() -> str:
    return "0000-00-00T00:00:00+00:00"


@lru_cache(maxsize=64)
def layout_for(appearance: SignatureAppearance, name: str, organization: str) -> StampLayout:
    """Render and encode the static parts of ``appearance`` once (cached per appearance)."""
    pad = 1.0
    if appearance.kind == "appendix":
        return _appendix_layout(appearance, organization, pad)
    assert appearance.image is not None
    with Image.open(io.BytesIO(appearance.image)) as src:
        src.load()
        img_w, img_h = _image_size_pt(src, appearance.kind, appearance.image_width_mm)
        # A scan at 1200 dpi would bloat every signed file; 400 dpi is sharp on paper.
        max_px = round(img_w / 72 * _MAX_IMAGE_DPI)
        picture_img = src.convert("RGBA")
        if picture_img.width > max_px:
            size = (max_px, max(1, round(picture_img.height * max_px / picture_img.width)))
            picture_img = picture_img.resize(size, Image.Resampling.LANCZOS)
        picture = EncodedImage.from_pil(picture_img)
    if appearance.kind == "signer":
        text, role, size = name, "serif-bold", 13.0
        tw, th = _text_size_pt(text, role, size)
        width = max(img_w, tw) + 2 * pad
        height = img_h + th + 2 * pad
        img_box = ((width - img_w) / 2, pad + th, img_w, img_h)
        text_layer = PlacedImage(
            EncodedImage.from_pil(_text_image(text, role, size)), (width - tw) / 2, pad, tw, th
        )
        return StampLayout(
            width, height, (PlacedImage(picture, *img_box), text_layer), image_box=img_box
        )
    # seal: agency name and a reserved line for the time under the image
    role, size = "serif", 8.0
    ow, oh = _text_size_pt(organization, role, size)
    tw, th = _text_size_pt(_time_sample(), role, size)
    width = max(img_w, ow, tw) + 2 * pad
    height = img_h + oh + th + 2 * pad
    img_box = ((width - img_w) / 2, pad + oh + th, img_w, img_h)
    org_layer = PlacedImage(
        EncodedImage.from_pil(_text_image(organization, role, size)),
        (width - ow) / 2,
        pad + th,
        ow,
        oh,
    )
    return StampLayout(
        width,
        height,
        (PlacedImage(picture, *img_box), org_layer),
        time_slot=((width - tw) / 2, pad, tw, th),
        time_font=(role, size),
        image_box=img_box,
    )


def _appendix_layout(appearance: SignatureAppearance, organization: str, pad: float) -> StampLayout:
    role, size = "serif", 10.0
    first = appearance.reference or organization
    fw, fh = _text_size_pt(first, role, size)
    tw, th = _text_size_pt(_time_sample(), role, size)
    width = max(fw, tw) + 2 * pad
    height = fh + th + 2 * pad
    first_layer = PlacedImage(
        EncodedImage.from_pil(_text_image(first, role, size)), pad, pad + th, fw, fh
    )
    return StampLayout(
        width, height, (first_layer,), time_slot=(pad, pad, tw, th), time_font=(role, size)
    )


def render_time_layer(layout: StampLayout, when: dt.datetime, tz: dt.tzinfo) -> PlacedImage | None:
    """The per-signature time line, drawn in the slot the layout reserved for it."""
    if layout.time_slot is None:
        return None
    role, size = layout.time_font
    text = format_signing_time(when, tz)
    x, y, _, h = layout.time_slot
    w, _ = _text_size_pt(text, role, size)
    return PlacedImage(EncodedImage.from_pil(_text_image(text, role, size)), x, y, w, h)
