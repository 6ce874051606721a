"""Authentication, lockout, users, units, agencies and API tokens."""
from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from edoc import audit
from edoc.auth import permissions as perm
from edoc.auth.models import Agency, ApiToken, OrgUnit, User
from edoc.auth.passwords import burn_time, check_password, hash_password
from edoc.auth.roles import Role
from edoc.db import utcnow
from edoc.errors import AuthenticationRequired, Conflict, NotFound, ValidationError
from edoc.extensions import db

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8


class LoginFailed(AuthenticationRequired):
    code = "invalid_credentials"
    default_message = _l("Tên đăng nhập hoặc mật khẩu không đúng.")


class AccountLocked(AuthenticationRequired):
    code = "account_locked"
    default_message = _l("Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần. "
                         "Hãy thử lại sau ít phút hoặc liên hệ quản trị.")


def authenticate(username: str, password: str, *, now: datetime | None = None) -> User:
    """Check a username and password; count failures and lock the account after too many.

    The failure counter is written even though the caller then reports an error: the caller
    must commit it (the API and login view do), or lockout would never happen.
    """
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        burn_time(password)
        audit.record("auth.login_failed", details={"username": username[:80]})
        raise LoginFailed()
    if user.locked_until and user.locked_until > now:
        burn_time(password)
        audit.record("auth.login_refused_locked", actor=user, obj=user)
        raise AccountLocked(until=user.locked_until.isoformat())
    if not check_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_logins = 0
            audit.record("auth.account_locked", actor=user, obj=user)
            logger.warning("account %s locked after repeated failures", user.username)
        else:
            audit.record("auth.login_failed", actor=user, obj=user)
        db.session.flush()
        raise LoginFailed()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("auth.login", actor=user, obj=user)
    db.session.flush()
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_token(user: User) -> IssuedToken:
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"])
    db.session.add(ApiToken(user_id=user.id, token_sha256=_token_digest(token), expires_at=expires))
    audit.record("auth.token_issued", actor=user, obj=user)
    db.session.flush()
    return IssuedToken(token, expires)


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _token_digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.active:
        return None
    return row.user


def revoke_token(token: str) -> None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _token_digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()


def _check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(_l("Mật khẩu phải có ít nhất %(n)s ký tự.", n=MIN_PASSWORD_LENGTH),
                              code="weak_password")


def create_agency(*, organ_id: str, name: str, actor: User | None = None, **fields) -> Agency:
    if actor is not None:
        perm.require(perm.can_create_agency(actor))
    organ_id = organ_id.strip()
    if not organ_id or len(organ_id) > 35:
        raise ValidationError(_l("Mã định danh phải có từ 1 đến 35 ký tự."), code="bad_organ_id")
    if db.session.scalar(select(Agency.id).where(Agency.organ_id == organ_id)):
        raise Conflict(_l("Mã định danh %(id)s đã tồn tại.", id=organ_id),
                       code="duplicate_organ_id")
    agency = Agency(organ_id=organ_id, name=name.strip(), **fields)
    db.session.add(agency)
    db.session.flush()
    audit.record("agency.created", actor=actor, obj=agency, agency_id=agency.id)
    return agency


def update_agency(agency: Agency, actor: User, **fields) -> Agency:
    perm.require(perm.can_edit_agency(actor, agency))
    for key, value in fields.items():
        setattr(agency, key, value)
    audit.record("agency.updated", actor=actor, obj=agency, details={"fields": sorted(fields)})
    db.session.flush()
    return agency


def create_unit(agency: Agency, *, name: str, notation: str = "", parent: OrgUnit | None = None,
                actor: User | None = None) -> OrgUnit:
    unit = OrgUnit(agency_id=agency.id, name=name.strip(), notation=notation.strip(),
                   parent_id=parent.id if parent else None)
    if actor is not None:
        perm.require(perm.can_manage_unit(actor, unit))
    if parent is not None and parent.agency_id != agency.id:
        raise ValidationError(code="unit_parent_other_agency")
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.created", actor=actor, obj=unit, agency_id=agency.id)
    return unit


def update_unit(unit: OrgUnit, actor: User, *, name: str, notation: str,
                parent: OrgUnit | None) -> OrgUnit:
    perm.require(perm.can_manage_unit(actor, unit))
    if parent is not None and (parent.agency_id != unit.agency_id or parent.id == unit.id):
        raise ValidationError(_l("Đơn vị cấp trên không hợp lệ."), code="bad_unit_parent")
    unit.name, unit.notation = name.strip(), notation.strip()
    unit.parent_id = parent.id if parent else None
    audit.record("unit.updated", actor=actor, obj=unit)
    db.session.flush()
    return unit


def create_user(agency: Agency, *, username: str, full_name: str, password: str,
                roles: Iterable[Role | str] = (), unit: OrgUnit | None = None,
                position_title: str = "", email: str = "", actor: User | None = None,
                is_default_password: bool = False) -> User:
    username = username.strip()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise ValidationError(_l("Tên đăng nhập không hợp lệ."), code="bad_username")
    _check_password_policy(password)
    if unit is not None and unit.agency_id != agency.id:
        raise ValidationError(_l("Đơn vị không thuộc cơ quan này."), code="unit_other_agency")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(_l("Tên đăng nhập %(u)s đã được dùng.", u=username),
                       code="duplicate_username")
    user = User(agency_id=agency.id, unit_id=unit.id if unit else None, username=username,
                full_name=full_name.strip(), position_title=position_title, email=email,
                password_hash=hash_password(password), has_default_password=is_default_password)
    if actor is not None:
        perm.require(perm.can_manage_user(actor, user))
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=actor, obj=user, agency_id=agency.id,
                 details={"roles": sorted(r.value for r in user.roles)})
    return user


def update_user(user: User, actor: User, *, roles=None, unit: OrgUnit | None = None,
                password: str | None = None, **fields) -> User:
    perm.require(perm.can_manage_user(actor, user))
    if unit is not None and unit.agency_id != user.agency_id:
        raise ValidationError(_l("Đơn vị không thuộc cơ quan này."), code="unit_other_agency")
    for key, value in fields.items():
        setattr(user, key, value)
    if unit is not None:
        user.unit_id = unit.id
    if roles is not None:
        user.set_roles(roles)
    if password:
        set_password(user, password)
    if fields.get("active") is True:
        user.locked_until = None
        user.failed_logins = 0
    audit.record("user.updated", actor=actor, obj=user,
                 details={"fields": sorted(fields), "roles": sorted(r.value for r in user.roles)})
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    _check_password_policy(password)
    user.password_hash = hash_password(password)
    user.has_default_password = False
    audit.record("user.password_changed", obj=user, agency_id=user.agency_id)


def change_own_password(user: User, current: str, new: str) -> None:
    if not check_password(user.password_hash, current):
        raise ValidationError(_l("Mật khẩu hiện tại không đúng."), code="wrong_password")
    set_password(user, new)
    db.session.flush()


def get_user_in_agency(actor: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.agency_id != actor.agency_id:
        raise NotFound()
    return user


def get_unit_in_agency(actor: User, unit_id: int) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or unit.agency_id != actor.agency_id:
        raise NotFound()
    return unit
