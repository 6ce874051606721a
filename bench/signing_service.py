"""Batch signing through the app's service, storage and database included.

A leader signs N approved outgoing documents (2-page Vietnamese PDFs, each different) with
``edoc.signatures.batch.sign_batch`` and the transaction is committed: key opened once, each
document locked, its PDF read from the object store, signed (visible Decree 30 stamp, RSA-2048
test PKI key), the signed PDF written to the filesystem store (fsync) and recorded, state moved
to ``signed`` with its event and audit entries. Then every signed document is verified.
Target: 100 documents in <= 8 s. SQLite database, filesystem object store, in a temp folder.

Run: ``.venv/bin/python bench/signing_service.py [--docs 100] [--runs 3] [--key-type rsa2048]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSPHRASE = "edoc-demo"


def make_pdf(n: int) -> bytes:
    from fpdf import FPDF

    from signing.fonts import find_font

    pdf = FPDF(format="A4")
    pdf.add_font("Serif", "", str(find_font("serif")))
    pdf.set_font("Serif", size=13)
    for page in range(2):
        pdf.add_page()
        pdf.cell(0, 10, f"QUYẾT ĐỊNH số {n} về việc phê duyệt kế hoạch — trang {page + 1}",
                 new_x="LMARGIN", new_y="NEXT")
        for j in range(20):
            pdf.cell(0, 8, f"Điều {j + 1}. Nội dung tiếng Việt có dấu: ệ ỹ ự ợ ử ữ.",
                     new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def setup(workdir: Path, key_type: str):
    from edoc import create_app
    from edoc.extensions import db
    from edoc.signatures import init_app
    from edoc.signatures import models as _models  # noqa: F401 - tables for create_all

    app = create_app({
        "ENV": "testing",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "DATABASE_URL": f"sqlite:///{workdir / 'edoc.sqlite3'}",
        "STORAGE_BACKEND": "filesystem",
        "STORAGE_PATH": str(workdir / "objects"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SIGNING_TEST_PKI_DIR": str(workdir / "pki"),
    })
    init_app(app)
    with app.app_context():
        from edoc.auth.roles import Role
        from edoc.auth.services import create_agency, create_user
        from edoc.signatures.testpki import provision_test_pki

        db.create_all()
        agency = create_agency(organ_id="000.00.99.H99", name="UBND xã Thử Nghiệm",
                               notation="UBND", place_name="Vĩnh Phúc")
        leader = create_user(agency, username="lanhdao", full_name="Lê Văn Hùng",
                             password="bench-password", roles=[Role.LEADER],
                             position_title="Phó Chủ tịch")
        provision_test_pki(workdir / "pki", agencies=[agency], key_type=key_type)
        db.session.commit()
        return app, agency.id, leader.id


def make_documents(app, agency_id: int, leader_id: int, count: int, offset: int) -> list[int]:
    from edoc.documents.files import attach_file
    from edoc.documents.models import Document
    from edoc.extensions import db

    with app.app_context():
        ids = []
        for i in range(count):
            doc = Document(agency_id=agency_id, direction="outgoing", state="approved",
                           type_key="quyet_dinh", subject=f"Kế hoạch {offset + i}",
                           signer_id=leader_id, signer_position="Phó Chủ tịch",
                           signing_capacity="KT.", capacity_holder="Chủ tịch",
                           rendition_status="ready", drafter_id=leader_id)
            db.session.add(doc)
            db.session.flush()
            attach_file(doc, make_pdf(offset + i), kind="rendition", name="quyet-dinh.pdf",
                        content_type="application/pdf")
            ids.append(doc.id)
        db.session.commit()
        return ids


def sign_all(app, leader_id: int, ids: list[int]) -> tuple[float, int]:
    from edoc.auth.models import User
    from edoc.extensions import db
    from edoc.signatures.batch import sign_batch

    with app.app_context():  # one context = one request: the key cache starts empty
        start = time.perf_counter()
        leader = db.session.get(User, leader_id)
        results = sign_batch(ids, leader, PASSPHRASE)
        db.session.commit()
        elapsed = time.perf_counter() - start
    failed = [r for r in results if not r["ok"]]
    if failed:
        raise SystemExit(f"{len(failed)} documents failed, e.g. {failed[0]}")
    return elapsed, len(results)


def verify_all(app, ids: list[int]) -> tuple[float, set[str]]:
    from edoc.documents.models import Document
    from edoc.extensions import db
    from edoc.signatures.verification import verify_document

    with app.app_context():
        start = time.perf_counter()
        verdicts = {verify_document(db.session.get(Document, i))["verdict"] for i in ids}
        return time.perf_counter() - start, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--key-type", choices=["rsa2048", "ec-p256"], default="rsa2048")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="edoc-bench-sign-") as tmp:
        app, agency_id, leader_id = setup(Path(tmp), args.key_type)
        sign_times, verify_times = [], []
        for run in range(args.runs):
            ids = make_documents(app, agency_id, leader_id, args.docs, run * args.docs)
            elapsed, n = sign_all(app, leader_id, ids)
            sign_times.append(elapsed)
            v_elapsed, verdicts = verify_all(app, ids)
            if verdicts != {"valid"}:
                raise SystemExit(f"unexpected verdicts {verdicts}")
            verify_times.append(v_elapsed)
            print(f"run {run + 1}: signed {n} in {elapsed:.2f} s, verified in {v_elapsed:.2f} s",
                  file=sys.stderr)

    med_sign, med_verify = statistics.median(sign_times), statistics.median(verify_times)
    n = args.docs
    print(f"\n### Batch signing through the service ({args.key_type}, {n} documents, "
          f"{args.runs} runs, median)\n")
    print("| step | total | per document | target |")
    print("|---|---|---|---|")
    verdict = "ok" if med_sign <= 8 * n / 100 else "MISSED"
    print(f"| sign_batch + commit (storage, DB, events, audit) | {med_sign:.2f} s "
          f"(min {min(sign_times):.2f}, max {max(sign_times):.2f}) | "
          f"{1000 * med_sign / n:.0f} ms | <= {8 * n / 100:g} s: {verdict} |")
    print(f"| verify_document of each signed document | {med_verify:.2f} s | "
          f"{1000 * med_verify / n:.0f} ms | - |")


if __name__ == "__main__":
    main()
