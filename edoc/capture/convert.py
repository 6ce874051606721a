"""Scanned images (JPEG, PNG, TIFF) into a PDF, one page per image or TIFF frame.

img2pdf embeds JPEG and most PNG/TIFF data without re-encoding, so the scan keeps its quality and
resolution (Decree 30 asks for at least 200 dpi at 100 % scale). Transparency is flattened onto
white paper first: a scan has no transparent areas, and a soft mask would keep the page out of
PDF/A-1 and confuse OCR.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageSequence

from edoc.capture.filetypes import FileKind
from edoc.capture.inspect import inspect_image
from edoc.capture.limits import DEFAULT_LIMITS, CaptureLimits
from edoc.errors import ValidationError

__all__ = ["ConvertedPdf", "images_to_pdf"]

logger = logging.getLogger(__name__)

_MM = 72.0 / 25.4
_A4 = (210 * _MM, 297 * _MM)
# A recorded resolution below this is a camera/screen default (72 or 96 dpi), not a scan.
_MIN_SCAN_DPI = 100.0
_MAX_SCAN_DPI = 2400.0
# Pages up to A2 keep their natural size (drawings, maps); anything larger is fitted into A4.
_MAX_NATURAL_SIDE = 600 * _MM


@dataclass(frozen=True, slots=True)
class ConvertedPdf:
    pdf: bytes
    page_count: int


def _layout(imgwidthpx: int, imgheightpx: int, ndpi: tuple[float, float]):
    """img2pdf layout: natural size for a real scan, else fitted into an A4 page.

    Phone photos carry 72 dpi (a 4000 px photo would become a 1.4 m page); those, and images
    without a resolution, are fitted into A4 in the image's own orientation.
    """
    dx, dy = ndpi
    if _MIN_SCAN_DPI <= dx <= _MAX_SCAN_DPI and _MIN_SCAN_DPI <= dy <= _MAX_SCAN_DPI:
        width = imgwidthpx * 72.0 / dx
        height = imgheightpx * 72.0 / dy
        if max(width, height) <= _MAX_NATURAL_SIDE:
            return width, height, width, height
    page_w, page_h = _A4 if imgheightpx >= imgwidthpx else (_A4[1], _A4[0])
    scale = min(page_w / imgwidthpx, page_h / imgheightpx)
    img_w, img_h = imgwidthpx * scale, imgheightpx * scale
    # The page takes the image's proportions: no white bands around a cropped scan.
    return img_w, img_h, img_w, img_h


def _flatten(img: Image.Image) -> bytes:
    """One frame as a lossless PNG in a mode img2pdf embeds directly, alpha composited on white."""
    dpi = img.info.get("dpi")
    if img.mode in ("1", "L", "RGB", "CMYK") and "transparency" not in img.info:
        frame = img.copy()
    else:
        rgba = img.convert("RGBA")
        frame = Image.new("RGB", rgba.size, (255, 255, 255))
        frame.paste(rgba, mask=rgba.getchannel("A"))
        if frame.mode == "RGB" and img.mode in ("L", "LA", "I", "I;16", "F"):
            frame = frame.convert("L")
    if frame.mode == "CMYK":
        frame = frame.convert("RGB")
    out = io.BytesIO()
    frame.save(out, "PNG", **({"dpi": dpi} if dpi else {}))
    return out.getvalue()


def _frames_as_png(data: bytes) -> list[bytes]:
    with Image.open(io.BytesIO(data)) as img:
        return [_flatten(frame) for frame in ImageSequence.Iterator(img)]


def images_to_pdf(data: bytes, kind: FileKind, *,
                  limits: CaptureLimits = DEFAULT_LIMITS) -> ConvertedPdf:
    """Convert a JPEG, PNG or (multi-page) TIFF into a PDF with one page per image/frame.

    The image is inspected first (pixel limit, decodable), so untrusted bytes never reach
    img2pdf unchecked. Raises ValidationError ``image_corrupt`` / ``image_too_large`` /
    ``image_convert_failed``.
    """
    import img2pdf

    if not kind.is_image:
        raise ValueError(f"not an image kind: {kind}")
    info = inspect_image(data, kind, limits=limits)
    sources: list[bytes] = [data]
    if info.has_alpha:
        sources = _frames_as_png(data)
    # ifvalid: a broken EXIF orientation tag is ignored instead of failing the conversion.
    options = {"layout_fun": _layout, "rotation": img2pdf.Rotation.ifvalid}
    try:
        try:
            pdf = img2pdf.convert(sources, **options)
        except (img2pdf.AlphaChannelError, img2pdf.UnsupportedColorspaceError,
                img2pdf.JpegColorspaceError, img2pdf.ImageOpenError, ValueError) as exc:
            # Unusual modes (16-bit, LAB, odd TIFF compressions): re-encode each frame and retry.
            logger.info("img2pdf refused %s as is (%s); re-encoding frames", kind, exc)
            pdf = img2pdf.convert(_frames_as_png(data), **options)
    except Exception as exc:
        logger.warning("image to PDF conversion failed: %s: %s", type(exc).__name__, exc)
        raise ValidationError(_l("Không chuyển được ảnh sang PDF. Hãy quét lại hoặc lưu ảnh "
                                 "sang định dạng JPEG/PNG."), code="image_convert_failed") from exc
    return ConvertedPdf(pdf=pdf, page_count=info.frame_count)
