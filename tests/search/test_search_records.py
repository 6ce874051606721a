"""Records (hồ sơ) in the unified search, when the records module is installed."""
from __future__ import annotations

import pytest
from sqlalchemy import select

# The records tables must exist when the schema is made.
import edoc.records.archive_models
import edoc.records.models
import edoc.signatures.models  # noqa: F401
from edoc.extensions import db
from edoc.search import search
from edoc.search.models import SearchEntry
from tests.search.conftest import ids, make_doc


@pytest.fixture
def records(office, search_app):
    from edoc.records import init_app
    from edoc.records.services import open_record

    init_app(search_app)
    clerk, officer = office["clerk"], office["officer"]
    tccb = open_record(clerk, {
        "notation": "01.TCCB", "title": "Hồ sơ tuyển dụng công chức năm 2025",
        "retention": "permanent", "keywords": ["tuyển dụng", "công chức"],
        "description": "Gồm quyết định tuyển dụng và biên bản kiểm tra hồ sơ."})
    unit_record = open_record(officer, {
        "notation": "05.KT", "title": "Hồ sơ quản lý chợ đầu mối", "retention": "10",
        "unit_id": office["unit"].id})
    db.session.commit()
    return {"tccb": tccb, "unit": unit_record}


def test_records_are_found_by_title_code_keywords_and_description(office, records):
    clerk = office["clerk"]
    rid = records["tccb"].id
    for q in ("tuyen dung cong chuc", "01.TCCB", "01.tccb", "bien ban kiem tra"):
        hits = search(clerk, q, scope="records").items
        assert [h.id for h in hits] == [rid], q
        assert hits[0].kind == "record"
    hit = search(clerk, "01.TCCB").items[0]
    assert hit.tier == 3 and hit.number_notation == "01.TCCB"
    assert "<mark>biên bản kiểm tra</mark>" in str(
        search(clerk, "bien ban kiem tra").items[0].snippet)


def test_all_scope_mixes_documents_and_records(office, records):
    doc = make_doc(office["agency"], subject="Quyết định tuyển dụng công chức")
    found = {(h.kind, h.id) for h in search(office["clerk"], "tuyen dung cong chuc").items}
    assert found == {("document", doc.id), ("record", records["tccb"].id)}
    assert {h.kind for h in search(office["clerk"], "tuyen dung", scope="incoming").items} == \
        {"document"}


def test_record_visibility_follows_the_records_module(office, records):
    # an officer sees the records of their unit, not another unit's
    assert ids(search(office["officer"], "cho dau moi", scope="records")) == \
        [records["unit"].id]
    assert ids(search(office["other"], "cho dau moi", scope="records")) == []
    assert ids(search(office["foreign_clerk"], "cho dau moi")) == []


def test_record_changes_are_followed(office, records):
    from edoc.records.services import update_record

    record = records["tccb"]
    update_record(office["clerk"], record, {"title": "Hồ sơ nâng ngạch viên chức"})
    db.session.commit()
    clerk = office["clerk"]
    assert ids(search(clerk, "nang ngach", scope="records")) == [record.id]
    assert ids(search(clerk, "tuyen dung cong chuc nam 2025", scope="records")) == []
    entry = db.session.scalar(select(SearchEntry).where(SearchEntry.kind == "record",
                                                        SearchEntry.object_id == record.id))
    assert entry.title == "Hồ sơ nâng ngạch viên chức"


def test_reindex_includes_records(office, records, runner):
    db.session.execute(SearchEntry.__table__.delete().where(SearchEntry.kind == "record"))
    db.session.commit()
    assert ids(search(office["clerk"], "01.TCCB", scope="records")) == []
    result = runner.invoke(args=["search", "reindex", "--kind", "record"])
    assert result.exit_code == 0, result.output
    assert "record: 2 indexed" in result.output
    assert ids(search(office["clerk"], "01.TCCB", scope="records")) == [records["tccb"].id]


def test_explicit_index_and_remove(office, records):
    from edoc.search import index_record, remove

    rid = records["tccb"].id
    remove("record", rid)
    db.session.commit()
    assert ids(search(office["clerk"], "01.TCCB")) == []
    index_record(records["tccb"])
    db.session.commit()
    assert ids(search(office["clerk"], "01.TCCB")) == [rid]
