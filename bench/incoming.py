"""Benchmark E2: capture + registration throughput, and the inbox page over 100,000 documents.

    .venv/bin/python bench/incoming.py [--docs 10000] [--inbox-rows 100000] [--skip-sqlite]
                                       [--workers 2] [--skip-capture] [--skip-inbox]
                                       [--pdf-dir DIR]

1. Capture and registration of N one-page PDFs through the service layer (capture_incoming →
   register, one transaction each, committed) on PostgreSQL, with the filesystem object store
   (fsync) in a temp folder. The PDFs are generated beforehand (fpdf2, Vietnamese text, a distinct
   number each, made in parallel, kept in --pdf-dir for later runs) and are not part of the
   timing. Target ≥ 50 documents/s.
2. The clerk's and an officer's inbox page (/incoming, 25 rows, with the total count) over
   100,000 incoming documents bulk-inserted into PostgreSQL and SQLite; median of 30 requests.
   Target ≤ 150 ms median.
Uses a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres), dropped at the end.
"""
from __future__ import annotations

import argparse
import contextlib
import os
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
# Per run: two runs at once (several engineers share the server) must not drop each other's.
CAPTURE_DB = f"edoc_bench_capture_{os.getpid()}"
INBOX_DB = f"edoc_bench_inbox_{os.getpid()}"
CONFIG = {"ENV": "testing", "SECRET_KEY": "bench-secret-key-0123456789-0123456789",
          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False}


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


def office(app):
    from edoc.auth.roles import Role
    from edoc.auth.services import create_agency, create_unit, create_user
    from edoc.documents.numbering import ensure_default_books
    from edoc.extensions import db

    with app.app_context():
        ag = create_agency(organ_id="000.00.31.H44", name="UBND phường Vĩnh Phúc", notation="UBND")
        unit = create_unit(ag, name="Phòng Kinh tế", notation="KT")
        clerk = create_user(ag, username="vanthu", full_name="Văn thư", password="edoc-demo-1",
                            roles=[Role.CLERK])
        officer = create_user(ag, username="chuyenvien", full_name="Chuyên viên", unit=unit,
                              password="edoc-demo-1", roles=[Role.OFFICER])
        ensure_default_books(ag.id)
        db.session.commit()
        return ag.id, clerk.id, officer.id, unit.id


# Vietnamese letters, digits and punctuation: what the sample documents use.
_CHARS = ("".join(chr(c) for c in range(0x20, 0x7F))
          + "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư–—“”‘’…"
          + "".join(chr(c) for c in range(0x1EA0, 0x1EFA)))


