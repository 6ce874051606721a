"""Faster equivalents of hot pyHanko helpers, installed into pyHanko.

**Hex strings.**
pyHanko reads a hex string one byte at a time (a generator step, ``read_non_whitespace`` and two
``stream.read(1)`` per digit). A signature's ``/Contents`` is a hex string of several thousand
digits (7,200 for a B-B RSA-2048 signature with its chain), so reading the signature dictionaries
of a twice-signed PDF cost ~18 ms, a third of a whole verification. This reader takes the same
bytes in one slice and decodes them with ``binascii``. It yields exactly what pyHanko's reader
yields: anything unusual (a comment, a character that is neither a hex digit nor whitespace, a
string that never ends) is handed back to pyHanko's own reader from the start, so its errors and
its tolerance stay as they are.

**Names and other bare tokens.** pyHanko reads the token after a ``/`` (a name: ~180 per
verification of a twice-signed PDF, most of them in the difference analysis) one byte at a time
through a generator. :func:`read_until_delimiter` reads 64 bytes, finds the first whitespace or
delimiter with a regular expression and puts the stream where pyHanko's loop leaves it (on the
delimiter, or at the end of the data). :func:`read_until_whitespace` does the same for the
object numbers of every object header. A name of plain characters (no ``#`` escape, printable
ASCII: nearly all) is decoded in one step by :func:`decode_name`; any other goes to pyHanko.

**Name keys.** ``asn1crypto``'s ``Name.hashable`` (the key under which the path validator
files certificates) prepares every attribute's string on each call; it is remembered per DER
encoding here (see :func:`name_hashable`).

**Issuer and serial matching.** pyHanko compares a certificate's issuer with an expected one
byte for byte first and falls back to RFC 5280 name comparison (string preparation of every
attribute, ~1 ms per name). The ``IssuerSerial`` of an ESS signing-certificate attribute holds
the issuer as an explicitly tagged directoryName, whose encoding never equals the certificate's
issuer, so every PAdES signature took the slow path for its signing certificate. Here the
untagged encoding is compared first; anything else goes to pyHanko's function.

**Byte range digests.** pyHanko hashes a signature's byte ranges by copying the file into a
4 KB buffer and feeding the hash one chunk at a time: ~250 Python iterations per MB and per
signature. A reader opened by :func:`signing.pdfio.open_reader` reads a :class:`PdfBytes`,
which keeps the immutable ``bytes`` it reads; each range is hashed from a memoryview of those
bytes in one call, same algorithm lookup, same result (ranges past the end are cut as reads
are). The first range of every signature starts at byte 0, and a later signature's contains an
earlier one's: the hash state of each such prefix is kept with the bytes and continued (the
first revision, with its 1 MB image, is hashed once, not once per signature). Any other stream,
or a negative offset or length, goes to pyHanko's function.

**Certificates of a signature.** pyHanko classifies the certificates embedded in a signature
and checks the ESS signing-certificate attribute (hashing the signer's certificate) once for the
signature object and again in the CMS validation: ~0.25 ms twice per signature. The result is
a function of the signed data alone and pyHanko never changes that object: it is remembered
per object (by identity, dropped with it, see :func:`extract_certs_for_validation`); errors are
raised again each time.

**Certificate paths.** Every signature's chain is built and validated again (~0.8 ms each for
a two-certificate chain: signatures of every certificate, name chaining, policies). The
successful path of a certificate is remembered (:class:`PathCache`, one per trust settings and
revocation mode) only where nothing but the moment could change the outcome, and is served
only for a moment where every certificate of that path is inside its validity period: see
:func:`find_valid_path`. Failures are never remembered.
"""

from __future__ import annotations

import binascii
import datetime as dt
import io
import os
import re
import threading
import weakref
from collections import OrderedDict

from asn1crypto import x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.misc import PDF_DELIMITERS, PDF_WHITESPACE
from pyhanko.sign import general
from pyhanko.sign.validation import generic_cms, pdf_embedded
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

__all__ = [
    "PathCache",
    "PdfBytes",
    "byte_range_digest",
    "decode_name",
    "extract_certs_for_validation",
    "find_valid_path",
    "install",
    "match_issuer_serial",
    "name_hashable",
    "read_hex_string_from_stream",
    "read_until_delimiter",
    "read_until_whitespace",
]

