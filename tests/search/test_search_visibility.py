"""Search shows exactly what the document pages would: edoc.documents.visibility."""
from __future__ import annotations

from edoc.documents.models import Assignment, AssignmentParty
from edoc.extensions import db
from edoc.search import search
from tests.search.conftest import ids, make_doc


def test_confidential_document_hidden_from_uninvolved_officer(office):
    a = office["agency"]
    secret = make_doc(a, subject="Báo cáo mật về quốc phòng", confidentiality="mat",
                      number=9, notation="BC-BCH")
    ordinary = make_doc(a, subject="Báo cáo thường về quốc phòng")
    for q in ("quoc phong", "9/BC-BCH", "bc-bch"):
        assert secret.id not in ids(search(office["officer"], q)), q
    assert ids(search(office["officer"], "quoc phong")) == [ordinary.id]
    assert ids(search(office["officer"], "")) == [ordinary.id]
    # the clerk and the leader see it
    assert secret.id in ids(search(office["clerk"], "quoc phong"))
    assert secret.id in ids(search(office["leader"], "9/BC-BCH"))


def test_confidential_document_visible_once_assigned_to_the_officers_unit(office):
    a = office["agency"]
    secret = make_doc(a, subject="Công văn mật về quốc phòng", confidentiality="toi_mat")
    assignment = Assignment(document_id=secret.id, agency_id=a.id,
                            assigned_by_id=office["leader"].id)
    db.session.add(assignment)
    db.session.flush()
    db.session.add(AssignmentParty(assignment_id=assignment.id, role="lead",
                                   unit_id=office["unit"].id))
    db.session.commit()
    assert ids(search(office["officer"], "quoc phong")) == [secret.id]
    assert ids(search(office["other"], "quoc phong")) == []


def test_other_agencies_documents_never_show(office):
    mine = make_doc(office["agency"], subject="Kế hoạch chuyển đổi số", number=1,
                    notation="KH-UBND")
    theirs = make_doc(office["foreign"], subject="Kế hoạch chuyển đổi số", number=1,
                      notation="KH-UBND")
    for user, expected in ((office["clerk"], mine.id), (office["foreign_clerk"], theirs.id)):
        for q in ("chuyen doi so", "1/KH-UBND", "kh-ubnd", ""):
            assert ids(search(user, q)) == [expected], (user.username, q)


def test_drafts_stay_with_their_drafter(office):
    a = office["agency"]
    draft = make_doc(a, subject="Dự thảo quy chế làm việc", direction="outgoing", state="draft",
                     drafter_id=office["officer"].id)
    assert ids(search(office["officer"], "quy che lam viec")) == [draft.id]
    assert ids(search(office["clerk"], "quy che lam viec")) == []
    assert ids(search(office["other"], "quy che lam viec")) == []


def test_user_without_agency_sees_nothing(office):
    make_doc(office["agency"], subject="Thông báo chung")

    class Nobody:
        id = 0
        agency_id = None
        unit_id = None

        def has_role(self, *roles):
            return False

    assert search(Nobody(), "thong bao").items == []


def test_search_shows_exactly_what_the_documents_rule_shows(office):
    """For every user, an empty search lists exactly the documents visible_clause selects."""
    from sqlalchemy import select

    from edoc.documents.models import Document, ReviewStep
    from edoc.documents.visibility import visible_clause

    a = office["agency"]
    officer, other, clerk = office["officer"], office["other"], office["clerk"]
    make_doc(a, subject="Đến thường")
    make_doc(a, subject="Đến mật", confidentiality="mat")
    make_doc(a, subject="Đi đã phát hành", direction="outgoing")
    make_doc(a, subject="Dự thảo của chuyên viên", direction="outgoing", state="draft",
             drafter_id=officer.id)
    make_doc(a, subject="Dự thảo văn thư tạo", direction="outgoing", state="draft",
             created_by_id=clerk.id)
    make_doc(a, subject="Đang trình ký", direction="outgoing", state="in_review",
             signer_id=other.id)
    reviewed = make_doc(a, subject="Đang xem xét", direction="outgoing", state="in_review")
    db.session.add(ReviewStep(document_id=reviewed.id, position=1, reviewer_id=officer.id))
    make_doc(a, subject="Mật gửi lãnh đạo", confidentiality="tuyet_mat",
             submitted_to_id=office["leader"].id)
    make_doc(office["foreign"], subject="Cơ quan khác")
    db.session.commit()
    for who in ("clerk", "leader", "officer", "other", "foreign_clerk"):
        user = office[who]
        expected = set(db.session.scalars(select(Document.id).where(visible_clause(user))))
        assert set(ids(search(user, "", per_page=100))) == expected, who


def test_visibility_follows_changes(office):
    a = office["agency"]
    draft = make_doc(a, subject="Dự thảo kế hoạch", direction="outgoing", state="draft",
                     drafter_id=office["officer"].id)
    assert ids(search(office["other"], "du thao")) == []
    draft.drafter_id = office["other"].id
    db.session.commit()
    assert ids(search(office["other"], "du thao")) == [draft.id]
    assert ids(search(office["officer"], "du thao")) == []
    draft.state = "issued"
    db.session.commit()
    assert ids(search(office["officer"], "du thao")) == [draft.id]


def test_a_rule_reading_an_unmirrored_column_fails_loudly(office, monkeypatch):
    import pytest

    from edoc.documents import visibility
    from edoc.documents.models import Document
    from edoc.search.access import UnmirroredColumn

    make_doc(office["agency"], subject="Thông báo")
    monkeypatch.setattr(visibility, "visible_clause",
                        lambda user: Document.receiving_unit_id == user.unit_id)
    with pytest.raises(UnmirroredColumn, match="receiving_unit_id"):
        search(office["officer"], "thong bao")
