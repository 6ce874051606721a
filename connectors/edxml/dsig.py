"""Optional enveloped XML-DSig over the whole edXML document (vn-standards §1.7).

The signature goes into ``edXMLHeader`` after ``TraceHeaderList``, where the SDK puts it. The
axes observed accept unsigned messages; legally binding signatures live in the PDF attachments.
Note: a hub that appends a TraceHeader after signing breaks an enveloped signature over the
whole document, so verify what the sender produced, not what a hub rewrote.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLSigner, XMLVerifier
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest

from ..errors import EnvelopeInvalid
from .config import DEFAULT_CONFIG, EdxmlConfig
from .xmlsafe import new_parser, parse_bytes

__all__ = ["VerifiedEnvelope", "sign_envelope", "verify_envelope"]

_EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


@dataclass(frozen=True, kw_only=True)
class VerifiedEnvelope:
    """What a valid signature covers. Use ``signed_data`` from here on ("see what is signed")."""

    signed_data: bytes
    certificate: x509.Certificate | None
    subject: str


def sign_envelope(
    data: bytes,
    *,
    key: bytes,
    cert: bytes | list[bytes],
    passphrase: bytes | None = None,
    signature_algorithm: str = "rsa-sha256",
    digest_algorithm: str = "sha256",
    config: EdxmlConfig = DEFAULT_CONFIG,
) -> bytes:
    """Sign an edXML message (PEM key and certificate chain). A dummy ``Signature`` without
    xmlns, as the SDK samples carry, is replaced; an existing xmldsig one is refused."""
    root = parse_bytes(data, limits=config.limits).getroot()
    header = root.find(f"{{{config.namespace}}}edXMLEnvelope/{{{config.namespace}}}edXMLHeader")
    if header is None:
        raise EnvelopeInvalid(
            "missing_field",
            "edXMLEnvelope/edXMLHeader is required",
            details={"field": "edXMLEnvelope/edXMLHeader"},
        )
    ds = config.dsig_namespace
    if root.find(f".//{{{ds}}}Signature") is not None:
        raise EnvelopeInvalid("already_signed", "the message already carries an XML signature")
    for dummy in header.findall(f"{{{config.namespace}}}Signature"):
        header.remove(dummy)
    placeholder = etree.SubElement(header, f"{{{ds}}}Signature", nsmap={"ds": ds})
    placeholder.set("Id", "placeholder")
    chain = [cert] if isinstance(cert, bytes) else list(cert)
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.from_fragment(signature_algorithm),
        digest_algorithm=DigestAlgorithm.from_fragment(digest_algorithm),
        c14n_algorithm=CanonicalizationMethod(_EXC_C14N),
    )
    # signxml re-parses its input with its own parser, which refuses text nodes over 10 MB
    # (large attachments). It has no public hook, hence the private attribute (spike.md §4);
    # our parser has entities and network off like signxml's.
    signer._parser = new_parser()
    try:
        signed = signer.sign(
            root, key=key, passphrase=passphrase, cert=[c.decode("ascii") for c in chain]
        )
    except (InvalidInput, ValueError, TypeError) as exc:
        raise EnvelopeInvalid("signature_invalid", f"cannot sign: {exc}") from None
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(signed, encoding="UTF-8")


def verify_envelope(
    data: bytes,
    *,
    ca_pem_file: str | os.PathLike[str] | None = None,
    cert: bytes | None = None,
    config: EdxmlConfig = DEFAULT_CONFIG,
) -> VerifiedEnvelope:
    """Verify the enveloped signature against a trust anchor file (``ca_pem_file``) or a pinned
    signer certificate (``cert``, PEM). Raises EnvelopeInvalid signature_missing/invalid."""
    if (ca_pem_file is None) == (cert is None):
        raise ValueError("give exactly one of ca_pem_file or cert")
    root = parse_bytes(data, limits=config.limits).getroot()
    if root.find(f".//{{{config.dsig_namespace}}}Signature") is None:
        raise EnvelopeInvalid("signature_missing", "the message carries no XML signature")
    pinned = x509.load_pem_x509_certificate(cert) if cert is not None else None
    try:
        result = XMLVerifier().verify(
            root,
            x509_cert=pinned,
            ca_pem_file=os.fspath(ca_pem_file) if ca_pem_file is not None else None,
            parser=new_parser(),
            expect_config=SignatureConfiguration(expect_references=1),
        )
    except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput) as exc:
        raise EnvelopeInvalid("signature_invalid", f"XML signature is not valid: {exc}") from None
    signed = result.signed_xml
    signer_cert = pinned or _leaf_certificate(result.signature_xml, result.signature_key, config)
    subject = signer_cert.subject.rfc4514_string() if signer_cert is not None else ""
    return VerifiedEnvelope(
        signed_data=etree.tostring(signed, encoding="UTF-8"),
        certificate=signer_cert,
        subject=subject,
    )


def _leaf_certificate(
    signature: etree._Element, key_used: bytes, config: EdxmlConfig
) -> x509.Certificate | None:
    """The certificate in KeyInfo whose public key produced the signature."""
    for el in signature.iter(f"{{{config.dsig_namespace}}}X509Certificate"):
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode(el.text or ""))
        except ValueError:
            continue
        public = certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if public == key_used:
            return certificate
    return None
