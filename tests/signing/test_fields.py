"""Number and date filled after the leader's signature, then the agency seal."""

from __future__ import annotations

import io

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from signing import FieldError, SignatureAppearance, sign_pdf, verify_pdf
from signing.formfields import TextFieldSpec, add_text_fields, fill_fields

from .render import dark_pixels, render_page

NUMBER = "Số: 15/QĐ-UBND"
DATE = "Vĩnh Phúc, ngày 05 tháng 3 năm 2025"
FIELDS = [
    TextFieldSpec(name="so_ky_hieu", page=0, box=(70, 760, 270, 780)),
    TextFieldSpec(
        name="ngay_ban_hanh", page=0, box=(300, 760, 560, 780), style="italic", align="center"
    ),
]


@pytest.fixture(scope="module")
def draft(pdf_doc) -> bytes:
    return add_text_fields(pdf_doc, FIELDS)


def test_fill_after_signer_then_seal_keeps_both_valid(
    draft, user_key, agency_key, trust, pki, signature_png, seal_png
):
    signed = sign_pdf(
        draft, user_key, appearance=SignatureAppearance(kind="signer", image=signature_png)
    )
    filled = fill_fields(signed, {"so_ky_hieu": NUMBER, "ngay_ban_hanh": DATE})
    sealed = sign_pdf(
        filled, agency_key, appearance=SignatureAppearance(kind="seal", image=seal_png)
    )

    report = verify_pdf(sealed, trust=trust)
    assert report.verdict == "valid", report
    leader, seal = report.signatures
    assert (leader.signer, seal.signer) == ("Nguyễn Văn An", "UBND tỉnh Vĩnh Phúc")
    assert leader.modified_after == "form_filling" and leader.reasons == ()
    assert seal.modified_after == "none"

    # pyHanko's own default policy agrees that filling was form filling only.
    reader = PdfFileReader(io.BytesIO(filled))
    root = load_cert_from_pemder(str(pki.root_certificate))
    status = validate_pdf_signature(
        reader.embedded_signatures[0], ValidationContext(trust_roots=[root])
    )
    assert status.bottom_line
    assert status.modification_level == ModificationLevel.FORM_FILLING
    assert status.diff_result.changed_form_fields == {"so_ky_hieu", "ngay_ban_hanh"}

    fields = PdfReader(io.BytesIO(sealed)).get_fields()
    assert fields["so_ky_hieu"]["/V"] == NUMBER
    assert fields["ngay_ban_hanh"]["/V"] == DATE


def test_filled_values_render_with_vietnamese_font(draft, user_key, tmp_path):
    filled = fill_fields(sign_pdf(draft, user_key), {"so_ky_hieu": NUMBER, "ngay_ban_hanh": DATE})
    page = render_page(filled, 1, tmp_path)
    # The field boxes (PDF y 760-780 on an 842 pt page) now hold dark text.
    assert dark_pixels(page, (70, 842 - 780, 270, 842 - 760)) > 40
    assert dark_pixels(page, (300, 842 - 780, 560, 842 - 760)) > 60
    # The font is embedded as a subset with a ToUnicode map, so the text can be copied out.
    assert b"/FontFile2" in filled and b"/ToUnicode" in filled


def test_fields_are_added_empty_and_read_only(draft):
    fields = PdfReader(io.BytesIO(draft)).get_fields()
    assert set(fields) == {"so_ky_hieu", "ngay_ban_hanh"}
    assert all(f.get("/V") in (None, "") for f in fields.values())
    assert all(int(f["/Ff"]) & 1 for f in fields.values())


def test_fields_cannot_be_added_after_signing(draft, user_key):
    signed = sign_pdf(draft, user_key)
    with pytest.raises(FieldError) as err:
        add_text_fields(signed, [TextFieldSpec(name="late", page=0, box=(10, 10, 100, 30))])
    assert err.value.code == "document_already_signed"


def test_field_errors(draft, pdf_doc):
    with pytest.raises(FieldError) as err:
        add_text_fields(draft, [TextFieldSpec(name="so_ky_hieu", page=0, box=(0, 0, 50, 20))])
    assert err.value.code == "field_exists"
    with pytest.raises(FieldError) as err:
        fill_fields(draft, {"khong_co": "x"})
    assert err.value.code == "field_missing"
    with pytest.raises(FieldError) as err:
        TextFieldSpec(name="bad name!", page=0, box=(0, 0, 50, 20))
    assert err.value.code == "field_name_invalid"


def test_refilling_replaces_the_value(draft, user_key, trust):
    once = fill_fields(sign_pdf(draft, user_key), {"so_ky_hieu": "Số: 14/QĐ-UBND"})
    twice = fill_fields(once, {"so_ky_hieu": NUMBER})
    assert PdfReader(io.BytesIO(twice)).get_fields()["so_ky_hieu"]["/V"] == NUMBER
    assert verify_pdf(twice, trust=trust).verdict == "valid"
