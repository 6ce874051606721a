"""Deep validation of each accepted kind, within the resource limits.

Sniffing says what a file claims to be; this module checks that it really opens, and that opening
it cannot exhaust memory or time: page count for PDF, a ZIP-bomb guard for DOCX, a pixel limit
for images. Every refusal is a ValidationError with a stable code and a Vietnamese message.
"""
from __future__ import annotations

import io
import logging
import struct
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageFile

from edoc.capture.filetypes import FileKind
from edoc.capture.limits import DEFAULT_LIMITS, CaptureLimits
from edoc.errors import ValidationError

__all__ = [
    "DocxInfo",
    "ImageInfo",
    "PdfInfo",
    "inspect_docx",
    "inspect_image",
    "inspect_pdf",
    "load_docx",
    "open_pdf",
    "pdf_corrupt_error",
]

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class PdfInfo:
    page_count: int
    pdf_version: str | None


@dataclass(frozen=True, slots=True)
class DocxInfo:
    entry_count: int
    uncompressed_size: int


@dataclass(frozen=True, slots=True)
class ImageInfo:
    kind: FileKind
    width: int             # of the first frame
    height: int
    frame_count: int       # pages of a multi-page TIFF; 1 otherwise
    mode: str              # Pillow mode of the first frame ("RGB", "RGBA", "L", "1", "P" ...)
    has_alpha: bool        # any frame with an alpha channel or a transparent palette entry
    dpi: tuple[float, float] | None


# --- PDF ---------------------------------------------------------------------------------------

def open_pdf(data: bytes):
    """A pypdf reader for ``data``; ValidationError ``pdf_corrupt`` / ``pdf_encrypted``."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many types (PdfReadError, ValueError, KeyError ...)
        raise pdf_corrupt_error(exc) from exc
    if encrypted:
        # Even "owner password only" files are refused: they cannot be signed, OCRed or kept as
        # PDF/A without first removing the protection, which is the sender's job.
        try:
            needs_password = reader.decrypt("") == 0
        except Exception:
            needs_password = True
        raise ValidationError(
            _l("Tệp PDF được đặt mật khẩu hoặc mã hóa. Hãy gỡ mật khẩu/mã hóa rồi tải lên lại."),
            code="pdf_encrypted", needs_password=needs_password)
    return reader


def pdf_corrupt_error(exc: BaseException | None = None) -> ValidationError:
    if exc is not None:
        logger.info("corrupt PDF: %s: %s", type(exc).__name__, exc)
    return ValidationError(_l("Tệp PDF bị hỏng hoặc không đọc được."), code="pdf_corrupt")


def inspect_pdf(data: bytes, *, limits: CaptureLimits = DEFAULT_LIMITS,
                reader=None) -> PdfInfo:
    """``reader``: ``open_pdf(data)`` when the caller has it already."""
    if reader is None:
        reader = open_pdf(data)
    try:
        page_count = len(reader.pages)
        # Touch the first page so a broken page tree is found now, not by the text extractor.
        if page_count:
            _ = reader.pages[0].mediabox
        version = reader.pdf_header.removeprefix("%PDF-") if reader.pdf_header else None
    except Exception as exc:
        raise pdf_corrupt_error(exc) from exc
    if page_count == 0:
        raise ValidationError(_l("Tệp PDF không có trang nào."), code="pdf_corrupt")
    if page_count > limits.max_pages:
        raise ValidationError(
            _l("Tệp PDF có %(count)d trang, vượt quá giới hạn %(limit)d trang.",
               count=page_count, limit=limits.max_pages),
            code="pdf_too_many_pages", page_count=page_count, limit=limits.max_pages)
    return PdfInfo(page_count=page_count, pdf_version=version)


# --- DOCX --------------------------------------------------------------------------------------

def _zip_bomb(reason: str, **details) -> ValidationError:
    return ValidationError(
        _l("Tệp Word có cấu trúc nén bất thường (nghi là “bom nén”) nên không được chấp nhận."),
        code="docx_zip_bomb", reason=reason, **details)


def _docx_corrupt(exc: BaseException | None = None) -> ValidationError:
    if exc is not None:
        logger.info("corrupt DOCX: %s: %s", type(exc).__name__, exc)
    return ValidationError(_l("Tệp Word (.docx) bị hỏng hoặc không đọc được."),
                           code="docx_corrupt")


def _declared_entry_count(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record (ZIP64 aware), read before zipfile
    builds one object per entry: a small file can declare millions of entries."""
    tail_start = max(0, len(data) - (22 + 65535))
    pos = data.rfind(b"PK\x05\x06", tail_start)
    if pos < 0 or pos + 22 > len(data):
        return None
    count = struct.unpack_from("<H", data, pos + 10)[0]
    if count != 0xFFFF:
        return count
    loc = pos - 20
    if loc < 0 or data[loc:loc + 4] != b"PK\x06\x07":
        return None
    eocd64 = struct.unpack_from("<Q", data, loc + 8)[0]
    if eocd64 + 56 > len(data) or data[eocd64:eocd64 + 4] != b"PK\x06\x06":
        return None
    return struct.unpack_from("<Q", data, eocd64 + 32)[0]


