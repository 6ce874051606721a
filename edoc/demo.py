"""The demo province: UBND tỉnh Phú Thọ and UBND phường Vĩnh Phúc, one user per role in each.

Logins are fixed so that scripts and browser tests can rely on them. Domains add their own demo
data (register books, sample documents ...) with :func:`add_demo_seeder`; each seeder receives
the :class:`DemoProvince` and must be idempotent.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import select

from edoc.auth.models import Agency, OrgUnit, User
from edoc.auth.roles import Role
from edoc.extensions import db

#: Demo OrganIds in the QCVN 102 pattern (H44: Phú Thọ in the alphabetical list of provinces);
#: demo data only, never hard-coded elsewhere.
PROVINCE_ORGAN_ID = "000.00.00.H44"
WARD_ORGAN_ID = "000.00.31.H44"

USERS = (
    # username, full name, role, position, unit index
    ("vanthu", "Nguyễn Thị Thu", Role.CLERK, "Văn thư", 0),
    ("chuyenvien", "Trần Văn Minh", Role.OFFICER, "Chuyên viên", 1),
    ("lanhdao", "Lê Văn Hùng", Role.LEADER, "Phó Chủ tịch", None),
    ("luutru", "Phạm Thị Lan", Role.ARCHIVIST, "Văn thư lưu trữ", 0),
    ("quantri", "Hoàng Đức Anh", Role.ADMIN, "Quản trị hệ thống", 0),
)


@dataclass
class DemoAgency:
    agency: Agency
    units: list[OrgUnit]
    users: dict[str, User] = field(default_factory=dict)


@dataclass
class DemoProvince:
    ward: DemoAgency
    province: DemoAgency
    password: str


DemoSeeder = Callable[[DemoProvince], None]


def add_demo_seeder(app: Flask, seeder: DemoSeeder) -> None:
    app.extensions.setdefault("edoc.demo_seeders", []).append(seeder)


def _agency(organ_id: str, **fields) -> Agency:
    from edoc.auth.services import create_agency

    existing = db.session.scalar(select(Agency).where(Agency.organ_id == organ_id))
    return existing or create_agency(organ_id=organ_id, **fields)


def _unit(agency: Agency, name: str, notation: str) -> OrgUnit:
    from edoc.auth.services import create_unit

    existing = db.session.scalar(select(OrgUnit).where(OrgUnit.agency_id == agency.id,
                                                       OrgUnit.name == name))
    return existing or create_unit(agency, name=name, notation=notation)


def _users(demo: DemoAgency, suffix: str, password: str) -> None:
    from edoc.auth.services import create_user

    for username, full_name, role, position, unit_index in USERS:
        name = username + suffix
        user = db.session.scalar(select(User).where(User.username == name))
        if user is None:
            user = create_user(
                demo.agency, username=name, full_name=full_name, password=password,
                roles=[role], unit=demo.units[unit_index] if unit_index is not None else None,
                position_title=position, is_default_password=True)
        demo.users[username] = user


def seed_demo(password: str | None = None) -> DemoProvince:
    password = password or current_app.config["DEMO_PASSWORD"]
    province = _agency(PROVINCE_ORGAN_ID, name="UBND tỉnh Phú Thọ", notation="UBND",
                       governing_body="", place_name="Phú Thọ",
                       address="Đường Trần Phú, phường Việt Trì, tỉnh Phú Thọ")
    ward = _agency(WARD_ORGAN_ID, name="UBND phường Vĩnh Phúc", notation="UBND",
                   governing_body="UBND TỈNH PHÚ THỌ", place_name="Vĩnh Phúc",
                   parent_id=province.id, address="Phường Vĩnh Phúc, tỉnh Phú Thọ")
    ward_units = [_unit(ward, "Văn phòng HĐND-UBND", "VP"), _unit(ward, "Phòng Kinh tế", "KT"),
                  _unit(ward, "Phòng Văn hóa - Xã hội", "VHXH")]
    province_units = [_unit(province, "Văn phòng UBND tỉnh", "VP"),
                      _unit(province, "Phòng Kinh tế ngành", "KTN"),
                      _unit(province, "Phòng Khoa giáo - Văn xã", "KGVX")]
    demo = DemoProvince(DemoAgency(ward, ward_units), DemoAgency(province, province_units),
                        password)
    _users(demo.ward, "", password)
    _users(demo.province, ".tinh", password)
    db.session.flush()
    for seeder in current_app.extensions.get("edoc.demo_seeders", []):
        seeder(demo)
    db.session.flush()
    return demo
