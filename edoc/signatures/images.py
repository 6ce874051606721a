"""Signature and seal images: upload checks, storage, demo images and the signer block.

Decree 30 (Phụ lục I, II.7–8) wants a blue handwritten signature and a red seal of actual size,
both PNG with a transparent background. Uploads are checked for exactly that (PNG, an alpha
channel that is actually used, sane size); the colour is the user's business. For the demo,
:func:`default_signature_png` and :func:`default_seal_png` draw plausible ones with Pillow.
"""
from __future__ import annotations

import io
import math
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError
from sqlalchemy import select

from edoc import audit
from edoc.db import utcnow
from edoc.errors import UnsupportedFileType, ValidationError
from edoc.extensions import db
from edoc.signatures.messages import error_message
from edoc.signatures.models import ImageKind, SignatureImage
from edoc.signatures.settings import setting
from edoc.storage.services import open_stored, save_stream
from signing.appearance import is_png
from signing.fonts import find_font

__all__ = [
    "MAX_SIDE_PX",
    "MIN_SIDE_PX",
    "active_image",
    "check_png",
    "default_seal_png",
    "default_signature_png",
    "image_bytes",
    "save_image",
    "signer_block_png",
]

MIN_SIDE_PX = 40
MAX_SIDE_PX = 4000
DPI = 300  # demo images and the composed signer block are drawn at 300 dpi
BLUE = (0, 45, 160)
RED = (205, 20, 40)
_PX_PER_PT = DPI / 72


class PngInfo:
    """What an accepted upload looks like."""

    def __init__(self, width: int, height: int, dpi: int | None) -> None:
        self.width, self.height, self.dpi = width, height, dpi


def check_png(data: bytes, *, max_kb: int | None = None) -> PngInfo:
    """Accept a transparent PNG of reasonable size; refuse anything else with a clear code.

    ``image_not_png`` (415) for other formats or unreadable files, ``image_too_large`` /
    ``image_too_small`` / ``image_not_transparent`` (422).
    """
    limit_kb = int(max_kb if max_kb is not None else setting("SIGNING_IMAGE_MAX_KB"))
    if len(data) > limit_kb * 1024:
        raise ValidationError(_l("Ảnh quá lớn (tối đa %(kb)s KB).", kb=limit_kb),
                              code="image_too_large", max_kb=limit_kb)
    if not is_png(data):
        raise UnsupportedFileType(error_message("image_not_png"), code="image_not_png")
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if img.format != "PNG":
                raise UnsupportedFileType(error_message("image_not_png"), code="image_not_png")
            # Refuse before decoding: a tiny file can declare a huge canvas.
            if max(width, height) > MAX_SIDE_PX:
                raise ValidationError(
                    _l("Ảnh quá lớn (tối đa %(px)s điểm ảnh mỗi chiều).", px=MAX_SIDE_PX),
                    code="image_too_large", max_px=MAX_SIDE_PX)
            if min(width, height) < MIN_SIDE_PX:
                raise ValidationError(
                    _l("Ảnh quá nhỏ (tối thiểu %(px)s điểm ảnh mỗi chiều).", px=MIN_SIDE_PX),
                    code="image_too_small", min_px=MIN_SIDE_PX)
            dpi_info = img.info.get("dpi")
            img.load()
            lo, _hi = img.convert("RGBA").getchannel("A").getextrema()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise UnsupportedFileType(error_message("image_not_png"), code="image_not_png") from None
    if lo == 255:
        raise ValidationError(error_message("image_not_transparent"),
                              code="image_not_transparent")
    dpi = round(float(dpi_info[0])) if dpi_info and float(dpi_info[0]) > 1 else None
    return PngInfo(width, height, dpi)


def active_image(kind: str, *, agency_id: int, user_id: int | None = None
                 ) -> SignatureImage | None:
    stmt = select(SignatureImage).where(
        SignatureImage.agency_id == agency_id, SignatureImage.kind == kind,
        SignatureImage.active.is_(True)).order_by(SignatureImage.id.desc())
    if kind == ImageKind.SIGNATURE:
        stmt = stmt.where(SignatureImage.user_id == user_id)
    return db.session.scalars(stmt).first()


def save_image(data: bytes, *, kind: str, agency_id: int, user_id: int | None = None,
               actor: Any = None, generated: bool = False) -> SignatureImage:
    """Check and store a PNG as the owner's active image (the previous one is kept, inactive)."""
    if kind not in (ImageKind.SIGNATURE, ImageKind.SEAL):
        raise ValueError(f"unknown image kind {kind!r}")
    info = check_png(data)
    stored = save_stream(io.BytesIO(data), content_type="image/png", size=len(data))
    previous = active_image(kind, agency_id=agency_id, user_id=user_id)
    if previous is not None:
        previous.active = False
    row = SignatureImage(agency_id=agency_id, user_id=user_id if kind == "signature" else None,
                         kind=kind, stored_object_id=stored.id, width_px=info.width,
                         height_px=info.height, dpi=info.dpi, generated=generated,
                         created_at=utcnow(), created_by_id=getattr(actor, "id", None))
    row.stored = stored
    db.session.add(row)
    db.session.flush()
    audit.record(f"signature.{kind}_image_set", actor=actor, obj=row, agency_id=agency_id,
                 details={"image_id": row.id, "user_id": user_id, "sha256": stored.sha256,
                          "generated": generated})
    return row


