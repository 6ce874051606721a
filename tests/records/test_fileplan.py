"""The file plan: entries per agency and year, kept by the archivist, copied forward."""
from __future__ import annotations

from tests.records.helpers import error_code, ok, post


def test_archivist_builds_edits_and_copies_the_plan(client, office):
    archivist = office.headers("archivist")
    first = ok(post(client, "/file-plans", archivist, year=2025, heading="I. TỔNG HỢP",
                    code="01.TH", title="Hồ sơ hội nghị tổng kết", retention="20",
                    responsible_unit_id=office.unit.id), 201)
    assert first["retention"]["label"] == "20 năm" and first["position"] == 10
    ok(post(client, "/file-plans", archivist, year=2025, heading="I. TỔNG HỢP", code="02.TH",
            title="Tập quyết định", retention="Vĩnh viễn"), 201)
    ok(post(client, "/file-plans", archivist, year=2025, heading="II. KINH TẾ", code="01.KT",
            title="Hồ sơ đất đai", retention="other", retention_other="Đến khi thanh lý"), 201)
    listed = ok(client.get("/api/v1/file-plans?year=2025", headers=archivist))
    assert [e["code"] for e in listed["items"]] == ["01.TH", "02.TH", "01.KT"]
    assert listed["items"][2]["retention"] == {"kind": "other", "years": None,
                                               "text": "Đến khi thanh lý",
                                               "label": "Đến khi thanh lý", "code": "07"}
    edited = ok(client.patch(f"/api/v1/file-plans/{first['id']}", headers=archivist,
                             json={"title": "Hồ sơ hội nghị tổng kết năm",
                                   "version": first["version"]}))
    assert edited["title"] == "Hồ sơ hội nghị tổng kết năm"
    stale = client.patch(f"/api/v1/file-plans/{first['id']}", headers=archivist,
                         json={"title": "x", "version": first["version"]})
    assert stale.status_code == 409 and error_code(stale) == "stale_version"

    copied = ok(post(client, "/file-plans/copy", archivist, from_year=2025, to_year=2026), 201)
    assert copied["total"] == 3
    next_year = ok(client.get("/api/v1/file-plans?year=2026", headers=archivist))
    assert [(e["code"], e["title"]) for e in next_year["items"]] == [
        ("01.TH", "Hồ sơ hội nghị tổng kết năm"), ("02.TH", "Tập quyết định"),
        ("01.KT", "Hồ sơ đất đai")]
    assert next_year["items"][0]["copied_from_id"] == first["id"]
    # Copying again adds nothing: every code is already there.
    assert ok(post(client, "/file-plans/copy", archivist, from_year=2025,
                   to_year=2026), 201)["total"] == 0


def test_refusals(client, office, factories):
    archivist = office.headers("archivist")
    r = post(client, "/file-plans", office.headers("officer"), year=2025, code="01.TH",
             title="x", retention="10")
    assert r.status_code == 403
    ok(post(client, "/file-plans", archivist, year=2025, code="01.TH", title="A",
            retention="10"), 201)
    r = post(client, "/file-plans", archivist, year=2025, code="01.TH", title="B",
             retention="10")
    assert r.status_code == 409 and error_code(r) == "file_plan_code_taken"
    for body, code in [({"code": "01 TH", "title": "x", "retention": "10"}, "invalid_code"),
                       ({"code": "03.TH", "title": "", "retention": "10"}, "title_required"),
                       ({"code": "03.TH", "title": "x", "retention": ""},
                        "retention_required"),
                       ({"code": "03.TH", "title": "x", "retention": "0"}, "invalid_retention"),
                       ({"code": "03.TH", "title": "x", "retention": "10", "year": 12},
                        "invalid_year")]:
        body = {"year": 2025, **body}
        r = post(client, "/file-plans", archivist, **body)
        assert r.status_code == 422 and error_code(r) == code, body
    stranger_unit = factories.unit(factories.agency(), "Phòng lạ")
    r = post(client, "/file-plans", archivist, year=2025, code="04.TH", title="x",
             retention="10", responsible_unit_id=stranger_unit.id)
    assert r.status_code == 422 and error_code(r) == "invalid_reference"
    r = post(client, "/file-plans/copy", archivist, from_year=1999, to_year=2000)
    assert r.status_code == 404 and error_code(r) == "file_plan_empty"


def test_an_entry_in_use_cannot_be_deleted(client, office):
    archivist = office.headers("archivist")
    used = ok(post(client, "/file-plans", archivist, year=2025, code="01.TH", title="A",
                   retention="10"), 201)
    free = ok(post(client, "/file-plans", archivist, year=2025, code="02.TH", title="B",
                   retention="10"), 201)
    ok(post(client, "/records", office.headers("officer"), file_plan_entry_id=used["id"]), 201)
    r = client.delete(f"/api/v1/file-plans/{used['id']}", headers=archivist)
    assert r.status_code == 409 and error_code(r) == "file_plan_entry_in_use"
    assert client.delete(f"/api/v1/file-plans/{free['id']}", headers=archivist).status_code == 204
