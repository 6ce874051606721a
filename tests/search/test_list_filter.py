"""The document lists' free-text ``q`` filter goes through the search index
(edoc.search.query.matching_documents): the fields the list shows (subject, number and notation,
issuing agency, type), accent-insensitive, notation-aware; the list keeps its own filters, order
and visibility."""
from __future__ import annotations

import pytest

from edoc.documents.models import Document
from edoc.documents.queries import Filters, document_list
from edoc.extensions import db
from edoc.i18n import local_today
from tests.search.conftest import make_doc


def listed(user, direction: str, **filters) -> list[int]:
    stmt = document_list(user, direction, Filters(**filters), today=local_today())
    return list(db.session.scalars(stmt.with_only_columns(Document.id)))


@pytest.fixture
def docs(office):
    a = office["agency"]
    return {
        "plan": make_doc(a, subject="Kế hoạch chuyển đổi số năm 2025", direction="outgoing",
                         number=15, notation="KH-UBND", type_key="ke_hoach"),
        "report": make_doc(a, subject="Báo cáo văn thư", direction="outgoing", number=16,
                           notation="BC-UBND", type_key="bao_cao",
                           content="Thực hiện Kế hoạch số 15/KH-UBND về chuyển đổi số."),
        "draft": make_doc(a, subject="Dự thảo chuyển đổi số", direction="outgoing",
                          state="draft", drafter_id=office["officer"].id),
        "secret": make_doc(a, subject="Chuyển đổi số trong quốc phòng", direction="outgoing",
                           confidentiality="mat", number=17, notation="CV-UBND"),
        "incoming": make_doc(a, subject="Công văn về chuyển đổi số", number=3,
                             notation="STTTT-CĐS", issuing_agency="Sở Thông tin và Truyền thông"),
        "foreign": make_doc(office["foreign"], subject="Kế hoạch chuyển đổi số",
                            direction="outgoing"),
    }


def test_words_accent_insensitive_in_order_of_the_list(office, docs):
    want = [docs["secret"].id, docs["plan"].id]  # newest first; not the clerk's draft
    assert listed(office["clerk"], "outgoing", q="chuyển đổi số") == want
    assert listed(office["clerk"], "outgoing", q="chuyen doi so") == want
    assert listed(office["clerk"], "outgoing", q="CHUYỂN ĐỔI SỐ") == want
    # every word must occur in the subject, number and notation, issuing agency or type ...
    assert listed(office["clerk"], "outgoing", q="bao cao bc-ubnd") == [docs["report"].id]
    assert listed(office["clerk"], "incoming", q="so thong tin cong van") == [
        docs["incoming"].id]
    assert listed(office["clerk"], "outgoing", q="khong co dau") == []
    # ... not only in the text (the search page looks there)
    assert listed(office["clerk"], "outgoing", q="van thu ke hoach") == []


@pytest.mark.parametrize("q", ["15/KH-UBND", "KH-UBND 15", "kh-ubnd 15", "15/kh-ubnd"])
def test_notation_forms_find_the_document(office, docs, q):
    assert listed(office["clerk"], "outgoing", q=q) == [docs["plan"].id]


def test_symbol_alone(office, docs):
    assert listed(office["clerk"], "outgoing", q="kh-ubnd") == [docs["plan"].id]
    assert listed(office["clerk"], "incoming", q="stttt-cds") == [docs["incoming"].id]


def test_visibility_and_other_filters_kept(office, docs):
    # the officer sees neither the confidential document nor the others' drafts...
    assert listed(office["officer"], "outgoing", q="chuyen doi so") == [
        docs["draft"].id, docs["plan"].id]
    assert listed(office["other"], "outgoing", q="chuyen doi so") == [docs["plan"].id]
    # ... nor documents of another agency or of the other direction
    assert listed(office["foreign_clerk"], "outgoing", q="chuyen doi so") == [
        docs["foreign"].id]
    assert listed(office["clerk"], "incoming", q="chuyen doi so") == [docs["incoming"].id]
    assert listed(office["clerk"], "outgoing", q="chuyen doi so", type="ke_hoach") == [
        docs["plan"].id]


def test_follows_changes_in_the_same_transaction(office, docs):
    doc = db.session.get(Document, docs["plan"].id)
    doc.subject = "Kế hoạch cải cách hành chính"
    db.session.flush()
    assert listed(office["clerk"], "outgoing", q="cai cach") == [doc.id]
    assert doc.id not in listed(office["clerk"], "outgoing", q="chuyen doi so nam 2025")


def test_registration_number_and_punctuation(office, docs):
    doc = db.session.get(Document, docs["incoming"].id)
    doc.registration_number = 4711
    db.session.commit()
    assert listed(office["clerk"], "incoming", q="4711") == [doc.id]
    assert listed(office["clerk"], "incoming", q="!!") == []
