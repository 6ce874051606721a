from __future__ import annotations

import unicodedata

import pytest

from edoc.capture.filenames import safe_filename
from edoc.errors import ValidationError
from tests.capture.assertions import assert_refusal


@pytest.mark.parametrize("name", [
    "Quyết định 15-QĐ-UBND.pdf", "Công văn số 05.docx", "scan 2025-03-05 (1).jpg",
    "Báo cáo.tiff", ".pdf", "a.b.c.pdf", "Tờ trình – bản cuối.pdf",
])
def test_ordinary_vietnamese_names_are_kept(name):
    assert safe_filename(name) == name


def test_names_are_nfc_normalised_and_trimmed():
    decomposed = unicodedata.normalize("NFD", "Quyết định.pdf")
    assert decomposed != "Quyết định.pdf"
    assert safe_filename(f"  {decomposed} ") == "Quyết định.pdf"


@pytest.mark.parametrize(("name", "reason"), [
    ("../etc/passwd", "path_separator"),
    ("..", "dot_dot"),
    ("..pdf", "dot_dot"),
    ("bao..cao.pdf", "dot_dot"),
    ("a/b.pdf", "path_separator"),
    ("C:\\fakepath\\quyết định.pdf", "path_separator"),
    ("van\x00ban.pdf", "control_character"),
    ("van\nban.pdf", "control_character"),
    ("van\tban.pdf", "control_character"),
    ("\x1b[31mred.pdf", "control_character"),
    ("hoa-don\u202efdp.exe", "control_character"),   # right-to-left override
    ("zero\u200bwidth.pdf", "control_character"),
    ("", "empty"),
    ("   ", "empty"),
    (".", "empty"),
    (None, "empty"),
])
def test_refused_names(name, reason):
    with pytest.raises(ValidationError) as excinfo:
        safe_filename(name)
    assert_refusal(excinfo, ValidationError, "bad_filename", "Tên tệp")
    assert excinfo.value.details["reason"] == reason


def test_length_is_counted_in_utf8_bytes():
    # "ệ" is 3 bytes in UTF-8: 84 of them plus ".pdf" is 256 bytes but only 88 characters.
    assert safe_filename("ệ" * 83 + ".pdf")  # 253 bytes
    with pytest.raises(ValidationError) as excinfo:
        safe_filename("ệ" * 84 + ".pdf")
    assert_refusal(excinfo, ValidationError, "bad_filename", "255")
    assert excinfo.value.details["reason"] == "too_long"