def _inflated_size(data: bytes, info: zipfile.ZipInfo, budget: int, limits: CaptureLimits) -> int:
    """Inflate one entry from its raw bytes, counting output and trusting no declared size.

    The deflate stream ends itself, so it is fed from the entry's data start up to the end of the
    file; output is discarded chunk by chunk and counting stops as soon as ``budget`` (what is left
    of the total allowance) or the ratio limit is passed.
    """
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04":
        raise _docx_corrupt()
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    if info.flag_bits & 0x1:
        raise _docx_corrupt()  # encrypted entry: not something Word writes
    if info.compress_type == zipfile.ZIP_STORED:
        size = min(info.compress_size, len(data) - start)
        crc = zlib.crc32(data[start:start + size])
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        size = crc = 0
        pos = start
        pending = b""
        while not inflater.eof:
            if not pending:
                if pos >= len(data):
                    raise _docx_corrupt()  # stream cut short
                pending = data[pos:pos + _CHUNK]
                pos += _CHUNK
            try:
                out = inflater.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise _docx_corrupt(exc) from exc
            pending = inflater.unconsumed_tail
            size += len(out)
            crc = zlib.crc32(out, crc)
            if size > budget:
                raise _zip_bomb("uncompressed_size", limit=limits.docx_max_uncompressed)
            consumed = pos - len(pending) - start
            if size > limits.docx_ratio_min_size and size > limits.docx_max_ratio * max(
                    consumed, 1):
                raise _zip_bomb("ratio", entry=info.filename)
    else:  # bzip2, lzma, deflate64 ...: Word only writes stored and deflated entries
        raise _docx_corrupt()
    if size != info.file_size:
        raise _zip_bomb("size_mismatch", entry=info.filename, declared=info.file_size,
                        actual=size)
    if crc != info.CRC:
        raise _docx_corrupt()
    return size


def _check_zip(data: bytes, limits: CaptureLimits) -> DocxInfo:
    declared = _declared_entry_count(data)
    if declared is not None and declared > limits.docx_max_entries:
        raise _zip_bomb("too_many_entries", entries=declared, limit=limits.docx_max_entries)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            struct.error) as exc:
        raise _docx_corrupt(exc) from exc
    if len(infos) > limits.docx_max_entries:
        raise _zip_bomb("too_many_entries", entries=len(infos), limit=limits.docx_max_entries)
    # 1. What the central directory declares.
    declared_total = sum(i.file_size for i in infos)
    if declared_total > limits.docx_max_uncompressed:
        raise _zip_bomb("declared_size", declared=declared_total,
                        limit=limits.docx_max_uncompressed)
    for info in infos:
        if info.file_size > limits.docx_ratio_min_size and (
                info.file_size > limits.docx_max_ratio * max(info.compress_size, 1)):
            raise _zip_bomb("declared_ratio", entry=info.filename)
    # 2. What the data really inflates to, so a central directory that lies about sizes cannot
    # make us, or python-docx after us, inflate more than the limits (zipfile reads exactly the
    # declared size, which step 2 has checked against the real stream).
    total = 0
    for info in infos:
        if not info.is_dir():
            total += _inflated_size(data, info, limits.docx_max_uncompressed - total, limits)
    if total > limits.docx_ratio_min_size and total > limits.docx_max_ratio * len(data):
        raise _zip_bomb("ratio", limit=limits.docx_max_ratio)
    return DocxInfo(entry_count=len(infos), uncompressed_size=total)


