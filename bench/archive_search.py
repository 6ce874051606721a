"""Archive search benchmark: p50/p95 of ``edoc.records.search.search_archive`` over 1,000,000
archived entries on PostgreSQL (target: p95 <= 100 ms).

Data set (synthetic, reproducible: ``setseed(0.2025)`` in PostgreSQL)
  * 100,000 archived records of one agency (the searching archivist's: the worst case), each
    with 9 documents: 100,000 record entries + 900,000 document entries = 1,000,000 rows in
    ``archive_entries``. Records span 2000-2025 in id order (an archive receives its records
    year after year), so a year holds ~38,000 entries; document dates fall in their record's
    year, in random order within it.
  * Text is Vietnamese administrative language, tokenised exactly as the app does
    (:func:`edoc.records.search_index.searchable`: folded words and neighbouring word pairs,
    plus kind and year/month tokens). A record title is "Hồ sơ <topic> <place> năm <year>"; a
    document's subject is "<action> <topic> [<place>]"; its indexed text adds the number and
    notation, the type name, the issuing agency, a person's name (20 x 20 x 50 = 20,000 names,
    uniform: each ~45 documents) and 3-6 body sentences (~60 words) from a bank of 40.
    Actions, topics and sentences are drawn with a skew (``random()^k``), so common words (ve,
    viec, cong, tac, ubnd) hit most rows and the last topics a few thousand.
  * Notations follow Decree 30 (``15/QĐ-UBND``, ``TB-UBND``, ``UBND-VP`` ...), numbers 1-999,
    symbols weighted (QĐ-UBND ~20% of documents). Retention: permanent, 70, 50, 30, 20, 10 or
    5 years; mode "03" (confidential) for 2%.
  * Rows are generated inside PostgreSQL (INSERT ... SELECT over generate_series) with the
    app's schema (``db.create_all``: GIN index on the stored ``folded_tsv``, text out of line);
    VACUUM ANALYZE runs before timing.

Query mix: each query is one full ``search_archive()`` call (a page of 50, newest first, with
its total: exact, or "at least" where counting would cost more than the page), timed 20 times
after one warm-up: common and rare words, 2-5 word phrases, a person's name, notation lookups
(exact and symbol-only), record codes (full and year prefix), type, date range and retention
filters alone and combined with words, a later page, and a query matching nothing.

Server: by default a throwaway PostgreSQL 15 cluster (initdb as user postgres, 127.0.0.1, a
free port) with production-like settings (DEDICATED_SETTINGS: shared_buffers 1GB, SSD costs);
``--server shared`` uses the server at 127.0.0.1:5432 as it is configured. Run:
``.venv/bin/python bench/archive_search.py`` (options: ``--records N`` (default 100000),
``--repeat N``, ``--server dedicated|shared``, ``--keep``/``--reuse`` (shared server only),
``--explain`` to print the plans).
"""
# ruff: noqa: S608 - the generation SQL is built from this file's constants only
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DB = "edoc_bench_archive"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
#: the dedicated cluster's settings: what a production server for a million-entry archive runs
#: (shared_buffers ~25% of a 4 GB VM, SSD costs); fsync is off only to load the data faster
DEDICATED_SETTINGS = {
    "shared_buffers": "1GB", "effective_cache_size": "3GB", "work_mem": "16MB",
    "random_page_cost": "1.1", "fsync": "off", "synchronous_commit": "off",
    "full_page_writes": "off", "max_wal_size": "4GB",
}
ORGAN_ID = "000.00.31.H44"

