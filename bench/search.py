"""Search benchmark: p50/p95 of ``edoc.search.search`` over 100,000 documents on SQLite and
1,000,000 on PostgreSQL (targets: p95 <= 30 ms and <= 50 ms).

Data set (synthetic, realistic, reproducible: ``random.Random(2025)``)
  * Subjects are built from word lists of Vietnamese administrative language: an optional
    "Về việc", an action (phê duyệt, triển khai, tăng cường ...), a topic (kế hoạch chuyển đổi
    số, công tác phòng, chống thiên tai ...), sometimes a place (xã Hòa Bình, huyện Cam Lộ ...)
    and a year. Items are drawn with Zipf-like weights, so common words (ubnd, năm, công tác)
    hit a large share of the rows and rare ones a few hundred.
  * Notations follow Decree 30: type abbreviation + issuer (``QĐ-UBND``, ``TTr-STC``), or issuer
    + unit for công văn (``STC-QLNS``); numbers run per year and notation, so ``15/QĐ-UBND``
    exists once a year. Issuing agencies come from a list of provincial departments.
  * Bodies (document_texts) are 3-9 sentences (~700 characters) from a bank of boilerplate
    sentences (căn cứ ..., xét đề nghị ..., citing other notations).
  * 90% of the documents belong to the searching user's agency (the worst case for one user),
    the rest to 9 others; 3% are confidential; 2% are assigned to the officer's unit. Dates go
    from 2018 to 2025 in id order (the index's recency order).
  * Rows go in with executemany (SQLAlchemy insertmanyvalues; ``COPY`` is not needed at this
    size), and the index is written through the production code path
    (``edoc.search.backends.Backend.write``) from the same folded words
    (:func:`edoc.search.entries.document_entry` on a sample is checked to agree).

Query mix (each query is a full ``search()`` call: candidates, ranking, first page of 20 with
highlighted snippets), as a clerk (sees everything but others' drafts) and as an officer (sees
ordinary documents plus what they are involved in): notation lookups in four forms, symbol-only
lookups (``qd-ubnd``: a large share of the rows), 1-3 word subject terms with and without
accents (broad ones like ``ubnd`` or ``ke hoach`` included), agency names, and filtered queries
(type, date range, state, scope).

PostgreSQL: a throwaway database ``edoc_bench_search`` on 127.0.0.1:5432 (user postgres, trust
auth), created and dropped by the run. Run: ``.venv/bin/python bench/search.py`` (options:
``--sqlite-docs``, ``--pg-docs``, ``--only sqlite|postgres``, ``--keep``).
"""
from __future__ import annotations

import argparse
import functools
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DB = "edoc_bench_search"

# --- word lists ----------------------------------------------------------------------------------

