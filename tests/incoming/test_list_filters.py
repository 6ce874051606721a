"""The "mine" box and the unit filter: active assignments only, lead or co-operating, by person
or by unit (an informed person is told, not given the work)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from tests.capture.samples import QUYET_DINH, decree30_pdf
from tests.incoming.helpers import office, upload


def _post(client, headers, doc_id, action, **body):
    r = client.post(f"/api/v1/incoming/{doc_id}/{action}", json=body, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _registered(client, o, clerk, n: int) -> int:
    pdf = decree30_pdf(replace(QUYET_DINH, number_line=f"Số: {n}/QĐ-UBND"))
    doc = upload(client, clerk, data=pdf, name=f"qd-{n}.pdf").get_json()
    _post(client, clerk, doc["id"], "register")
    _post(client, clerk, doc["id"], "submit", leader_id=o["leader"].id)
    return doc["id"]


def _ids(client, headers, query: str) -> set[int]:
    body = client.get(f"/api/v1/incoming?{query}", headers=headers).get_json()
    return {d["id"] for d in body["items"]}


def test_mine_and_the_unit_filter_follow_the_active_assignments(client, factories):
    o = office(factories)
    clerk, leader, officer, other = (factories.api_headers(o[k])
                                     for k in ("clerk", "leader", "officer", "other"))
    deadline = (date.today() + timedelta(days=10)).isoformat()
    led = _registered(client, o, clerk, 1)
    _post(client, leader, led, "assign", lead_unit_id=o["unit"].id, deadline=deadline)
    helped = _registered(client, o, clerk, 2)
    _post(client, leader, helped, "assign", lead_unit_id=o["other_unit"].id,
          cooperating_unit_ids=[o["unit"].id], deadline=deadline)
    moved = _registered(client, o, clerk, 3)
    _post(client, leader, moved, "assign", lead_unit_id=o["unit"].id, deadline=deadline)
    # Reassigned away: the first assignment ends; the officer is only informed now.
    _post(client, leader, moved, "assign", lead_unit_id=o["other_unit"].id,
          informed_user_ids=[o["officer"].id], deadline=deadline)
    personal = _registered(client, o, clerk, 4)
    _post(client, leader, personal, "assign", lead_user_id=o["officer"].id, deadline=deadline)
    untouched = _registered(client, o, clerk, 5)

    assert _ids(client, officer, "box=mine") == {led, helped, personal}
    assert _ids(client, other, "box=mine") == {helped, moved}
    assert _ids(client, leader, f"unit_id={o['unit'].id}") == {led, helped}
    assert _ids(client, leader, f"unit_id={o['other_unit'].id}") == {helped, moved}
    assert untouched not in _ids(client, leader, f"unit_id={o['unit'].id}")
    # The box counts what it lists.
    body = client.get("/api/v1/incoming?box=mine", headers=officer).get_json()
    assert body["total"] == 3