ACTIONS = [
    "Về việc tổ chức", "Về việc triển khai", "Về việc tăng cường", "Về việc phê duyệt",
    "Về việc ban hành", "Về việc kiện toàn", "Về việc điều chỉnh", "Về việc báo cáo kết quả",
    "Về việc hướng dẫn", "Về việc kiểm tra", "Về việc rà soát", "Về việc khen thưởng",
    "Về việc giao chỉ tiêu", "Về việc phân bổ kinh phí", "Về việc quyết toán",
    "Về việc đôn đốc thực hiện", "Về việc chấn chỉnh", "Về việc bãi bỏ", "Về việc công nhận",
    "Về việc tổng kết",
]
TOPICS = [
    "công tác văn thư, lưu trữ", "kế hoạch chuyển đổi số", "lễ hội truyền thống",
    "công tác phòng, chống thiên tai", "dự toán ngân sách nhà nước", "cải cách hành chính",
    "quản lý đất đai", "bồi thường, giải phóng mặt bằng", "xây dựng nông thôn mới",
    "phòng cháy, chữa cháy", "bảo đảm an toàn thực phẩm", "bảo hiểm y tế học sinh",
    "công tác dân số", "hòa giải ở cơ sở", "quản lý trật tự xây dựng", "thu ngân sách",
    "đầu tư công trung hạn", "phổ cập giáo dục", "cấp giấy chứng nhận quyền sử dụng đất",
    "chính sách hỗ trợ hộ nghèo", "công tác thi đua, khen thưởng", "tuyển dụng công chức",
    "đào tạo, bồi dưỡng cán bộ", "dịch vụ công trực tuyến", "bảo vệ môi trường",
    "thủy lợi nội đồng", "trợ cấp bảo trợ xã hội", "phát triển du lịch cộng đồng",
    "trồng rừng thay thế", "cấp nước sạch nông thôn", "khắc phục hậu quả sau bão",
    "phòng, chống đuối nước trẻ em", "quản lý, sử dụng tài sản công",
    "sắp xếp đơn vị hành chính", "tuyển chọn công dân nhập ngũ", "chăm sóc người có công",
    "bảo tồn di tích Đền Hùng", "chợ nông thôn", "an toàn giao thông đường thủy",
    "phòng, chống ma túy",
]
PLACES = [
    "phường Vĩnh Phúc", "xã Hòa Bình", "xã Tam Đảo", "phường Việt Trì", "xã Thanh Ba",
    "xã Lâm Thao", "phường Phú Thọ", "xã Cẩm Khê", "xã Hạ Hòa", "xã Đoan Hùng",
    "xã Yên Lập", "xã Tân Sơn", "xã Thanh Sơn", "xã Tam Nông", "xã Thanh Thủy",
]
SENTENCES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
    "Căn cứ Nghị định số 30/2020/NĐ-CP của Chính phủ về công tác văn thư",
    "Xét đề nghị của Trưởng phòng Văn hóa - Xã hội",
    "Ủy ban nhân dân phường yêu cầu các đơn vị triển khai thực hiện nghiêm túc",
    "Giao Văn phòng Hội đồng nhân dân và Ủy ban nhân dân theo dõi, đôn đốc",
    "Kinh phí thực hiện từ nguồn ngân sách địa phương năm hiện hành",
    "Các cơ quan, đơn vị báo cáo kết quả trước ngày 30 hằng tháng",
    "Quyết định này có hiệu lực kể từ ngày ký",
    "Trong quá trình thực hiện nếu có vướng mắc, phản ánh về Ủy ban nhân dân để xem xét",
    "Chánh Văn phòng, Trưởng các phòng, ban chịu trách nhiệm thi hành Quyết định này",
    "Tổ chức tuyên truyền sâu rộng đến cán bộ, công chức và nhân dân",
    "Bảo đảm an ninh trật tự, an toàn giao thông và vệ sinh môi trường",
    "Phối hợp với Công an phường kiểm tra, xử lý vi phạm",
    "Tổng hợp khó khăn, vướng mắc, đề xuất giải pháp tháo gỡ",
    "Thực hiện chế độ thông tin, báo cáo định kỳ theo quy định",
    "Hồ sơ gồm đơn đề nghị, bản sao giấy tờ tùy thân và giấy xác nhận của tổ dân phố",
    "Thời gian tổ chức từ ngày 10 tháng 3 âm lịch",
    "Giỗ Tổ Hùng Vương là dịp để giáo dục truyền thống uống nước nhớ nguồn",
    "Diện tích đất thu hồi được bồi thường theo bảng giá đất của tỉnh",
    "Đối tượng được hỗ trợ là hộ nghèo, hộ cận nghèo trên địa bàn",
    "Ban Chỉ đạo họp định kỳ hằng quý để đánh giá tiến độ",
    "Lập danh sách và gửi về Phòng Tài chính - Kế hoạch thẩm định",
    "Nghiệm thu, bàn giao đưa công trình vào sử dụng",
    "Tiếp tục đẩy mạnh ứng dụng công nghệ thông tin trong hoạt động của cơ quan",
    "Số hóa tài liệu lưu trữ và cập nhật cơ sở dữ liệu",
    "Tăng cường kỷ luật, kỷ cương hành chính",
    "Huy động nguồn lực xã hội hóa để thực hiện",
    "Kiểm tra, giám sát việc sử dụng kinh phí đúng mục đích",
    "Công khai kết quả tại trụ sở Ủy ban nhân dân và nhà văn hóa khu dân cư",
    "Thông báo để các cơ quan, tổ chức, cá nhân biết, thực hiện",
    "Mời đại diện lãnh đạo các phòng, ban tham dự cuộc họp",
    "Thành phần tham gia gồm đại diện Mặt trận Tổ quốc và các đoàn thể",
    "Phòng Kinh tế chủ trì, phối hợp với các đơn vị liên quan",
    "Trường hợp quá thời hạn mà không có ý kiến thì coi như đồng ý",
    "Đề nghị Sở Nội vụ xem xét, hướng dẫn",
    "Cử cán bộ đầu mối phối hợp thực hiện",
    "Đánh giá tác động của chính sách đối với người dân và doanh nghiệp",
    "Rà soát thủ tục hành chính, cắt giảm thời gian giải quyết",
    "Bảo quản hồ sơ, tài liệu theo chế độ lưu trữ hiện hành",
    "Triển khai phần mềm quản lý văn bản và điều hành",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Đào", "Lương", "Tạ"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu",
           "Hồng", "Kim", "Bảo", "Gia", "Công", "Đình", "Trọng", "Phương", "Mạnh", "Anh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hòa",
         "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngọc",
         "Nhung", "Phong", "Phúc", "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng",
         "Thành", "Thủy", "Trang", "Trung", "Tuấn", "Tùng", "Uyên", "Vân", "Việt", "Vinh",
         "Xuân", "Yến", "Đạt", "Đông", "Chi", "Duy", "Kiên", "Lộc", "Tiến"]
