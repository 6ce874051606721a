"""Review rules: order, who may approve, double approvals, restarts after a change, comments."""
from __future__ import annotations

from tests.outgoing.conftest import new_upload, ok


def _submitted(api, org, draft_pdf, reviewers=None):
    doc = new_upload(api, org, draft_pdf)
    ids = [r.id for r in (reviewers or [org.head, org.chief])]
    return ok(api.post(org.drafter, f"/outgoing/{doc['id']}/submit", {"reviewer_ids": ids}))


def _error(resp, status: int) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()["error"]["code"]


def test_approving_twice_is_a_conflict(api, org, draft_pdf):
    doc = _submitted(api, org, draft_pdf)
    first = ok(api.post(org.head, f"/outgoing/{doc['id']}/approve", {"version": doc["version"]}))
    # The same click again, with the version it was made on: stale.
    assert _error(api.post(org.head, f"/outgoing/{doc['id']}/approve",
                           {"version": doc["version"]}), 409) == "stale_version"
    # Again without a version: the reviewer already decided.
    assert _error(api.post(org.head, f"/outgoing/{doc['id']}/approve"), 409) == "already_decided"
    last = ok(api.post(org.chief, f"/outgoing/{doc['id']}/approve",
                       {"version": first["version"]}))
    assert last["state"] == "approved"
    # Approving an approved draft: the transition table refuses.
    assert _error(api.post(org.chief, f"/outgoing/{doc['id']}/approve"),
                  409) == "invalid_transition"


def test_reviewer_not_on_the_list_cannot_approve(api, org, draft_pdf):
    doc = _submitted(api, org, draft_pdf)
    # A leader sees the draft under review but is not one of its reviewers.
    assert ok(api.get(org.outsider, f"/outgoing/{doc['id']}"))["state"] == "in_review"
    assert _error(api.post(org.outsider, f"/outgoing/{doc['id']}/approve"), 403) == "forbidden"
    assert _error(api.post(org.outsider, f"/outgoing/{doc['id']}/return", {"comment": "Không"}),
                  403) == "forbidden"


def test_reviewers_decide_in_order(api, org, draft_pdf):
    doc = _submitted(api, org, draft_pdf)
    assert _error(api.post(org.chief, f"/outgoing/{doc['id']}/approve"), 409) == "not_your_turn"
    ok(api.post(org.head, f"/outgoing/{doc['id']}/approve"))
    assert ok(api.post(org.chief, f"/outgoing/{doc['id']}/approve"))["state"] == "approved"


def test_wrong_role_gets_403(api, org, draft_pdf):
    doc = _submitted(api, org, draft_pdf, reviewers=[org.head])
    ok(api.post(org.head, f"/outgoing/{doc['id']}/approve"))
    # Only the designated signer signs; only the clerk numbers.
    assert _error(api.post(org.outsider, f"/outgoing/{doc['id']}/sign", {"secret": "x"}),
                  403) == "forbidden"
    assert _error(api.post(org.drafter, f"/outgoing/{doc['id']}/issue"), 403) == "forbidden"
    # A clerk cannot draft; a reviewer cannot change the draft.
    assert _error(api.upload(org.clerk, "/outgoing", draft_pdf, "a.pdf", {}), 403) == "forbidden"
    assert _error(api.patch(org.head, f"/outgoing/{doc['id']}", {"subject": "Khác"}),
                  403) == "forbidden"


def test_return_needs_a_comment(api, org, draft_pdf):
    doc = _submitted(api, org, draft_pdf)
    assert _error(api.post(org.head, f"/outgoing/{doc['id']}/return", {"comment": " "}),
                  422) == "comment_required"


def test_a_change_after_an_approval_restarts_the_approvals(api, org, draft_pdf):
    doc = _submitted(api, org, draft_pdf)
    ok(api.post(org.head, f"/outgoing/{doc['id']}/approve"))
    doc = ok(api.upload(org.drafter, f"/outgoing/{doc['id']}", draft_pdf, "du-thao-moi.pdf", {},
                        method="patch"))
    assert doc["state"] == "draft"
    assert [s["decision"] for s in doc["review"]["steps"]] == ["superseded", "superseded"]
    assert doc["draft_file"]["revision"] == 2
    doc = ok(api.post(org.drafter, f"/outgoing/{doc['id']}/submit"))
    steps = [s for s in doc["review"]["steps"] if s["round"] == 2]
    assert [(s["reviewer_id"], s["decision"]) for s in steps] == [(org.head.id, "pending"),
                                                                   (org.chief.id, "pending")]
    # The first reviewer approves the new version again.
    assert doc["review"]["current_reviewer_id"] == org.head.id
    # Metadata changes restart the approvals too; the approved draft goes back to draft.
    ok(api.post(org.head, f"/outgoing/{doc['id']}/approve"))
    doc = ok(api.post(org.chief, f"/outgoing/{doc['id']}/approve"))
    assert doc["state"] == "approved"
    doc = ok(api.patch(org.drafter, f"/outgoing/{doc['id']}", {"subject": "Trích yếu mới"}))
    assert doc["state"] == "draft"


def test_patch_without_changes_changes_nothing(api, org, draft_pdf):
    doc = new_upload(api, org, draft_pdf)
    again = ok(api.patch(org.drafter, f"/outgoing/{doc['id']}", {"subject": doc["subject"]}))
    assert again["version"] == doc["version"]


def test_stale_version_on_patch(api, org, draft_pdf):
    doc = new_upload(api, org, draft_pdf)
    ok(api.patch(org.drafter, f"/outgoing/{doc['id']}",
                 {"subject": "Một", "version": doc["version"]}))
    assert _error(api.patch(org.drafter, f"/outgoing/{doc['id']}",
                            {"subject": "Hai", "version": doc["version"]}), 409) == "stale_version"


def test_comment_thread(api, org, draft_pdf):
    doc = _submitted(api, org, draft_pdf)
    ok(api.post(org.head, f"/outgoing/{doc['id']}/comments", {"body": "Điều 1 cần ghi rõ."}), 201)
    ok(api.post(org.drafter, f"/outgoing/{doc['id']}/comments", {"body": "Đã sửa."}), 201)
    doc = ok(api.get(org.drafter, f"/outgoing/{doc['id']}"))
    assert [(c["author"], c["body"]) for c in doc["comments"]] == [
        ("Lê Thị Hoa", "Điều 1 cần ghi rõ."), ("Nguyễn Văn An", "Đã sửa.")]
    assert doc["comments"][0]["file_revision"] == 1


def test_submit_needs_reviewers_and_a_signer(api, org, draft_pdf):
    doc = new_upload(api, org, draft_pdf)
    assert _error(api.post(org.drafter, f"/outgoing/{doc['id']}/submit"),
                  422) == "reviewers_required"
    other = ok(api.upload(org.drafter, "/outgoing", draft_pdf, "b.pdf", {"subject": "Thử"}), 201)
    assert _error(api.post(org.drafter, f"/outgoing/{other['id']}/submit",
                           {"reviewer_ids": [org.head.id]}), 422) == "draft_field_missing"


def test_signer_must_be_a_leader(api, org, draft_pdf):
    resp = api.upload(org.drafter, "/outgoing", draft_pdf, "c.pdf", {"signer_id": org.head.id})
    assert _error(resp, 422) == "signer_not_leader"
