"""Benchmark E3: the outgoing list page over 100,000 outgoing documents.

    .venv/bin/python bench/outgoing_list.py [--rows 100000] [--requests 22] [--skip-postgres]

100,000 outgoing documents in every state (one in ten drafted by the officer, the drafts under
review with review steps, one in fifty confidential) are bulk-inserted into a SQLite file and into
a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres, dropped at the end). Then the
list page (/outgoing, 25 rows with the total count, filters and work boxes) is requested as the
clerk, the signer and an officer (the free-text ``q`` filter reads the search index, built after
the bulk insert as ``flask search reindex`` does); the table shows the median of the requests
after two warm-ups.
PostgreSQL is measured with the server's defaults and again with ``jit=off`` for the app's
connections. Target: ≤ 150 ms median.

``--archived 0.3`` files that share of the oldest issued documents into archived records (20
documents a record): they leave every list but the archivist's (records.access).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONFIG = {"ENV": "testing", "SECRET_KEY": "bench-secret-key-0123456789-0123456789",
          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False}
PASSWORD = "edoc-demo-1"
STATES = ["draft", "in_review", "approved", "signed", "issued", "sealed", "dispatched",
          "dispatched", "dispatched", "revoked"]
PAGES = [
    ("vanthu", "/outgoing"),
    ("vanthu", "/outgoing?box=to_issue"),
    ("vanthu", "/outgoing?state=dispatched&type=quyet_dinh"),
    ("lanhdao", "/outgoing?box=to_sign"),
    ("chuyenvien", "/outgoing"),
    ("chuyenvien", "/outgoing?box=to_review"),
    ("chuyenvien", "/outgoing?q=chuy%E1%BB%83n+%C4%91%E1%BB%95i+s%E1%BB%91+123"),
    # every document's subject holds these words: the broadest text filter
    ("chuyenvien", "/outgoing?q=chuyen+doi+so"),
    ("vanthu", "/outgoing?q=15%2FQ%C4%90-UBND"),
]


def fresh_pg(name: str) -> str:
    eng = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg(name: str) -> None:
    eng = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


def make_app(url: str, store: Path):
    from edoc import create_app
    from edoc.extensions import db

    app = create_app({**CONFIG, "DATABASE_URL": url, "STORAGE_BACKEND": "filesystem",
                      "STORAGE_PATH": str(store)})
    with app.app_context():
        db.create_all()
    return app


def office(app) -> dict[str, int]:
    from edoc.auth.roles import Role
    from edoc.auth.services import create_agency, create_unit, create_user
    from edoc.documents.numbering import ensure_default_books
    from edoc.extensions import db

    with app.app_context():
        ag = create_agency(organ_id="000.00.31.H44", name="UBND huyện Tam Đảo", notation="UBND",
                           place_name="Vĩnh Phúc")
        unit = create_unit(ag, name="Văn phòng", notation="VP")
        people = {
            "vanthu": create_user(ag, username="vanthu", full_name="Văn thư", password=PASSWORD,
                                  roles=[Role.CLERK], unit=unit),
            "lanhdao": create_user(ag, username="lanhdao", full_name="Trần Thị Bình",
                                   password=PASSWORD, roles=[Role.LEADER],
                                   position_title="Phó Chủ tịch"),
            "chuyenvien": create_user(ag, username="chuyenvien", full_name="Nguyễn Văn An",
                                      password=PASSWORD, roles=[Role.OFFICER], unit=unit),
            "truongphong": create_user(ag, username="truongphong", full_name="Lê Thị Hoa",
                                       password=PASSWORD, roles=[Role.OFFICER], unit=unit),
        }
        ensure_default_books(ag.id)
        db.session.commit()
        return {"agency": ag.id, "unit": unit.id, **{k: u.id for k, u in people.items()}}


def bulk_documents(app, ids: dict[str, int], n: int) -> None:
    from edoc.documents.models import Document, ReviewStep
    from edoc.extensions import db

    rnd = random.Random(11)
    now = datetime.now(UTC)
    types = ["cong_van", "quyet_dinh", "ke_hoach", "bao_cao", "thong_bao", "to_trinh"]
    with app.app_context():
        rows = []
        for i in range(n):
            state = rnd.choice(STATES)
            issued = state in ("issued", "sealed", "dispatched", "revoked")
            t = rnd.choice(types)
            rows.append({
                "agency_id": ids["agency"], "direction": "outgoing", "state": state,
                "version_id": 1, "type_key": t,
                "subject": f"Về việc triển khai chuyển đổi số {i} năm 2025 của huyện",
                "urgency": "khan" if i % 20 == 0 else "thuong",
                "confidentiality": "mat" if i % 50 == 0 else "thuong",
                "number": (i % 9999) + 1 if issued else None,
                "notation": ("UBND-VP" if t == "cong_van" else "QĐ-UBND") if issued else "",
                "document_date": date(2025, 1, 1) + timedelta(days=i % 360) if issued else None,
                "issuing_agency": "", "notes": "", "received_via": "", "direction_note": "",
                "result": "", "drafter_id": ids["chuyenvien"] if i % 10 == 0 else ids["vanthu"],
                "drafting_unit_id": ids["unit"], "signer_id": ids["lanhdao"],
                "signing_capacity": "KT.", "signer_position": "Phó Chủ tịch",
                "capacity_holder": "Chủ tịch", "drafter_notation": "VP",
                "rendition_status": "ready", "planned_recipients": {},
                "created_by_id": ids["chuyenvien"] if i % 10 == 0 else ids["vanthu"],
                "created_at": now - timedelta(minutes=n - i), "updated_at": now})
            if len(rows) == 5000:
                db.session.execute(insert(Document), rows)
                rows = []
        if rows:
            db.session.execute(insert(Document), rows)
        db.session.commit()
        # Drafts under review: two steps, the officer's turn first on half of them.
        review = [i for (i,) in db.session.execute(text(
            "SELECT id FROM documents WHERE state = 'in_review' ORDER BY id"))]
        steps = []
        for k, doc_id in enumerate(review):
            first, second = ((ids["chuyenvien"], ids["truongphong"]) if k % 2 else
                             (ids["truongphong"], ids["chuyenvien"]))
            steps += [{"document_id": doc_id, "round": 1, "position": 1, "reviewer_id": first,
                       "decision": "pending", "comment": ""},
                      {"document_id": doc_id, "round": 1, "position": 2, "reviewer_id": second,
                       "decision": "pending", "comment": ""}]
        for chunk in range(0, len(steps), 5000):
            db.session.execute(insert(ReviewStep), steps[chunk:chunk + 5000])
        db.session.commit()
        # The search index, as `flask search reindex` builds it (the list's q filter reads it;
        # bulk inserts bypass the session hook that keeps it in step).
        from edoc.search.indexer import reindex

        t0 = time.perf_counter()
        reindex(db.session, kinds=("document",), batch_size=2000)
        print(f"  search index built in {time.perf_counter() - t0:.1f} s", flush=True)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()


def archive_share(app, ids: dict[str, int], share: float) -> int:
    """File the oldest ``share`` of the issued documents into archived records."""
    from edoc.extensions import db
    from edoc.records.models import Record, RecordDocument

    with app.app_context():
        issued = [i for (i,) in db.session.execute(text(
            "SELECT id FROM documents WHERE state IN ('issued', 'sealed', 'dispatched', "
            "'revoked') ORDER BY id"))]
        chosen = issued[:int(len(issued) * share)]
        per = 20
        records = [{"agency_id": ids["agency"], "year": 2025, "notation": f"{k:05d}.VP",
                    "code": f"000.00.31.H44.2025.{k:05d}.VP", "title": f"Hồ sơ {k}",
                    "heading": "", "retention_kind": "years", "retention_years": 10,
                    "retention_text": "", "start_date": date(2025, 1, 1), "language": "01",
                    "mode": "01", "confidence_level": "01", "keywords": [], "description": "",
                    "doc_total": per, "page_total": per, "state": "archived",
                    "version_id": 1, "legal_hold": False, "legal_hold_reason": "",
                    "imported": False}
                   for k in range((len(chosen) + per - 1) // per)]
        for chunk in range(0, len(records), 5000):
            db.session.execute(insert(Record), records[chunk:chunk + 5000])
        record_ids = [i for (i,) in db.session.execute(text("SELECT id FROM records ORDER BY id"))]
        rows = [{"record_id": record_ids[k // per], "document_id": doc_id, "position": k % per}
                for k, doc_id in enumerate(chosen)]
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(RecordDocument), rows[chunk:chunk + 5000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return len(chosen)


def prepare(url: str, label: str, n: int, store: Path, archived: float = 0.0) -> None:
    from edoc.extensions import db

    app = make_app(url, store)
    ids = office(app)
    t0 = time.perf_counter()
    bulk_documents(app, ids, n)
    if archived:
        filed = archive_share(app, ids, archived)
        print(f"{label}: {filed} documents filed in archived records", flush=True)
    print(f"{label}: {n} rows loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    with app.app_context():
        db.engine.dispose()


def measure(url: str, label: str, requests: int, store: Path) -> list[tuple[str, str, float, int]]:
    from edoc import create_app
    from edoc.extensions import db

    app = create_app({**CONFIG, "DATABASE_URL": url, "STORAGE_BACKEND": "filesystem",
                      "STORAGE_PATH": str(store)})
    out = []
    for who, path in PAGES:
        client = app.test_client()
        r = client.post("/login", data={"username": who, "password": PASSWORD})
        assert r.status_code == 302, r.status_code
        times = []
        for _ in range(requests + 2):
            t = time.perf_counter()
            resp = client.get(path)
            times.append(time.perf_counter() - t)
            assert resp.status_code == 200, resp.status_code
        shown = resp.get_data(as_text=True).count('data-testid="doc-link"')
        out.append((label, f"{who} {path}", statistics.median(times[2:]) * 1000, shown))
    with app.app_context():
        db.engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=22)
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--archived", type=float, default=0.0,
                    help="share of the issued documents filed in archived records")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "objects"
        if not args.skip_sqlite:
            url = f"sqlite:///{tmp}/bench.sqlite3"
            prepare(url, "SQLite", args.rows, store, args.archived)
            results += measure(url, "SQLite", args.requests, store)
        if not args.skip_postgres:
            url = fresh_pg("edoc_bench_outgoing")
            try:
                prepare(url, "PostgreSQL", args.rows, store, args.archived)
                results += measure(url, "PostgreSQL", args.requests, store)
                # The same database with the JIT compiler off for these connections (an OLTP
                # setting: JIT pays off for long analytical queries, not for list pages).
                results += measure(url + "?options=-c%20jit%3Doff", "PostgreSQL, jit=off",
                                   args.requests, store)
            finally:
                drop_pg("edoc_bench_outgoing")
    print("\n| backend | rows | user and page | rows shown | median ms |\n|---|---|---|---|---|")
    for label, page, ms, shown in results:
        flag = "" if ms <= 150 else " (over 150)"
        print(f"| {label} | {args.rows} | `{page}` | {shown} | **{ms:.1f}**{flag} |")


if __name__ == "__main__":
    main()
