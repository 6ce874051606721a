"""Uploaded file names: kept as the user wrote them (Vietnamese letters included), or refused.

The name is only ever shown and offered back on download (storage keys are content hashes), but
it ends up in Content-Disposition headers, ZIP/BagIt packages and edXML attachments, so anything
that could be read as a path or could hide characters is refused rather than silently rewritten.
"""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l

from edoc.errors import ValidationError

__all__ = ["MAX_FILENAME_BYTES", "safe_filename"]

MAX_FILENAME_BYTES = 255  # the usual file-system limit, counted in UTF-8 bytes

# Cc: control characters (NUL included); Cf: invisible format characters such as the bidi
# overrides (U+202E can make "gpj.exe" display as "exe.jpg"); Cs: lone surrogates; Zl/Zp: line
# and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _refuse(reason: str, message) -> ValidationError:
    return ValidationError(message, code="bad_filename", reason=reason)


def safe_filename(name: str | None) -> str:
    """Return ``name`` NFC-normalised and trimmed, or raise ValidationError ``bad_filename``.

    Refused: empty names, ``..`` anywhere, ``/`` or ``\\``, control and invisible format
    characters, names over 255 UTF-8 bytes. ``details["reason"]`` says which rule was hit.
    """
    if name is None or not name.strip():
        raise _refuse("empty", _l("Tên tệp không được để trống."))
    cleaned = unicodedata.normalize("NFC", name).strip()
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in cleaned):
        raise _refuse("control_character",
                      _l("Tên tệp chứa ký tự điều khiển hoặc ký tự ẩn. Hãy đổi tên tệp."))
    if "/" in cleaned or "\\" in cleaned:
        raise _refuse("path_separator",
                      _l("Tên tệp không được chứa dấu “/” hoặc “\\”. Hãy đổi tên tệp."))
    if ".." in cleaned:
        raise _refuse("dot_dot", _l("Tên tệp không được chứa “..”. Hãy đổi tên tệp."))
    if cleaned == ".":
        raise _refuse("empty", _l("Tên tệp không được để trống."))
    if len(cleaned.encode("utf-8")) > MAX_FILENAME_BYTES:
        raise _refuse("too_long", _l("Tên tệp quá dài (tối đa 255 byte). Hãy đặt tên ngắn hơn."))
    return cleaned
