"""Validated certificate paths remembered per trust settings (signing.speedups.find_valid_path):
served only where validating again would give the same answer, never a failure."""

from __future__ import annotations

import datetime as dt

import pytest

from signing import KeyMaterial, TrustSettings, load_pkcs12, sign_pdf, speedups, verify_pdf
from signing.testpki import IssuedCertificate, make_revoked_certificate


def as_key(issued: IssuedCertificate) -> KeyMaterial:
    return load_pkcs12(issued.pkcs12("pw"), "pw")


def fresh_trust(pki, **kwargs) -> TrustSettings:
    return TrustSettings(trust_roots=(pki.root_certificate.read_bytes(),), **kwargs)


def hits(trust: TrustSettings) -> int:
    return sum(c.hits for c in trust._path_caches.values())


def remembered(trust: TrustSettings) -> int:
    return sum(len(c) for c in trust._path_caches.values())


def test_a_valid_chain_is_remembered_and_served(pdf_doc, user_key, pki):
    trust = fresh_trust(pki)
    signed = sign_pdf(pdf_doc, user_key)
    first = verify_pdf(signed, trust=trust)
    assert first.verdict == "valid" and (remembered(trust), hits(trust)) == (1, 0)
    second = verify_pdf(signed, trust=trust)
    assert hits(trust) == 1
    assert second.verdict == "valid" and second.signatures == first.signatures


def test_a_remembered_chain_is_not_served_after_expiry_or_before_validity(pdf_doc, root_ca,
                                                                          pki):
    now = dt.datetime.now(dt.UTC)
    not_before, not_after = now - dt.timedelta(hours=1), now + dt.timedelta(days=1)
    key = as_key(root_ca.issue("Ngắn Hạn", not_before=not_before, not_after=not_after))
    signed = sign_pdf(pdf_doc, key)
    trust = fresh_trust(pki)
    assert verify_pdf(signed, trust=trust).verdict == "valid"
    assert remembered(trust) == 1

    later = verify_pdf(signed, trust=trust, at=not_after + dt.timedelta(days=1))
    assert later.verdict != "valid"
    assert "certificate_expired" in later.signatures[0].reasons
    early = verify_pdf(signed, trust=trust, at=not_before - dt.timedelta(days=1))
    assert early.verdict != "valid"
    assert "certificate_not_yet_valid" in early.signatures[0].reasons
    assert hits(trust) == 0 and remembered(trust) == 1  # failures are not remembered

    again = verify_pdf(signed, trust=trust, at=now + dt.timedelta(hours=1))
    assert again.verdict == "valid" and hits(trust) == 1


def test_just_past_the_end_is_validated_afresh(pdf_doc, root_ca, pki, monkeypatch):
    """Inside the clock-skew tolerance pyHanko still accepts the certificate; the cache's
    window has no tolerance, so such a moment is validated again, not served."""
    now = dt.datetime.now(dt.UTC)
    not_after = (now + dt.timedelta(days=1)).replace(microsecond=0)
    key = as_key(root_ca.issue("Sát Hạn", not_after=not_after))
    signed = sign_pdf(pdf_doc, key)
    trust = fresh_trust(pki)
    assert verify_pdf(signed, trust=trust).verdict == "valid"
    calls = []
    original = speedups._original_find_path

    async def counting(*args):
        calls.append(args[0])
        return await original(*args)

    monkeypatch.setattr(speedups, "_original_find_path", counting)
    verify_pdf(signed, trust=trust, at=not_after + dt.timedelta(seconds=30))
    assert len(calls) == 1 and hits(trust) == 0
    verify_pdf(signed, trust=trust, at=not_after)
    assert len(calls) == 1 and hits(trust) == 1


def test_no_cache_where_revocation_information_exists(pdf_doc, root_ca, pki):
    issued, crl = make_revoked_certificate(root_ca, "Bị Thu Hồi")
    signed = sign_pdf(pdf_doc, as_key(issued))
    plain = fresh_trust(pki)
    assert verify_pdf(signed, trust=plain).verdict == "valid"  # nothing says it is revoked
    assert remembered(plain) == 1
    with_crl = fresh_trust(pki, crls=(crl,))
    assert not hasattr(with_crl.validation_context(), "edoc_path_cache")
    assert not hasattr(plain.validation_context(extra_crls=[crl]), "edoc_path_cache")
    fetching = fresh_trust(pki, allow_fetching=True)
    assert not hasattr(fetching.validation_context(), "edoc_path_cache")
    report = verify_pdf(signed, trust=with_crl)
    assert report.signatures[0].reasons == ("certificate_revoked",)
    assert remembered(with_crl) == 0


def test_untrusted_chains_are_not_remembered(pdf_doc, user_key, root_ca):
    other_root = root_ca.create("Một CA khác")
    trust = TrustSettings(trust_roots=(other_root.certificate,))
    report = verify_pdf(sign_pdf(pdf_doc, user_key), trust=trust)
    assert "certificate_untrusted" in report.signatures[0].reasons
    assert remembered(trust) == 0


@pytest.mark.parametrize("mode", ["soft-fail", "hard-fail"])
def test_caches_are_per_settings_and_revocation_mode(pki, mode):
    trust = fresh_trust(pki)
    vc = trust.validation_context(revocation=mode)
    assert vc.edoc_path_cache is trust._path_caches[mode]
    assert vc.edoc_path_cache is not fresh_trust(pki).validation_context(
        revocation=mode).edoc_path_cache
    other = "hard-fail" if mode == "soft-fail" else "soft-fail"
    assert vc.edoc_path_cache is not trust.validation_context(revocation=other).edoc_path_cache


def test_the_registry_is_part_of_the_key(pki, user_key, agency_key):
    import asyncio

    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    def asn1(cert):
        return x509.Certificate.load(cert.public_bytes(Encoding.DER))

    trust = fresh_trust(pki)
    signer = asn1(user_key.certificate)

    def validate(vc):
        paths = vc.path_builder.async_build_paths_lazy(signer)
        return asyncio.run(speedups.find_valid_path(signer, paths, vc))

    path = validate(trust.validation_context())
    assert path.leaf.dump() == signer.dump() and remembered(trust) == 1
    validate(trust.validation_context(extra_certs=[asn1(agency_key.certificate)]))
    assert (remembered(trust), hits(trust)) == (2, 0)
    assert validate(trust.validation_context()) is path and hits(trust) == 1


def test_the_cache_is_bounded_least_recently_used_out():
    cache = speedups.PathCache(size=2)
    for key in ("a", "b"):
        cache.put((key,), key)
    assert cache.get(("a",)) == "a"  # now the most recent
    cache.put(("c",), "c")
    assert len(cache) == 2 and cache.get(("b",)) is None and cache.get(("a",)) == "a"
