"""The fast hex-string reader gives exactly what pyHanko's own reader gives, errors included."""

from __future__ import annotations

import io
import random

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_DELIMITERS, PDF_WHITESPACE, PdfStreamError

from signing import speedups

ORIGINAL = speedups._original


def _both(data: bytes):
    outcomes = []
    for reader in (ORIGINAL, speedups.read_hex_string_from_stream):
        stream = io.BytesIO(data)
        try:
            value = reader(stream)
            outcomes.append((type(value), bytes(value.original_bytes), stream.tell()))
        except PdfStreamError as exc:
            outcomes.append(("error", str(exc), None))
    return outcomes


@pytest.mark.parametrize("data", [
    b"<>", b"<>rest", b"<41>", b"<4>", b"<414>", b"< 4 1\n4\r2\t\x00\f >/Next",
    b"<FEFF00410042>", b"<feff0041>", b"<41 % a comment > still\n42>", b"<41%>\n>",
    b"<4G>", b"<41", b"<", b"<41\xff>", b"<41)>", b"<41<42>",
])
def test_same_result_as_pyhanko(data):
    original, fast = _both(data)
    assert fast == original


def test_long_strings_across_chunks():
    rng = random.Random(7)
    for size in (0, 1, speedups._CHUNK - 2, speedups._CHUNK - 1, speedups._CHUNK,
                 3 * speedups._CHUNK + 5):
        digits = rng.randbytes(size // 2 + 1).hex().encode()[:size]
        spaced = b"\n".join(digits[i:i + 64] for i in range(0, len(digits), 64))
        for body in (digits, spaced, digits.upper()):
            original, fast = _both(b"<" + body + b"> /Tail")
            assert fast == original
            assert fast[0] != "error"


def test_installed_for_pyhanko_readers():
    import signing  # noqa: F401 - importing the library installs the reader

    assert generic.read_hex_string_from_stream is speedups.read_hex_string_from_stream
    value = generic.read_object(io.BytesIO(b"<4142 43>"), None)
    assert bytes(value.original_bytes) == b"ABC"


def test_plain_strings_do_not_fall_back(monkeypatch):
    def refuse(stream):
        raise AssertionError("fell back to pyHanko's reader")

    monkeypatch.setattr(speedups, "_original", refuse)
    value = speedups.read_hex_string_from_stream(io.BytesIO(b"<30 3\n1 3>"))
    assert bytes(value.original_bytes) == b"010"



def _ess_and_certs(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import find_unique_cms_attribute

    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    attr = find_unique_cms_attribute(sig.signer_info["signed_attrs"], "signing_certificate_v2")
    return attr["certs"][0]["issuer_serial"], sig.signer_info["sid"].chosen, sig.signer_cert


def _asn1(cert):
    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.Certificate.load(cert.public_bytes(Encoding.DER))


def test_issuer_serial_matches_like_pyhanko(pdf_doc, user_key, agency_key, root_ca, monkeypatch):
    from asn1crypto import x509

    from signing import sign_pdf

    ess, sid, signer = _ess_and_certs(sign_pdf(pdf_doc, user_key))
    others = (_asn1(agency_key.certificate), _asn1(root_ca.as_issued().certificate))
    assert isinstance(ess["issuer"], x509.GeneralNames)  # the explicitly tagged form
    for expected in (ess, sid):
        assert speedups.match_issuer_serial(expected, signer) is True
        for cert in (signer, *others):
            assert (speedups.match_issuer_serial(expected, cert)
                    == speedups._original_match(expected, cert))
        for cert in others:
            assert speedups.match_issuer_serial(expected, cert) is False

    def refuse(*args):
        raise AssertionError("took pyHanko's name comparison")

    monkeypatch.setattr(speedups, "_original_match", refuse)
    assert speedups.match_issuer_serial(ess, signer) is True


def test_name_keys_are_pyhanko_s_own(user_key, agency_key, root_ca):
    """Remembered per encoding, the name key is the one asn1crypto computes, for names that
    differ only in case, spacing or string type too (RFC 5280 matching makes them equal)."""
    from asn1crypto import x509

    import signing  # noqa: F401 - importing the library installs the speedups

    assert x509.Name.hashable.fget is speedups.name_hashable
    names = []
    for material in (user_key, agency_key):
        cert = _asn1(material.certificate)
        names += [cert.subject, cert.issuer]
    names.append(_asn1(root_ca.as_issued().certificate).subject)
    for cn in ("UBND tỉnh Phú Thọ", "ubnd  TỈNH phú thọ", "Lê Văn Hùng"):
        names.append(x509.Name.build({"common_name": cn, "country_name": "VN"}))
    for cn in ("UBND tinh Phu Tho", " ubnd TINH  phu tho "):
        names.append(x509.Name.build({"common_name": cn, "country_name": "VN"},
                                     use_printable=True))
    speedups._NAME_KEYS.clear()
    for _round in range(2):  # computed, then remembered
        for name in names:
            reloaded = x509.Name.load(name.dump())
            assert reloaded.hashable == speedups._original_hashable(reloaded)
    build = x509.Name.build
    assert build({"common_name": "A  b"}).hashable == build({"common_name": "a B"}).hashable
    assert build({"common_name": "A"}).hashable != build({"common_name": "B"}).hashable


@pytest.mark.parametrize("byte_range", [
    [0, 10, 20, 30], [0, 100], [5, 0, 7, 3], [90, 50], [200, 10], [], [0, 40, 40, 60],
])
@pytest.mark.parametrize("algorithm", ["sha256", "sha512", "sha3_256"])
def test_byte_range_digest_is_pyhanko_s(byte_range, algorithm):
    data = bytes(range(100))
    fast_stream = speedups.PdfBytes(data)
    slow_stream = io.BytesIO(data)
    fast = speedups.byte_range_digest(fast_stream, byte_range, algorithm)
    assert fast == speedups._original_digest(slow_stream, byte_range, algorithm)
    assert fast_stream.tell() == slow_stream.tell()


def test_byte_range_digest_falls_back_on_odd_input(monkeypatch):
    calls = []

    def original(stream, byte_range, md_algorithm, chunk_size=4096):
        calls.append(list(byte_range))
        return 0, b""

    monkeypatch.setattr(speedups, "_original_digest", original)
    speedups.byte_range_digest(io.BytesIO(b"abc"), [0, 3], "sha256")  # not a PdfBytes
    speedups.byte_range_digest(speedups.PdfBytes(b"abc"), [-1, 3], "sha256")
    speedups.byte_range_digest(speedups.PdfBytes(b"abc"), [0, -3], "sha256")
    assert calls == [[0, 3], [-1, 3], [0, -3]]
    with pytest.raises(ValueError):
        speedups.byte_range_digest(speedups.PdfBytes(b"abc"), [0, 1, 2], "sha256")


def test_pdf_bytes_cannot_change_under_the_digest():
    stream = speedups.PdfBytes(bytearray(b"%PDF-1.7"))
    assert type(stream.data) is bytes and not stream.writable()
    for write in (lambda: stream.write(b"x"), lambda: stream.writelines([b"x"]),
                  lambda: stream.truncate(0)):
        with pytest.raises(io.UnsupportedOperation):
            write()
    assert stream.getvalue() == stream.data == b"%PDF-1.7"


def test_verification_digests_through_the_fast_path(pdf_doc, user_key, monkeypatch):
    from pyhanko.sign.validation import pdf_embedded

    from signing import sign_pdf, verify_pdf

    assert pdf_embedded.byte_range_digest is speedups.byte_range_digest

    def refuse(*args, **kwargs):
        raise AssertionError("copied the file through pyHanko's chunked digest")

    monkeypatch.setattr(speedups, "_original_digest", refuse)
    report = verify_pdf(sign_pdf(pdf_doc, user_key))
    assert report.signatures[0].intact


def _until_delimiter_both(data: bytes, start: int = 0):
    outcomes = []
    for reader in (speedups._original_until_delimiter, speedups.read_until_delimiter):
        stream = io.BytesIO(data)
        stream.seek(start)
        outcomes.append((reader(stream), stream.tell()))
    return outcomes


@pytest.mark.parametrize("data", [
    b"", b"Type", b"Type/Page", b"Type /Page", b"Type\n", b"A#20B>>", b"Length 290>>",
    b"true]", b"null)", b"x" * 63 + b" ", b"x" * 64 + b" ", b"x" * 65, b"x" * 200 + b"%",
    b"a\x00b", b"a\fb", b"a{b", b"a}b", b"a[b", b"\xff\xfe(", b"/", b" ",
])
def test_until_delimiter_is_pyhanko_s(data):
    original, fast = _until_delimiter_both(data)
    assert fast == original


def test_until_delimiter_on_random_tokens():
    rng = random.Random(11)
    alphabet = b"abcXYZ019#_-.\xc3\xa9" + PDF_WHITESPACE + PDF_DELIMITERS
    for _ in range(500):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 150)))
        start = rng.randrange(0, len(data) + 1)
        original, fast = _until_delimiter_both(data, start)
        assert fast == original, data


