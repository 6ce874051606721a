"""Printed registers benchmark (one run): 1,000 and 10,000 rows to XLSX and PDF.

Rows stream in from a generator (as from a database cursor); half of the subjects are long
enough to wrap over three or four lines in the PDF. Run: ``.venv/bin/python bench/registers.py``
"""
from __future__ import annotations

import datetime as dt
import io
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader

from edoc.registers.export import (
    IncomingRegisterRow,
    incoming_register_pdf,
    incoming_register_xlsx,
)

SUBJECT = ("V/v báo cáo tình hình thực hiện nhiệm vụ quản lý đất đai, khoáng sản và môi trường "
           "trên địa bàn huyện, đề xuất giải pháp tháo gỡ khó khăn, vướng mắc năm 2025")


def rows(count: int):
    for i in range(count):
        yield IncomingRegisterRow(
            arrival_date=dt.date(2025, 1, 1) + dt.timedelta(days=i * 365 // count),
            arrival_number=i + 1, author="Sở Tài nguyên và Môi trường tỉnh Phú Thọ",
            number_notation=f"{i + 1:02d}/STNMT-VP", document_date=dt.date(2025, 1, 1),
            type_name="Công văn", subject=SUBJECT if i % 2 else f"V/v đề nghị số {i + 1}",
            recipient="Phòng Tài nguyên và Môi trường", transfer_date=dt.date(2025, 1, 2))


def main() -> None:
    meta = {"agency_name": "Ủy ban nhân dân huyện Tam Đảo", "book_name": "Sổ văn bản đến chung",
            "date_from": dt.date(2025, 1, 1), "date_to": dt.date(2025, 12, 31)}
    print("| Rows | Format | Seconds | Size (KB) | Pages |")
    print("|---:|---|---:|---:|---:|")
    for count in (1000, 10000):
        for fmt, fn in (("XLSX", incoming_register_xlsx), ("PDF", incoming_register_pdf)):
            start = time.perf_counter()
            data = fn(rows(count), **meta)
            seconds = time.perf_counter() - start
            pages = len(PdfReader(io.BytesIO(data)).pages) if fmt == "PDF" else ""
            print(f"| {count} | {fmt} | {seconds:.2f} | {len(data) // 1024} | {pages} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"\nPeak RSS of the run: {peak} MB")


if __name__ == "__main__":
    main()