_NOT_A_DOCUMENT = _l("Tệp không phải văn bản Word thông thường (có thể là tệp có macro hoặc tệp "
                     "mẫu). Hãy lưu lại dưới dạng .docx rồi tải lên.")


def load_docx(data: bytes, *, limits: CaptureLimits = DEFAULT_LIMITS):
    """``(DocxInfo, docx.Document)`` for ``data``; python-docx only sees it after the bomb guard."""
    info = _check_zip(data, limits)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as exc:
        if "content type" in str(exc):
            # A macro-enabled document (.docm) or a template (.dotx) renamed to .docx.
            raise ValidationError(_NOT_A_DOCUMENT, code="docx_not_document") from exc
        raise _docx_corrupt(exc) from exc
    except Exception as exc:  # KeyError (missing part), lxml XMLSyntaxError, BadZipFile ...
        raise _docx_corrupt(exc) from exc
    return info, document


def inspect_docx(data: bytes, *, limits: CaptureLimits = DEFAULT_LIMITS) -> DocxInfo:
    return load_docx(data, limits=limits)[0]


# --- images ------------------------------------------------------------------------------------

def _image_corrupt(exc: BaseException | None = None) -> ValidationError:
    if exc is not None:
        logger.info("corrupt image: %s: %s", type(exc).__name__, exc)
    return ValidationError(_l("Tệp ảnh bị hỏng hoặc không đọc được."), code="image_corrupt")


def _image_too_large(width: int | None = None, height: int | None = None,
                     limit: int | None = None) -> ValidationError:
    return ValidationError(
        _l("Ảnh quá lớn (quá nhiều điểm ảnh) nên không được chấp nhận. Hãy quét lại với độ phân "
           "giải 200–300 dpi."),
        code="image_too_large", width=width, height=height, limit=limit)


def _frame_has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        img.mode == "P" and "transparency" in img.info) or (
        img.mode in ("L", "RGB", "1") and "transparency" in img.info)


def inspect_image(data: bytes, kind: FileKind, *,
                  limits: CaptureLimits = DEFAULT_LIMITS) -> ImageInfo:
    """Open the image, check each frame's pixel count, then decode every frame."""
    with warnings.catch_warnings():
        # Pillow warns between its two bomb thresholds (our own limit decides instead) and about
        # damaged metadata (the decode below decides): the outcome is an error or nothing.
        warnings.simplefilter("ignore")
        try:
            img = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise _image_too_large(limit=limits.image_max_pixels) from exc
        except Exception as exc:  # UnidentifiedImageError, SyntaxError, struct.error ...
            raise _image_corrupt(exc) from exc
        with img:
            first = (img.width, img.height, img.mode)
            dpi = img.info.get("dpi")
            frames = getattr(img, "n_frames", 1) if kind is FileKind.TIFF else 1
            if frames > limits.max_pages:
                raise ValidationError(
                    _l("Tệp ảnh có %(count)d trang, vượt quá giới hạn %(limit)d trang.",
                       count=frames, limit=limits.max_pages),
                    code="image_too_many_pages", page_count=frames, limit=limits.max_pages)
            has_alpha = False
            for index in range(frames):
                try:
                    if index:
                        img.seek(index)
                    w, h = img.size
                    if w <= 0 or h <= 0:
                        raise _image_corrupt()
                    if w * h > limits.image_max_pixels:
                        raise _image_too_large(w, h, limits.image_max_pixels)
                    has_alpha = has_alpha or _frame_has_alpha(img)
                    img.load()
                except ValidationError:
                    raise
                except Image.DecompressionBombError as exc:
                    raise _image_too_large(limit=limits.image_max_pixels) from exc
                except Exception as exc:  # "image file is truncated" is an OSError
                    raise _image_corrupt(exc) from exc
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # a global someone may have set: then truncation passes
        logger.warning("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; truncated images are accepted")
    parsed_dpi = None
    if isinstance(dpi, tuple) and len(dpi) == 2:
        try:
            parsed_dpi = (float(dpi[0]), float(dpi[1]))
        except (TypeError, ValueError):
            parsed_dpi = None
    return ImageInfo(kind=kind, width=first[0], height=first[1], frame_count=frames,
                     mode=first[2], has_alpha=has_alpha, dpi=parsed_dpi)
