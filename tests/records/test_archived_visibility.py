"""Documents filed in an archived record leave the ordinary document pages.

The archivist keeps them; everyone else (clerk and leader included) consults them through an
approved access request, whose link checks the last day and is logged. Lists, pages, file
downloads, the API and the unified search all read the same rule
(:func:`edoc.documents.visibility.visible_clause`), so they must agree.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from edoc.documents.models import Document
from edoc.i18n import local_today
from edoc.records.archive_models import AccessLog
from tests.records.helpers import archived_record, closed_record, ok, post
from tests.support.factories import login

WORD = "Hoàng thành"


def _api_ids(client, headers, path: str) -> set[int]:
    return {item["id"] for item in ok(client.get(path, headers=headers))["items"]}


def _seen_through_api(client, office, who: str, doc) -> dict[str, bool]:
    headers = office.headers(who)
    file_id = doc.files[0].id
    direction = doc.direction
    return {
        "show": client.get(f"/api/v1/{direction}/{doc.id}", headers=headers).status_code == 200,
        "file": client.get(f"/api/v1/documents/{doc.id}/files/{file_id}",
                           headers=headers).status_code == 200,
        "events": client.get(f"/api/v1/documents/{doc.id}/events",
                             headers=headers).status_code == 200,
        "list": doc.id in _api_ids(client, headers, f"/api/v1/{direction}?per_page=100"),
        "search": doc.id in {h["id"] for h in ok(client.get(
            "/api/v1/search", query_string={"q": WORD, "scope": direction},
            headers=headers))["items"] if h["kind"] == "document"},
    }


def _seen_through_pages(app, office, who: str, doc) -> dict[str, bool]:
    client = app.test_client()
    login(client, getattr(office, who).username)
    file_id = doc.files[0].id
    listing = client.get(f"/{doc.direction}").get_data(as_text=True)
    found = client.get("/search", query_string={"q": WORD}).get_data(as_text=True)
    return {
        "page": client.get(f"/{doc.direction}/{doc.id}").status_code == 200,
        "redirect": client.get(f"/documents/{doc.id}").status_code == 302,
        "file": client.get(f"/documents/{doc.id}/files/{file_id}").status_code == 200,
        "list": f"/{doc.direction}/{doc.id}\"" in listing,
        "search": f"/documents/{doc.id}\"" in found or f"/{doc.direction}/{doc.id}\"" in found,
    }


@pytest.mark.parametrize("direction", ["incoming", "outgoing"])
def test_archived_documents_are_the_archivists_everywhere(app, client, office, make_document,
                                                          direction):
    kept = make_document(f"Về việc tu bổ di tích {WORD} Thăng Long", direction=direction)
    loose = make_document(f"Về việc tham quan di tích {WORD}", number=13, direction=direction)
    people = ("officer", "clerk", "leader", "archivist")
    everything = dict.fromkeys(("show", "file", "events", "list", "search"), True)
    every_page = dict.fromkeys(("page", "redirect", "file", "list", "search"), True)
    # Before the archive takes it, every one of them sees the document everywhere (the
    # archivist too: an ordinary document).
    for who in people:
        assert _seen_through_api(client, office, who, kept) == everything, who
    archived_record(client, office, [kept])
    nowhere = dict.fromkeys(everything, False)
    for who in ("officer", "clerk", "leader"):
        assert _seen_through_api(client, office, who, kept) == nowhere, who
        assert _seen_through_api(client, office, who, loose) == everything, who
        assert _seen_through_pages(app, office, who, kept) == dict.fromkeys(every_page,
                                                                               False), who
        assert _seen_through_pages(app, office, who, loose) == every_page, who
    assert _seen_through_api(client, office, "archivist", kept) == everything
    assert _seen_through_pages(app, office, "archivist", kept) == every_page


def test_only_frozen_records_hide_their_documents(client, office, make_document, db):
    """Open, closed and transferred (waiting) records do not hide anything; a returned
    transfer shows its documents again."""
    doc = make_document(f"Kế hoạch {WORD}")
    officer = office.headers("officer")
    record = closed_record(client, office, [doc])
    assert ok(client.get(f"/api/v1/incoming/{doc.id}", headers=officer))["id"] == doc.id
    ok(post(client, f"/records/{record['id']}/transfer", officer, reason="Nộp lưu"))
    assert client.get(f"/api/v1/incoming/{doc.id}", headers=officer).status_code == 200
    ok(post(client, f"/records/{record['id']}/reject", office.headers("archivist"),
            reason="Thiếu văn bản"))
    assert client.get(f"/api/v1/incoming/{doc.id}", headers=officer).status_code == 200


def test_a_grant_opens_the_access_link_not_the_document_pages(client, office, make_document,
                                                             db):
    """The approved requester reads the archived documents through the access link, which is
    logged; the ordinary pages would bypass the log and the expiry, so they stay closed."""
    doc = make_document(f"Quyết định {WORD}")
    record = archived_record(client, office, [doc])
    officer = office.headers("officer")
    until = (local_today() + timedelta(days=5)).isoformat()
    req = ok(post(client, "/access-requests", officer, record_id=record["id"],
                  reason="Tra cứu", until=until), 201)
    ok(post(client, f"/access-requests/{req['id']}/approve", office.headers("archivist")))
    file_id = doc.files[0].id
    r = client.get(f"/api/v1/access-requests/{req['id']}/files/{file_id}", headers=officer)
    assert r.status_code == 200 and r.get_data().startswith(b"%PDF")
    assert client.get(f"/api/v1/documents/{doc.id}/files/{file_id}",
                      headers=officer).status_code == 404
    logged = db.session.scalars(select(AccessLog.action).where(
        AccessLog.record_id == record["id"], AccessLog.user_id == office.officer.id)).all()
    assert logged == ["file"]


def test_the_rule_is_part_of_visible_clause(client, office, make_document, db):
    from edoc.documents.visibility import can_view, visible_clause

    kept, loose = make_document("Đã lưu trữ"), make_document("Chưa lưu", number=3)
    archived_record(client, office, [kept])
    for who, expected in (("officer", {loose.id}), ("clerk", {loose.id}),
                          ("leader", {loose.id}), ("archivist", {kept.id, loose.id})):
        user = getattr(office, who)
        assert set(db.session.scalars(select(Document.id).where(visible_clause(user)))) \
            == expected, who
        assert can_view(user, kept) is (kept.id in expected), who
