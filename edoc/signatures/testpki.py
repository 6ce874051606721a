"""The demo/test PKI in the app: one root CA, a seal certificate per hosted agency and a
certificate per signer, registered as credentials, with default signature and seal images.

Everything is made with :mod:`signing.testpki`. Every key file is protected with the demo
passphrase ``edoc-demo``. Running it again keeps what is still usable (issued by the current root
and not expired) and only fills the gaps. The root is trusted automatically in development and
testing only (see :func:`edoc.signatures.settings.trust_settings`); production never trusts it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select

from edoc.auth.models import Agency, User
from edoc.auth.roles import Role
from edoc.extensions import db
from edoc.signatures.images import active_image, default_seal_png, default_signature_png, save_image
from edoc.signatures.keys import active_credential, certificate_of, register_pkcs12
from edoc.signatures.models import CredentialPurpose, CredentialSource, ImageKind, SigningCredential
from signing.testpki import KeyType, TestCa

__all__ = ["DEMO_PASSPHRASE", "TestPkiResult", "provision_test_pki", "provision_user"]

DEMO_PASSPHRASE = "edoc-demo"  # noqa: S105 - published demo passphrase, test keys only
ROOT_NAME = "edoc Test Root CA"
ROOT_ORGANIZATION = "edoc test PKI - not for real use"


@dataclass
class TestPkiResult:
    __test__ = False  # not a pytest class

    directory: Path
    root_created: bool = False
    issued: list[str] = field(default_factory=list)  # "agency:<organ_id>", "user:<username>"
    kept: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def _file_slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "x"


def load_or_create_root(directory: Path, *, key_type: KeyType = "rsa2048") -> tuple[TestCa, bool]:
    """The root CA of ``directory``, created (with its PEM, PKCS#12 and empty CRL) if absent."""
    directory.mkdir(parents=True, exist_ok=True)
    p12 = directory / "root-ca.p12"
    created = not p12.exists()
    if created:
        root = TestCa.create(ROOT_NAME, organization=ROOT_ORGANIZATION, key_type=key_type)
        root.as_issued().write_pkcs12(p12, DEMO_PASSPHRASE)
    else:
        root = TestCa.from_pkcs12(p12.read_bytes(), DEMO_PASSPHRASE)
    pem = directory / "root-ca.pem"
    if created or not pem.exists():
        pem.write_bytes(root.certificate.public_bytes(Encoding.PEM))
    crl = directory / "root-ca.crl"
    # An empty CRL of the root lets hard-fail revocation checking work offline; refresh it
    # before it goes stale (its next update is 30 days out).
    if created or not crl.exists() or _older_than(crl, dt.timedelta(days=7)):
        crl.write_bytes(root.make_crl())
    return root, created


def _older_than(path: Path, age: dt.timedelta) -> bool:
    written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return dt.datetime.now(dt.UTC) - written > age


def _usable(credential: SigningCredential | None, root: TestCa) -> bool:
    if credential is None or credential.source != CredentialSource.PKCS12:
        return False
    cert = certificate_of(credential)
    try:
        cert.verify_directly_issued_by(root.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False  # issued by an earlier root: replace it
    return cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=30)


def _provision_agency(agency: Agency, root: TestCa, directory: Path, result: TestPkiResult,
                      key_type: KeyType) -> None:
    label = f"agency:{agency.organ_id}"
    if _usable(active_credential(CredentialPurpose.SEAL, agency_id=agency.id), root):
        result.kept.append(label)
    else:
        issued = root.issue(agency.name, organization=agency.name, key_type=key_type)
        data = issued.pkcs12(DEMO_PASSPHRASE)
        (directory / f"agency-{_file_slug(agency.organ_id)}.p12").write_bytes(data)
        register_pkcs12(data, DEMO_PASSPHRASE, purpose=CredentialPurpose.SEAL,
                        agency_id=agency.id, label="test PKI")
        result.issued.append(label)
    if active_image(ImageKind.SEAL, agency_id=agency.id) is None:
        save_image(default_seal_png(agency.name), kind=ImageKind.SEAL, agency_id=agency.id,
                   generated=True)
        result.images.append(label)


def provision_user(user: User, root: TestCa, directory: Path, result: TestPkiResult, *,
                   key_type: KeyType = "rsa2048") -> None:
    """A signer certificate and a default signature image for ``user``, unless usable ones exist."""
    label = f"user:{user.username}"
    existing = active_credential(CredentialPurpose.SIGNER, agency_id=user.agency_id,
                                 user_id=user.id)
    if _usable(existing, root):
        result.kept.append(label)
    else:
        issued = root.issue(user.full_name, organization=user.agency.name,
                            org_unit=user.unit.name if user.unit else None,
                            email=user.email or None, key_type=key_type)
        data = issued.pkcs12(DEMO_PASSPHRASE)
        (directory / f"user-{_file_slug(user.username)}.p12").write_bytes(data)
        register_pkcs12(data, DEMO_PASSPHRASE, purpose=CredentialPurpose.SIGNER,
                        agency_id=user.agency_id, user_id=user.id, label="test PKI")
        result.issued.append(label)
    if active_image(ImageKind.SIGNATURE, agency_id=user.agency_id, user_id=user.id) is None:
        save_image(default_signature_png(user.full_name), kind=ImageKind.SIGNATURE,
                   agency_id=user.agency_id, user_id=user.id, generated=True)
        result.images.append(label)


def _signers(agencies: Iterable[Agency], extra: Iterable[User]) -> list[User]:
    ids = [a.id for a in agencies]
    users = list(db.session.scalars(
        select(User).where(User.agency_id.in_(ids), User.active.is_(True)).order_by(User.id)))
    chosen = [u for u in users if u.has_role(Role.LEADER)]
    for u in extra:
        if u not in chosen:
            chosen.append(u)
    return chosen


def provision_test_pki(directory: Path, *, agencies: Iterable[Agency] | None = None,
                       users: Iterable[User] = (), key_type: KeyType = "rsa2048",
                       ) -> TestPkiResult:
    """Root CA in ``directory``; a seal credential per agency (default: every hosted, active
    agency); a signer credential per leader of those agencies plus ``users``. Idempotent."""
    root, created = load_or_create_root(directory, key_type=key_type)
    result = TestPkiResult(directory=directory, root_created=created)
    if agencies is None:
        agencies = db.session.scalars(select(Agency).where(
            Agency.hosted.is_(True), Agency.active.is_(True)).order_by(Agency.id)).all()
    agencies = list(agencies)
    for agency in agencies:
        _provision_agency(agency, root, directory, result, key_type)
    for user in _signers(agencies, users):
        provision_user(user, root, directory, result, key_type=key_type)
    db.session.flush()
    return result


def describe(result: TestPkiResult) -> list[str]:
    lines: list[Any] = [f"test PKI in {result.directory} (passphrase of every key: "
                        f"{DEMO_PASSPHRASE})",
                        "  root CA: " + ("created" if result.root_created else "kept")]
    lines += [f"  issued  {item}" for item in result.issued]
    lines += [f"  kept    {item}" for item in result.kept]
    lines += [f"  image   {item} (generated)" for item in result.images]
    return lines
