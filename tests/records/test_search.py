"""Archive search: accent-insensitive full text, notation, code, type, dates, retention;
confidential records; highlighting."""
from __future__ import annotations

from datetime import date

from tests.records.helpers import archived_record, closed_record, error_code, ok


def _search(client, office, who: str = "archivist", **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return ok(client.get(f"/api/v1/archive/search?{query}", headers=office.headers(who)))


def _archive_two(client, office, make_document):
    festival = archived_record(client, office, [
        make_document("Về việc tổ chức Lễ hội Đền Hùng", number=12, notation="SVHTTDL-QLVH",
                      day=date(2020, 3, 5),
                      text="Giỗ Tổ Hùng Vương mùng 10 tháng 3 âm lịch, phường Vĩnh Phúc"),
        make_document("Kế hoạch bảo đảm an ninh trật tự", number=25, notation="KH-UBND",
                      type_key="ke_hoach", direction="outgoing", day=date(2020, 3, 25))],
        title="Hồ sơ tổ chức Lễ hội Đền Hùng năm 2020", notation="01.VHXH")
    land = archived_record(client, office, [
        make_document("Quyết định giao đất cho hộ gia đình", number=15, notation="QĐ-UBND",
                      type_key="quyet_dinh", day=date(2018, 6, 1))],
        title="Hồ sơ quản lý đất đai năm 2018", notation="02.KT", year=2018,
        retention="permanent")
    return festival, land


def test_unaccented_query_finds_accented_records_and_documents(client, office, make_document):
    festival, _land = _archive_two(client, office, make_document)
    result = _search(client, office, q="le hoi den hung")
    kinds = {(i["kind"], i["record_id"]) for i in result["items"]}
    assert ("record", festival["id"]) in kinds
    assert any(i["kind"] == "document" for i in result["items"])
    assert all(i["record_id"] == festival["id"] for i in result["items"])
    record_hit = next(i for i in result["items"] if i["kind"] == "record")
    assert "<mark>Lễ</mark> <mark>hội</mark> <mark>Đền</mark> <mark>Hùng</mark>" in \
        record_hit["highlight"]["title"]
    # Full text of the documents.
    content = _search(client, office, q="gio to hung vuong")
    assert [i["kind"] for i in content["items"]] == ["document"]
    only_records = _search(client, office, q="le hoi den hung", kind="record")
    assert [(i["kind"], i["record_id"]) for i in only_records["items"]] == [
        ("record", festival["id"])]
    # Accents and case do not matter.
    assert _search(client, office, q="Lễ Hội")["total"] == 2
    # Several words are a phrase first; in another order they are still all found.
    assert _search(client, office, q="hung den hoi le")["total"] == 2
    assert _search(client, office, q="hung den xyz")["total"] == 0


def test_notation_code_type_dates_and_retention(client, office, make_document):
    festival, land = _archive_two(client, office, make_document)
    by_notation = _search(client, office, q="25/KH-UBND")
    assert [(i["kind"], i["notation"]) for i in by_notation["items"]] == [
        ("document", "25/KH-UBND")]
    assert _search(client, office, q="số 15 QĐ-UBND")["items"][0]["record_id"] == land["id"]
    symbol = _search(client, office, q="qd-ubnd")
    assert [i["notation"] for i in symbol["items"]] == ["15/QĐ-UBND"]
    by_code = _search(client, office, code="000.00.31.h44.2018")
    assert {i["record_id"] for i in by_code["items"]} == {land["id"]}
    assert by_code["total"] == 2  # the record and its document
    typed = _search(client, office, type="ke_hoach")
    assert [i["title"] for i in typed["items"]] == ["Kế hoạch bảo đảm an ninh trật tự"]
    dated = _search(client, office, **{"from": "2018-01-01", "to": "2018-12-31"})
    assert {i["record_id"] for i in dated["items"]} == {land["id"]}
    permanent = _search(client, office, retention="permanent")
    assert {i["record_id"] for i in permanent["items"]} == {land["id"]}
    ten = _search(client, office, retention="10", kind="record")
    assert [i["record_id"] for i in ten["items"]] == [festival["id"]]
    # Newest first.
    everything = _search(client, office, kind="document")
    assert [i["date"] for i in everything["items"]] == ["2020-03-25", "2020-03-05",
                                                        "2018-06-01"]


def test_only_archived_records_are_found(client, office, make_document):
    closed_record(client, office, [make_document("Hồ sơ chưa nộp lưu về lễ hội")],
                  title="Hồ sơ chưa nộp lưu về lễ hội")
    assert _search(client, office, q="chua nop luu")["total"] == 0


def test_confidential_records_are_hidden_from_ordinary_staff(client, office, make_document):
    archived_record(client, office, [make_document("Báo cáo mật về quốc phòng")],
                    title="Hồ sơ quốc phòng", mode="03")
    assert _search(client, office, q="quoc phong")["total"] == 2
    assert _search(client, office, who="officer", q="quoc phong")["total"] == 0


def test_search_is_per_agency_and_validates_dates(client, office, make_document, factories):
    _archive_two(client, office, make_document)
    stranger = factories.user("archivist")
    r = client.get("/api/v1/archive/search?q=le+hoi", headers=factories.api_headers(stranger))
    assert ok(r)["total"] == 0
    r = client.get("/api/v1/archive/search?from=05-03-2020",
                   headers=office.headers("archivist"))
    assert r.status_code == 422 and error_code(r) == "invalid_from"


def test_highlight_keeps_accents_and_escapes_html():
    from edoc.records.highlight import highlight, snippet

    out = str(highlight("Lễ hội <Đền> Hùng", ["den", "hung"]))
    assert out == "Lễ hội &lt;<mark>Đền</mark>&gt; <mark>Hùng</mark>"
    long = "Mở đầu. " * 40 + "Quyết định giao đất cho hộ gia đình. " + "Kết thúc. " * 40
    cut = str(snippet(long, ["giao", "dat"]))
    assert cut.startswith("…") and cut.endswith("…") and "<mark>giao</mark>" in cut
    assert str(snippet("không khớp", ["xyz"])) == ""