ACTIONS = [
    "phê duyệt", "ban hành", "triển khai", "tăng cường", "thành lập", "kiện toàn", "điều chỉnh",
    "bổ sung", "hướng dẫn", "tổ chức", "báo cáo kết quả", "đề nghị hỗ trợ", "khen thưởng",
    "xử phạt vi phạm hành chính về", "giao chỉ tiêu", "kiểm tra", "rà soát", "đôn đốc thực hiện",
    "tổng kết", "phân bổ kinh phí", "góp ý dự thảo", "mời họp về", "sửa đổi, bổ sung",
    "công nhận", "bãi bỏ", "chấn chỉnh", "đẩy mạnh", "tạm ứng kinh phí", "quyết toán",
]
TOPICS = [
    "kế hoạch chuyển đổi số", "công tác phòng, chống thiên tai", "dự toán ngân sách nhà nước",
    "chương trình mục tiêu quốc gia xây dựng nông thôn mới", "công tác cải cách hành chính",
    "công tác phòng cháy, chữa cháy", "chiến dịch tiêm chủng", "bảo đảm an toàn thực phẩm",
    "quy hoạch sử dụng đất", "bồi thường, giải phóng mặt bằng", "bảo hiểm y tế học sinh",
    "công tác dân số", "phòng, chống dịch bệnh", "hòa giải ở cơ sở", "quản lý trật tự xây dựng",
    "thu ngân sách", "kế hoạch đầu tư công trung hạn", "phổ cập giáo dục",
    "cấp giấy chứng nhận quyền sử dụng đất", "chính sách hỗ trợ hộ nghèo",
    "bầu cử đại biểu Hội đồng nhân dân", "công tác thi đua, khen thưởng",
    "tuyển dụng công chức", "đào tạo, bồi dưỡng cán bộ", "xây dựng chính quyền điện tử",
    "dịch vụ công trực tuyến", "bảo vệ môi trường", "thủy lợi nội đồng",
    "phòng, chống tác hại của thuốc lá", "bảo đảm trật tự an toàn giao thông",
    "giáo dục quốc phòng và an ninh", "tuyển chọn và gọi công dân nhập ngũ",
    "chăm sóc người có công với cách mạng", "trợ cấp bảo trợ xã hội",
    "phát triển du lịch cộng đồng",
    "trồng rừng thay thế", "chăn nuôi an toàn sinh học", "cấp nước sạch nông thôn",
    "vệ sinh môi trường", "xóa nhà tạm, nhà dột nát", "khắc phục hậu quả sau bão số 3",
    "phòng, chống đuối nước trẻ em", "quản lý, sử dụng tài sản công", "sắp xếp đơn vị hành chính",
    "tiếp công dân", "giải quyết khiếu nại, tố cáo", "phòng, chống tham nhũng",
    "kiểm soát thủ tục hành chính", "số hóa hồ sơ, tài liệu lưu trữ", "hộ tịch, chứng thực",
]
PLACE_KINDS = ["xã", "phường", "thị trấn", "huyện", "thành phố"]
PLACES = [
    "Hòa Bình", "Hòa Hiệp", "Đông Hà", "Đông Lương", "Cam Lộ", "Triệu Phong", "Hải Lăng",
    "Gio Linh", "Vĩnh Linh", "Hướng Hóa", "Đakrông", "Quảng Trị", "Tân Phú", "An Khánh",
    "Phước Long", "Đức Phổ", "Thủy Nguyên", "Thuận An", "Cửa Việt", "Khe Sanh", "Lao Bảo",
    "Ái Tử", "Diên Sanh", "Hồ Xá", "Cồn Tiên", "Triệu Ái", "Hải Thượng", "Đông Thanh",
]
AGENCIES = [  # (printed name, notation code)
    ("UBND tỉnh Quảng Trị", "UBND"), ("Sở Tài chính", "STC"), ("Sở Nội vụ", "SNV"),
    ("Sở Kế hoạch và Đầu tư", "SKHĐT"), ("Sở Y tế", "SYT"), ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Tài nguyên và Môi trường", "STNMT"), ("Sở Nông nghiệp và Phát triển nông thôn", "SNN"),
    ("Công an tỉnh Quảng Trị", "CAT"), ("Bộ Chỉ huy quân sự tỉnh", "BCH"),
    ("Văn phòng UBND tỉnh", "VP"), ("Bảo hiểm xã hội tỉnh", "BHXH"),
    ("Kho bạc Nhà nước Quảng Trị", "KBNN"), ("Cục Thuế tỉnh", "CT"), ("Sở Xây dựng", "SXD"),
    ("Sở Giao thông vận tải", "SGTVT"), ("Sở Lao động - Thương binh và Xã hội", "SLĐTBXH"),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"), ("Sở Công Thương", "SCT"),
    ("Thanh tra tỉnh", "TTr"), ("Sở Tư pháp", "STP"), ("Sở Thông tin và Truyền thông", "STTTT"),
    ("Hội đồng nhân dân tỉnh", "HĐND"), ("UBND huyện Cam Lộ", "UBND"),
]
UNITS = ["VP", "TCKT", "QLNS", "TCBC", "NVY", "KTN", "KGVX", "NC", "TH", "QLĐT"]
TYPES = [  # (type key, abbreviation or None for công văn, weight)
    ("cong_van", None, 40), ("quyet_dinh", "QĐ", 18), ("to_trinh", "TTr", 6),
    ("bao_cao", "BC", 10), ("thong_bao", "TB", 8), ("ke_hoach", "KH", 8), ("giay_moi", "GM", 6),
    ("chi_thi", "CT", 1), ("nghi_quyet", "NQ", 1), ("huong_dan", "HD", 2),
]
SENTENCES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Căn cứ {cite} ngày {day} của {agency} về việc {topic};",
    "Theo đề nghị của Trưởng phòng {unit} tại Tờ trình số {n}/TTr-{unit} ngày {day};",
    "Xét đề nghị của Chủ tịch UBND {kind} {place},",
    "{agency} đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện {topic}.",
    "Kinh phí thực hiện từ nguồn ngân sách năm {year} đã được giao cho {agency}.",
    "Giao {agency} chủ trì, phối hợp với UBND {kind} {place} tổ chức thực hiện.",
    "Thời gian hoàn thành trước ngày {day}; báo cáo kết quả về Văn phòng trước ngày 25 hằng tháng.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời để xem xét.",
    "Quyết định này có hiệu lực kể từ ngày ký.",
    "Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành.",
    "Tình hình {topic} trên địa bàn {kind} {place} trong năm {year} cơ bản ổn định.",
    "Một số chỉ tiêu về {topic} chưa đạt kế hoạch do ảnh hưởng của thời tiết và dịch bệnh.",
    "Thực hiện {cite} của {agency}, UBND {kind} {place} báo cáo như sau:",
    "Tổng kinh phí đề nghị hỗ trợ là {n}.000.000 đồng (bằng chữ: {n} triệu đồng).",
    "Đề nghị {agency} quan tâm, xem xét và hướng dẫn để địa phương triển khai thực hiện.",
]