_original = generic.read_hex_string_from_stream
_original_match = general.match_issuer_serial
_original_hashable = x509.Name.hashable.fget
_original_digest = general.byte_range_digest
_original_until_delimiter = misc.read_until_delimiter
_original_until_whitespace = misc.read_until_whitespace
_original_decode_name = generic._decode_name
_original_find_path = generic_cms.find_valid_path
_original_extract_certs = generic_cms.extract_certs_for_validation
_CHUNK = 1 << 16
_HEX_DIGITS = generic.HEX_DIGITS


def read_hex_string_from_stream(stream):
    """Drop-in for ``pyhanko.pdf_utils.generic.read_hex_string_from_stream``."""
    start = stream.tell()
    if stream.read(1) != b"<":
        stream.seek(start)
        return _original(stream)
    parts: list[bytes] = []
    consumed = start + 1
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:  # no closing '>': pyHanko raises its own error
            stream.seek(start)
            return _original(stream)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            consumed += end + 1
            break
        parts.append(chunk)
        consumed += len(chunk)
    body = b"".join(parts)
    digits = body.translate(None, PDF_WHITESPACE)
    # '%' starts a comment, which pyHanko skips (it may hide a '>'); any other stray character
    # is an error pyHanko words itself.
    if digits.translate(None, _HEX_DIGITS):
        stream.seek(start)
        return _original(stream)
    stream.seek(consumed)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


_TOKEN_END = re.compile(
    b"[" + b"".join(re.escape(bytes([c])) for c in PDF_WHITESPACE + PDF_DELIMITERS) + b"]"
)
_TOKEN_CHUNK = 64


def _read_until(stream, pattern: re.Pattern[bytes], consume: int) -> bytes:
    """The bytes up to the first match of ``pattern``, read 64 bytes at a time; the stream is
    left ``consume`` bytes past the match's start (at the end of the data: all of it)."""
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_TOKEN_CHUNK)
        if not chunk:
            return b"".join(parts)
        found = pattern.search(chunk)
        if found is not None:
            end = found.start()
            stream.seek(end + consume - len(chunk), os.SEEK_CUR)
            parts.append(chunk[:end])
            return b"".join(parts)
        parts.append(chunk)


def read_until_delimiter(stream) -> bytes:
    """Drop-in for ``pyhanko.pdf_utils.misc.read_until_delimiter``: the bytes up to the next
    whitespace or delimiter, which is left unread (at the end of the data: all of it)."""
    return _read_until(stream, _TOKEN_END, 0)


_WHITESPACE = re.compile(b"[" + b"".join(re.escape(bytes([c])) for c in PDF_WHITESPACE) + b"]")


def read_until_whitespace(stream, maxchars=None) -> bytes:
    """Drop-in for ``pyhanko.pdf_utils.misc.read_until_whitespace``: the bytes up to the next
    whitespace, which is consumed (at the end of the data: all of it). With ``maxchars``
    (the header, once per file) pyHanko's own."""
    if maxchars is not None:
        return _original_until_whitespace(stream, maxchars)
    return _read_until(stream, _WHITESPACE, 1)


# Printable ASCII that is neither a delimiter nor '#': such a name has no escape to expand.
_PLAIN_NAME = re.compile(
    b"[^"
    + b"".join(re.escape(bytes([c])) for c in PDF_DELIMITERS + b"#")
    + b"\\x00-\\x20\\x7f-\\xff]*"
)


def decode_name(name_bytes: bytes):
    """Drop-in for ``pyhanko.pdf_utils.generic._decode_name``."""
    if _PLAIN_NAME.fullmatch(name_bytes) is None:
        return _original_decode_name(name_bytes)
    return generic.NameObject("/" + name_bytes.decode("ascii"))


def match_issuer_serial(expected_issuer_serial, cert) -> bool:
    """Drop-in for ``pyhanko.sign.general.match_issuer_serial``."""
    issuer = expected_issuer_serial["issuer"]
    if (
        isinstance(issuer, x509.GeneralNames)
        and len(issuer) == 1
        and issuer[0].name == "directory_name"
        and issuer[0].chosen.untag().dump() == cert.issuer.dump()
    ):
        return expected_issuer_serial["serial_number"] == cert["tbs_certificate"]["serial_number"]
    return _original_match(expected_issuer_serial, cert)


#: DER encoding of a name -> its ``hashable`` key (bounded: emptied when full)
_NAME_KEYS: dict[bytes, str] = {}
_NAME_KEYS_MAX = 4096