def image_bytes(image: SignatureImage) -> bytes:
    with open_stored(image.stored) as reader:
        return reader.read()


# --- drawing -----------------------------------------------------------------------------------

def _font(role: str, size_pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(find_font(role)), max(1, round(size_pt * _PX_PER_PT)))


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(DPI, DPI), optimize=True)
    return buf.getvalue()


def default_signature_png(full_name: str) -> bytes:
    """A blue 'handwritten' signature: the given name in italics over a flourish (demo only)."""
    words = full_name.split()
    text = words[-1] if words else "Ký"
    font = _font("serif-italic", 30)
    width = max(420, round(font.getlength(text)) + 120)
    height = 220
    img = Image.new("RGBA", (width, height), (*BLUE, 0))
    draw = ImageDraw.Draw(img)
    draw.text((60, 40), text, font=font, fill=(*BLUE, 255))
    # A flourish under the name: a damped sine stroke, like a pen trailing off.
    points = [(40 + x, 175 - 28 * math.sin(x / 38) * math.exp(-x / (width * 0.9)))
              for x in range(0, width - 70, 4)]
    draw.line(points, fill=(*BLUE, 255), width=7, joint="curve")
    return _png(img)


def _ring_text(img: Image.Image, text: str, *, radius: float, size_pt: float) -> None:
    """Letters along the top of a circle, centred on the top, reading clockwise."""
    font = _font("sans-bold", size_pt)
    cx, cy = img.width / 2, img.height / 2
    widths = [font.getlength(ch) for ch in text]
    total = sum(widths) * 1.08
    span = min(total / radius, math.radians(300))
    scale = span / (total / radius) if total else 1.0
    angle = -math.pi / 2 - span / 2
    for ch, w in zip(text, widths, strict=True):
        step = w * 1.08 / radius * scale
        mid = angle + step / 2
        box = round(font.size * 1.6)
        glyph = Image.new("RGBA", (box, box), (*RED, 0))
        ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=font, fill=(*RED, 255),
                                   anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid + math.pi / 2), resample=Image.BICUBIC)
        x = cx + radius * math.cos(mid) - box / 2
        y = cy + radius * math.sin(mid) - box / 2
        img.alpha_composite(glyph, (round(x), round(y)))
        angle += step


def default_seal_png(agency_name: str) -> bytes:
    """A red round seal, 36 mm across at 300 dpi, with the agency name and a star (demo only)."""
    size = 425  # 36 mm at 300 dpi
    img = Image.new("RGBA", (size, size), (*RED, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((6, 6, size - 7, size - 7), outline=(*RED, 255), width=12)
    draw.ellipse((92, 92, size - 93, size - 93), outline=(*RED, 255), width=5)
    _ring_text(img, agency_name.upper(), radius=size / 2 - 50, size_pt=7.5)
    cx = cy = size / 2
    star = []
    for i in range(10):
        r = 48 if i % 2 == 0 else 19
        a = -math.pi / 2 + i * math.pi / 5
        star.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(star, fill=(*RED, 255))
    return _png(img)


@lru_cache(maxsize=32)
def signer_block_png(signature: bytes, position_lines: tuple[str, ...]) -> bytes:
    """The signature image with the signer's position above it, centred (Decree 30, ô 7).

    The name goes under the image: the signing library draws it. Cached, because a batch signs
    many documents with the same image.
    """
    if not position_lines:
        return signature
    with Image.open(io.BytesIO(signature)) as src:
        src.load()
        sig = src.convert("RGBA")
        dpi = src.info.get("dpi")
    src_dpi = float(dpi[0]) if dpi and float(dpi[0]) > 1 else None
    # Without a DPI the library shows a signature 35 mm wide: keep that size.
    target_w = round(sig.width / src_dpi * DPI) if src_dpi else round(35 / 25.4 * DPI)
    target_h = max(1, round(sig.height * target_w / sig.width))
    sig = sig.resize((target_w, target_h), Image.LANCZOS)
    font = _font("serif-bold", 13)
    ascent, descent = font.getmetrics()
    line_h = round((ascent + descent) * 1.15)
    top_pad = round(0.2 * font.size)  # room for stacked diacritics (Ố, Ữ)
    text_w = max(round(font.getlength(line)) for line in position_lines) + 4
    width = max(text_w, sig.width)
    height = top_pad + line_h * len(position_lines) + sig.height
    out = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(out)
    for i, line in enumerate(position_lines):
        draw.text((width / 2, top_pad + i * line_h), line, font=font, fill=(0, 0, 0, 255),
                  anchor="ma")
    out.alpha_composite(sig, ((width - sig.width) // 2, height - sig.height))
    return _png(out)
