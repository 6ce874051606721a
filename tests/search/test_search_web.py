"""GET /api/v1/search and the /search page."""
from __future__ import annotations

import re

from tests.search.conftest import make_doc
from tests.support.factories import login


def test_api_shape(office, client, factories):
    doc = make_doc(office["agency"], subject="Quyết định về <b>chuyển đổi số</b>",
                   direction="outgoing", number=15, notation="QĐ-UBND", type_key="quyet_dinh",
                   content="Triển khai chuyển đổi số năm 2025.")
    resp = client.get("/api/v1/search?q=15/QĐ-UBND", headers=factories.api_headers(
        office["clerk"]))
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["total_exact"] is True
    item = body["items"][0]
    assert item == {
        "kind": "document", "id": doc.id, "direction": "outgoing",
        "title": "Quyết định về <b>chuyển đổi số</b>", "number_notation": "15/QĐ-UBND",
        "date": "2025-03-05", "state": "dispatched", "type": "quyet_dinh",
        "snippet": item["snippet"], "score": item["score"], "url": f"/api/v1/outgoing/{doc.id}"}
    assert item["score"] >= 3


def test_api_filters_and_paging(office, client, factories):
    for i in range(3):
        make_doc(office["agency"], subject=f"Giấy mời họp {i}", type_key="giay_moi")
    make_doc(office["agency"], subject="Giấy mời đi", direction="outgoing", type_key="giay_moi")
    headers = factories.api_headers(office["clerk"])
    body = client.get("/api/v1/search?q=giay+moi&scope=incoming&per_page=2&page=2",
                      headers=headers).get_json()
    assert body["total"] == 3 and len(body["items"]) == 1 and body["page"] == 2
    body = client.get("/api/v1/search?q=giay+moi&from=2026-01-01", headers=headers).get_json()
    assert body["total"] == 0


def test_api_errors(office, client, factories):
    headers = factories.api_headers(office["clerk"])
    assert client.get("/api/v1/search?q=x").status_code == 401
    for query, code in (("scope=all2", "invalid_field"), ("from=2025-13-01", "invalid_field"),
                        ("per_page=500", "bad_pagination"), ("page=x", "bad_pagination"),
                        ("direction=sideways", "invalid_field")):
        resp = client.get(f"/api/v1/search?q=x&{query}", headers=headers)
        assert resp.status_code == 422, query
        assert resp.get_json()["error"]["code"] == code


def test_api_respects_visibility(office, client, factories):
    make_doc(office["agency"], subject="Báo cáo mật", confidentiality="mat")
    officer = client.get("/api/v1/search?q=bao+cao",
                         headers=factories.api_headers(office["officer"])).get_json()
    clerk = client.get("/api/v1/search?q=bao+cao",
                       headers=factories.api_headers(office["clerk"])).get_json()
    assert officer["total"] == 0 and clerk["total"] == 1


def test_search_page(office, client):
    doc = make_doc(office["agency"], subject="Kế hoạch <script>x</script> phòng chống thiên tai",
                   content="Nội dung về phòng chống thiên tai và tìm kiếm cứu nạn.")
    login(client, office["clerk"].username)
    html = client.get("/search?q=phong+chong+thien+tai").get_data(as_text=True)
    assert 'data-testid="search-q"' in html and 'value="phong chong thien tai"' in html
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<mark>phòng chống thiên tai</mark>" in html
    assert f'data-id="{doc.id}"' in html and f'href="/documents/{doc.id}"' in html
    assert 'data-testid="search-total"' in html


def test_search_page_empty_states_and_pagination(office, client):
    login(client, office["clerk"].username)
    html = client.get("/search").get_data(as_text=True)
    assert "Nhập từ khóa" in html and 'data-testid="search-hit"' not in html
    html = client.get("/search?q=khong+co+gi").get_data(as_text=True)
    assert 'data-testid="search-empty"' in html
    for i in range(25):
        make_doc(office["agency"], subject=f"Thông báo số {i}")
    html = client.get("/search?q=thong+bao&scope=incoming").get_data(as_text=True)
    assert len(re.findall('data-testid="search-hit"', html)) == 20
    assert 'data-testid="search-pagination"' in html
    assert "page=2" in html and "scope=incoming" in html
    html = client.get("/search?q=thong+bao&scope=incoming&page=2").get_data(as_text=True)
    assert len(re.findall('data-testid="search-hit"', html)) == 5


def test_search_page_bad_input_is_a_422_page(office, client):
    login(client, office["clerk"].username)
    assert client.get("/search?q=x&from=yesterday").status_code == 422


def test_search_page_needs_login(office, client):
    resp = client.get("/search?q=x")
    assert resp.status_code in (302, 401)


def test_navbox_partial(office, search_app):
    from flask import render_template_string

    with search_app.test_request_context("/search?q=abc"):
        from flask import request

        request.url_rule = search_app.url_map.bind("edoc.test").match(
            "/search", return_rule=True)[0]
        html = render_template_string('{% include "search/_navbox.html" %}')
    assert 'action="/search"' in html
    assert 'data-testid="navsearch-q"' in html and 'value="abc"' in html