def test_until_delimiter_installed_for_name_parsing():
    assert generic.read_until_delimiter is speedups.read_until_delimiter
    value = generic.read_object(io.BytesIO(b"/Type/Page"), None)
    assert value == "/Type"



def test_prefix_hash_states_are_continued_exactly():
    """Signatures of later revisions start from an earlier one's prefix: continued hash states
    give the digests of hashing from byte 0, in any order, for each algorithm apart."""
    rng = random.Random(3)
    data = rng.randbytes(5000)
    stream = speedups.PdfBytes(data)
    calls = [
        ([0, 1000, 1200, 800], "sha256"), ([0, 3000, 3300, 1700], "sha256"),
        ([0, 500, 600, 10], "sha256"), ([0, 3000, 3300, 1700], "sha512"),
        ([0, 6000], "sha256"), ([0, 5000], "sha256"), ([0, 3000, 3100, 50], "sha256"),
        ([10, 100, 200, 5], "sha256"), ([0, 0, 10, 10], "sha256"), ([0, 1000], "SHA256"),
    ]
    for byte_range, algorithm in calls:
        expected = speedups._original_digest(io.BytesIO(data), byte_range, algorithm)
        assert speedups.byte_range_digest(stream, byte_range, algorithm) == expected
    assert sorted(stream.prefix_states["sha256"]) == [0, 500, 1000, 3000, 5000]
    assert sorted(stream.prefix_states["sha512"]) == [3000]