@functools.lru_cache(maxsize=200_000)
def _keys(notation: str) -> frozenset[str]:
    from edoc.search.text import notation_keys

    return frozenset(notation_keys(notation))


@functools.lru_cache(maxsize=200_000)
def _w(fragment: str) -> str:
    """Folded words of a fragment, cached: the same fragments recur millions of times."""
    from edoc.search.entries import words

    return words(fragment)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _zipf(items: list, s: float = 1.0) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(len(items))]


@dataclass
class Generated:
    doc: dict
    content: str
    title_words: str
    meta_words: str
    body_words: str
    number_notation: str
    keys: frozenset[str]
    cited: frozenset[str]


class Corpus:
    def __init__(self, seed: int = 2025) -> None:
        self.rng = random.Random(seed)
        self.counters: dict[tuple[int, str], int] = {}
        self.w_actions = _zipf(ACTIONS, 0.8)
        self.w_topics = _zipf(TOPICS, 0.7)
        self.w_places = _zipf(PLACES, 0.6)
        self.w_agencies = _zipf(AGENCIES, 0.9)
        self.w_types = [t[2] for t in TYPES]
        self.notations_seen: list[tuple[int, str, int]] = []  # (agency, notation, number)

    def _notation(self, abbr: str | None, issuer: str) -> str:
        if abbr:
            return f"{abbr}-{issuer}"
        return f"{issuer}-{self.rng.choice(UNITS)}"

    def _day(self, d: date) -> str:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"

    def _sentence(self, year: int) -> tuple[str, frozenset[str]]:
        """A sentence and the notation keys it cites."""
        r = self.rng
        tpl = r.choice(SENTENCES)
        agency = r.choices(AGENCIES, self.w_agencies)[0]
        abbr = r.choice([t[1] for t in TYPES if t[1]])
        d = date(year, r.randint(1, 12), r.randint(1, 28))
        cite = f"{r.randint(1, 400)}/{abbr}-{agency[1]}"
        unit, n = r.choice(UNITS), r.randint(1, 300)
        text = tpl.format(
            cite=f"Quyết định số {cite}", day=self._day(d), agency=agency[0],
            topic=r.choices(TOPICS, self.w_topics)[0], unit=unit, n=n,
            kind=r.choice(PLACE_KINDS), place=r.choices(PLACES, self.w_places)[0], year=year)
        keys = frozenset()
        if "{cite}" in tpl:
            keys = _keys(cite)
        elif "/TTr-" in tpl:
            keys = _keys(f"{n}/TTr-{unit}")
        elif "30/2020/NĐ-CP" in tpl:
            keys = _keys("30/2020/NĐ-CP")
        return text, keys

    def document(self, doc_id: int, agency_id: int, when: date, *, clerk_id: int,
                 officer_id: int) -> Generated:
        r = self.rng
        type_key, abbr, _ = r.choices(TYPES, self.w_types)[0]
        incoming = r.random() < 0.55
        issuer_name, issuer_code = (r.choices(AGENCIES, self.w_agencies)[0] if incoming
                                    else ("UBND huyện Cam Lộ", "UBND"))
        notation = self._notation(abbr, issuer_code)
        key = (when.year, f"{agency_id}:{notation}:{incoming}")
        number = self.counters[key] = self.counters.get(key, 0) + 1
        self.notations_seen.append((agency_id, notation, number))
        parts = []
        if r.random() < 0.5:
            parts.append("Về việc")
        parts.append(r.choices(ACTIONS, self.w_actions)[0])
        parts.append(r.choices(TOPICS, self.w_topics)[0])
        if r.random() < 0.45:
            parts.append(f"trên địa bàn {r.choice(PLACE_KINDS)} "
                         f"{r.choices(PLACES, self.w_places)[0]}")
        if r.random() < 0.6:
            parts.append(f"năm {when.year}")
        subject = " ".join(parts)
        subject = subject[0].upper() + subject[1:]
        cited_sentences = [self._sentence(when.year) for _ in range(r.randint(3, 9))]
        sentences = [t for t, _ in cited_sentences]
        cited = frozenset().union(*(k for _, k in cited_sentences))
        content = "\n".join(sentences)
        if incoming:
            state = r.choices(["registered", "assigned", "in_progress", "done", "received"],
                              [5, 10, 10, 70, 5])[0]
        else:
            state = r.choices(["dispatched", "issued", "draft", "in_review"], [80, 8, 7, 5])[0]
        confidentiality = "mat" if r.random() < 0.03 else "thuong"
        urgency = r.choices(["thuong", "khan", "thuong_khan", "hoa_toc"], [85, 10, 4, 1])[0]
        has_number = incoming or state in ("dispatched", "issued")
        created = datetime(when.year, when.month, when.day, 8, tzinfo=UTC)
        doc = {
            "id": doc_id, "agency_id": agency_id, "direction": "incoming" if incoming else
            "outgoing", "state": state, "type_key": type_key, "subject": subject,
            "urgency": urgency, "confidentiality": confidentiality,
            "number": number if has_number else None, "notation": notation if has_number else "",
            "document_date": when if has_number else None,
            "issuing_agency": issuer_name if incoming else "",
            "received_at": created if incoming else None,
            "drafter_id": None if incoming else (officer_id if r.random() < 0.05 else clerk_id),
            "created_at": created, "updated_at": created,
        }
        from edoc.documents.doctypes import find_type
        from edoc.search.entries import number_notation

        nn = number_notation(doc["number"], doc["notation"])
        meta = _join(_w(nn), _w(doc["issuing_agency"]), _w(find_type(type_key).name))
        own = _keys(nn) if doc["notation"] else frozenset()
        return Generated(
            doc=doc, content=content, title_words=_join(*(_w(p) for p in parts)),
            meta_words=meta, body_words=_join(*(_w(s) for s in sentences)), number_notation=nn,
            keys=own, cited=cited - own)


