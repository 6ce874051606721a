"""Axis credentials per hosted agency: a system id and a secret, the secret encrypted at rest.

Secrets are encrypted with Fernet under a key derived (HKDF-SHA256) from the app's SECRET_KEY,
so a database dump alone does not reveal them. Changing SECRET_KEY makes stored secrets
unreadable (``credentials_unreadable``): set them again with ``flask exchange credentials``.
A deployment with one agency may give them in the config instead (AXIS_SYSTEM_ID, AXIS_SECRET,
optionally AXIS_ORGAN_ID).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select

from edoc import audit
from edoc.auth.models import Agency
from edoc.errors import ValidationError
from edoc.exchange.models import AxisAccount
from edoc.exchange.settings import setting
from edoc.extensions import db

__all__ = ["Credentials", "credentials_for", "hosted_agencies", "set_credentials"]

_INFO = b"edoc.exchange.axis-secret.v1"


@dataclass(frozen=True)
class Credentials:
    system_id: str
    secret: str = field(repr=False)
    source: str  # "database" | "config"


def _fernet() -> Fernet:
    secret_key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None


def account_for(agency: Agency) -> AxisAccount | None:
    return db.session.scalar(select(AxisAccount).where(AxisAccount.agency_id == agency.id))


def set_credentials(agency: Agency, system_id: str, secret: str, *, actor=None) -> AxisAccount:
    """Store (or replace) the agency's axis credentials. Flushes; the caller commits."""
    system_id, secret = (system_id or "").strip(), secret or ""
    if not system_id or not secret:
        raise ValidationError(code="credentials_required")
    if not agency.hosted:
        raise ValidationError(code="agency_not_hosted")
    account = account_for(agency)
    if account is None:
        account = AxisAccount(agency_id=agency.id, system_id=system_id, secret_encrypted="")
        db.session.add(account)
    account.system_id = system_id
    account.secret_encrypted = encrypt_secret(secret)
    account.enabled = True
    account.last_error = ""
    db.session.flush()
    audit.record("exchange.credentials_set", actor=actor, obj=account, agency_id=agency.id,
                 details={"system_id": system_id})
    return account


def _config_credentials(agency: Agency) -> Credentials | None:
    system_id, secret = setting("AXIS_SYSTEM_ID"), setting("AXIS_SECRET")
    if not system_id or not secret:
        return None
    organ_id = setting("AXIS_ORGAN_ID")
    if organ_id:
        return Credentials(system_id, secret, "config") if organ_id == agency.organ_id else None
    hosted = hosted_agencies()
    if len(hosted) == 1 and hosted[0].id == agency.id:
        return Credentials(system_id, secret, "config")
    return None


def credentials_for(agency: Agency) -> Credentials | None:
    """The agency's credentials (database first, then config), or None if it has none usable."""
    account = account_for(agency)
    if account is not None and account.enabled:
        secret = decrypt_secret(account.secret_encrypted)
        if secret is not None:
            return Credentials(account.system_id, secret, "database")
    return _config_credentials(agency)


def hosted_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(Agency.hosted.is_(True),
                                                        Agency.active.is_(True))
                                   .order_by(Agency.id)))
