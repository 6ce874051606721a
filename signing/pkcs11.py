"""Keys on a PKCS#11 token (HSM, USB token; tested with SoftHSM2).

The PIN opens the session and is not kept. Keep the source open while signing a batch and close
it afterwards (it is a context manager); opening a session costs far more than a signature.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from cryptography import x509
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers.pdf_cms import Signer

from .errors import KeyLoadError, SigningError, WrongSecretError
from .keys import CertificateInfo
from .trust import CertificateLike, to_asn1_certs

__all__ = ["Pkcs11KeySource"]


class Pkcs11KeySource:
    """An authenticated session on a token plus the signing key and certificate found on it.

    ``key_label`` names the private key; the certificate is found by ``cert_label`` (default: the
    same label). ``chain`` adds issuer certificates that are not stored on the token.
    """

    def __init__(
        self,
        library: str | Path,
        *,
        token_label: str,
        pin: str,
        key_label: str,
        cert_label: str | None = None,
        chain: Iterable[CertificateLike] = (),
    ) -> None:
        import pkcs11.exceptions as p11_errors  # imported lazily: the C module is optional
        from pyhanko.sign.general import SigningError as PyhankoSigningError
        from pyhanko.sign.pkcs11 import PKCS11Error, TokenCriteria

        self._chain_asn1 = to_asn1_certs(chain)

        def _open():
            return open_pkcs11_session(
                str(library), token_criteria=TokenCriteria(label=token_label), user_pin=pin
            )

        try:
            try:
                self._session = _open()
            except PKCS11Error:
                # A PKCS#11 module lists the tokens present when it was initialised; a token
                # inserted (or created) since is seen only after re-initialising it.
                import pkcs11

                pkcs11.lib(str(library)).reinitialize()
                self._session = _open()
        except (p11_errors.PinIncorrect, p11_errors.PinLenRange) as exc:
            raise WrongSecretError(f"the token PIN is wrong ({type(exc).__name__})") from None
        except p11_errors.PinLocked:
            raise KeyLoadError("the token PIN is locked", code="pin_locked") from None
        except (PKCS11Error, p11_errors.PKCS11Error, OSError, RuntimeError) as exc:
            raise KeyLoadError(f"cannot open token {token_label!r}: {exc}") from None
        try:
            self._signer = PKCS11Signer(
                self._session,
                cert_label=cert_label or key_label,
                key_label=key_label,
                ca_chain=list(self._chain_asn1),
            )
            cert = self._signer.signing_cert  # forces loading of certificate and key handle
            if cert is None:
                raise KeyLoadError(f"no certificate labelled {cert_label or key_label!r}")
            if cert.public_key.algorithm == "ec":
                # SoftHSM has no CKM_ECDSA_SHA256: hash in Python, sign the raw digest.
                self._signer.use_raw_mechanism = True
        except (PyhankoSigningError, p11_errors.PKCS11Error) as exc:
            self.close()
            raise KeyLoadError(f"key {key_label!r} not usable on the token: {exc}") from None
        except SigningError:
            self.close()
            raise

    @property
    def pyhanko_signer(self) -> Signer:
        return self._signer

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self._signer.signing_cert.dump())

    @cached_property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return tuple(x509.load_der_x509_certificate(c.dump()) for c in self._chain_asn1)

    @cached_property
    def info(self) -> CertificateInfo:
        return CertificateInfo.of(self.certificate)

    def close(self) -> None:
        session, self._session = getattr(self, "_session", None), None
        if session is not None:
            session.close()

    def __enter__(self) -> Pkcs11KeySource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Pkcs11KeySource({self.info.common_name!r})"
