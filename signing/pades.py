"""PAdES signing (B-B, B-T, B-LT, B-LTA) as an incremental update.

Speed comes from four things (see bench/signing.py): the key is loaded once (``KeyMaterial``),
the appearance is rendered and compressed once per signer (``appearance.layout_for``), the size
of the signature container is computed instead of found by a dry-run signature, and the text of
the stamp is a raster, so no font has to be subset per signature.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyhankoPdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .acroform import field_type, iter_fields
from .appearance import SignatureAppearance, layout_for, render_time_layer
from .errors import CertificateError, SigningError, TimestampError
from .keys import KeyMaterial, to_asn1
from .pdfio import open_writer, resolve_page_index
from .pdfstamp import ImageLayersStampStyle
from .pkcs11 import Pkcs11KeySource
from .placement import auto_box, unique_field_name
from .remote import RemoteSigner, check_remote_cms
from .trust import TrustSettings, check_signing_certificate

__all__ = ["Level", "SigningKey", "sign_pdf"]

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
SigningKey = KeyMaterial | Pkcs11KeySource | RemoteSigner
_LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
_FIELD_PREFIX = {
    "signer": "Signature",
    "seal": "Seal",
    "appendix": "AppendixSeal",
    None: "Signature",
}


class _TimedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose session time is ours, so the stamp shows the time in the signature."""

    def __init__(self, *args, signing_time: dt.datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def _name_of(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    attrs = cert.subject.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


def _reserve_bytes(cert: x509.Certificate, chain: tuple[x509.Certificate, ...]) -> int:
    """Hex characters to reserve for a B-B CMS: certificates + signature + attributes + slack."""
    certs = sum(len(c.public_bytes(Encoding.DER)) for c in (cert, *chain))
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        sig = key.key_size // 8
    elif isinstance(key, ec.EllipticCurvePublicKey):
        sig = 2 * key.key_size // 8 + 16  # DER-encoded (r, s)
    else:
        sig = 512
    der = certs + sig + 1024  # signed attributes, algorithm identifiers, ASN.1 framing
    return 2 * (der + 512)


@dataclass(frozen=True)
class _Visible:
    spec: fields.SigFieldSpec
    style: ImageLayersStampStyle | None


def _field_and_style(
    writer: IncrementalPdfFileWriter,
    key: SigningKey,
    appearance: SignatureAppearance | None,
    field_name: str,
    now: dt.datetime,
) -> _Visible:
    if appearance is None:
        return _Visible(fields.SigFieldSpec(field_name), None)
    cert = key.certificate
    name = appearance.name or _name_of(cert, NameOID.COMMON_NAME)
    org = (
        appearance.organization
        or _name_of(cert, NameOID.ORGANIZATION_NAME)
        or _name_of(cert, NameOID.COMMON_NAME)
    )
    layout = layout_for(appearance, name, org)
    page = resolve_page_index(writer, appearance.target_page)
    box = appearance.box or auto_box(writer, appearance.kind, page, layout)
    time_layer = render_time_layer(layout, now, appearance.timezone)
    layers = layout.layers if time_layer is None else (*layout.layers, time_layer)
    style = ImageLayersStampStyle(layers=layers, width=layout.width, height=layout.height)
    return _Visible(fields.SigFieldSpec(field_name, on_page=page, box=box), style)


def sign_pdf(
    pdf: bytes,
    key: SigningKey,
    *,
    appearance: SignatureAppearance | None = None,
    level: Level = "B-B",
    field_name: str | None = None,
    timestamper_url: str | None = None,
    trust: TrustSettings | None = None,
    reason: str | None = None,
    location: str | None = None,
) -> bytes:
    """Sign ``pdf`` with ``key`` and return the signed file (the input plus one update).

    ``trust`` is used to check the signer's certificate before signing (chain and revocation
    status when CRLs/OCSP or fetching are configured) and, for B-LT/B-LTA, to collect the
    validation data to embed. B-T and above need ``timestamper_url`` (an RFC 3161 TSA).
    Errors: ``certificate_expired``/``certificate_revoked``/... (``CertificateError``),
    ``pdf_encrypted``/``pdf_corrupt`` (``PdfError``), ``timestamp_failed``, ``signing_failed``.
    """
    if level not in _LEVELS:
        raise SigningError(f"unknown PAdES level {level!r}", code="level_unsupported")
    if level != "B-B" and not timestamper_url:
        raise SigningError(f"{level} needs a time-stamping authority", code="timestamp_required")
    if level in ("B-LT", "B-LTA") and trust is None:
        raise SigningError(
            f"{level} needs trust settings to collect validation data", code="trust_required"
        )
    if isinstance(key, RemoteSigner) and level != "B-B":
        raise SigningError("remote signing supports B-B only", code="level_unsupported")

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    check_signing_certificate(key.certificate, key.chain, trust, now=now)
    writer = open_writer(pdf)
    if field_name is not None:
        _check_field_free(writer, field_name)
    name = field_name or unique_field_name(writer, _FIELD_PREFIX[appearance and appearance.kind])
    visible = _field_and_style(writer, key, appearance, name, now)

    vc = (
        trust.validation_context(extra_certs=[to_asn1(c) for c in key.chain])
        if (level in ("B-LT", "B-LTA") and trust is not None)
        else None
    )
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        embed_validation_info=vc is not None,
        use_pades_lta=level == "B-LTA",
        validation_context=vc,
    )
    timestamper = HTTPTimeStamper(timestamper_url) if level != "B-B" else None
    if isinstance(key, RemoteSigner):
        return _sign_remote(writer, key, meta, visible, now)
    pdf_signer = _TimedPdfSigner(
        meta,
        signer=key.pyhanko_signer,
        timestamper=timestamper,
        stamp_style=visible.style,
        new_field_spec=visible.spec,
        signing_time=now,
    )
    reserve = _reserve_bytes(key.certificate, key.chain) if level == "B-B" else None
    try:
        out = pdf_signer.sign_pdf(writer, bytes_reserved=reserve)
    except TimestampRequestError as exc:
        raise TimestampError(f"the time-stamping authority failed: {exc}") from None
    except (PyhankoSigningError, PyhankoPdfError) as exc:
        raise _translate(exc) from None
    return out.getvalue()


def _check_field_free(writer: IncrementalPdfFileWriter, name: str) -> None:
    """An existing field of that name may only be an empty signature field (it gets used)."""
    for existing, field in iter_fields(writer):
        if existing == name and (field_type(field) != "/Sig" or "/V" in field):
            raise SigningError(
                f"field {name!r} exists and cannot take a signature", code="field_exists"
            )


def _translate(exc: Exception) -> SigningError:
    text = str(exc)
    if "revoked" in text.lower():
        return CertificateError(text, code="certificate_revoked")
    if "already" in text.lower() and "field" in text.lower():
        return SigningError(text, code="field_exists")
    if "timestamp" in text.lower() or "time stamp" in text.lower():
        return TimestampError(text)
    return SigningError(f"signing failed: {text}", code="signing_failed")


def _sign_remote(
    writer: IncrementalPdfFileWriter,
    key: RemoteSigner,
    meta: signers.PdfSignatureMetadata,
    visible: _Visible,
    now: dt.datetime,
) -> bytes:
    cert_asn1 = to_asn1(key.certificate)
    # The placeholder signer only shapes the CMS; the real one comes from the service.
    placeholder = signers.ExternalSigner(
        signing_cert=cert_asn1,
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in key.chain]),
        signature_value=bytes(key.certificate.public_key().key_size // 8),
    )
    pdf_signer = _TimedPdfSigner(
        meta,
        signer=placeholder,
        stamp_style=visible.style,
        new_field_spec=visible.spec,
        signing_time=now,
    )
    # Remote CMS containers vary (extra attributes, chains): reserve generously.
    reserve = 2 * _reserve_bytes(key.certificate, key.chain)
    try:
        prepared, _tbs, output = asyncio.run(
            pdf_signer.async_digest_doc_for_signing(writer, bytes_reserved=reserve)
        )
    except (PyhankoSigningError, PyhankoPdfError) as exc:
        raise _translate(exc) from None
    digest = prepared.document_digest
    cms_der = key.service.sign_digest(key.credential_id, digest, digest_algorithm="sha256")
    cms_obj = check_remote_cms(cms_der, digest, key.certificate)
    if len(cms_obj.dump()) * 2 > reserve:
        raise SigningError("the remote CMS does not fit the reserved space", code="signing_failed")
    PdfTBSDocument.finish_signing(output, prepared, cms_obj)
    buf = output if isinstance(output, io.BytesIO) else io.BytesIO(output.read())
    return buf.getvalue()