# (symbol, type key, type name, share weight)
NOTATIONS = [
    ("QĐ-UBND", "quyet_dinh", "Quyết định", 20), ("UBND-VP", "cong_van", "Công văn", 15),
    ("TB-UBND", "thong_bao", "Thông báo", 10), ("KH-UBND", "ke_hoach", "Kế hoạch", 10),
    ("BC-UBND", "bao_cao", "Báo cáo", 10), ("TTr-VHXH", "to_trinh", "Tờ trình", 5),
    ("GM-UBND", "giay_moi", "Giấy mời", 5), ("UBND-KT", "cong_van", "Công văn", 8),
    ("QĐ-CT", "quyet_dinh", "Quyết định", 4), ("HD-UBND", "huong_dan", "Hướng dẫn", 3),
    ("SVHTTDL-QLVH", "cong_van", "Công văn", 5), ("STNMT-QLĐĐ", "cong_van", "Công văn", 5),
]
ISSUERS = ["UBND phường Vĩnh Phúc", "Sở Văn hóa, Thể thao và Du lịch", "Sở Tài nguyên và Môi "
           "trường", "UBND tỉnh Phú Thọ", "Sở Nội vụ", "Sở Tài chính"]
RETENTIONS = [("permanent", None), ("years", 70), ("years", 50), ("years", 30), ("years", 20),
              ("years", 10), ("years", 5)]


