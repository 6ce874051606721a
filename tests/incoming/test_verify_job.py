"""The signature check job of received PDFs: no transaction open while pyHanko checks the file
(on SQLite every transaction holds the write lock), retries, one check per successful run."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.incoming.helpers import office, upload


@pytest.fixture
def signed_pdf(tmp_path):
    from signing import load_pkcs12, sign_pdf
    from signing.testpki import create_test_pki
    from tests.incoming.helpers import pdf_bytes

    pki = create_test_pki(tmp_path, users=["signer"], agency="Sở Nội vụ", passphrase="pw")
    return sign_pdf(pdf_bytes(), load_pkcs12(pki.users["signer"].read_bytes(), "pw"))


def _received(client, factories, data) -> int:
    o = office(factories)
    return upload(client, factories.api_headers(o["clerk"]), data=data,
                  name="ky.pdf").get_json()["id"]


def _checks(db) -> int:
    from edoc.signatures.models import SignatureCheck

    return db.session.scalar(select(func.count(SignatureCheck.id)))


def _job(db, doc_id):
    from edoc.jobs.models import Job

    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.dedupe_key == f"verify:{doc_id}"))


def test_no_transaction_is_open_while_the_signatures_are_checked(client, factories, db,
                                                                 signed_pdf, monkeypatch):
    import edoc.signatures.verification as verification
    from edoc.jobs import run_pending

    doc_id = _received(client, factories, signed_pdf)
    seen = []
    real = verification.verify_pdf

    def spy(data, **kwargs):
        seen.append(db.session().in_transaction())
        return real(data, **kwargs)

    monkeypatch.setattr(verification, "verify_pdf", spy)
    assert run_pending(kinds={"documents.verify_signatures"}) == 1
    assert seen == [False]
    assert _checks(db) == 1
    job = _job(db, doc_id)
    assert (job.state, job.attempts) == ("done", 1)
    from edoc.signatures.models import SignatureCheck

    check = db.session.scalars(select(SignatureCheck)).one()
    assert check.report["signatures"] and check.verdict == check.report["verdict"]


def test_a_failing_check_records_nothing_and_is_retried(client, factories, db, signed_pdf,
                                                        monkeypatch):
    import edoc.signatures.verification as verification
    from edoc.jobs import run_pending
    from edoc.jobs.models import Job

    doc_id = _received(client, factories, signed_pdf)

    def boom(data, **kwargs):
        raise RuntimeError("checker crashed")

    monkeypatch.setattr(verification, "verify_pdf", boom)
    assert run_pending(kinds={"documents.verify_signatures"}) == 1
    job = _job(db, doc_id)
    assert (job.state, job.attempts, job.max_attempts) == ("queued", 1, 3)
    assert "checker crashed" in job.last_error
    assert _checks(db) == 0

    monkeypatch.undo()
    job.run_after = job.created_at  # due again now
    db.session.commit()
    assert run_pending(kinds={"documents.verify_signatures"}) == 1
    job = db.session.get(Job, job.id)
    db.session.refresh(job)
    assert (job.state, job.attempts) == ("done", 2)
    assert _checks(db) == 1


def test_a_document_without_a_pdf_original_gets_no_check(client, factories, db):
    from edoc.documents.jobs import verify_signatures

    verify_signatures({"document_id": 999_999})  # gone: nothing to do
    assert _checks(db) == 0


def test_a_failure_while_recording_keeps_no_check(client, factories, db, signed_pdf,
                                                  monkeypatch):
    """The check is added in the job's last transaction: if recording fails after the row was
    added (here: its audit entry), nothing of it stays, and the retry records one check."""
    import edoc.signatures.verification as verification
    from edoc.jobs import run_pending

    doc_id = _received(client, factories, signed_pdf)

    def failing_audit(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(verification.audit, "record", failing_audit)
    assert run_pending(kinds={"documents.verify_signatures"}) == 1
    job = _job(db, doc_id)
    assert (job.state, job.attempts) == ("queued", 1) and _checks(db) == 0

    monkeypatch.undo()
    job.run_after = job.created_at
    db.session.commit()
    assert run_pending(kinds={"documents.verify_signatures"}) == 1
    assert _job(db, doc_id).state == "done" and _checks(db) == 1
    assert run_pending(kinds={"documents.verify_signatures"}) == 0  # done: not run again
    assert _checks(db) == 1
