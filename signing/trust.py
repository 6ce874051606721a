"""Trust roots and revocation sources, and the certificate check done before signing."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)

from .errors import CertificateError
from .speedups import PathCache

__all__ = [
    "CertificateLike",
    "RevocationMode",
    "TrustSettings",
    "check_signing_certificate",
    "validate_certificate",
]

RevocationMode = Literal["soft-fail", "hard-fail"]
CertificateLike = x509.Certificate | asn1_x509.Certificate | bytes


def to_asn1_certs(items: Iterable[CertificateLike]) -> tuple[asn1_x509.Certificate, ...]:
    """Accept pyca certificates, asn1crypto certificates, or DER/PEM bytes (PEM may hold many)."""
    out: list[asn1_x509.Certificate] = []
    for item in items:
        if isinstance(item, asn1_x509.Certificate):
            out.append(item)
        elif isinstance(item, x509.Certificate):
            out.append(asn1_x509.Certificate.load(item.public_bytes(Encoding.DER)))
        else:
            out.extend(load_certs_from_pemder_data(bytes(item)))
    return tuple(out)


@dataclass(frozen=True, kw_only=True)
class TrustSettings:
    """What a validator trusts and where it may find revocation information.

    ``crls`` and ``ocsps`` are DER blobs supplied by the caller (e.g. a CRL downloaded by the app).
    ``allow_fetching`` lets the validator download CRLs/OCSP responses and missing certificates
    from the URLs in the certificates; keep it off where there is no network.
    ``clock_skew``: how far the clocks of a responder and of this machine may differ. The
    validator ignores revocation information issued "after" the validation time (more than this
    tolerance), and soft-fail then accepts the certificate: with pyHanko's default of one second,
    an OCSP response fetched a few seconds after the validation time was set (a busy machine,
    a responder's clock slightly ahead) let a revoked certificate sign.
    """

    trust_roots: tuple[CertificateLike, ...]
    other_certs: tuple[CertificateLike, ...] = ()
    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()
    revocation: RevocationMode = "soft-fail"
    allow_fetching: bool = False
    clock_skew: dt.timedelta = dt.timedelta(minutes=2)
    _roots: tuple[asn1_x509.Certificate, ...] = field(init=False, repr=False, compare=False)
    _others: tuple[asn1_x509.Certificate, ...] = field(init=False, repr=False, compare=False)
    _path_caches: dict[str, PathCache] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.revocation not in ("soft-fail", "hard-fail"):
            raise ValueError(f"revocation must be soft-fail or hard-fail, not {self.revocation!r}")
        # Parse once: a TrustSettings is typically built at startup and reused per request.
        object.__setattr__(self, "_roots", to_asn1_certs(self.trust_roots))
        object.__setattr__(self, "_others", to_asn1_certs(self.other_certs))
        # Validated paths, per revocation mode; they belong to these settings (trust roots,
        # intermediates, tolerance) and go with them. See speedups.find_valid_path.
        object.__setattr__(self, "_path_caches", {})

    @property
    def has_revocation_source(self) -> bool:
        return bool(self.crls or self.ocsps or self.allow_fetching)

    def validation_context(
        self,
        *,
        moment: dt.datetime | None = None,
        extra_certs: Iterable[asn1_x509.Certificate] = (),
        extra_crls: Iterable[object] = (),
        extra_ocsps: Iterable[object] = (),
        revocation: RevocationMode | Literal["require"] | None = None,
    ) -> ValidationContext:
        extra_crls, extra_ocsps = list(extra_crls), list(extra_ocsps)
        mode = revocation or self.revocation
        vc = ValidationContext(
            trust_roots=list(self._roots),
            other_certs=[*self._others, *extra_certs],
            crls=[*self.crls, *extra_crls],
            ocsps=[*self.ocsps, *extra_ocsps],
            revocation_mode=mode,
            allow_fetching=self.allow_fetching,
            moment=moment,
            time_tolerance=self.clock_skew,
        )
        if not (self.has_revocation_source or extra_crls or extra_ocsps):
            # No revocation information can reach this context: the validated paths of its
            # signatures may be remembered (the hook checks the context again itself).
            vc.edoc_path_cache = self._path_caches.setdefault(mode, PathCache())
        return vc

    def dss_settings(
        self, revocation: RevocationMode | Literal["require"] | None = None
    ) -> dict[str, object]:
        """Keyword arguments for ``DocumentSecurityStore.as_validation_context``."""
        return {
            "trust_roots": list(self._roots),
            "other_certs": list(self._others),
            "crls": list(self.crls),
            "ocsps": list(self.ocsps),
            "revocation_mode": revocation or self.revocation,
            "allow_fetching": self.allow_fetching,
            "time_tolerance": self.clock_skew,
        }


def validate_certificate(
    cert: asn1_x509.Certificate,
    intermediates: Iterable[asn1_x509.Certificate],
    vc: ValidationContext,
    key_usage: set[str] | None = None,
) -> None:
    """Build and validate the path of ``cert``; raises pyhanko-certvalidator's errors.

    The validation context is closed afterwards so that no HTTP session outlives the call.
    """

    async def run() -> None:
        validator = CertificateValidator(
            cert, intermediate_certs=list(intermediates), validation_context=vc
        )
        try:
            await validator.async_validate_usage(key_usage or set())
        finally:
            await vc.aclose()

    asyncio.run(run())


def _check_dates(cert: x509.Certificate, now: dt.datetime) -> None:
    if cert.not_valid_after_utc < now:
        raise CertificateError(
            f"the certificate expired on {cert.not_valid_after_utc.isoformat()}",
            code="certificate_expired",
        )
    if cert.not_valid_before_utc > now:
        raise CertificateError(
            f"the certificate is valid only from {cert.not_valid_before_utc.isoformat()}",
            code="certificate_not_yet_valid",
        )


def check_signing_certificate(
    cert: x509.Certificate,
    chain: Iterable[x509.Certificate],
    trust: TrustSettings | None,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Refuse a certificate that may not make a new signature.

    Dates are always checked. With ``trust`` the chain is built to the trust roots and the
    revocation status is checked with the configured sources (a revoked certificate is refused
    whenever a CRL or OCSP response says so; in hard-fail mode, missing information refuses too).
    """
    now = now or dt.datetime.now(dt.UTC)
    _check_dates(cert, now)
    if trust is None:
        return
    vc = trust.validation_context(moment=now, extra_certs=to_asn1_certs(chain))
    try:
        validate_certificate(to_asn1_certs([cert])[0], to_asn1_certs(chain), vc)
    except RevokedError as exc:
        raise CertificateError(
            f"the certificate is revoked: {exc}", code="certificate_revoked"
        ) from None
    except ExpiredError as exc:
        raise CertificateError(str(exc), code="certificate_expired") from None
    except NotYetValidError as exc:
        raise CertificateError(str(exc), code="certificate_not_yet_valid") from None
    except InsufficientRevinfoError as exc:
        raise CertificateError(
            f"no revocation information for the certificate: {exc}",
            code="certificate_revocation_unknown",
        ) from None
    except PathBuildingError as exc:
        raise CertificateError(
            f"the certificate does not chain to a trusted root: {exc}", code="certificate_untrusted"
        ) from None
    except (PathValidationError, ValidationError) as exc:
        raise CertificateError(
            f"the certificate cannot sign: {exc}", code="certificate_invalid"
        ) from None