def name_hashable(name: x509.Name) -> str:
    """``asn1crypto.x509.Name.hashable``, remembered per DER encoding.

    The certificate path validator keys its certificate registry by names, through this
    property: RFC 5280 string preparation of every attribute, computed again on every call (14
    times per verification of a twice-signed PDF, ~15 % of it). The key is a function of the
    name's content alone, so names with the same encoding share it."""
    der = name.dump()
    key = _NAME_KEYS.get(der)
    if key is None:
        key = _original_hashable(name)
        if len(_NAME_KEYS) >= _NAME_KEYS_MAX:
            _NAME_KEYS.clear()
        _NAME_KEYS[der] = key
    return key


class PdfBytes(io.BytesIO):
    """A read-only ``BytesIO`` over ``bytes`` that keeps them (``data``) for hashing, and the
    hash states of the prefixes already hashed (``prefix_states``: algorithm -> end -> state).
    """

    def __init__(self, data: bytes):
        data = data if type(data) is bytes else bytes(data)
        super().__init__(data)
        self.data = data
        self.prefix_states: dict[str, dict[int, hashes.Hash]] = {}

    def writable(self) -> bool:
        return False

    def write(self, b):
        raise io.UnsupportedOperation("read-only PDF bytes")

    def writelines(self, lines):
        raise io.UnsupportedOperation("read-only PDF bytes")

    def truncate(self, size=None):
        raise io.UnsupportedOperation("read-only PDF bytes")


_PREFIX_STATES_MAX = 64  # per file and algorithm: one per signature in practice


def _prefix_hash(stream: PdfBytes, view: memoryview, md_algorithm: str, end: int):
    """The hash of ``data[:end]``, continued from the longest prefix hashed before.

    Every signature's first range starts at byte 0 and the later signature's covers the
    earlier one's first range (a 1 MB image of the first revision was hashed once per
    signature). A hash state of a prefix is a function of those bytes alone, and ``data`` never
    changes, so continuing it gives the digest hashing from byte 0 would."""
    states = stream.prefix_states.setdefault(md_algorithm, {})
    start = max((p for p in states if p <= end), default=None)
    if start is None:
        md, start = hashes.Hash(get_pyca_cryptography_hash(md_algorithm)), 0
    else:
        md = states[start].copy()
    with view[start:end] as part:
        md.update(part)
    if end not in states:
        if len(states) >= _PREFIX_STATES_MAX:
            states.clear()
        states[end] = md.copy()
    return md


def byte_range_digest(stream, byte_range, md_algorithm, chunk_size=misc.DEFAULT_CHUNK_SIZE):
    """Drop-in for ``pyhanko.sign.general.byte_range_digest``."""
    if not isinstance(stream, PdfBytes):
        return _original_digest(stream, byte_range, md_algorithm, chunk_size=chunk_size)
    ranges = list(misc.pair_iter(byte_range))
    if any(lo < 0 or length < 0 for lo, length in ranges):
        return _original_digest(stream, byte_range, md_algorithm, chunk_size=chunk_size)
    data = stream.data
    total = 0
    with memoryview(data) as view:
        if ranges and ranges[0][0] == 0:
            md = _prefix_hash(stream, view, md_algorithm, min(ranges[0][1], len(data)))
            total, rest = ranges[0][1], ranges[1:]
        else:
            md, rest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm)), ranges
        for lo, length in rest:
            with view[lo:lo + length] as part:
                md.update(part)
            total += length
    if ranges:  # where pyHanko's reads leave the stream
        lo, length = ranges[-1]
        stream.seek(max(lo, min(lo + length, len(data))))
    return total, md.finalize()


#: id(signed data) -> (weak reference to it, its certificates); an entry leaves with its object
_CERT_INFO: dict[int, tuple[weakref.ref, object]] = {}
_CERT_INFO_LOCK = threading.Lock()


def extract_certs_for_validation(signed_data):
    """Drop-in for ``pyhanko.sign.validation.generic_cms.extract_certs_for_validation``,
    remembered per signed data object while it lives."""
    key = id(signed_data)
    entry = _CERT_INFO.get(key)
    if entry is not None and entry[0]() is signed_data:
        return entry[1]
    info = _original_extract_certs(signed_data)

    def forget(_ref, key=key) -> None:
        with _CERT_INFO_LOCK:
            current = _CERT_INFO.get(key)
            if current is not None and current[0] is _ref:
                del _CERT_INFO[key]

    try:
        ref = weakref.ref(signed_data, forget)
    except TypeError:  # not weakly referenceable: nothing to remember it by
        return info
    with _CERT_INFO_LOCK:
        _CERT_INFO[key] = (ref, info)
    return info


