"""Build -> parse round trips of every message kind, and the layout of what we emit."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import zipfile

import pytest
from lxml import etree

from connectors.edxml import (
    DEFAULT_CONFIG,
    QCVN_NAMESPACE,
    Attachment,
    Business,
    BusinessType,
    EdocMessage,
    EdxmlConfig,
    EnvelopeInvalid,
    Organization,
    StatusCode,
    StatusMessage,
    build_document,
    build_message,
    build_status,
    is_addressed_to,
    make_document_id,
    parse_message,
    receiver_organ_ids,
    status_reply,
    validate,
)

from .samples import (
    ICT,
    PROVINCE,
    WARD,
    emitted_samples,
    new_document,
    replace_document,
    revoke_document,
    status_message,
    tiny_pdf,
    update_document,
)

NS = f"{{{QCVN_NAMESPACE}}}"
SAMPLES = emitted_samples()


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_build_parse_round_trip(name):
    msg = SAMPLES[name]
    data = build_message(msg)
    assert parse_message(data) == msg
    validate(data)  # strict: our own order


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_build_is_reproducible(name):
    assert build_message(SAMPLES[name]) == build_message(SAMPLES[name])


def test_every_status_code_has_a_sample():
    codes = {m.status_code for m in SAMPLES.values() if isinstance(m, StatusMessage)}
    assert codes == {c.value for c in StatusCode}
    assert set(DEFAULT_CONFIG.status_codes) == codes


def test_business_types_and_their_references():
    revoke, update, replace = revoke_document(), update_document(), replace_document()
    assert new_document().business.business_type is BusinessType.NEW
    assert revoke.business.business_type is BusinessType.REVOKE
    assert revoke.document_id == new_document().document_id  # repeats the original header
    parsed_update = parse_message(build_document(update))
    assert parsed_update.business.document_id == new_document().document_id
    assert [r.receiver_type.name for r in parsed_update.business.document_info.receivers] == [
        "ADDED",
        "REMOVED",
    ]
    parsed_replace = parse_message(build_document(replace))
    assert parsed_replace.business.replacements[0].document_id == new_document().document_id
    assert parsed_replace.business.replacements[0].organ_ids == (WARD.organ_id,)
    assert parsed_replace.document_id != new_document().document_id
    original_id = new_document().document_id
    assert new_document().target_document_ids == ()
    assert revoke.target_document_ids == (original_id,)
    assert parsed_update.target_document_ids == (original_id,)
    assert parsed_replace.target_document_ids == (original_id,)


def test_sdk_layout_of_a_document():
    root = etree.fromstring(build_document(new_document()))
    assert root.tag == f"{NS}edXML" and root.prefix is None
    envelope, encoded = list(root)
    assert envelope.prefix == "edXML" and envelope.nsmap["edXML"] == QCVN_NAMESPACE
    # Outside the envelope the SDK writes unprefixed elements and re-declares the prefix on
    # ContentTransferEncoded (vn-standards §1.2).
    assert encoded.tag == f"{NS}AttachmentEncoded" and encoded.prefix is None
    payload = encoded.find(f"{NS}Attachment/{NS}ContentTransferEncoded")
    assert payload.prefix == "edXML"
    header = envelope.find(f"{NS}edXMLHeader/{NS}MessageHeader")
    assert [etree.QName(c).localname for c in header] == [
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
        "SteeringType",
        "ToPlaces",
    ]
    assert [etree.QName(c).localname for c in header.find(f"{NS}From")] == [
        "OrganId",
        "OrganizationInCharge",
        "OrganName",
        "OrganAdd",
        "Email",
        "Telephone",
        "Fax",
        "Website",
    ]
    business = envelope.find(f"{NS}edXMLHeader/{NS}TraceHeaderList/{NS}Bussiness")
    assert business.findtext(f"{NS}BussinessDocType") == "0"
    assert envelope.find(f"{NS}edXMLBody/{NS}edXMLManifest").get("version") == "1.0"


def test_attachment_is_a_one_entry_zip_like_the_sdk():
    msg = new_document()
    root = etree.fromstring(build_document(msg))
    text = root.findtext(f"{NS}AttachmentEncoded/{NS}Attachment/{NS}ContentTransferEncoded")
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(text))) as zf:
        (info,) = zf.infolist()
        assert info.filename.endswith(".pdf") and len(info.filename) == 36 + 4  # <uuid>.pdf
        assert zf.read(info) == msg.attachments[0].data


def test_plain_base64_attachments_when_configured():
    config = EdxmlConfig(zip_attachments=False)
    msg = new_document()
    data = build_document(msg, config=config)
    root = etree.fromstring(data)
    text = root.findtext(f"{NS}AttachmentEncoded/{NS}Attachment/{NS}ContentTransferEncoded")
    assert base64.b64decode(text) == msg.attachments[0].data
    assert parse_message(data) == msg  # both encodings read back the same


def test_content_ids_are_generated_stable_and_unique():
    pdf = tiny_pdf("x")
    msg = dataclasses.replace(
        new_document(),
        attachments=(
            Attachment(name="a.pdf", content_type="application/pdf", data=pdf),
            Attachment(name="b.pdf", content_type="application/pdf", data=pdf),
        ),
    )
    parsed = parse_message(build_document(msg))
    cids = [a.content_id for a in parsed.attachments]
    assert len(set(cids)) == 2 and all(c.startswith("cid:") for c in cids)
    assert [a.content_id for a in parse_message(build_document(msg)).attachments] == cids
    assert [a.data for a in parsed.attachments] == [pdf, pdf]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sender": Organization(organ_id="")}, "From/OrganId"),
        ({"receivers": ()}, "To"),
        ({"document_id": " "}, "DocumentId"),
        ({"subject": ""}, "Subject"),
        (
            {"business": Business(business_type=BusinessType.UPDATE, reason="x")},
            "Bussiness/DocumentId",
        ),
        (
            {"business": Business(business_type=BusinessType.REPLACE, reason="x")},
            "Bussiness/ReplacementInfoList",
        ),
    ],
)
def test_build_refuses_incomplete_documents(change, field):
    with pytest.raises(EnvelopeInvalid) as exc:
        build_document(dataclasses.replace(new_document(), **change))
    assert exc.value.code == "missing_field"
    assert exc.value.details["field"] == field


def test_build_status_checks_code_and_reason():
    with pytest.raises(EnvelopeInvalid) as exc:
        build_status(dataclasses.replace(status_message("03"), status_code="09"))
    assert exc.value.code == "invalid_value"
    with pytest.raises(EnvelopeInvalid) as exc:
        build_status(dataclasses.replace(status_message("02"), description=""))
    assert exc.value.details["field"] == "Description"
    # 03 has no mandatory reason: the table's Vietnamese text is sent
    parsed = parse_message(build_status(dataclasses.replace(status_message("03"), description="")))
    assert parsed.description == DEFAULT_CONFIG.status_codes["03"].vi


def test_status_table_is_configurable():
    table = dict(DEFAULT_CONFIG.status_codes)
    table["07"] = dataclasses.replace(table["06"], code="07", key="archived", vi="Đã lưu trữ")
    config = EdxmlConfig(status_codes=table)
    msg = dataclasses.replace(status_message("06"), status_code="07", description="")
    data = build_status(msg, config=config)
    assert parse_message(data, config=config).description == "Đã lưu trữ"
    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(data)  # the default table does not know 07
    assert exc.value.code == "invalid_value"


def test_namespace_is_configurable():
    config = EdxmlConfig(namespace="urn:example:edxml")
    data = build_document(new_document(), config=config)
    assert b'xmlns="urn:example:edxml"' in data
    assert parse_message(data, config=config) == new_document()
    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(data)
    assert exc.value.code == "wrong_namespace"


def test_timestamps_are_written_in_the_configured_zone():
    utc_instant = dt.datetime(2025, 3, 5, 7, 30, 15, tzinfo=dt.UTC)
    msg = dataclasses.replace(status_message("01"), timestamp=utc_instant)
    data = build_status(msg)
    assert b"<edXML:Timestamp>2025/03/05 14:30:15</edXML:Timestamp>" in data
    assert parse_message(data).timestamp == utc_instant


def test_addressing_helpers():
    doc = dataclasses.replace(new_document(), receivers=(WARD, PROVINCE))
    assert receiver_organ_ids(doc) == (WARD.organ_id, PROVINCE.organ_id)
    assert is_addressed_to(doc, WARD.organ_id)
    assert is_addressed_to(doc, f" {WARD.organ_id} ")
    assert not is_addressed_to(doc, "000.00.99.H44")
    assert not is_addressed_to(doc, "")
    reply = status_reply(
        new_document(),
        sender=WARD,
        status_code="01",
        timestamp=dt.datetime(2025, 3, 5, 15, 0, tzinfo=ICT),
    )
    assert reply.referenced_document_id == new_document().document_id
    assert reply.response_for.code == "15/QĐ-UBND"
    assert is_addressed_to(reply, PROVINCE.organ_id) and not is_addressed_to(reply, WARD.organ_id)
    # A take-back request (13) comes from the original sender and names no receiver itself.
    assert receiver_organ_ids(status_message("13")) == ()


def test_make_document_id_uses_the_vpcp_comma_form():
    from connectors.edxml import DocumentCode

    assert make_document_id(
        "000.00.00.G22", dt.date(2015, 9, 30), DocumentCode(number="7816", notation="VPCP-TTĐT")
    ) == ("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")


def test_kinds_are_exposed():
    assert isinstance(parse_message(build_message(new_document())), EdocMessage)
    assert parse_message(build_message(status_message("05"))).kind == "status"
