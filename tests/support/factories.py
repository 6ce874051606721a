"""Factories that build agencies, units, users and API tokens, committed and ready to use."""
from __future__ import annotations

import itertools
import re
from typing import Any

from flask import Flask

from edoc.auth.roles import Role

PASSWORD = "correct-horse-42"

_seq = itertools.count(1)


class Factories:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def agency(self, name: str | None = None, *, organ_id: str | None = None,
               notation: str = "UBND", **fields: Any):
        from edoc.auth.services import create_agency
        from edoc.extensions import db

        n = next(_seq)
        agency = create_agency(organ_id=organ_id or f"000.00.{n:02d}.H99",
                               name=name or f"UBND xã Thử Nghiệm {n}", notation=notation, **fields)
        db.session.commit()
        return agency

    def unit(self, agency, name: str | None = None, notation: str = "VP"):
        from edoc.auth.services import create_unit
        from edoc.extensions import db

        unit = create_unit(agency, name=name or f"Phòng {next(_seq)}", notation=notation)
        db.session.commit()
        return unit

    def user(self, *roles: Role | str, agency=None, unit=None, username: str | None = None,
             full_name: str = "Nguyễn Văn A", password: str = PASSWORD, **fields: Any):
        from edoc.auth.services import create_user
        from edoc.extensions import db

        agency = agency or self.agency()
        user = create_user(agency, username=username or f"user{next(_seq)}", full_name=full_name,
                           password=password, roles=roles, unit=unit, **fields)
        db.session.commit()
        return user

    def token(self, user) -> str:
        from edoc.auth.services import issue_token
        from edoc.extensions import db

        issued = issue_token(user)
        db.session.commit()
        return issued.token

    def api_headers(self, user) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"}


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})