class PathCache:
    """Validated certificate paths, for validation contexts built from one trust settings
    object with one revocation mode (``TrustSettings.validation_context`` attaches it as
    ``edoc_path_cache``). Bounded, least recently used first out."""

    def __init__(self, size: int = 256):
        self.size = size
        self.hits = 0
        self._entries: OrderedDict[tuple, tuple[ValidationPath, dt.datetime, dt.datetime]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def _cache_of(validation_context, pkix_validation_params) -> PathCache | None:
    """The context's path cache, if the outcome of a validation with it can depend on nothing
    but the certificates available and the moment: no revocation information at all (none
    given, no fetching: revocation checking then has no input to vary), an algorithm policy
    that ignores time (pyHanko's default), no caller's PKIX parameters."""
    cache = getattr(validation_context, "edoc_path_cache", None)
    if cache is None or pkix_validation_params is not None:
        return None
    if validation_context.fetching_allowed or validation_context.crls or validation_context.ocsps:
        return None
    if type(validation_context.algorithm_policy) is not DisallowWeakAlgorithmsPolicy:
        return None
    return cache


def _validity_window(path: ValidationPath) -> tuple[dt.datetime, dt.datetime]:
    """The moments at which every certificate of ``path`` (the root's too) and the trust
    anchor's own bounds hold."""
    lo, hi = dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)
    for cert in path.iter_certs(include_root=True):
        validity = cert["tbs_certificate"]["validity"]
        lo = max(lo, validity["not_before"].native)
        hi = min(hi, validity["not_after"].native)
    qualifiers = path.trust_anchor.trust_qualifiers
    if qualifiers.valid_from is not None:
        lo = max(lo, qualifiers.valid_from)
    if qualifiers.valid_until is not None:
        hi = min(hi, qualifiers.valid_until)
    return lo, hi


async def find_valid_path(certificate, paths, validation_context, pkix_validation_params=None):
    """Drop-in for ``pyhanko_certvalidator.find_valid_path`` as pyHanko's CMS validation calls
    it, remembering successes where that is sound (see :func:`_cache_of`).

    The key is the certificate and every certificate the context's registry holds (the
    signature's own and the settings' intermediates: they decide which path is built), with the
    time tolerance; the trust roots and the revocation mode are those of the cache's owner. A
    remembered path is served only if the validation moment lies inside the validity period of
    each of its certificates (strictly, without the tolerance), where validating it again would
    pass the same checks: signatures, names, policies and key usage do not depend on the moment
    and there is no revocation information. Otherwise (expired, not yet valid, another moment
    outside the window) the path is validated afresh.
    """
    cache = _cache_of(validation_context, pkix_validation_params)
    if cache is None:
        return await _original_find_path(
            certificate, paths, validation_context, pkix_validation_params
        )
    key = (
        certificate.dump(),
        frozenset(c.dump() for c in validation_context.certificate_registry),
        validation_context.time_tolerance,
    )
    moment = validation_context.moment
    entry = cache.get(key)
    if entry is not None:
        path, lo, hi = entry
        if lo <= moment <= hi:
            await paths.cancel()
            cache.hits += 1
            return path
    path = await _original_find_path(certificate, paths, validation_context, None)
    if not isinstance(path.leaf, x509.Certificate):
        return path  # an attribute certificate's validity is not in the window
    lo, hi = _validity_window(path)
    if lo <= moment <= hi:
        cache.put(key, (path, lo, hi))
    return path


def install() -> None:
    """Make pyHanko use the functions above (idempotent). The first two are looked up through their
    module at call time (``generic.read_object``, ``general.check_ess_certid`` and the signer
    predicate), so replacing the module attributes reaches every caller; the name key is a
    property of asn1crypto's ``Name`` class, replaced there."""
    generic.read_hex_string_from_stream = read_hex_string_from_stream
    # generic imported it by name (names, booleans, null): replaced in both modules.
    misc.read_until_delimiter = read_until_delimiter
    generic.read_until_delimiter = read_until_delimiter
    misc.read_until_whitespace = read_until_whitespace
    generic._decode_name = decode_name
    general.match_issuer_serial = match_issuer_serial
    x509.Name.hashable = property(name_hashable, doc=x509.Name.hashable.__doc__)
    # pdf_embedded imported the function by name: the validator's digests go through it.
    general.byte_range_digest = byte_range_digest
    pdf_embedded.byte_range_digest = byte_range_digest
    # CMS validation's own name for it: CertificateValidator (signing.trust) is not affected.
    generic_cms.find_valid_path = find_valid_path
    # Both callers (EmbeddedPdfSignature, cms_basic_validation) look it up in generic_cms.
    generic_cms.extract_certs_for_validation = extract_certs_for_validation
