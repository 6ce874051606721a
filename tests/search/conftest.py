"""Fixtures of the search tests: an app with search installed, an office, documents."""
from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

import pytest

import edoc.search.models  # noqa: F401 - the index tables must exist when the schema is created
from edoc.auth.roles import Role

_numbers = count(1)


@pytest.fixture
def search_app(app):
    """The app, with edoc.search installed (until create_app does it)."""
    import edoc.search

    if "edoc.search" not in app.extensions:
        edoc.search.init_app(app)
    return app


@pytest.fixture
def office(search_app, factories) -> dict[str, Any]:
    agency = factories.agency("UBND phường Thử Nghiệm")
    unit = factories.unit(agency, "Phòng Kinh tế", "KT")
    other_unit = factories.unit(agency, "Phòng Văn hóa - Xã hội", "VHXH")
    foreign = factories.agency("UBND xã Bên Cạnh")
    return {
        "agency": agency, "unit": unit, "other_unit": other_unit, "foreign": foreign,
        "clerk": factories.user(Role.CLERK, agency=agency, full_name="Nguyễn Thị Văn Thư"),
        "leader": factories.user(Role.LEADER, agency=agency, full_name="Lê Lãnh Đạo"),
        "officer": factories.user(Role.OFFICER, agency=agency, unit=unit,
                                  full_name="Trần Chuyên Viên"),
        "other": factories.user(Role.OFFICER, agency=agency, unit=other_unit,
                                full_name="Phạm Khác Đơn Vị"),
        "foreign_clerk": factories.user(Role.CLERK, agency=foreign, full_name="Văn Thư Khác"),
    }


def make_doc(agency, *, subject: str = "Công văn thử nghiệm", direction: str = "incoming",
             state: str | None = None, content: str | None = None, commit: bool = True,
             **fields: Any):
    """A document (and its extracted text), committed: the index follows through the hook."""
    from edoc.documents.models import Document, DocumentText
    from edoc.extensions import db

    if state is None:
        state = "registered" if direction == "incoming" else "dispatched"
    fields.setdefault("document_date", date(2025, 3, 5))
    doc = Document(agency_id=agency.id, direction=direction, state=state, subject=subject,
                   **fields)
    db.session.add(doc)
    db.session.flush()
    if content is not None:
        db.session.add(DocumentText(document_id=doc.id, content=content))
    if commit:
        db.session.commit()
    return doc


def ids(results) -> list[int]:
    return [h.id for h in results.items]


def next_number() -> int:
    return next(_numbers)
