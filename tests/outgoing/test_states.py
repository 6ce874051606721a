"""The outgoing transition table: every allowed move, every refused one, and the API's 409s."""
from __future__ import annotations

import itertools

import pytest

from edoc.documents.states import OUTGOING, OutAction, OutState, allowed_actions, next_state
from edoc.errors import InvalidTransition
from tests.outgoing.conftest import new_upload

#: The workflow as the issue describes it, written out independently of the module's table.
EXPECTED = {
    ("draft", "revise"): "draft",
    ("draft", "submit"): "in_review",
    ("in_review", "approve_step"): "in_review",
    ("in_review", "approve_final"): "approved",
    ("in_review", "return"): "draft",
    ("in_review", "revise"): "draft",
    ("approved", "revise"): "draft",
    ("approved", "return"): "draft",
    ("approved", "sign"): "signed",
    ("signed", "issue"): "issued",
    ("issued", "seal"): "sealed",
    ("sealed", "dispatch"): "dispatched",
    ("dispatched", "revoke"): "revoked",
    ("dispatched", "update"): "dispatched",
    ("dispatched", "replace"): "revoked",
}

PAIRS = list(itertools.product([s.value for s in OutState], [a.value for a in OutAction]))


def test_the_table_is_the_expected_workflow():
    assert {(str(s), str(a)): str(t) for (s, a), t in OUTGOING.items()} == EXPECTED


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_each_pair_is_allowed_or_refused(state, action):
    if (state, action) in EXPECTED:
        assert next_state("outgoing", state, action) == EXPECTED[(state, action)]
        assert action in allowed_actions("outgoing", state)
    else:
        with pytest.raises(InvalidTransition):
            next_state("outgoing", state, action)
        assert action not in allowed_actions("outgoing", state)


def test_revoked_is_final():
    assert allowed_actions("outgoing", "revoked") == set()


#: API calls of each action, made by the person allowed to make it.
CALLS = {
    "revise": ("patch", "", "drafter", {"subject": "Trích yếu khác"}),
    "submit": ("post", "/submit", "drafter", {"reviewer_ids": "HEAD"}),
    "approve_step": ("post", "/approve", "head", {}),
    "return": ("post", "/return", "head", {"comment": "Sửa lại."}),
    "sign": ("post", "/sign", "signer", {"secret": "x"}),
    "issue": ("post", "/issue", "clerk", {}),
    "seal": ("post", "/seal", "clerk", {}),
    "dispatch": ("post", "/dispatch", "clerk", {"internal_unit_ids": "UNIT"}),
    "revoke": ("post", "/revoke", "clerk", {"reason": "Sai thẩm quyền."}),
    "update": ("post", "/update", "clerk", {"reason": "Sửa trích yếu.",
                                              "changes": {"subject": "Mới"}}),
    "replace": ("post", "/replace", "clerk", {"reason": "Thay thế.", "replacement_id": 1}),
}


def test_the_api_refuses_what_the_table_refuses(app, db, api, org, draft_pdf):
    """A document in each state; every action the table refuses there gets a 409."""
    from edoc.documents.models import Document

    doc_id = new_upload(api, org, draft_pdf)["id"]
    # Once on the review list the reviewer sees the document in every state.
    assert api.post(org.drafter, f"/outgoing/{doc_id}/submit",
                    {"reviewer_ids": [org.head.id]}).status_code == 200
    people = {"drafter": org.drafter, "head": org.head, "signer": org.signer, "clerk": org.clerk}
    for state in OutState:
        row = db.session.get(Document, doc_id)
        row.state = state.value
        db.session.commit()
        for action, (method, path, who, body) in CALLS.items():
            if action in allowed_actions("outgoing", state) or (
                    action == "approve_step" and "approve_final" in allowed_actions(
                        "outgoing", state)):
                continue
            body = {k: ([org.head.id] if v == "HEAD" else [org.other_unit.id] if v == "UNIT"
                        else v) for k, v in body.items()}
            resp = getattr(api, method)(people[who], f"/outgoing/{doc_id}{path}", body)
            if state == "draft" and who == "clerk":
                # Other people's drafts are not visible to the clerk at all.
                assert resp.status_code == 404, (state, action)
                continue
            assert resp.status_code == 409, (state, action, resp.get_data(as_text=True))
            assert resp.get_json()["error"]["code"] == "invalid_transition"
            db.session.expire_all()
            assert db.session.get(Document, doc_id).state == state.value
