"""The signing settings, read from the app config, and the trust settings built from them.

Until the lead adds them to ``edoc/config.py`` they are read with ``config.get(name, default)``;
:data:`SETTINGS_HELP` is the text for the settings table.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from signing import TrustSettings

__all__ = [
    "DEFAULTS",
    "SETTINGS_HELP",
    "seal_passphrase",
    "setting",
    "test_pki_dir",
    "trust_settings",
]

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "SIGNING_TRUST_ROOTS": "",
    "SIGNING_CRL_FILES": "",
    "SIGNING_REVOCATION_MODE": "soft-fail",
    "SIGNING_ALLOW_FETCHING": False,
    "SIGNING_LEVEL": "B-B",
    "SIGNING_TSA_URL": "",
    "SIGNING_SEAL_PASSPHRASE": "",
    "SIGNING_PKCS11_LIBRARY": "",
    "SIGNING_TEST_PKI_DIR": "",
    "SIGNING_IMAGE_MAX_KB": 1024,
}

SETTINGS_HELP = {
    "SIGNING_TRUST_ROOTS": "PEM files of the trusted root CAs for signature verification "
    "(separated by `:` or `,`). In development and testing the test PKI root is added.",
    "SIGNING_CRL_FILES": "CRL files (DER or PEM) used for revocation checks, separated by `:` "
    "or `,`.",
    "SIGNING_REVOCATION_MODE": "`soft-fail` (missing revocation data is accepted) or "
    "`hard-fail` (needs a CRL/OCSP answer: set SIGNING_CRL_FILES or SIGNING_ALLOW_FETCHING).",
    "SIGNING_ALLOW_FETCHING": "Let verification download CRLs, OCSP answers and missing "
    "certificates from the URLs in the certificates.",
    "SIGNING_LEVEL": "PAdES level of new signatures: B-B, B-T, B-LT or B-LTA (B-T and above "
    "need SIGNING_TSA_URL).",
    "SIGNING_TSA_URL": "RFC 3161 time-stamping authority URL (empty: no time-stamp).",
    "SIGNING_SEAL_PASSPHRASE": "Passphrase/PIN of the agency seal key held by the server. Empty: "
    "the clerk types it each time.",
    "SIGNING_PKCS11_LIBRARY": "PKCS#11 module (.so) for token/HSM credentials, e.g. "
    "`/usr/lib/softhsm/libsofthsm2.so`.",
    "SIGNING_TEST_PKI_DIR": "Folder of the test PKI made by `flask signing test-pki`. Empty: "
    "`instance/pki`.",
    "SIGNING_IMAGE_MAX_KB": "Largest signature or seal PNG accepted, in KB.",
}

_SEPARATORS = (os.pathsep, ",", "\n")


def setting(name: str, app: Flask | None = None) -> Any:
    app = app or current_app
    return app.config.get(name, DEFAULTS[name])


def _paths(value: Any) -> list[Path]:
    if not value:
        return []
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = [str(value)]
        for sep in _SEPARATORS:
            items = [part for item in items for part in item.split(sep)]
    return [Path(p.strip()) for p in items if p.strip()]


def test_pki_dir(app: Flask | None = None) -> Path:
    app = app or current_app
    configured = setting("SIGNING_TEST_PKI_DIR", app)
    return Path(configured) if configured else Path(app.instance_path) / "pki"


def is_test_environment(app: Flask | None = None) -> bool:
    """The test PKI is trusted only here; production never trusts it."""
    app = app or current_app
    return app.config.get("ENV") in ("development", "testing")


def seal_passphrase(app: Flask | None = None) -> str:
    return str(setting("SIGNING_SEAL_PASSPHRASE", app) or "")


def _read(path: Path, what: str) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        logger.error("signing: cannot read %s %s: %s", what, path, exc.strerror)
        return None


def _stamp(paths: list[Path]) -> tuple[tuple[str, int], ...]:
    out = []
    for p in paths:
        try:
            out.append((str(p), p.stat().st_mtime_ns))
        except OSError:
            out.append((str(p), -1))
    return tuple(out)


def trust_settings(app: Flask | None = None) -> TrustSettings:
    """What verification (and the check before signing) trusts, rebuilt when a file changes.

    Parsing certificates per request would cost little, but a test PKI created while the app
    runs (``flask signing test-pki``) must be picked up without a restart: the cache is keyed by
    the files' modification times.
    """
    app = app or current_app
    roots = _paths(setting("SIGNING_TRUST_ROOTS", app))
    crls = _paths(setting("SIGNING_CRL_FILES", app))
    if is_test_environment(app):
        # Optional files: before `flask signing test-pki` ran there is simply no test root.
        pki = test_pki_dir(app)
        roots += [p for p in (pki / "root-ca.pem",) if p.exists()]
        crls += [p for p in (pki / "root-ca.crl",) if p.exists()]
    mode = str(setting("SIGNING_REVOCATION_MODE", app))
    fetching = bool(setting("SIGNING_ALLOW_FETCHING", app))
    key = (_stamp(roots), _stamp(crls), mode, fetching)
    cache = app.extensions.setdefault("edoc.signatures.trust", {})
    if cache.get("key") == key:
        return cache["value"]
    root_data = [d for d in (_read(p, "trust root") for p in roots) if d]
    crl_data = [_pem_to_der_crl(d) for d in (_read(p, "CRL") for p in crls) if d]
    value = TrustSettings(trust_roots=tuple(root_data), crls=tuple(crl_data),
                          revocation=mode, allow_fetching=fetching)  # type: ignore[arg-type]
    cache.update(key=key, value=value)
    return value


def _pem_to_der_crl(data: bytes) -> bytes:
    if b"-----BEGIN" not in data:
        return data
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_crl(data).public_bytes(Encoding.DER)
