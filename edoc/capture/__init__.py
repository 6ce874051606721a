"""Capture of uploaded documents: pure functions on bytes and paths (no request, no database).

``capture(data, filename)`` is the single entry point used by the upload page, the JSON API and
the edXML connector; the other names are its steps, usable on their own (the background OCR job
calls ``ocr_pdf`` and then ``extract_pdf``). Errors are the app's EdocError subclasses with
stable codes and Vietnamese messages.
"""
from edoc.capture.convert import ConvertedPdf, images_to_pdf
from edoc.capture.extract import ExtractResult, extract_docx, extract_pdf, extract_text
from edoc.capture.filenames import safe_filename
from edoc.capture.filetypes import FileKind, SniffedType, check_type, sniff
from edoc.capture.inspect import (
    DocxInfo,
    ImageInfo,
    PdfInfo,
    inspect_docx,
    inspect_image,
    inspect_pdf,
)
from edoc.capture.limits import DEFAULT_LIMITS, CaptureLimits
from edoc.capture.ocr import OcrError, OcrResult, OcrUnavailable, ocr_pdf
from edoc.capture.service import CapturedFile, capture, read_limited
from edoc.capture.suggest import Suggestion, suggest_metadata

__all__ = [
    "DEFAULT_LIMITS",
    "CaptureLimits",
    "CapturedFile",
    "ConvertedPdf",
    "DocxInfo",
    "ExtractResult",
    "FileKind",
    "ImageInfo",
    "OcrError",
    "OcrResult",
    "OcrUnavailable",
    "PdfInfo",
    "SniffedType",
    "Suggestion",
    "capture",
    "check_type",
    "extract_docx",
    "extract_pdf",
    "extract_text",
    "images_to_pdf",
    "inspect_docx",
    "inspect_image",
    "inspect_pdf",
    "ocr_pdf",
    "read_limited",
    "safe_filename",
    "sniff",
    "suggest_metadata",
]