def _small_fonts(folder: Path) -> None:
    """Point the sample generator at copies of its fonts cut down to Vietnamese text: fpdf2
    parses and subsets the whole font for every file, which is most of the ~0.1 s a file."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from tests.capture import samples

    paths = {}
    for style, name in (("", "NotoSans-Regular.ttf"), ("B", "NotoSans-Bold.ttf"),
                        ("I", "NotoSans-Italic.ttf")):
        font = TTFont(samples.NOTO + name)
        opts = subset.Options()
        opts.layout_features, opts.name_IDs = ["*"], ["*"]
        sub = subset.Subsetter(opts)
        sub.populate(text=_CHARS)
        sub.subset(font)
        paths[style] = str(folder / f"font-{os.getpid()}-{name}")
        font.save(paths[style])

    def fonts(pdf) -> None:
        for style, path in paths.items():
            pdf.add_font("Noto", style, path)

    samples._fonts = fonts


def _make_pdf(i: int) -> bytes:
    from dataclasses import replace

    from tests.capture.samples import QUYET_DINH, decree30_pdf

    return decree30_pdf(replace(QUYET_DINH, number_line=f"Số: {i + 1}/QĐ-SNV"))


def _write_pdfs(folder: str, indexes: range) -> None:
    with tempfile.TemporaryDirectory() as fonts:
        _small_fonts(Path(fonts))
        for i in indexes:
            path = Path(folder) / f"{i}.pdf"
            if not path.exists():
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(_make_pdf(i))
                tmp.replace(path)


def prepare_pdfs(folder: Path, n: int, workers: int = 2) -> None:
    """Documents 0..n-1 as files in ``folder`` (kept ones are reused), made in ``workers``
    processes: fpdf2 with an embedded Vietnamese font takes ~0.1 s a file, which for 10,000 files
    would take longer than the benchmark itself."""
    import multiprocessing as mp

    folder.mkdir(parents=True, exist_ok=True)
    missing = [i for i in range(n) if not (folder / f"{i}.pdf").exists()]
    if not missing:
        return
    print(f"generating {len(missing)} one-page PDFs in {folder} ...", flush=True)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_write_pdfs, args=(str(folder), range(w, n, workers)))
             for w in range(max(1, workers))]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0, "PDF generation failed"


def pdfs(folder: Path, start: int, count: int) -> list[bytes]:
    return [(folder / f"{i}.pdf").read_bytes() for i in range(start, start + count)]


def _capture_worker(url: str, store: str, pdf_dir: str, agency_id: int, clerk_id: int,
                    start: int, count: int, barrier, out) -> None:
    """One worker process (as one gunicorn worker): capture + register its share, each document in
    its own committed transaction."""
    from edoc import create_app
    from edoc.auth.models import User
    from edoc.documents.incoming import services
    from edoc.documents.incoming.capture import capture_incoming
    from edoc.extensions import db

    app = create_app({**CONFIG, "DATABASE_URL": url, "STORAGE_BACKEND": "filesystem",
                      "STORAGE_PATH": store})
    files = pdfs(Path(pdf_dir), start, count)
    with app.app_context():
        clerk = db.session.get(User, clerk_id)
        db.session.commit()
        from edoc.runtime import settle_after_startup

        settle_after_startup()  # as wsgi.py does in a web worker
        barrier.wait(timeout=600)  # do not wait forever for a parent that died
        t0 = time.perf_counter()
        for i, data in enumerate(files):
            doc = capture_incoming(agency_id, data, f"qd-{start + i}.pdf", {}, actor=clerk).document
            services.register(doc, clerk)
            db.session.commit()
        out.put(time.perf_counter() - t0)
        db.engine.dispose()


def bench_capture_parallel(n: int, workers: int, pdf_dir: Path) -> dict:
    import multiprocessing as mp

    from sqlalchemy import select

    from edoc.audit.verify import verify_chains
    from edoc.documents.models import Document
    from edoc.extensions import db

    url = fresh_pg(CAPTURE_DB)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(url, Path(tmp) / "objects")
            agency_id, clerk_id, _, _ = office(app)
            with app.app_context():
                db.engine.dispose()
            ctx = mp.get_context("spawn")
            barrier, out = ctx.Barrier(workers + 1), ctx.Queue()
            share = n // workers
            procs = [ctx.Process(target=_capture_worker, args=(
                url, str(Path(tmp) / "objects"), str(pdf_dir), agency_id, clerk_id, w * share,
                share, barrier, out)) for w in range(workers)]
            for p in procs:
                p.start()
            barrier.wait()
            t0 = time.perf_counter()
            for p in procs:
                p.join()
            elapsed = time.perf_counter() - t0
            with app.app_context():
                numbers = sorted(db.session.scalars(select(Document.registration_number)))
                stamped = db.session.scalar(text(
                    "SELECT count(*) FROM document_files WHERE kind = 'stamped'"))
                assert numbers == list(range(1, share * workers + 1)), "numbers not gapless"
                assert stamped == share * workers
                audit = verify_chains(db.session)
                assert audit.ok, audit.problems[:5]
                db.engine.dispose()
        total = share * workers
        return {"docs": total, "seconds": elapsed, "per_second": total / elapsed,
                "workers": workers,
                "numbers": f"1..{total} gapless, audit chain of {audit.entries_checked} verified"}
    finally:
        drop_pg(CAPTURE_DB)


class _Counters:
    """fsync calls (any thread) and SQL statements sent, to report them per document."""

    def __init__(self, engine) -> None:
        import os
        import threading

        from sqlalchemy import event

        self.fsyncs = self.statements = 0
        self._os, self._real = os, os.fsync
        lock = threading.Lock()  # the store syncs from its own threads too

        def fsync(fd: int) -> None:
            with lock:
                self.fsyncs += 1
            self._real(fd)

        def statement(*_args) -> None:
            self.statements += 1

        os.fsync = fsync
        event.listen(engine, "before_cursor_execute", statement)
        self._off = lambda: event.remove(engine, "before_cursor_execute", statement)

    def close(self) -> None:
        self._os.fsync = self._real
        self._off()


def bench_capture(n: int, pdf_dir: Path) -> dict:
    from edoc.auth.models import User
    from edoc.documents.incoming import services
    from edoc.documents.incoming.capture import capture_incoming
    from edoc.extensions import db

    url = fresh_pg(CAPTURE_DB)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(url, Path(tmp) / "objects")
            agency_id, clerk_id, _, _ = office(app)
            files = pdfs(pdf_dir, 0, n)
            with app.app_context():
                clerk = db.session.get(User, clerk_id)
                from edoc.runtime import settle_after_startup

                settle_after_startup()  # as wsgi.py does in a web worker
                counters = _Counters(db.engine)
                t0, cpu0 = time.perf_counter(), time.process_time()
                for i, data in enumerate(files):
                    doc = capture_incoming(agency_id, data, f"qd-{i}.pdf", {}, actor=clerk).document
                    services.register(doc, clerk)
                    db.session.commit()
                elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
                counters.close()
                last = doc.registration_number
                db.engine.dispose()
        return {"docs": n, "seconds": elapsed, "per_second": n / elapsed, "last_number": last,
                "fsyncs": counters.fsyncs / n, "statements": counters.statements / n,
                "cpu_ms": cpu / n * 1000}
    finally:
        drop_pg(CAPTURE_DB)


def bulk_documents(app, agency_id: int, officer_unit: int, n: int) -> None:
    from edoc.documents.models import Assignment, AssignmentParty, Document
    from edoc.extensions import db

    rnd = random.Random(7)
    states = ["received", "registered", "submitted", "assigned", "in_progress", "done"]
    now = datetime.now(UTC)
    with app.app_context():
        rows = []
        for i in range(n):
            st = rnd.choice(states)
            rows.append({
                "agency_id": agency_id, "direction": "incoming", "state": st, "version_id": 1,
                "type_key": rnd.choice(["cong_van", "quyet_dinh", "ke_hoach", "bao_cao"]),
                "subject": f"Về việc triển khai nhiệm vụ số {i} năm 2025 của phường",
                "urgency": "thuong", "confidentiality": "mat" if i % 50 == 0 else "thuong",
                "number": i % 999 + 1, "notation": "QĐ-UBND", "issuing_agency": "UBND tỉnh Phú Thọ",
                "document_date": date(2025, 1, 1) + timedelta(days=i % 300), "notes": "",
                "received_via": "axis", "received_at": now - timedelta(minutes=i),
                "registration_year": 2025 if st != "received" else None,
                "registration_number": i + 1 if st != "received" else None,
                "deadline": date(2025, 6, 1) + timedelta(days=i % 200),
                "direction_note": "", "result": "", "signing_capacity": "", "signer_position": "",
                "planned_recipients": {}, "created_at": now - timedelta(minutes=i),
                "updated_at": now})
            if len(rows) == 5000:
                db.session.execute(insert(Document), rows)
                rows = []
        if rows:
            db.session.execute(insert(Document), rows)
        db.session.commit()
        # One in ten documents is assigned to the officer's unit.
        ids = [i for (i,) in db.session.execute(text(
            "SELECT id FROM documents WHERE state IN ('assigned','in_progress') "
            "ORDER BY id LIMIT :n"), {"n": n // 10})]
        for chunk in range(0, len(ids), 5000):
            part = ids[chunk:chunk + 5000]
            db.session.execute(insert(Assignment), [
                {"document_id": d, "agency_id": agency_id, "assigned_by_id": 1,
                 "assigned_at": now, "direction": "", "active": True} for d in part])
        db.session.commit()
        a_ids = [i for (i,) in db.session.execute(text("SELECT id FROM assignments"))]
        for chunk in range(0, len(a_ids), 5000):
            db.session.execute(insert(AssignmentParty), [
                {"assignment_id": a, "role": "lead", "unit_id": officer_unit}
                for a in a_ids[chunk:chunk + 5000]])
        db.session.commit()
        # Statistics, as production has them: PostgreSQL's autovacuum gathers them by itself
        # (ANALYZE here not to wait for it); on SQLite the jobs worker does
        # (SQLITE_ANALYZE_MINUTES).
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        else:
            from edoc.database import refresh_statistics

            db.session.commit()
            refresh_statistics(db.engine)


def bench_inbox(url: str, label: str, n: int) -> dict:
    from edoc.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(url, Path(tmp) / "objects")
        agency_id, _clerk_id, _officer_id, unit_id = office(app)
        t0 = time.perf_counter()
        bulk_documents(app, agency_id, unit_id, n)
        load = time.perf_counter() - t0
        out = {"backend": label, "rows": n, "load_seconds": round(load, 1)}
        for who, path in (("vanthu", "/incoming"), ("vanthu", "/incoming?box=to_register"),
                          ("chuyenvien", "/incoming"), ("chuyenvien", "/incoming?box=mine")):
            client = app.test_client()
            r = client.post("/login", data={"username": who, "password": "edoc-demo-1"})
            assert r.status_code == 302, r.status_code
            times = []
            for _ in range(32):
                t = time.perf_counter()
                resp = client.get(path)
                times.append(time.perf_counter() - t)
                assert resp.status_code == 200
            times = times[2:]  # warm-up
            out[f"{who} {path}"] = round(statistics.median(times) * 1000, 1)
        with app.app_context():
            db.engine.dispose()
        return out


def capture_runs(args, pdf_dir: Path) -> None:
    r = bench_capture(min(args.docs, 1000), pdf_dir)
    print(f"\n| capture + register, PostgreSQL, 1 process | {r['docs']} docs | "
          f"{r['seconds']:.1f} s | **{r['per_second']:.1f} docs/s** | per document: "
          f"{r['fsyncs']:.1f} fsync, {r['statements']:.1f} SQL statements, "
          f"{r['cpu_ms']:.0f} ms CPU (this process) |", flush=True)
    if args.workers:
        r = bench_capture_parallel(args.docs, args.workers, pdf_dir)
        print(f"| capture + register, PostgreSQL, {r['workers']} processes | {r['docs']} docs "
              f"| {r['seconds']:.1f} s | **{r['per_second']:.1f} docs/s** | {r['numbers']} | "
              f"load average {os.getloadavg()[0]:.1f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--inbox-rows", type=int, default=100000)
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--skip-capture", action="store_true")
    ap.add_argument("--skip-inbox", action="store_true")
    ap.add_argument("--workers", type=int, default=2,
                    help="worker processes for capture (like gunicorn -w); 0: in-process only")
    ap.add_argument("--pdf-dir", type=Path,
                    help="keep the generated PDFs here and reuse them in later runs")
    args = ap.parse_args()
    if not args.skip_capture:
        with contextlib.ExitStack() as stack:
            pdf_dir = args.pdf_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
            prepare_pdfs(pdf_dir, args.docs)
            capture_runs(args, pdf_dir)
    if args.skip_inbox:
        return
    results = []
    url = fresh_pg(INBOX_DB)
    try:
        results.append(bench_inbox(url, "PostgreSQL", args.inbox_rows))
    finally:
        drop_pg(INBOX_DB)
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(bench_inbox(f"sqlite:///{tmp}/bench.sqlite3", "SQLite",
                                       args.inbox_rows))
    print("\n| backend | rows | page | median ms |\n|---|---|---|---|")
    for r in results:
        for k, v in r.items():
            if k.startswith(("vanthu", "chuyenvien")):
                print(f"| {r['backend']} | {r['rows']} | {k} | {v} |")


if __name__ == "__main__":
    main()
