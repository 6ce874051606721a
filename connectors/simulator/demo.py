"""Demo agencies for development and end-to-end tests: UBND tỉnh Phú Thọ and UBND phường Vĩnh
Phúc. The province code H44 follows the pre-2025 alphabetical H-list (Phú Thọ kept its code in
the 2025 merger, QĐ 09/2025); the ward's level-2/3 digits are invented. Real identifiers come
from the provincial operator."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from .store import Agency

__all__ = ["DEMO_PROVINCE", "DEMO_WARD", "demo_agencies"]

DEMO_PROVINCE = ("000.00.00.H44", "UBND tỉnh Phú Thọ", "edoc.phutho.tinh")
DEMO_WARD = ("000.00.31.H44", "UBND phường Vĩnh Phúc", "edoc.phutho.vinhphuc")


def demo_agencies(*, secrets_by_system: Mapping[str, str] | None = None) -> tuple[Agency, ...]:
    """The two demo agencies; secrets are random unless given per system id."""
    given = dict(secrets_by_system or {})
    out = []
    for organ_id, name, system_id in (DEMO_PROVINCE, DEMO_WARD):
        out.append(
            Agency(
                organ_id=organ_id,
                name=name,
                system_id=system_id,
                secret=given.get(system_id) or secrets.token_urlsafe(32),
                parent_id="" if organ_id == DEMO_PROVINCE[0] else DEMO_PROVINCE[0],
            )
        )
    return tuple(out)
