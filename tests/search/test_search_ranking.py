"""Ranking: exact notation first, then subject/metadata matches, then body matches."""
from __future__ import annotations

from edoc.search import search
from tests.search.conftest import ids, make_doc


def test_subject_match_ranks_above_body_match(office):
    agency = office["agency"]
    in_subject = make_doc(agency, subject="Kế hoạch phòng chống thiên tai năm 2025",
                          content="Nội dung chung.")
    # newer, and its body repeats the words many times: still after the subject match
    in_body = make_doc(agency, subject="Báo cáo tổng hợp",
                       content=" ".join(["Công tác phòng chống thiên tai."] * 30))
    hits = search(office["clerk"], "phòng chống thiên tai").items
    assert [h.id for h in hits] == [in_subject.id, in_body.id]
    assert hits[0].score > hits[1].score


def test_issuing_agency_counts_as_metadata(office):
    agency = office["agency"]
    sender = make_doc(agency, subject="Công văn về ngân sách", issuing_agency="Sở Tài chính")
    mention = make_doc(agency, subject="Báo cáo", content="Gửi Sở Tài chính để tổng hợp.")
    assert ids(search(office["clerk"], "so tai chinh")) == [sender.id, mention.id]


def test_exact_notation_ranks_above_text_mentions(office):
    agency = office["agency"]
    target = make_doc(agency, subject="Quyết định ban hành quy chế", direction="outgoing",
                      number=42, notation="QĐ-UBND")
    mentions = [make_doc(agency, subject=f"Quyết định 42/QĐ-UBND sửa đổi lần {i}",
                         content="Căn cứ Quyết định số 42/QĐ-UBND.") for i in range(3)]
    found = ids(search(office["clerk"], "42/QĐ-UBND"))
    assert found[0] == target.id
    assert set(found[1:]) == {d.id for d in mentions}


def test_relevance_orders_within_a_tier(office):
    agency = office["agency"]
    for i in range(8):  # bm25 needs a corpus in which the words are not everywhere
        make_doc(agency, subject=f"Văn bản khác {i}", content="Nội dung khác.")
    once = make_doc(agency, subject="Kế hoạch tuyển dụng", content="tiêm chủng")
    many = make_doc(agency, subject="Kế hoạch năm",
                    content="Tiêm chủng mở rộng. Tiêm chủng cho trẻ em. Lịch tiêm chủng.")
    hits = search(office["clerk"], "tiem chung").items
    assert [h.id for h in hits] == [many.id, once.id]
    assert hits[0].score > hits[1].score > 0


def test_empty_query_lists_newest_first(office):
    agency = office["agency"]
    first = make_doc(agency, subject="Một")
    second = make_doc(agency, subject="Hai")
    assert ids(search(office["clerk"], "")) == [second.id, first.id]


def test_candidate_cap_bounds_broad_queries(office, search_app):
    agency = office["agency"]
    docs = [make_doc(agency, subject=f"Thông báo số {i}", commit=False) for i in range(12)]
    from edoc.extensions import db

    db.session.commit()
    search_app.config.update(SEARCH_CANDIDATE_CAP=5, SEARCH_RANK_WINDOW=3)
    results = search(office["clerk"], "thong bao", per_page=20)
    assert results.total_exact is False
    assert 5 <= results.total < 12
    # the newest matches are the candidates
    assert set(ids(results)) >= {d.id for d in docs[-5:]}
    search_app.config.update(SEARCH_CANDIDATE_CAP=1000, SEARCH_RANK_WINDOW=200)
    full = search(office["clerk"], "thong bao", per_page=20)
    assert full.total == 12 and full.total_exact


def test_pagination(office):
    agency = office["agency"]
    made = [make_doc(agency, subject=f"Giấy mời họp {i}") for i in range(7)]
    page1 = search(office["clerk"], "giay moi", per_page=3, page=1)
    page3 = search(office["clerk"], "giay moi", per_page=3, page=3)
    assert page1.total == page3.total == 7
    assert len(page1.items) == 3 and len(page3.items) == 1
    seen = ids(page1) + ids(search(office["clerk"], "giay moi", per_page=3, page=2)) + ids(page3)
    assert sorted(seen) == sorted(d.id for d in made)
    assert search(office["clerk"], "giay moi", per_page=3, page=9).items == []


def test_ranked_matches_agree_with_matches_and_relevance(office, monkeypatch):
    """A backend may rank while it finds (PostgreSQL: in the walk's own statements, over
    several id ranges): the matches and the relevance of the newest ``window`` are those of
    ``matches`` and ``relevance`` asked one after the other."""
    from edoc.extensions import db
    from edoc.search.backends import TextQuery, backend_for
    from edoc.search.backends import postgres as pg_backend
    from edoc.search.query import SearchFilters, _conditions

    agency = office["agency"]
    for i in range(30):  # every third matches; words repeated unevenly for distinct scores
        subject = (f"Báo cáo thi đua {'thi đua ' * (i % 4)}số {i}" if i % 3 == 0
                   else f"Thông báo lịch họp số {i}")
        make_doc(agency, subject=subject, content="Khen thưởng. " * (i % 5), commit=False)
    db.session.commit()
    # Walk ranges of a few entries: the ten matches are found over several statements, the
    # ranked window ending inside one of them.
    monkeypatch.setattr(pg_backend, "SCAN_FIRST", 1)
    session = db.session
    backend = backend_for(session.get_bind())
    tq = TextQuery(words=("thi", "dua"))
    for user in (office["clerk"], office["officer"]):
        conds, hints = _conditions(user, "all", SearchFilters())
        for cap, window in ((4, 3), (6, 5), (50, 7), (50, 0)):
            found, rel = backend.ranked_matches(session, tq, conds, cap, window, hints=hints)
            assert found == backend.matches(session, tq, conds, cap, hints=hints)
            assert len(found) == min(cap, 10)
            assert [i for i, _ in found] == sorted((i for i, _ in found), reverse=True)
            assert rel == backend.relevance(session, tq, [i for i, _ in found[:window]])
            assert len(rel) == min(window, len(found))
