"""Issuance under concurrency: gapless numbers, and one winner when two clerks issue one document.

Each thread has its own app context and database session and commits, like concurrent requests.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from edoc.auth.roles import Role
from edoc.documents.models import Document, FileKind, RegisterCounter
from tests.outgoing.conftest import SIGNER_SECRET, approved, ok

N = 50


def _signed_pdf(api, org, draft_pdf) -> tuple[int, bytes]:
    from edoc.documents.files import read_file
    from edoc.extensions import db

    doc = approved(api, org, draft_pdf)
    ok(api.post(org.signer, f"/outgoing/{doc['id']}/sign", {"secret": SIGNER_SECRET}))
    row = db.session.get(Document, doc["id"])
    return row.id, read_file(row.current_file(FileKind.SIGNED))


def _signed_copies(org, template_id: int, pdf: bytes, n: int) -> list[int]:
    """``n`` documents in state ``signed``, each with the signed PDF, like the template."""
    from edoc.documents.files import attach_file
    from edoc.extensions import db

    t = db.session.get(Document, template_id)
    ids = []
    for i in range(n):
        doc = Document(agency_id=t.agency_id, direction="outgoing", state="signed",
                       type_key=t.type_key, subject=f"{t.subject} ({i})",
                       drafter_id=t.drafter_id, drafting_unit_id=t.drafting_unit_id,
                       signer_id=t.signer_id, created_by_id=t.drafter_id,
                       planned_recipients={}, rendition_status="ready")
        db.session.add(doc)
        db.session.flush()
        attach_file(doc, pdf, kind=FileKind.SIGNED, name="du-thao.signed.pdf",
                    content_type="application/pdf")
        ids.append(doc.id)
    db.session.commit()
    return ids


def test_fifty_concurrent_issuances_are_numbered_1_to_50(app, db, api, org, keys, draft_pdf):
    from edoc.auth.models import User
    from edoc.documents.outgoing.services import issue

    template_id, pdf = _signed_pdf(api, org, draft_pdf)
    ids = _signed_copies(org, template_id, pdf, N)
    start = threading.Barrier(N)
    clerk_id = org.clerk.id  # read here: the test's own session must not be used by the threads
    db.session.commit()  # and must not hold SQLite's write lock while they run

    def issue_one(doc_id: int) -> int:
        with app.app_context():
            start.wait()
            clerk = db.session.get(User, clerk_id)
            doc = db.session.get(Document, doc_id)
            issue(doc, clerk)
            number = doc.number
            db.session.commit()
            db.session.remove()
            return number

    with ThreadPoolExecutor(max_workers=N) as pool:
        numbers = list(pool.map(issue_one, ids))

    assert sorted(numbers) == list(range(1, N + 1))
    db.session.expire_all()
    rows = db.session.scalars(select(Document).where(Document.id.in_(ids))).all()
    assert sorted(d.number for d in rows) == list(range(1, N + 1))
    assert {(d.state, d.notation) for d in rows} == {("issued", "QĐ-UBND")}
    assert all(d.current_file(FileKind.ISSUED) is not None for d in rows)
    counters = db.session.scalars(select(RegisterCounter)).all()
    assert [c.last_number for c in counters] == [N]


def test_two_clerks_issuing_one_document_one_wins(app, db, api, org, keys, draft_pdf, factories):
    template_id, pdf = _signed_pdf(api, org, draft_pdf)
    [doc_id] = _signed_copies(org, template_id, pdf, 1)
    second_clerk = factories.user(Role.CLERK, agency=org.agency, full_name="Hà Văn Thư")
    headers = [api.headers(org.clerk), api.headers(second_clerk)]
    db.session.commit()  # the test's session must not hold SQLite's write lock
    start = threading.Barrier(2)

    def issue_as(h):
        with app.app_context():
            start.wait()
            resp = api.client.post(f"/api/v1/outgoing/{doc_id}/issue", headers=h, json={})
            return resp.status_code, resp.get_json()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(issue_as, headers))

    statuses = sorted(s for s, _ in results)
    assert statuses == [200, 409], results
    loser = next(body for s, body in results if s == 409)
    assert loser["error"]["code"] in ("invalid_transition", "stale_version")
    db.session.expire_all()
    doc = db.session.get(Document, doc_id)
    assert (doc.state, doc.number) == ("issued", 1)
    assert len([f for f in doc.files if f.kind == FileKind.ISSUED]) == 1
    # The loser's number went back to the counter: no gap.
    assert db.session.scalar(select(RegisterCounter.last_number)) == 1
