"""Bad and hostile input: every case raises EnvelopeInvalid with its own stable code."""

from __future__ import annotations

import base64
import dataclasses
import io
import zipfile

import pytest
from lxml import etree

from connectors import ENVELOPE_CODES
from connectors.edxml import (
    QCVN_NAMESPACE,
    Attachment,
    EdxmlConfig,
    EdxmlLimits,
    EnvelopeInvalid,
    build_document,
    build_status,
    parse_message,
)
from connectors.edxml.xmlsafe import new_parser

from .samples import new_document, status_message, tiny_pdf

NS = f"{{{QCVN_NAMESPACE}}}"
MiB = 1024 * 1024


def _code(data: bytes, config: EdxmlConfig | None = None) -> str:
    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(data, config=config or EdxmlConfig())
    assert exc.value.code in ENVELOPE_CODES
    return exc.value.code


def _edit(data: bytes, fn) -> bytes:
    root = etree.fromstring(data)
    fn(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _payload_el(root):
    return root.find(f"{NS}AttachmentEncoded/{NS}Attachment/{NS}ContentTransferEncoded")


def _with_payload(raw: bytes) -> bytes:
    def put(root):
        _payload_el(root).text = base64.b64encode(raw).decode("ascii")

    return _edit(build_document(new_document()), put)


def _zip(entries: dict[str, bytes], *, compress=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --------------------------------------------------------------------------- XML level


@pytest.mark.parametrize(
    "data",
    [b"", b"<edXML", b"<a></b>", b"not xml at all", b"<edXML xmlns='urn:x'>&undefined;</edXML>"],
)
def test_malformed_xml(data):
    assert _code(data) == "xml_malformed"


def _xxe(secret_path, *, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
        f'<!DOCTYPE edXML [<!ENTITY x SYSTEM "file://{secret_path}">]>\n'
        f'<edXML xmlns="{QCVN_NAMESPACE}"><edXML:edXMLEnvelope xmlns:edXML="{QCVN_NAMESPACE}">'
        f"<edXML:edXMLHeader><edXML:MessageHeader><edXML:Subject>&x;</edXML:Subject>"
        f"</edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>"
    ).encode()


@pytest.mark.parametrize(
    "prolog", ["", "<!-- a comment with <tags> in it -->\n", "<?pi something?>\n"]
)
def test_xxe_file_entity_does_not_leak(tmp_path, prolog):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4f1c9b")
    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(_xxe(secret, prolog=prolog))
    assert exc.value.code == "dtd_forbidden"
    assert "TOP-SECRET" not in str(exc.value)


def test_our_parser_never_resolves_external_entities(tmp_path):
    """Below the DOCTYPE refusal: the parser itself leaves the entity unexpanded. The control
    parser with entity resolution on does leak, which proves the payload is real."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4f1c9b")
    data = _xxe(secret)
    tree = etree.fromstring(data, parser=new_parser())
    assert b"TOP-SECRET" not in etree.tostring(tree)
    leaky = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    assert b"TOP-SECRET" in etree.tostring(etree.fromstring(data, parser=leaky))


def test_xxe_parameter_entity(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4f1c9b")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>'
        f'<edXML xmlns="{QCVN_NAMESPACE}"/>'
    ).encode()
    assert _code(data) == "dtd_forbidden"


_LOL = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))


@pytest.mark.parametrize("prolog", ["", "<!-- <x> -->\n"])
def test_entity_expansion_bomb(prolog):
    data = (
        f'<?xml version="1.0"?>\n{prolog}<!DOCTYPE edXML [<!ENTITY l0 "lol">{_LOL}]>\n'
        f'<edXML xmlns="{QCVN_NAMESPACE}">&l9;</edXML>'
    ).encode()
    assert _code(data) == "dtd_forbidden"


def test_quadratic_blowup():
    data = (
        f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY a "{"x" * 50_000}">]>'
        f'<edXML xmlns="{QCVN_NAMESPACE}">{"&a;" * 50_000}</edXML>'
    ).encode()
    assert _code(data) == "dtd_forbidden"


def test_utf16_is_refused():
    data = (
        build_status(status_message("01"))
        .decode("utf-8")
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16")
    )
    assert _code(data) == "encoding_unsupported"


def test_wrong_namespace_on_the_root():
    data = build_document(new_document()).replace(
        QCVN_NAMESPACE.encode(), b"http://www.e-doc.vn/Schema/"
    )
    assert _code(data) == "wrong_namespace"


def test_root_without_namespace():
    data = b"<edXML><edXMLEnvelope/></edXML>"
    assert _code(data) == "wrong_namespace"


def test_wrong_namespace_on_a_required_child():
    def move(root):
        env = root.find(f"{NS}edXMLEnvelope")
        env.tag = "{urn:other}edXMLEnvelope"

    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(_edit(build_document(new_document()), move))
    assert exc.value.code == "wrong_namespace"
    assert exc.value.details["field"] == "edXML/edXMLEnvelope"


def test_wrong_root():
    assert _code(f'<Envelope xmlns="{QCVN_NAMESPACE}"/>'.encode()) == "wrong_root"


# --------------------------------------------------------------------------- header content


def _remove(path: str):
    def fn(root):
        el = root.find(path)
        assert el is not None, path
        el.getparent().remove(el)

    return fn


def _empty(path: str):
    def fn(root):
        el = root.find(path)
        assert el is not None, path
        el.text = ""

    return fn


MH = f"{NS}edXMLEnvelope/{NS}edXMLHeader/{NS}MessageHeader"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (_remove(f"{MH}/{NS}From"), "MessageHeader/From"),
        (_remove(f"{MH}/{NS}From/{NS}OrganId"), "From/OrganId"),
        (_empty(f"{MH}/{NS}From/{NS}OrganId"), "From/OrganId"),
        (_remove(f"{MH}/{NS}To"), "MessageHeader/To"),
        (_empty(f"{MH}/{NS}To/{NS}OrganId"), "To/OrganId"),
        (_remove(f"{MH}/{NS}DocumentId"), "MessageHeader/DocumentId"),
        (_remove(f"{MH}/{NS}Code"), "MessageHeader/Code"),
        (_empty(f"{MH}/{NS}Code/{NS}CodeNumber"), "Code/CodeNumber"),
        (
            _remove(f"{MH}/{NS}PromulgationInfo/{NS}PromulgationDate"),
            "PromulgationInfo/PromulgationDate",
        ),
        (_empty(f"{MH}/{NS}Subject"), "MessageHeader/Subject"),
        (
            _remove(f"{NS}edXMLEnvelope/{NS}edXMLHeader/{NS}MessageHeader"),
            "edXMLHeader/MessageHeader",
        ),
        (
            _remove(
                f"{NS}edXMLEnvelope/{NS}edXMLHeader/{NS}TraceHeaderList/{NS}Bussiness/"
                f"{NS}BussinessDocType"
            ),
            "Bussiness/BussinessDocType",
        ),
        (
            _remove(f"{NS}AttachmentEncoded/{NS}Attachment/{NS}ContentTransferEncoded"),
            "Attachment/ContentTransferEncoded",
        ),
    ],
)
def test_missing_required_document_fields(edit, field):
    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(_edit(build_document(new_document()), edit))
    assert exc.value.code == "missing_field"
    assert exc.value.details["field"] == field


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (_remove(f"{MH}/{NS}StatusCode"), None),  # without StatusCode it reads as a document
        (_remove(f"{MH}/{NS}ResponseFor"), "MessageHeader/ResponseFor"),
        (_empty(f"{MH}/{NS}ResponseFor/{NS}OrganId"), "ResponseFor/OrganId"),
        (_remove(f"{MH}/{NS}Timestamp"), "MessageHeader/Timestamp"),
    ],
)
def test_missing_required_status_fields(edit, field):
    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(_edit(build_status(status_message("03")), edit))
    assert exc.value.code == "missing_field"
    if field:
        assert exc.value.details["field"] == field


def test_status_needs_a_document_reference():
    def clear(root):
        ref = root.find(f"{MH}/{NS}ResponseFor")
        ref.find(f"{NS}DocumentId").text = ""
        ref.find(f"{NS}Code").text = ""

    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(_edit(build_status(status_message("03")), clear))
    assert exc.value.code == "missing_field"


def _set(path: str, value: str):
    def fn(root):
        root.find(path).text = value

    return fn


@pytest.mark.parametrize(
    "edit",
    [
        _set(f"{MH}/{NS}PromulgationInfo/{NS}PromulgationDate", "2025/13/45"),
        _set(f"{MH}/{NS}PromulgationInfo/{NS}PromulgationDate", "05/03/2025"),
        _set(f"{MH}/{NS}DueDate", "tomorrow"),
        _set(f"{MH}/{NS}OtherInfo/{NS}Priority", "7"),
        _set(f"{MH}/{NS}OtherInfo/{NS}PageAmount", "two"),
        _set(f"{MH}/{NS}OtherInfo/{NS}Direction", "maybe"),
        _set(f"{MH}/{NS}SteeringType", "9"),
        _set(
            f"{NS}edXMLEnvelope/{NS}edXMLHeader/{NS}TraceHeaderList/{NS}Bussiness/"
            f"{NS}BussinessDocType",
            "9",
        ),
        _set(
            f"{NS}edXMLEnvelope/{NS}edXMLHeader/{NS}TraceHeaderList/{NS}TraceHeader/{NS}Timestamp",
            "2025-03-05T14:30:15",
        ),
    ],
)
def test_invalid_document_values(edit):
    assert _code(_edit(build_document(new_document()), edit)) == "invalid_value"


@pytest.mark.parametrize("code", ["99", "07", "3"])
def test_unknown_status_code(code):
    data = _edit(build_status(status_message("03")), _set(f"{MH}/{NS}StatusCode", code))
    assert _code(data) == "invalid_value"


def test_schema_catches_what_the_model_does_not_read():
    def extra(root):
        etree.SubElement(root.find(MH), f"{NS}Unexpected").text = "x"

    assert _code(_edit(build_document(new_document()), extra)) == "schema_invalid"
    # without validation the parser still reads the known parts
    data = _edit(build_document(new_document()), extra)
    assert parse_message(data, validate=False) == new_document()


# --------------------------------------------------------------------------- attachments


@pytest.mark.parametrize("text", ["!!!notbase64!!!", "QUJD*", "QUJDRA=", "QUJ=RA==", "ÁBC"])
def test_broken_base64(text):
    def put(root):
        _payload_el(root).text = text

    assert _code(_edit(build_document(new_document()), put)) == "attachment_base64_invalid"


def test_empty_payload():
    def put(root):
        _payload_el(root).text = " \n "

    assert _code(_edit(build_document(new_document()), put)) == "missing_field"


def test_base64_with_line_breaks_is_fine():
    pdf = tiny_pdf("x")

    def put(root):
        _payload_el(root).text = base64.encodebytes(pdf).decode("ascii")

    assert parse_message(_edit(build_document(new_document()), put)).attachments[0].data == pdf


def test_broken_zip():
    good = _zip({"a.pdf": tiny_pdf("x")})
    assert _code(_with_payload(b"PK\x03\x04" + b"\x00" * 200)) == "attachment_zip_invalid"
    assert _code(_with_payload(good[: len(good) // 2])) == "attachment_zip_invalid"


def test_zip_with_bad_crc():
    good = bytearray(_zip({"a.txt": b"hello world" * 100}, compress=zipfile.ZIP_STORED))
    at = good.find(b"hello world")
    good[at] ^= 0x01  # flip a content bit: the CRC no longer matches
    assert _code(_with_payload(bytes(good))) == "attachment_zip_invalid"


def test_zip_with_several_entries():
    assert _code(_with_payload(_zip({"a.pdf": b"1", "b.pdf": b"2"}))) == "attachment_zip_invalid"


def test_encrypted_zip_entry():
    raw = bytearray(_zip({"a.pdf": b"secret"}, compress=zipfile.ZIP_STORED))
    raw[6] |= 0x01  # general purpose flag bit 0 in the local header ...
    cd = raw.find(b"PK\x01\x02")
    raw[cd + 8] |= 0x01  # ... and in the central directory
    assert _code(_with_payload(bytes(raw))) == "attachment_zip_invalid"


def test_zip_bomb_ratio_is_stopped_while_streaming(monkeypatch):
    bomb = _zip({"a.pdf": b"\0" * (40 * MiB)})
    assert len(bomb) < 100 * 1024
    produced = []
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        chunk = real_read(self, n)
        produced.append(len(chunk))
        return chunk

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    assert _code(_with_payload(bomb)) == "attachment_zip_bomb"
    # stopped one chunk past the ratio cap (100 x the ZIP size), far from the 40 MiB inside
    assert sum(produced) <= 100 * len(bomb) + MiB
    assert sum(produced) < 10 * MiB


def test_zip_absolute_size_limit():
    limits = EdxmlLimits(max_attachment_bytes=2 * MiB, max_zip_ratio=10_000)
    data = _with_payload(_zip({"a.pdf": b"\0" * (5 * MiB)}))
    assert _code(data, EdxmlConfig(limits=limits)) == "attachment_too_large"
    assert parse_message(data, config=EdxmlConfig(limits=EdxmlLimits(max_zip_ratio=10_000)))


def test_plain_attachment_size_limit():
    limits = EdxmlLimits(max_attachment_bytes=1000)
    data = _with_payload(b"%PDF" + b"x" * 2000)
    assert _code(data, EdxmlConfig(limits=limits)) == "attachment_too_large"


def test_small_files_that_compress_well_are_not_bombs():
    text = b"Cong van so 15. " * 20_000  # 320 KB of text compresses far beyond 100x
    msg = dataclasses.replace(
        new_document(),
        attachments=(Attachment(name="a.txt", content_type="text/plain", data=text),),
    )
    assert parse_message(build_document(msg)).attachments[0].data == text


def test_attachment_manifest_mismatch():
    def drop_reference(root):
        manifest = root.find(f"{NS}edXMLEnvelope/{NS}edXMLBody/{NS}edXMLManifest")
        manifest.remove(manifest[0])

    def rename_cid(root):
        root.find(f"{NS}AttachmentEncoded/{NS}Attachment/{NS}ContentId").text = "cid:other"

    def drop_attachment(root):
        enc = root.find(f"{NS}AttachmentEncoded")
        enc.remove(enc[0])

    for edit in (drop_reference, rename_cid, drop_attachment):
        assert _code(_edit(build_document(new_document()), edit)) == "attachment_mismatch"


def test_too_many_attachments():
    atts = tuple(
        Attachment(name=f"{i}.pdf", content_type="application/pdf", data=b"%PDF" * i)
        for i in range(1, 4)
    )
    data = build_document(dataclasses.replace(new_document(), attachments=atts))
    assert _code(data, EdxmlConfig(limits=EdxmlLimits(max_attachments=2))) == (
        "too_many_attachments"
    )


# --------------------------------------------------------------------------- sizes


def test_envelope_size_limit_default_and_configured():
    assert _code(b" " * (50 * MiB + 1)) == "too_large"
    data = build_document(new_document())
    small = EdxmlConfig(limits=EdxmlLimits(max_envelope_bytes=len(data) - 1))
    assert _code(data, small) == "too_large"
    assert (
        parse_message(data, config=EdxmlConfig(limits=EdxmlLimits(max_envelope_bytes=len(data))))
        == new_document()
    )


def test_only_attachment_text_may_be_large():
    big = bytes(range(256)) * (8 * MiB // 256)  # 8 MiB -> an 11 MB base64 text node
    msg = dataclasses.replace(
        new_document(),
        attachments=(
            Attachment(name="big.bin", content_type="application/octet-stream", data=big),
        ),
    )
    config = EdxmlConfig(zip_attachments=False)
    data = build_document(msg, config=config)
    assert len(data) > 10_000_000  # above libxml2's default text-node limit
    assert parse_message(data).attachments[0].data == big

    long_subject = dataclasses.replace(new_document(), subject="Về việc " + "x" * 100_001)
    with pytest.raises(EnvelopeInvalid) as exc:
        parse_message(build_document(long_subject))
    assert exc.value.code == "field_too_large"
    assert exc.value.details["element"] == "Subject"


def test_large_attribute_and_tail_are_refused():
    def big_attr(root):
        manifest = root.find(f"{NS}edXMLEnvelope/{NS}edXMLBody/{NS}edXMLManifest")
        manifest.set("version", "9" * 200_000)

    def big_tail(root):
        root.find(MH).tail = " " * 200_000

    for edit in (big_attr, big_tail):
        assert _code(_edit(build_document(new_document()), edit)) == "field_too_large"


def test_element_count_limit():
    def many(root):
        places = root.find(f"{MH}/{NS}ToPlaces")
        for i in range(100):
            etree.SubElement(places, f"{NS}Place").text = str(i)

    data = _edit(build_document(new_document()), many)
    assert _code(data, EdxmlConfig(limits=EdxmlLimits(max_elements=100))) == "too_many_elements"
    assert len(parse_message(data).to_places) == 102
