"""Drafting benchmark (one run, medians): template rendering, LibreOffice conversion, placement.

- ``render_draft``: DraftSpec → DOCX bytes, per template type.
- ``docx_to_pdf``: LibreOffice conversion of a rendered quyết định, cold (first call of the
  process, new profile) and warm (profile reused), plain and PDF/A-2b.
- ``docx_draft_to_pdf``: the whole pipeline (blank placeholders, convert, read anchors).
- ``locate_number_and_date`` and ``pdf_draft`` on an uploaded PDF (page 1 text search, covers).

Run: ``.venv/bin/python bench/drafting.py [--rounds N]``
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edoc.drafting import (
    TEMPLATE_TYPES,
    docx_draft_to_pdf,
    docx_to_pdf,
    locate_number_and_date,
    pdf_draft,
    render_draft,
)
from tests.drafting.conftest import make_spec


def median_ms(fn: Callable[[], object], rounds: int, *, warm: bool = True) -> float:
    if warm:
        fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rounds = args.rounds
    rows: list[tuple[str, float]] = []

    docx = render_draft(make_spec("quyet_dinh"))
    start = time.perf_counter()
    raw_pdf = docx_to_pdf(docx)
    rows.append(("docx_to_pdf, cold (new profile)", (time.perf_counter() - start) * 1000))

    for key in TEMPLATE_TYPES:
        spec = make_spec(key)
        rows.append((f"render_draft {key}", median_ms(lambda s=spec: render_draft(s), rounds)))
    rows.append(("docx_to_pdf, warm", median_ms(lambda: docx_to_pdf(docx), rounds,
                                                warm=False)))
    rows.append(("docx_to_pdf, warm, PDF/A-2b",
                 median_ms(lambda: docx_to_pdf(docx, pdfa=True), rounds, warm=False)))
    rows.append(("docx_draft_to_pdf (blank + convert + anchors)",
                 median_ms(lambda: docx_draft_to_pdf(docx), rounds, warm=False)))
    rows.append(("locate_number_and_date (page 1 text search)",
                 median_ms(lambda: locate_number_and_date(raw_pdf), rounds)))
    rows.append(("pdf_draft (locate + white covers)", median_ms(lambda: pdf_draft(raw_pdf),
                                                                rounds)))

    print(f"| Operation (median of {rounds}) | ms |")
    print("|---|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.0f} |" if ms >= 10 else f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()