def _vocab_rows() -> dict[str, list[dict]]:
    from edoc.records.search import searchable
    from edoc.search.text import tokens

    def rows(items):
        return [{"i": n, "accented": s, "folded": searchable(s)}
                for n, s in enumerate(items, start=1)]

    notation_rows = []
    n = 0
    for symbol, key, name, weight in NOTATIONS:
        for _ in range(weight):
            n += 1
            notation_rows.append({"i": n, "symbol": symbol, "type_key": key,
                                  "folded": searchable(f"{symbol} {name}"),
                                  "symbol_key": "-".join(tokens(symbol))})
    names = [f"{s} {m} {g}" for s in SURNAMES for m in MIDDLES for g in GIVEN]
    return {"actions": rows(ACTIONS), "topics": rows(TOPICS), "places": rows(PLACES),
            "sentences": rows(SENTENCES), "names": rows(names), "issuers": rows(ISSUERS),
            "notations": notation_rows}


class DedicatedCluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1 with DEDICATED_SETTINGS (initdb runs as the
    ``postgres`` user, which owns the data folder)."""

    def __init__(self, root: Path) -> None:
        import socket

        self.root = root
        self.data = root / "data"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    def _run(self, *args: str) -> None:
        import subprocess

        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       stdout=subprocess.DEVNULL)

    def start(self) -> str:
        import shutil

        self.root.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.root, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "--no-sync",
                  "-U", "postgres", "-E", "UTF8")
        options = " ".join(f"-c {k}={v}" for k, v in {
            **DEDICATED_SETTINGS, "port": self.port, "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.root)}.items())
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                  str(self.root / "log"), "-o", options, "start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        import shutil

        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def _create_database(keep_existing: bool) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                              {"d": PG_DB}).first()
        if exists and not keep_existing:
            conn.execute(text(f'DROP DATABASE "{PG_DB}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{PG_DB}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"


def _drop_database() -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
    admin.dispose()


def _app(url: str):
    from edoc import create_app
    from edoc.records import init_app

    app = create_app({"ENV": "testing", "DATABASE_URL": url, "STORAGE_BACKEND": "memory",
                      "SECRET_KEY": "bench-archive-search-0123456789abcdef",
                      "SERVER_NAME": "bench.test"})
    init_app(app)
    return app


def _generate(engine, records: int) -> float:
    """Fill agencies, records and archive_entries; returns seconds taken."""
    t0 = time.perf_counter()
    vocab = _vocab_rows()
    with engine.begin() as conn:
        conn.execute(text("SELECT setseed(0.2025)"))
        for name, rows in vocab.items():
            cols = list(rows[0])
            types = {c: "int" if c == "i" else "text" for c in cols}
            conn.execute(text(f"CREATE TEMP TABLE v_{name} ("
                              + ", ".join(f"{c} {types[c]}" for c in cols) + ") ON COMMIT DROP"))
            conn.execute(text(f"INSERT INTO v_{name} ({', '.join(cols)}) VALUES ("
                              + ", ".join(f":{c}" for c in cols) + ")"), rows)
        conn.execute(text(
            "INSERT INTO agencies (id, organ_id, name, notation, governing_body, place_name, "
            "address, phone, email, website, hosted, active, created_at) VALUES "
            "(1, :o, 'UBND phường Vĩnh Phúc', 'UBND', '', 'Vĩnh Phúc', '', '', '', '', true, "
            "true, now())"), {"o": ORGAN_ID})
        counts = {k: len(v) for k, v in vocab.items()}
        # Records: years in id order; notation "<id>.VHXH"; topic skewed, place uniform.
        conn.execute(text(f"""
            CREATE TEMP TABLE gen ON COMMIT DROP AS
            SELECT g, 1 + floor(power(random(), 1.6) * {counts['topics']})::int AS ti,
                   1 + floor(random() * {counts['places']})::int AS pi, g % 7 AS ri,
                   2000 + ((g - 1) * 26 / :n)::int AS yr
            FROM generate_series(1, :n) g
        """), {"n": records})
        retention = """JOIN (VALUES (0, 'permanent', NULL::int, 'vinh vien'),
                (1, 'years', 70, '70 nam'), (2, 'years', 50, '50 nam'), (3, 'years', 30, '30 nam'),
                (4, 'years', 20, '20 nam'), (5, 'years', 10, '10 nam'), (6, 'years', 5, '05 nam'))
                AS r(ri, kind, years, label) ON r.ri = gen.ri"""
        conn.execute(text(f"""
            INSERT INTO records (id, agency_id, year, notation, code, title, heading,
                retention_kind, retention_years, retention_text, start_date, end_date, language,
                mode, confidence_level, keywords, description, doc_total, page_total, state,
                version_id, legal_hold, legal_hold_reason, imported, created_at, updated_at,
                retention_until, archived_at)
            SELECT g, 1, yr, g || '.VHXH', '{ORGAN_ID}.' || yr || '.' || g || '.VHXH',
                   'Hồ sơ ' || t.accented || ' ' || p.accented || ' năm ' || yr,
                   '', r.kind, r.years, '', make_date(yr, 1, 5), make_date(yr, 12, 20), '01',
                   CASE WHEN g % 50 = 0 THEN '03' ELSE '01' END, '01', '[]', '', 9, 18,
                   'archived', 1, false, '', false, now(), now(), NULL, now()
            FROM gen JOIN v_topics t ON t.i = gen.ti JOIN v_places p ON p.i = gen.pi {retention}
        """))
        conn.execute(text(f"""
            INSERT INTO archive_entries (agency_id, kind, record_id, document_id, code,
                code_folded, title, notation, notation_key, notation_symbol, type_key,
                entry_date, end_date, retention_kind, retention_years, mode, folded)
            SELECT 1, 'record', rec.id, NULL, rec.code, lower(rec.code), rec.title,
                   rec.notation, NULL, NULL, NULL, rec.start_date, rec.end_date,
                   rec.retention_kind, rec.retention_years, rec.mode,
                   trim(regexp_replace(lower(rec.code), '[^a-z0-9]+', ' ', 'g')) || ' '
                   || rec.g || ' vhxh ho so ' || t.folded || ' ' || p.folded || ' nam '
                   || rec.year || ' ' || r.label || ' _record _y' || rec.year || ' _m' || rec.year
                   || '01'
            FROM (SELECT records.*, records.id AS g FROM records) rec
            JOIN gen ON gen.g = rec.id JOIN v_topics t ON t.i = gen.ti
            JOIN v_places p ON p.i = gen.pi {retention}
        """))
        # Documents: 9 per record, dated in the record's year, newest ids newest dates.
        conn.execute(text(f"""
            INSERT INTO archive_entries (agency_id, kind, record_id, document_id, code,
                code_folded, title, notation, notation_key, notation_symbol, type_key,
                entry_date, end_date, retention_kind, retention_years, mode, folded)
            SELECT 1, 'document', r.id, NULL, r.code, lower(r.code),
                   a.accented || ' ' || t.accented || CASE WHEN x.wp THEN ' ' || p.accented
                   ELSE '' END,
                   x.num || '/' || nt.symbol, x.num || '/' || nt.symbol_key, nt.symbol_key,
                   nt.type_key, make_date(r.year, (1 + (k * 37 + r.id) % 12)::int,
                                          (1 + (k * 11 + r.id) % 28)::int),
                   make_date(r.year, (1 + (k * 37 + r.id) % 12)::int,
                             (1 + (k * 11 + r.id) % 28)::int),
                   r.retention_kind, r.retention_years, r.mode,
                   x.num || ' ' || nt.folded || ' ' || a.folded || ' ' || t.folded
                   || CASE WHEN x.wp THEN ' ' || p.folded ELSE '' END || ' ' || i.folded
                   || ' ' || nm.folded || ' ' ||
                   (SELECT string_agg(s.folded, ' ') FROM generate_series(1, 3 + (r.id + k) % 4)
                    j CROSS JOIN LATERAL (SELECT 1 + floor(power(random(), 1.4)
                        * {counts['sentences']} + 0 * j)::int AS si) q
                    JOIN v_sentences s ON s.i = q.si)
                   || ' _document _y' || r.year || ' _m' || r.year
                   || lpad((1 + (k * 37 + r.id) % 12)::text, 2, '0')
            FROM records r
            CROSS JOIN generate_series(1, 9) k
            CROSS JOIN LATERAL (
                SELECT 1 + floor(power(random(), 1.5) * {counts['actions']} + 0 * k)::int AS ai,
                       1 + floor(power(random(), 1.6) * {counts['topics']})::int AS ti,
                       1 + floor(random() * {counts['places']})::int AS pi,
                       1 + floor(random() * {counts['notations']})::int AS ni,
                       1 + floor(random() * {counts['names']})::int AS nmi,
                       1 + floor(power(random(), 2) * {counts['issuers']})::int AS ii,
                       1 + floor(random() * 999)::int AS num, random() < 0.4 AS wp
                WHERE r.id > 0) x
            JOIN v_actions a ON a.i = x.ai JOIN v_topics t ON t.i = x.ti
            JOIN v_places p ON p.i = x.pi JOIN v_notations nt ON nt.i = x.ni
            JOIN v_names nm ON nm.i = x.nmi JOIN v_issuers i ON i.i = x.ii
        """))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE records"))
        conn.execute(text("VACUUM ANALYZE archive_entries"))
    return time.perf_counter() - t0


def _queries(records: int = 100_000) -> list[tuple[str, dict]]:
    """(label, ArchiveQuery fields)."""
    some_2015 = 15 * records // 26 + records // 52  # a record of 2015 (years follow the ids)
    return [
        ("1 common word: cong", {"q": "cong"}),
        ("2 words: le hoi", {"q": "le hoi"}),
        ("accented: Lễ hội truyền thống", {"q": "Lễ hội truyền thống"}),
        ("phrase, prefix: giai phong mat ba", {"q": "giai phong mat ba"}),
        ("5 words: ke hoach chuyen doi so", {"q": "ke hoach chuyen doi so"}),
        ("rare topic: duong thuy", {"q": "duong thuy"}),
        ("person: nguyen thi hoa", {"q": "nguyen thi hoa"}),
        ("place + topic: tam dao dat dai", {"q": "tam dao dat dai"}),
        ("notation: 15/QĐ-UBND", {"q": "15/QĐ-UBND"}),
        ("notation: số 120 KH-UBND", {"q": "số 120 KH-UBND"}),
        ("symbol only: QĐ-UBND", {"q": "QĐ-UBND"}),
        ("full record code", {"code": f"{ORGAN_ID}.2015.{some_2015}.VHXH"}),
        ("code prefix: one year", {"code": f"{ORGAN_ID}.2015."}),
        ("type only: quyet_dinh", {"type_key": "quyet_dinh"}),
        ("dates only: 2019", {"date_from": date(2019, 1, 1), "date_to": date(2019, 12, 31)}),
        ("retention only: permanent", {"retention": "permanent"}),
        ("words + type: chuyen doi so / ke_hoach",
         {"q": "chuyen doi so", "type_key": "ke_hoach"}),
        ("words + dates: dat dai / 2012", {"q": "dat dai", "date_from": date(2012, 1, 1),
                                           "date_to": date(2012, 12, 31)}),
        ("words + retention: van thu / 5", {"q": "van thu", "retention": "5"}),
        ("records only: den hung", {"q": "den hung", "kind": "record"}),
        ("page 5: cong tac", {"q": "cong tac", "page": 5}),
        ("nothing: xyzzy", {"q": "xyzzy"}),
    ]


def _explain(app, label: str, fields: dict) -> None:
    from edoc.extensions import db
    from edoc.records.search import ArchiveQuery, search_statement

    with app.app_context():
        stmt, _terms = search_statement(1, ArchiveQuery(**fields), confidential=True)
        compiled = stmt.limit(50).compile(dialect=db.engine.dialect,
                                          compile_kwargs={"render_postcompile": True})
        with db.engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}",
                                        compiled.params).scalars().all()
        print(f"\n### {label}\n" + "\n".join(plan))


def run(records: int, repeat: int, keep: bool, reuse: bool, explain: bool) -> None:
    url = _create_database(keep_existing=reuse)
    from sqlalchemy.engine import make_url

    settings = {}
    probe = create_engine(url)
    with probe.connect() as conn:
        for name in ("server_version", "shared_buffers", "work_mem", "random_page_cost"):
            settings[name] = conn.exec_driver_sql(f"SHOW {name}").scalar()
    probe.dispose()
    print(f"PostgreSQL {settings['server_version']} at {make_url(url).host}:"
          f"{make_url(url).port}: shared_buffers={settings['shared_buffers']}, work_mem="
          f"{settings['work_mem']}, random_page_cost={settings['random_page_cost']}")
    app = _app(url)
    from edoc.extensions import db
    from edoc.records.search import ArchiveQuery, search_archive

    with app.app_context():
        have = 0
        if reuse:
            from sqlalchemy import inspect

            if inspect(db.engine).has_table("archive_entries"):
                have = db.session.scalar(text("SELECT count(*) FROM archive_entries"))
        generated = None
        if not have:
            db.create_all()
            generated = _generate(db.engine, records)
        total = db.session.scalar(text("SELECT count(*) FROM archive_entries"))
        size = db.session.scalar(text(
            "SELECT pg_size_pretty(pg_total_relation_size('archive_entries'))"))
        db.session.rollback()
    print(f"archive_entries: {total:,} rows ({size})" + (
        f", generated in {generated:.0f} s" if generated else ", reused"))
    print()
    print("| query | matches | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    all_times: list[float] = []
    for label, fields in _queries(records):
        times = []
        with app.app_context():
            query = ArchiveQuery(per_page=50, **fields)
            page = search_archive(1, query, confidential=True)  # warm-up
            for _ in range(repeat):
                t = time.perf_counter()
                page = search_archive(1, query, confidential=True)
                times.append((time.perf_counter() - t) * 1000)
                db.session.rollback()
        all_times.extend(times)
        p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
        matches = f"{'>= ' if page.capped else ''}{page.total:,}"
        print(f"| {label} | {matches} | {statistics.median(times):.1f} | {p95:.1f} | "
              f"{max(times):.1f} |")
    overall = statistics.quantiles(all_times, n=20)[18]
    print(f"| **all queries** | | **{statistics.median(all_times):.1f}** | **{overall:.1f}** | "
          f"**{max(all_times):.1f}** |")
    print(f"\nTarget: p95 <= 100 ms over {total:,} entries -> "
          f"{'MET' if overall <= 100 else 'NOT MET'}")
    if explain:
        for label, fields in _queries(records):
            _explain(app, label, fields)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if not keep:
        _drop_database()


def main() -> None:
    global PG_ADMIN_URL
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=100_000,
                        help="archived records (x10 entries: the record and 9 documents)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a kept database instead of generating it again")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans")
    parser.add_argument("--server", choices=("dedicated", "shared"), default="dedicated",
                        help="dedicated: a throwaway cluster with production-like settings "
                        "(default); shared: the server at 127.0.0.1:5432 as configured")
    args = parser.parse_args()
    cluster = None
    if args.server == "dedicated":
        import tempfile

        cluster = DedicatedCluster(Path(tempfile.mkdtemp(prefix="edoc-bench-pg-")))
        try:
            PG_ADMIN_URL = cluster.start()
        except BaseException:
            import shutil

            shutil.rmtree(cluster.root, ignore_errors=True)
            raise
    try:
        run(args.records, args.repeat, args.keep or args.reuse, args.reuse, args.explain)
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
