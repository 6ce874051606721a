"""KPI figures computed from documents, the API shape and the reports page."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from edoc.documents.models import Assignment, AssignmentParty, Document, DocumentFile
from tests.incoming.helpers import office
from tests.support.factories import login


def _doc(db, agency, **kw):
    doc = Document(agency_id=agency.id, direction=kw.pop("direction", "incoming"), **kw)
    db.session.add(doc)
    db.session.flush()
    return doc


def _lead(db, doc, unit, by):
    a = Assignment(document_id=doc.id, agency_id=doc.agency_id, assigned_by_id=by.id)
    a.parties.append(AssignmentParty(role="lead", unit_id=unit.id))
    db.session.add(a)


def test_kpi_figures(app, factories, db):
    from edoc.reports.kpi import compute
    from edoc.storage.services import save_stream

    o = office(factories)
    ag = o["agency"]
    t = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    # Two digital arrivals registered the same day, one scan registered the next day.
    d1 = _doc(db, ag, state="done", received_via="axis", received_at=t, registered_at=t,
              deadline=date(2025, 3, 10), completed_at=t + timedelta(days=2))
    _doc(db, ag, state="done", received_via="upload", received_at=t, registered_at=t,
         deadline=date(2025, 3, 4), completed_at=t + timedelta(days=5))
    late = _doc(db, ag, state="assigned", received_via="scan", received_at=t,
                registered_at=t + timedelta(days=1), deadline=date(2025, 3, 5))
    _lead(db, late, o["unit"], o["leader"])
    # An issued outgoing document with a digital signature, and a draft (not counted).
    out = _doc(db, ag, direction="outgoing", state="dispatched", created_at=t, issued_at=t)
    import io

    so = save_stream(io.BytesIO(b"%PDF-1.7 signed"), content_type="application/pdf")
    db.session.add(DocumentFile(document_id=out.id, agency_id=ag.id, stored_object_id=so.id,
                                kind="signed", name="x.pdf", content_type="application/pdf"))
    _doc(db, ag, direction="outgoing", state="draft", created_at=t)
    db.session.commit()
    kpi = compute(ag.id, date(2025, 1, 1), date(2025, 12, 31), today=date(2025, 3, 20))
    assert (kpi.digital.numerator, kpi.digital.denominator) == (3, 4)  # axis, upload, signed out
    assert kpi.digital.percent == 75.0
    assert (kpi.on_time.numerator, kpi.on_time.denominator) == (1, 2)
    assert (kpi.same_day_ack.numerator, kpi.same_day_ack.denominator) == (2, 3)
    assert kpi.overdue_by_unit == [{"unit_id": o["unit"].id, "unit": "Phòng Kinh tế",
                                    "overdue": 1}]
    march = next(r for r in kpi.volumes_by_month if r["month"] == "2025-03")
    assert march == {"month": "2025-03", "incoming": 3, "outgoing": 1}
    assert kpi.counts_by_state["incoming"] == {"done": 2, "assigned": 1}
    assert d1.id  # used


def test_kpi_api_and_page(client, factories):
    o = office(factories)
    headers = factories.api_headers(o["leader"])
    resp = client.get("/api/v1/reports/kpi?from=2025-01-01&to=2025-12-31", headers=headers)
    assert resp.status_code == 200
    body = resp.get_json()
    for key in ("counts_by_state", "share_handled_digitally", "share_done_on_time",
                "overdue_by_unit", "volumes_by_month", "share_acknowledged_same_day"):
        assert key in body
    assert len(body["volumes_by_month"]) == 12
    bad = client.get("/api/v1/reports/kpi?from=2025-12-01&to=2025-01-01", headers=headers)
    assert bad.status_code == 422
    officer = factories.api_headers(o["officer"])
    assert client.get("/api/v1/reports/kpi", headers=officer).status_code == 403
    login(client, o["leader"].username)
    html = client.get("/reports").get_data(as_text=True)
    assert "Xử lý hoàn toàn trên môi trường điện tử" in html and "<svg" in html
