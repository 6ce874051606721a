"""B-T, B-LT and B-LTA against a local certomancer TSA/OCSP/CRL service."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from signing import CertificateError, SignatureAppearance, sign_pdf, verify_pdf


@pytest.mark.parametrize("level", ["B-T", "B-LT", "B-LTA"])
def test_long_term_levels_sign_and_validate(ltv, pdf_doc, signature_png, level):
    trust = ltv.trust(allow_fetching=True)
    signed = sign_pdf(
        pdf_doc,
        ltv.signer,
        appearance=SignatureAppearance(kind="signer", image=signature_png),
        level=level,
        timestamper_url=ltv.tsa_url,
        trust=trust if level != "B-T" else None,
    )
    report = verify_pdf(signed, trust=ltv.trust(allow_fetching=True, revocation="hard-fail"))
    assert report.verdict == "valid", report
    sig = report.signatures[0]
    assert sig.level == level
    assert sig.timestamp is not None and sig.timestamp.trusted and sig.timestamp.intact
    assert sig.timestamp.authority == "edoc Time Stamping Authority"
    assert sig.revocation == "good"
    assert sig.to_dict()["timestamp"]["time"].endswith("+07:00")
    assert len(PdfReader(io.BytesIO(signed)).pages) == 2
    if level == "B-LTA":
        assert len(report.document_timestamps) == 1
        assert report.document_timestamps[0].trusted


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_long_term_validates_offline_with_hard_fail(ltv, pdf_doc, level):
    signed = sign_pdf(
        pdf_doc,
        ltv.signer,
        level=level,
        timestamper_url=ltv.tsa_url,
        trust=ltv.trust(allow_fetching=True),
    )
    offline = ltv.trust(allow_fetching=False, revocation="hard-fail")
    report = verify_pdf(signed, trust=offline)
    assert report.verdict == "valid", report
    assert report.signatures[0].revocation == "good"


def test_b_b_offline_hard_fail_is_indeterminate(ltv, pdf_doc):
    """Negative control: without embedded revocation data hard-fail cannot succeed offline."""
    signed = sign_pdf(pdf_doc, ltv.signer)
    report = verify_pdf(signed, trust=ltv.trust(revocation="hard-fail"))
    assert report.verdict == "indeterminate"
    assert report.signatures[0].reasons == ("revocation_unknown",)
    assert report.signatures[0].revocation == "unknown"


def test_revoked_certificate_refused_when_ocsp_or_crl_is_reachable(ltv, pdf_doc):
    with pytest.raises(CertificateError) as err:
        sign_pdf(pdf_doc, ltv.revoked_signer, trust=ltv.trust(allow_fetching=True))
    assert err.value.code == "certificate_revoked"


def test_timestamp_keeps_signature_valid_after_certificate_expiry(ltv, pdf_doc):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)  # the certificate ends tomorrow
    stamped = sign_pdf(
        pdf_doc,
        ltv.signer,
        level="B-LT",
        timestamper_url=ltv.tsa_url,
        trust=ltv.trust(allow_fetching=True),
    )
    plain = sign_pdf(pdf_doc, ltv.signer)
    offline = ltv.trust()
    assert verify_pdf(stamped, trust=offline, at=later).verdict == "valid"
    report = verify_pdf(plain, trust=offline, at=later)
    assert report.verdict == "indeterminate"
    assert "certificate_expired" in report.signatures[0].reasons


def test_revoked_certificate_reported_from_ocsp(ltv, pdf_doc):
    # Without a revocation source at signing time the signature is made...
    signed = sign_pdf(pdf_doc, ltv.revoked_signer)
    # ...and the verifier that may ask the OCSP responder reports the revocation.
    report = verify_pdf(signed, trust=ltv.trust(allow_fetching=True))
    assert report.verdict == "invalid"
    assert report.signatures[0].reasons == ("certificate_revoked",)
    assert report.signatures[0].revocation == "revoked"


def test_incoming_stamp_after_b_lta_keeps_it_valid(ltv, pdf_doc):
    from signing import add_incoming_stamp

    signed = sign_pdf(
        pdf_doc,
        ltv.signer,
        level="B-LTA",
        timestamper_url=ltv.tsa_url,
        trust=ltv.trust(allow_fetching=True),
    )
    stamped = add_incoming_stamp(signed, number=7, received_at=dt.datetime.now(dt.UTC))
    report = verify_pdf(stamped, trust=ltv.trust(revocation="hard-fail"))
    assert report.verdict == "valid", report
    assert report.signatures[0].modified_after == "annotations"


def test_revocation_data_from_a_clock_slightly_ahead_still_counts(ltv):
    # pyHanko ignores revocation data issued "after" the validation time beyond a tolerance of
    # one second by default, and soft-fail then accepts the certificate: a responder whose clock
    # runs a few seconds ahead (or a busy machine between fixing the time and fetching) let a
    # revoked certificate sign. The tolerance is two minutes, for both kinds of context.
    trust = ltv.trust(allow_fetching=True)
    assert trust.validation_context().time_tolerance == dt.timedelta(minutes=2)
    assert trust.dss_settings()["time_tolerance"] == dt.timedelta(minutes=2)
    late = ltv.trust(allow_fetching=True, clock_skew=dt.timedelta(seconds=30))
    assert late.validation_context().time_tolerance == dt.timedelta(seconds=30)
