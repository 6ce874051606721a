"""The golden files: what we emit is stable and schema-valid; the wild variants all parse."""

from __future__ import annotations

import re

import pytest

from connectors.edxml import (
    Business,
    BusinessType,
    EnvelopeInvalid,
    build_message,
    canonicalize,
    parse_message,
    validate,
)
from connectors.edxml.config import DEFAULT_CONFIG
from connectors.edxml.xmlsafe import parse_bytes

from .make_golden import GOLDEN_DIR, WILD_DOC, WILD_PDF, wild_files
from .samples import DOCUMENT_ID, PROVINCE, WARD, emitted_samples, new_document, update_document

EMITTED = emitted_samples()
ALL_FILES = sorted(p.name for p in GOLDEN_DIR.glob("*.edxml"))
_PAYLOAD = re.compile(rb"(<edXML:ContentTransferEncoded[^>]*>)[^<]*(<)")


def _mask(data: bytes) -> bytes:
    # zlib output may differ between library versions; the decoded content is compared separately.
    return _PAYLOAD.sub(rb"\1...\2", data)


def test_there_are_enough_golden_files():
    assert len(ALL_FILES) >= 12
    assert set(EMITTED) | set(wild_files()) == set(ALL_FILES)


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_golden_file_parses(name):
    msg = parse_message((GOLDEN_DIR / name).read_bytes())
    assert msg.kind in ("edoc", "status")
    assert msg.sender.organ_id in (PROVINCE.organ_id, WARD.organ_id)


@pytest.mark.parametrize("name", sorted(EMITTED))
def test_emitted_golden_files_match_the_builder_and_validate(name):
    data = (GOLDEN_DIR / name).read_bytes()
    validate(data)
    assert _mask(build_message(EMITTED[name])) == _mask(data)
    assert parse_message(data) == EMITTED[name]


def test_golden_set_covers_every_kind():
    kinds = {type(m).__name__ for m in EMITTED.values()}
    business = {m.business.business_type for m in EMITTED.values() if m.kind == "edoc"}
    assert kinds == {"EdocMessage", "StatusMessage"}
    assert business == set(BusinessType)


def _read(name: str) -> bytes:
    return (GOLDEN_DIR / name).read_bytes()


def test_wild_sdk2025_minimal():
    msg = parse_message(_read("wild_sdk2025_minimal.edxml"))
    assert msg.sender.organ_id == PROVINCE.organ_id and msg.sender.name == ""
    assert msg.document_id == "5e515fca-3627-4f2e-b517-7169acdc8bda"  # the gateway's UUID form
    assert msg.signer.full_name == "Nguyễn Văn An" and msg.signer.competence == ""
    assert msg.business == Business()  # no Bussiness block: a new document
    assert [t.organ_id for t in msg.trace_headers] == ["null", ""]  # as the hub writes them
    assert msg.attachments[0].data == WILD_PDF and msg.attachments[0].description == ""
    validate(_read("wild_sdk2025_minimal.edxml"))


def test_wild_handwritten_reordered():
    data = _read("wild_handwritten_reordered.edxml")
    msg = parse_message(data)
    assert msg.document_id == "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb"  # last element there
    assert msg.response_for == ()  # the empty ResponseFor block is ignored
    assert msg.due_date.isoformat() == "2025-01-25"
    assert msg.to_places == ("Các sở, ban, ngành",)
    assert msg.document_type.type == "1" and msg.document_type.type_detail == ""
    assert msg.has_signature  # xmldsig namespace (a dummy)
    att = msg.attachments[0]
    assert att.data == WILD_PDF  # plain base64 with line breaks, not zipped
    assert att.content_type == "application/pdf" and att.description == "Tài liệu hướng dẫn"
    # Our order is not theirs: strict validation fails, canonical order validates.
    with pytest.raises(EnvelopeInvalid) as exc:
        validate(data)
    assert exc.value.code == "schema_invalid"
    validate(data, canonical_order=True)


def test_wild_signature_in_qcvn_namespace():
    msg = parse_message(_read("wild_signature_qcvn_ns.edxml"))
    assert msg.has_signature
    assert msg.receivers[0].organ_id == WARD.organ_id  # whitespace around the id is trimmed
    assert msg.receivers[0].organization_in_charge == "UBND tỉnh Phú Thọ"
    assert msg.business.document_id == msg.document_id  # DocumentId first in Bussiness
    att = msg.attachments[0]
    assert att.content_type == "application/zip" and att.data == WILD_DOC  # unzipped anyway
    validate(_read("wild_signature_qcvn_ns.edxml"))


def test_wild_status_reordered():
    data = _read("wild_status_reordered.edxml")
    msg = parse_message(data)
    assert msg.status_code == "03" and msg.has_signature
    assert msg.referenced_document_id == DOCUMENT_ID
    # the date in ResponseFor may differ from the one inside DocumentId (vn-standards §1.11)
    assert msg.response_for.promulgation_date.isoformat() == "2025-03-04"
    assert msg.receiver_organ_ids == (PROVINCE.organ_id,)
    assert msg.staff_info.staff == "Lê Văn Cường" and msg.staff_info.department == ""
    with pytest.raises(EnvelopeInvalid):
        validate(data)
    validate(data, canonical_order=True)


def test_wild_all_prefixed_and_unprefixed_read_like_ours():
    assert parse_message(_read("wild_all_prefixed.edxml")) == new_document()
    assert parse_message(_read("wild_unprefixed.edxml")) == update_document()
    assert b"<edXML:AttachmentEncoded>" in _read("wild_all_prefixed.edxml")
    assert b"edXML:" not in _read("wild_unprefixed.edxml")


def test_canonicalize_restores_our_order():
    root = parse_bytes(
        _read("wild_handwritten_reordered.edxml"), limits=DEFAULT_CONFIG.limits
    ).getroot()
    canonicalize(root)
    ns = "{http://www.mic.gov.vn/TBT/QCVN_102_2016}"
    header = root.find(f"{ns}edXMLEnvelope/{ns}edXMLHeader/{ns}MessageHeader")
    names = [c.tag.split("}")[1] for c in header]
    assert names == [
        "From",
        "To",
        "DocumentId",
        "Code",
        "PromulgationInfo",
        "DocumentType",
        "Subject",
        "Content",
        "SignerInfo",
        "DueDate",
        "OtherInfo",
        "ResponseFor",
        "SteeringType",
        "ToPlaces",
    ]
