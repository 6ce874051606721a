"""The index follows inserts, updates and deletes in the same transaction; reindex rebuilds."""
from __future__ import annotations

from sqlalchemy import delete, func, select, text

from edoc.documents.models import Document, DocumentText
from edoc.extensions import db
from edoc.search import search
from edoc.search.models import SearchEntry, SearchKey
from tests.search.conftest import ids, make_doc


def _entry(doc_id: int) -> SearchEntry | None:
    return db.session.scalar(select(SearchEntry).where(SearchEntry.kind == "document",
                                                       SearchEntry.object_id == doc_id))


def test_subject_and_notation_changes_are_followed(office):
    doc = make_doc(office["agency"], subject="Kế hoạch trồng rừng", number=4, notation="KH-UBND")
    doc.subject = "Kế hoạch phòng cháy rừng"
    doc.number, doc.notation = 5, "KH-SNN"
    db.session.commit()
    clerk = office["clerk"]
    assert ids(search(clerk, "trong rung")) == []
    assert ids(search(clerk, "phong chay")) == [doc.id]
    assert ids(search(clerk, "4/KH-UBND")) == []
    assert ids(search(clerk, "5/KH-SNN")) == [doc.id]
    assert _entry(doc.id).number_notation == "05/KH-SNN"


def test_state_and_filters_follow_without_rewriting_the_words(office):
    doc = make_doc(office["agency"], subject="Công văn về an toàn thực phẩm")
    entry_id = _entry(doc.id).id
    doc.state = "done"
    doc.urgency = "hoa_toc"
    db.session.commit()
    hit = search(office["clerk"], "an toan thuc pham").items[0]
    assert (hit.state, hit.urgency) == ("done", "hoa_toc")
    assert _entry(doc.id).id == entry_id  # same entry: the recency order is kept


def test_text_changes_are_followed(office):
    doc = make_doc(office["agency"], subject="Công văn", content="về tuyển dụng công chức")
    assert ids(search(office["clerk"], "tuyen dung")) == [doc.id]
    row = db.session.get(DocumentText, doc.id)
    row.content = "về đào tạo cán bộ"
    db.session.commit()
    assert ids(search(office["clerk"], "tuyen dung")) == []
    assert ids(search(office["clerk"], "dao tao")) == [doc.id]


def test_text_added_later_is_indexed(office):
    doc = make_doc(office["agency"], subject="Văn bản scan")
    assert ids(search(office["clerk"], "thuy loi")) == []
    db.session.add(DocumentText(document_id=doc.id, content="Kết quả OCR: thủy lợi nội đồng"))
    db.session.commit()
    assert ids(search(office["clerk"], "thuy loi")) == [doc.id]


def test_deleted_document_leaves_the_index(office):
    doc = make_doc(office["agency"], subject="Giấy mời họp", number=2, notation="GM-UBND",
                   content="Kính mời dự họp")
    doc_id = doc.id
    db.session.delete(db.session.get(DocumentText, doc_id))
    db.session.delete(doc)
    db.session.commit()
    assert _entry(doc_id) is None
    assert db.session.scalar(select(func.count()).select_from(SearchKey)) == 0
    assert ids(search(office["clerk"], "giay moi")) == []
    assert ids(search(office["clerk"], "kinh moi")) == []


def test_rollback_leaves_the_index_as_it_was(office):
    doc = make_doc(office["agency"], subject="Báo cáo quý")
    doc.subject = "Báo cáo năm"
    db.session.flush()
    assert ids(search(office["clerk"], "bao cao nam")) == [doc.id]  # same transaction
    db.session.rollback()
    assert ids(search(office["clerk"], "bao cao nam")) == []
    assert ids(search(office["clerk"], "bao cao quy")) == [doc.id]


def test_reindex_command_rebuilds_and_drops_orphans(office, runner):
    docs = [make_doc(office["agency"], subject=f"Thông báo lịch trực số {i}",
                     content=f"Nội dung {i}", number=i + 1, notation="TB-UBND")
            for i in range(5)]
    # wipe most of the index behind the hook's back, and leave an orphan entry
    db.session.execute(delete(SearchKey))
    db.session.execute(delete(SearchEntry).where(SearchEntry.object_id != docs[0].id))
    db.session.execute(Document.__table__.update().where(Document.id == docs[0].id)
                       .values(subject="Sửa trực tiếp bằng SQL"))
    db.session.commit()
    ghost = SearchEntry(kind="document", object_id=999_999, agency_id=office["agency"].id,
                        date=docs[0].document_date, title="ma")
    db.session.add(ghost)
    db.session.commit()
    ghost_id = ghost.id
    assert len(ids(search(office["clerk"], "thong bao"))) == 1

    result = runner.invoke(args=["search", "reindex", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "document: 5 indexed" in result.output

    clerk = office["clerk"]
    assert sorted(ids(search(clerk, "thong bao lich truc"))) == sorted(d.id for d in docs[1:])
    assert ids(search(clerk, "sua truc tiep")) == [docs[0].id]
    assert ids(search(clerk, "3/TB-UBND"))[0] == docs[2].id
    assert db.session.get(SearchEntry, ghost_id) is None


def test_fresh_reindex_renumbers_oldest_first(office, runner):
    first = make_doc(office["agency"], subject="Văn bản cũ")
    second = make_doc(office["agency"], subject="Văn bản mới")
    first.subject = "Văn bản cũ đã sửa"  # rewriting keeps its entry
    db.session.commit()
    result = runner.invoke(args=["search", "reindex", "--fresh", "--kind", "document"])
    assert result.exit_code == 0, result.output
    assert _entry(first.id).id < _entry(second.id).id
    assert set(ids(search(office["clerk"], "van ban"))) == {first.id, second.id}


def test_fts_rows_follow_entries(office, search_app):
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL keeps the words in search_entries.tsv itself
    make_doc(office["agency"], subject="Một")
    make_doc(office["agency"], subject="Hai")
    count = "SELECT count(*) FROM search_fts"
    assert db.session.execute(text(count)).scalar() == 2
    db.session.execute(delete(SearchEntry))
    db.session.commit()
    assert db.session.execute(text(count)).scalar() == 0