def test_two_signatures_hash_the_first_revision_once(pdf_doc, user_key, agency_key,
                                                     monkeypatch):
    from signing import sign_pdf, verify_pdf

    twice = sign_pdf(sign_pdf(pdf_doc, user_key), agency_key)
    hashed = []
    real = speedups._prefix_hash

    def spy(stream, view, md_algorithm, end):
        hashed.append((end, sorted(stream.prefix_states.get(md_algorithm, {}))))
        return real(stream, view, md_algorithm, end)

    monkeypatch.setattr(speedups, "_prefix_hash", spy)
    report = verify_pdf(twice)
    assert [s.intact for s in report.signatures] == [True, True]
    (first, none), (second, known) = hashed
    assert none == [] and known == [first] and second > first


def _until_whitespace_both(data: bytes, start: int = 0, maxchars=None):
    outcomes = []
    for reader in (speedups._original_until_whitespace, speedups.read_until_whitespace):
        stream = io.BytesIO(data)
        stream.seek(start)
        outcomes.append((reader(stream, maxchars), stream.tell()))
    return outcomes


@pytest.mark.parametrize("data", [
    b"", b"12 0 obj", b"12\n0 obj", b"12\r\n0", b"12", b" 12", b"1" * 63 + b" ", b"1" * 64 + b" ",
    b"1" * 65, b"1" * 130 + b"\x00", b"12/Type", b"%PDF-1.7\n", b"\f",
])
def test_until_whitespace_is_pyhanko_s(data):
    original, fast = _until_whitespace_both(data)
    assert fast == original
    original, fast = _until_whitespace_both(data, maxchars=5)
    assert fast == original


