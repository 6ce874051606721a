"""Agencies, their organisational units, users, roles and API tokens."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from edoc.auth.roles import Role
from edoc.db import Base, intpk, str255, utcnow


class Agency(Base):
    """An agency (cơ quan). ``hosted`` agencies have users here; the others are directory entries
    learnt from the interconnection axis, to which documents can be sent."""

    __tablename__ = "agencies"

    id: Mapped[intpk]
    #: mã định danh on the axis (QCVN 102: up to 35 characters), e.g. ``000.00.15.H42``
    organ_id: Mapped[str] = mapped_column(String(35), unique=True)
    name: Mapped[str255]
    #: the agency's abbreviation used in document notations, e.g. ``UBND`` in ``15/QĐ-UBND``
    notation: Mapped[str] = mapped_column(String(30), default="")
    #: governing body line printed above the agency name, e.g. ``UBND TỈNH PHÚ THỌ``
    governing_body: Mapped[str] = mapped_column(String(255), default="")
    #: place name printed before the date of a document, e.g. ``Vĩnh Phúc``
    place_name: Mapped[str] = mapped_column(String(100), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    website: Mapped[str] = mapped_column(String(255), default="")
    hosted: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side="Agency.id")

    def __repr__(self) -> str:
        return f"<Agency {self.organ_id} {self.name!r}>"


class OrgUnit(Base):
    """A unit (phòng, ban, văn phòng) inside an agency; units form a tree."""

    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("agency_id", "name", name="uq_org_units_agency_name"),)

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    name: Mapped[str255]
    #: the unit's abbreviation used in công văn notations, e.g. ``VP`` in ``05/UBND-VP``
    notation: Mapped[str] = mapped_column(String(30), default="")
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency] = relationship()
    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id")


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_nonneg"),)

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str255]
    #: chức vụ, printed in the signer block, e.g. ``Phó Chủ tịch``
    position_title: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    #: set while the password is a published demo/default one; production refuses to start then
    has_default_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    unit: Mapped[OrgUnit | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows[:] = [r for r in self.role_rows if Role(r.role) in wanted]
        have = {Role(r.role) for r in self.role_rows}
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role.value))

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Base):
    """A bearer token for the JSON API. Only its sha256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
