"""Decree 30 wording rules and the DOCX placeholder blanking (no LibreOffice needed)."""
from __future__ import annotations

import datetime as dt
import io

import docx
import pytest

from edoc.drafting import format_date_line, format_number_line, notation_for, render_draft
from edoc.drafting.anchors import DATE, NUMBER, blank_placeholders
from edoc.drafting.spec import format_meeting_time, place_of_date_line
from edoc.errors import ValidationError
from tests.drafting.conftest import make_spec


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2025, 1, 5), "Vĩnh Phúc, ngày 05 tháng 01 năm 2025"),
    (dt.date(2025, 2, 28), "Vĩnh Phúc, ngày 28 tháng 02 năm 2025"),
    (dt.date(2025, 3, 9), "Vĩnh Phúc, ngày 09 tháng 3 năm 2025"),
    (dt.date(2025, 12, 31), "Vĩnh Phúc, ngày 31 tháng 12 năm 2025"),
])
def test_date_line_leading_zeros(day, expected):
    assert format_date_line("Vĩnh Phúc", day) == expected


def test_number_and_notation():
    assert format_number_line(5, "QĐ-UBND") == "Số: 05/QĐ-UBND"
    assert format_number_line(123, "UBND-VP") == "Số: 123/UBND-VP"
    assert notation_for("QĐ", "ubnd") == "QĐ-UBND"
    assert notation_for(None, "UBND", "vp") == "UBND-VP"
    assert notation_for(None, "UBND", None) == "UBND"
    with pytest.raises(ValueError):
        format_number_line(0, "QĐ-UBND")
    assert make_spec("quyet_dinh").notation() == "QĐ-UBND"
    assert make_spec("cong_van").notation() == "UBND-VP"


def test_place_and_meeting_time():
    assert place_of_date_line("Hà Nội, ngày …… tháng …… năm 20……") == "Hà Nội"
    assert place_of_date_line("ngày 05 tháng 3 năm 2025") is None
    assert format_date_line(None, dt.date(2025, 3, 5)) == "Ngày 05 tháng 3 năm 2025"
    assert format_meeting_time(dt.datetime(2025, 3, 16, 14, 30)) == \
        "14 giờ 30 phút, Chủ nhật, ngày 16 tháng 3 năm 2025"


def _paragraph_texts(data: bytes) -> list[str]:
    doc = docx.Document(io.BytesIO(data))
    cells = [p.text for t in doc.tables for c in t.rows[0].cells for p in c.paragraphs]
    return cells + [p.text for p in doc.paragraphs]


def test_blank_placeholders_empties_only_number_and_date_lines():
    draft = render_draft(make_spec("quyet_dinh"))
    blanked = blank_placeholders(draft)
    assert {NUMBER, DATE} <= blanked.anchors
    assert blanked.removed == {NUMBER: "Số: ……/QĐ-UBND",
                               DATE: "Vĩnh Phúc, ngày …… tháng …… năm 20……"}
    before, after = _paragraph_texts(draft), _paragraph_texts(blanked.docx)
    assert len(before) == len(after)  # the lines stay, empty
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed == [("Số: ……/QĐ-UBND", ""), ("Vĩnh Phúc, ngày …… tháng …… năm 20……", "")]
    doc = docx.Document(io.BytesIO(blanked.docx))
    assert {NUMBER, DATE} <= set(doc.element.body.xpath("//w:bookmarkStart/@w:name"))


def test_blank_placeholders_leaves_foreign_docx_alone():
    doc = docx.Document()
    doc.add_paragraph("Số: 12/UBND-VP")
    out = io.BytesIO()
    doc.save(out)
    blanked = blank_placeholders(out.getvalue())
    assert blanked.docx == out.getvalue() and blanked.anchors == frozenset()


def test_blank_placeholders_rejects_non_docx():
    with pytest.raises(ValidationError) as err:
        blank_placeholders(b"not a zip")
    assert err.value.code == "invalid_docx"
