"""The demo seeder: file plans for both demo agencies, a record waiting in the archivist's
inbox (the browser test accepts it), idempotent."""
from __future__ import annotations

from sqlalchemy import func, select

from edoc.records.models import FilePlanEntry, Record
from tests.support.factories import csrf_token_from, login


def test_demo_records_and_the_archivist_flow(app, client, db):
    from edoc.demo import seed_demo

    seed_demo("demo-password-1")
    db.session.commit()
    seed_demo("demo-password-1")  # idempotent
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(FilePlanEntry)) == 14
    waiting = db.session.scalars(select(Record).where(Record.state == "transferred")).all()
    assert [r.title for r in waiting] == ["Hồ sơ tổ chức Lễ hội Đền Hùng"]
    assert waiting[0].doc_total == 2
    assert db.session.scalar(select(func.count()).select_from(Record)) == 3

    login(client, "luutru", "demo-password-1")
    inbox = client.get("/archive/inbox").get_data(as_text=True)
    record = waiting[0]
    token = csrf_token_from(inbox)
    r = client.post(f"/records/{record.id}/accept", data={"csrf_token": token,
                                                          "next": "/archive/inbox"})
    assert r.status_code == 302
    found = client.get("/archive/search?q=le+hoi+den+hung").get_data(as_text=True)
    assert found.count('data-testid="archive-result"') >= 1
    export = client.get(f"/archive/records/{record.id}/export")
    assert export.status_code == 200 and export.get_data()[:2] == b"PK"
