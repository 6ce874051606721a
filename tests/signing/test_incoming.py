"""The incoming stamp ("ĐẾN") on signed documents."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from signing import FieldError, SignatureAppearance, sign_pdf, verify_pdf
from signing.incoming import add_incoming_stamp

from .render import red_pixels, render_page

RECEIVED = dt.datetime(2025, 3, 5, 7, 30, tzinfo=dt.UTC)  # 14:30 in Viet Nam


def stamp_annots(pdf: bytes) -> list:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [
        a.get_object() for a in page.get("/Annots", []) if a.get_object()["/Subtype"] == "/Stamp"
    ]


def test_stamped_signed_pdf_still_validates(
    pdf_doc, user_key, agency_key, trust, signature_png, seal_png, tmp_path
):
    signed = sign_pdf(
        pdf_doc, user_key, appearance=SignatureAppearance(kind="signer", image=signature_png)
    )
    sealed = sign_pdf(
        signed, agency_key, appearance=SignatureAppearance(kind="seal", image=seal_png)
    )
    stamped = add_incoming_stamp(
        sealed,
        number=123,
        received_at=RECEIVED,
        handler="Phòng Tổng hợp",
        record="01/VP",
        agency="Sở Nội vụ tỉnh Vĩnh Phúc",
    )
    report = verify_pdf(stamped, trust=trust)
    assert report.verdict == "valid", report
    assert [s.modified_after for s in report.signatures] == ["annotations", "annotations"]

    (annot,) = stamp_annots(stamped)
    assert annot["/Contents"].startswith("ĐẾN | SỞ NỘI VỤ TỈNH VĨNH PHÚC | Số: 123")
    assert "Ngày: 05/03/2025 Giờ: 14:30" in annot["/Contents"]
    assert "Chuyển: Phòng Tổng hợp" in annot["/Contents"]
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    assert y2 > 842 - 30  # top area of page 1
    page = render_page(stamped, 1, tmp_path)
    assert red_pixels(page, (x1, 842 - y2, x2, 842 - y1)) > 300


def test_stamp_on_unsigned_pdf(pdf_doc, trust):
    stamped = add_incoming_stamp(pdf_doc, number="45", received_at=RECEIVED)
    assert len(stamp_annots(stamped)) == 1
    assert verify_pdf(stamped, trust=trust).reasons == ("no_signatures",)


def test_other_changes_with_a_stamp_are_still_caught(pdf_doc, user_key, trust):
    """Negative control: the annotation rule must not excuse a change to the page itself."""
    stamped = add_incoming_stamp(sign_pdf(pdf_doc, user_key), number=1, received_at=RECEIVED)
    writer = IncrementalPdfFileWriter(io.BytesIO(stamped))
    page_ref, _ = writer.find_page_for_modification(0)
    page_ref.get_object()[generic.pdf_name("/Rotate")] = generic.NumberObject(90)
    writer.update_container(page_ref.get_object())
    buf = io.BytesIO()
    writer.write(buf)
    report = verify_pdf(buf.getvalue(), trust=trust)
    assert report.verdict == "invalid"
    assert "modified_after_signing" in report.signatures[0].reasons


def test_stamp_needs_aware_time(pdf_doc):
    with pytest.raises(FieldError) as err:
        add_incoming_stamp(pdf_doc, number=1, received_at=dt.datetime(2025, 3, 5, 14, 30))
    assert err.value.code == "stamp_invalid"


def test_new_link_annotation_is_not_excused(pdf_doc, user_key, trust):
    """Only markup annotations are whitelisted: a new link (could redirect a reader) is not."""
    signed = sign_pdf(pdf_doc, user_key)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref, _ = writer.find_page_for_modification(0)
    link = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Link"),
                generic.pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (10, 10, 100, 30)]
                ),
            }
        )
    )
    writer.register_annotation(page_ref, link)
    buf = io.BytesIO()
    writer.write(buf)
    report = verify_pdf(buf.getvalue(), trust=trust)
    assert report.verdict == "invalid"
    assert report.signatures[0].modified_after == "other"
