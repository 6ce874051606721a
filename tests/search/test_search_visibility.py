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