# --- loading ------------------------------------------------------------------------------------

def make_app(url: str):
    from edoc import create_app
    from edoc.extensions import db

    app = create_app({"ENV": "testing", "SECRET_KEY": "bench-secret-key-0123456789abcdef",
                      "DATABASE_URL": url, "STORAGE_BACKEND": "memory",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SERVER_NAME": "bench.test"})
    import edoc.search

    if "edoc.search" not in app.extensions:
        edoc.search.init_app(app)
    with app.app_context():
        db.create_all()
    return app


def generate(corpus: Corpus, count: int, agency_ids: list[int], clerk_id: int,
             officer_id: int):
    """(document id, generated document, assigned to the officer's unit), in id order."""
    start_day, days = date(2018, 1, 1), (date(2025, 12, 31) - date(2018, 1, 1)).days
    for doc_id in range(1, count + 1):
        when = start_day + timedelta(days=(doc_id - 1) * days // count)
        agency_id = agency_ids[0] if corpus.rng.random() < 0.9 else \
            corpus.rng.choice(agency_ids[1:])
        g = corpus.document(doc_id, agency_id, when, clerk_id=clerk_id, officer_id=officer_id)
        assigned = (agency_id == agency_ids[0] and g.doc["direction"] == "incoming"
                    and corpus.rng.random() < 0.02)
        yield doc_id, g, assigned


def reuse(app, count: int) -> dict:
    """The users and the query corpus of a data set loaded earlier (``--reuse``,
    ``--sqlite-file``)."""
    from sqlalchemy import select

    from edoc.auth.models import User
    from edoc.documents.models import Document
    from edoc.extensions import db

    with app.app_context():
        users = {u.username: u.id for u in db.session.scalars(select(User))}
        corpus = Corpus()
        # The numbered notations as loaded (regenerating a million documents to list them
        # took longer than the queries); the query mix draws from these.
        corpus.notations_seen = [tuple(r) for r in db.session.execute(
            select(Document.agency_id, Document.notation, Document.number)
            .where(Document.number.is_not(None)).order_by(Document.id))]
    return {"clerk_id": users["clerk"], "officer_id": users["officer"], "corpus": corpus,
            "load_s": 0.0, "index_s": 0.0}


def load(app, count: int, *, batch: int = 5000, check: bool = True) -> dict:
    from edoc.auth.roles import Role
    from edoc.auth.services import create_agency, create_unit, create_user
    from edoc.documents.models import Assignment, AssignmentParty, Document, DocumentText
    from edoc.extensions import db
    from edoc.search.backends import backend_for
    from edoc.search.entries import DOCUMENT, IndexEntry, document_entry

    db.session.info["edoc.search"] = False  # bulk load: the index is written below, in batches
    agencies = [create_agency(organ_id=f"000.00.{i:02d}.H45", name=f"UBND huyện Bench {i}")
                for i in range(1, 11)]
    db.session.flush()
    unit = create_unit(agencies[0], name="Phòng Tài chính - Kế hoạch", notation="TCKH")
    clerk = create_user(agencies[0], username="clerk", full_name="Văn thư", password="x" * 12,
                        roles=[Role.CLERK])
    officer = create_user(agencies[0], username="officer", full_name="Chuyên viên",
                          password="x" * 12, roles=[Role.OFFICER], unit=unit)
    db.session.commit()
    corpus = Corpus()
    conn = db.session.connection()
    backend = backend_for(conn)
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        # Bulk load as one would restore: the GIN index is built once at the end (row-by-row
        # GIN maintenance would make the load, not the searches, the slow part).
        conn.execute(text("DROP INDEX ix_search_entries_tsv"))
    t0 = time.perf_counter()
    t_index = 0.0
    assignment_id = 0
    stream = generate(corpus, count, [a.id for a in agencies], clerk.id, officer.id)
    for first in range(1, count + 1, batch):
        docs, texts, entries, assigns, parties = [], [], [], [], []
        for doc_id, g, assigned in itertools.islice(stream, batch):
            docs.append(g.doc)
            texts.append({"document_id": doc_id, "content": g.content})
            if assigned:
                assignment_id += 1
                assigns.append({"id": assignment_id, "document_id": doc_id,
                                "agency_id": agencies[0].id, "assigned_by_id": clerk.id})
                parties.append({"assignment_id": assignment_id, "role": "lead",
                                "unit_id": unit.id})
            d = g.doc
            entries.append(IndexEntry(
                kind=DOCUMENT, object_id=doc_id, agency_id=d["agency_id"],
                date=d["document_date"] or d["created_at"].date(), title=d["subject"],
                number_notation=g.number_notation, direction=d["direction"], state=d["state"],
                type_key=d["type_key"], urgency=d["urgency"],
                confidentiality=d["confidentiality"], drafter_id=d["drafter_id"],
                title_words=g.title_words,
                meta_words=g.meta_words, body_words=g.body_words, keys=g.keys, cited=g.cited))
            if check and doc_id <= 200:  # the shortcut must index exactly what production does
                real = document_entry({**d, "notes": "", "direction_note": "", "result": ""},
                                      g.content)
                assert real == entries[-1], (real, entries[-1])
        conn.execute(insert(Document.__table__), docs)
        conn.execute(insert(DocumentText.__table__), texts)
        if assigns:
            conn.execute(insert(Assignment.__table__), assigns)
            conn.execute(insert(AssignmentParty.__table__), parties)
        ti = time.perf_counter()
        backend.write(conn, entries)
        t_index += time.perf_counter() - ti
        db.session.commit()
        conn = db.session.connection()
        done = min(first + batch - 1, count)
        if done % (batch * 20) == 0 or done == count:
            el = time.perf_counter() - t0
            print(f"  loaded {done:,} documents in {el:.0f} s (index writes {t_index:.0f} s)",
                  file=sys.stderr)
    if postgres:
        ti = time.perf_counter()
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        conn.execute(text("CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)"))
        db.session.commit()
        t_index += time.perf_counter() - ti
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"clerk_id": clerk.id, "officer_id": officer.id, "corpus": corpus,
            "load_s": time.perf_counter() - t0, "index_s": t_index}


# --- the query mix ------------------------------------------------------------------------------

def _strip_accents(s: str) -> str:
    from edoc.search.text import fold

    return fold(s)


def query_mix(corpus: Corpus, agency_id: int, n: int, seed: int = 7) -> list[tuple[str, str, dict]]:
    """(category, q, options) triples."""
    r = random.Random(seed)
    ours = [x for x in corpus.notations_seen if x[0] == agency_id]
    terms = ["chuyển đổi số", "phòng cháy", "ngân sách", "tiêm chủng", "giải phóng mặt bằng",
             "nông thôn mới", "hòa giải", "hoà giải", "cải cách hành chính", "thiên tai",
             "bảo hiểm y tế", "nhà dột nát", "đuối nước", "khen thưởng", "tài sản công",
             "quyết định", "kế hoạch", "ubnd", "công tác", "năm 2024", "trồng rừng",
             "thủ tục hành chính", "Khe Sanh", "Đông Hà", "bão số 3", "tuyển dụng công chức",
             "an toàn thực phẩm", "dịch vụ công trực tuyến", "số hóa", "tố cáo"]
    agencies = [a[0] for a in AGENCIES] + ["Sở Tài chính", "Công an tỉnh", "Kho bạc"]
    types = [t[0] for t in TYPES]
    out = []
    for _ in range(n):
        kind = r.choices(["notation", "symbol", "term", "term_plain", "agency", "filtered"],
                         [20, 8, 27, 20, 10, 15])[0]
        opts: dict = {}
        if kind == "notation":
            _, notation, number = r.choice(ours)
            form = r.randrange(4)
            q = [f"{number:02d}/{notation}", f"{notation} {number}",
                 f"{_strip_accents(notation)} {number}", f"{number}/{notation.lower()}"][form]
        elif kind == "symbol":
            q = _strip_accents(r.choice(ours)[1])
        elif kind == "term":
            q = r.choice(terms)
        elif kind == "term_plain":
            q = _strip_accents(r.choice(terms))
        elif kind == "agency":
            q = r.choice(agencies)
            q = q if r.random() < 0.5 else _strip_accents(q)
        else:
            q = r.choice([*terms, ""])
            f = r.randrange(4)
            if f == 0:
                opts["type"] = r.choice(types)
            elif f == 1:
                y = r.randint(2018, 2025)
                opts["date_from"], opts["date_to"] = date(y, 1, 1), date(y, 6, 30)
            elif f == 2:
                opts["scope"] = r.choice(["incoming", "outgoing"])
                opts["state"] = "done" if opts["scope"] == "incoming" else "dispatched"
            else:
                opts["scope"] = "outgoing"
                opts["type"] = "quyet_dinh"
                y = r.randint(2018, 2025)
                opts["date_from"], opts["date_to"] = date(y, 1, 1), date(y, 12, 31)
        out.append((kind, q, opts))
    return out


def _server_pid(session) -> int:
    """The PostgreSQL backend serving this session's transaction (which search() then uses)."""
    return session.execute(text("SELECT pg_backend_pid()")).scalar()


def _cpu_s(pid: int | None) -> float:
    """CPU seconds the (local) server process has run: /proc/PID/schedstat, in nanoseconds."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except OSError:  # the server is not on this machine
        return float("nan")


def run_queries(app, info: dict, n: int, trace: list | None = None) -> dict[str, list[float]]:
    from edoc.auth.models import User
    from edoc.extensions import db
    from edoc.search.query import SearchFilters, search

    times: dict[str, list[float]] = {}
    info["loadavg"] = [os.getloadavg()[0]]
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        if postgres:
            info["settings"] = "PostgreSQL " + ", ".join(
                f"{k}={db.session.execute(text(f'SHOW {k}')).scalar()}"
                for k in ("server_version", "shared_buffers", "work_mem"))
        clerk = db.session.get(User, info["clerk_id"])
        officer = db.session.get(User, info["officer_id"])
        mix = query_mix(info["corpus"], clerk.agency_id, n)
        for warm in (True, False):
            for i, (kind, q, opts) in enumerate(mix):
                user = clerk if i % 3 else officer
                scope = opts.get("scope", "all")
                filters = SearchFilters(type=opts.get("type"), state=opts.get("state"),
                                        date_from=opts.get("date_from"),
                                        date_to=opts.get("date_to"))
                server = _server_pid(db.session) if postgres else None
                c = time.process_time() + _cpu_s(server)
                t = time.perf_counter()
                res = search(user, q, scope=scope, filters=filters, per_page=20)
                elapsed = (time.perf_counter() - t) * 1000
                cpu = (time.process_time() + _cpu_s(server) - c) * 1000
                db.session.rollback()  # one transaction per search, as per request
                for u in (clerk, officer):  # reload them outside the timing (the login does)
                    u.has_role()
                if not warm:
                    for key in (kind, "all"):
                        times.setdefault(key, []).append(elapsed)
                        times.setdefault(f"cpu:{key}", []).append(cpu)
                    times.setdefault("_hits", []).append(res.total)
                    if trace is not None:
                        trace.append((kind, q, opts, "clerk" if i % 3 else "officer", elapsed,
                                      cpu, res.total))
    info["loadavg"].append(os.getloadavg()[0])
    return times


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def report(name: str, docs: int, times: dict[str, list[float]], info: dict) -> None:
    print(f"\n### {name}: {docs:,} documents "
          f"(load {info['load_s']:.0f} s, of which index writes {info['index_s']:.0f} s)\n")
    if info.get("loadavg"):
        print("Machine load average (1 min) before/after the queries: "
              + " / ".join(f"{x:.1f}" for x in info["loadavg"]) + f" on {os.cpu_count()} CPUs"
              + (f"; {info['settings']}" if info.get("settings") else "") + "\n")
    print("CPU: this process plus, on PostgreSQL, the server backend that ran the queries "
          "(/proc/PID/schedstat), so it leaves out waiting for a CPU on a loaded machine.\n")
    print("| Queries | n | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind in ("all", "notation", "symbol", "term", "term_plain", "agency", "filtered"):
        v, c = times.get(kind), times.get(f"cpu:{kind}")
        if v:
            print(f"| {kind} | {len(v)} | {statistics.median(v):.1f} | {pct(v, 95):.1f} | "
                  f"{max(v):.1f} | {statistics.median(c):.1f} | {pct(c, 95):.1f} |")
    hits = times["_hits"]
    print(f"\nMatches per query (capped at the candidate cap): median {statistics.median(hits):.0f}"
          f", max {max(hits)}")


SLOWEST = 0


def slowest(trace: list, n: int) -> None:
    """The ``n`` slowest queries by CPU time (``--slowest``), to find what to look at."""
    if not n:
        return
    print(f"\nSlowest {n} queries by CPU:\n")
    for kind, q, opts, who, ms, cpu, total in sorted(trace, key=lambda t: -t[5])[:n]:
        print(f"  {cpu:7.1f} ms CPU {ms:7.1f} ms  {kind:10} {who:7} {q!r} {opts} -> {total}")


def bench_sqlite(docs: int, queries: int, path: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(path) if path else Path(tmp) / "bench.sqlite3"
        existing = file.exists()
        app = make_app(f"sqlite:///{file}")
        if existing:  # a file a run with the same --sqlite-file (and --sqlite-docs) loaded
            info = reuse(app, docs)
        else:
            with app.app_context():
                info = load(app, docs)
        trace: list = []
        times = run_queries(app, info, queries, trace)
        report("SQLite (FTS5)", docs, times, info)
        slowest(trace, SLOWEST)


def bench_postgres(docs: int, queries: int, keep: bool, reuse_db: bool = False) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    if not reuse_db:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{PG_DB}"'))
    try:
        app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}")
        if reuse_db:
            info = reuse(app, docs)
        else:
            with app.app_context():
                info = load(app, docs)
        trace: list = []
        times = run_queries(app, info, queries, trace)
        report("PostgreSQL (tsvector, GIN)", docs, times, info)
        slowest(trace, SLOWEST)
        with app.app_context():
            from edoc.extensions import db

            db.engine.dispose()
    finally:
        if not keep:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    global SLOWEST, PG_DB
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite-docs", type=int, default=100_000)
    parser.add_argument("--pg-docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--sqlite-file", help="load the SQLite data set into this file and keep "
                        "it; a later run with the same file queries it without loading")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--pg-db", default=PG_DB,
                        help=f"PostgreSQL database name (default {PG_DB}; a smaller data set "
                        "in a database of its own leaves the million-document one alone)")
    parser.add_argument("--reuse", action="store_true",
                        help="query the PostgreSQL database a --keep run left (same --pg-docs)")
    parser.add_argument("--slowest", type=int, default=0,
                        help="list the N slowest queries (by CPU time)")
    args = parser.parse_args()
    SLOWEST = args.slowest
    PG_DB = args.pg_db
    print("## Search benchmark (p50/p95 of one search() call, first page of 20 with snippets)")
    if args.only in (None, "sqlite"):
        bench_sqlite(args.sqlite_docs, args.queries, args.sqlite_file)
    if args.only in (None, "postgres"):
        bench_postgres(args.pg_docs, args.queries, args.keep or args.reuse, args.reuse)


if __name__ == "__main__":
    main()
