"""Signing with a key on a PKCS#11 token: Debian's SoftHSM2, token directory under tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from signing import KeyLoadError, Pkcs11KeySource, WrongSecretError, sign_pdf, verify_pdf
from signing.testpki import TestCa

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN, PIN, SO_PIN = "edoc-signing-test", "1234", "5678"

if not SOFTHSM.is_file():  # pragma: no cover - CI installs softhsm2
    pytest.skip(
        f"!!! PKCS#11 TESTS SKIPPED: {SOFTHSM} is missing; install the Debian package softhsm2 !!!",
        allow_module_level=True,
    )


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def token(tmp_path_factory, root_ca: TestCa):
    """A SoftHSM token holding an RSA-2048 and a P-256 signing key with their certificates."""
    from tests.support.softhsm import shared_conf

    base = tmp_path_factory.mktemp("softhsm")
    conf = shared_conf()
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    # The library reads SOFTHSM2_CONF when this process first initialises it.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(conf))
        _run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                TOKEN,
                "--pin",
                PIN,
                "--so-pin",
                SO_PIN,
            ],
            env,
        )
        issued = {}
        for key_id, (label, key_type) in enumerate(
            [("rsa-signer", "rsa2048"), ("ec-signer", "ec-p256")], start=1
        ):
            cert = root_ca.issue(
                f"Token {label}", organization="UBND tỉnh Vĩnh Phúc", key_type=key_type
            )
            key_pem = base / f"{label}.key.pem"
            key_pem.write_bytes(
                cert.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            cert_der = base / f"{label}.cert.der"
            cert_der.write_bytes(cert.certificate.public_bytes(serialization.Encoding.DER))
            hex_id = f"{key_id:02x}"
            _run(
                [
                    "softhsm2-util",
                    "--import",
                    str(key_pem),
                    "--token",
                    TOKEN,
                    "--label",
                    label,
                    "--id",
                    hex_id,
                    "--pin",
                    PIN,
                ],
                env,
            )
            assert shutil.which("pkcs11-tool"), "pkcs11-tool (Debian opensc) is needed"
            _run(
                [
                    "pkcs11-tool",
                    "--module",
                    str(SOFTHSM),
                    "--token-label",
                    TOKEN,
                    "--login",
                    "--pin",
                    PIN,
                    "--write-object",
                    str(cert_der),
                    "--type",
                    "cert",
                    "--id",
                    hex_id,
                    "--label",
                    label,
                ],
                env,
            )
            key_pem.unlink()  # the key now lives only on the token
            issued[label] = cert
        yield issued


@pytest.mark.parametrize("label", ["rsa-signer", "ec-signer"])
def test_sign_with_token_key(token, label, pdf_doc, root_ca, trust):
    with Pkcs11KeySource(
        SOFTHSM, token_label=TOKEN, pin=PIN, key_label=label, chain=[root_ca.certificate]
    ) as key:
        assert key.info.common_name == f"Token {label}"
        assert key.certificate == token[label].certificate
        signed = sign_pdf(pdf_doc, key)
        signed_twice = sign_pdf(signed, key)  # the session serves several signatures
    report = verify_pdf(signed_twice, trust=trust)
    assert report.verdict == "valid", report
    assert [s.signer for s in report.signatures] == [f"Token {label}"] * 2


def test_wrong_pin_is_wrong_secret(token):
    with pytest.raises(WrongSecretError) as err:
        Pkcs11KeySource(SOFTHSM, token_label=TOKEN, pin="0000", key_label="rsa-signer")
    assert err.value.code == "wrong_secret"


def test_unknown_token_or_key(token):
    with pytest.raises(KeyLoadError):
        Pkcs11KeySource(SOFTHSM, token_label="no-such-token", pin=PIN, key_label="rsa-signer")
    with pytest.raises(KeyLoadError):
        Pkcs11KeySource(SOFTHSM, token_label=TOKEN, pin=PIN, key_label="no-such-key")