def test_until_whitespace_on_random_tokens():
    rng = random.Random(13)
    alphabet = b"0123456789abc/<[%" + PDF_WHITESPACE
    for _ in range(500):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 150)))
        start = rng.randrange(0, len(data) + 1)
        original, fast = _until_whitespace_both(data, start)
        assert fast == original, data


def _decoded(decode, name_bytes):
    try:
        value = decode(name_bytes)
        return type(value), str(value)
    except Exception as exc:  # the error is part of the behaviour
        return type(exc), str(exc)


def test_decode_name_is_pyhanko_s():
    rng = random.Random(17)
    samples = [bytes([b]) for b in range(256)]
    samples += [b"", b"Type", b"A#20B", b"A#2", b"A#zz", b"Caf\xc3\xa9", b"a~!*", b"F1.0",
                b"a b", b"a/b", b"#41#42"]
    alphabet = b"aZ09#_.~!*\x7f\x80\xc3\xa9 /(" + bytes(range(0x21, 0x30))
    samples += [bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
                for _ in range(1000)]
    for name_bytes in samples:
        assert (_decoded(speedups.decode_name, name_bytes)
                == _decoded(speedups._original_decode_name, name_bytes)), name_bytes
    assert type(speedups.decode_name(b"Type")) is generic.NameObject


def test_token_readers_installed():
    from pyhanko.pdf_utils import misc

    assert misc.read_until_whitespace is speedups.read_until_whitespace
    assert generic._decode_name is speedups.decode_name
    assert generic.read_object(io.BytesIO(b"/A#20B "), None) == "/A B"


def _signed_data(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].signed_data


def _ders(info):
    return (info.signer_cert.dump(), [c.dump() for c in info.other_certs],
            [c.dump() for c in info.attribute_certs])


def test_signature_certificates_remembered_per_object(pdf_doc, user_key, monkeypatch):
    import gc

    from signing import sign_pdf

    signed = sign_pdf(pdf_doc, user_key)
    calls = []
    real = speedups._original_extract_certs

    def counting(signed_data):
        calls.append(1)  # not the object: it must be able to die
        return real(signed_data)

    monkeypatch.setattr(speedups, "_original_extract_certs", counting)
    first = _signed_data(signed)
    info = speedups.extract_certs_for_validation(first)
    assert speedups.extract_certs_for_validation(first) is info and len(calls) == 1
    assert _ders(info) == _ders(real(first))  # what pyHanko gives

    other = _signed_data(signed)  # same content, another object: computed for it
    other_info = speedups.extract_certs_for_validation(other)
    assert other_info is not info and _ders(other_info) == _ders(info) and len(calls) == 2

    key = id(first)
    del first
    gc.collect()
    assert key not in speedups._CERT_INFO  # forgotten with its object

    # A stale entry under a reused id is never served.
    speedups._CERT_INFO[id(other)] = (lambda: None, "stale")
    assert speedups.extract_certs_for_validation(other) != "stale" and len(calls) == 3


def test_signature_certificate_errors_are_raised_each_time(monkeypatch):
    from pyhanko.sign.validation.errors import SignatureValidationError

    calls = []

    def failing(signed_data):
        calls.append(signed_data)
        raise SignatureValidationError("signer certificate not included in signature")

    monkeypatch.setattr(speedups, "_original_extract_certs", failing)
    from asn1crypto import cms

    signed_data = cms.SignedData()
    for _ in range(2):
        with pytest.raises(SignatureValidationError):
            speedups.extract_certs_for_validation(signed_data)
    assert len(calls) == 2 and id(signed_data) not in speedups._CERT_INFO


def test_signature_certificates_installed():
    from pyhanko.sign.validation import generic_cms

    assert generic_cms.extract_certs_for_validation is speedups.extract_certs_for_validation
