"""Capture pipeline benchmark (one run, medians).

What an upload costs inside the request (``capture``: sniff, validate, convert, extract, suggest)
and what the background OCR job costs per scanned page. Inputs are generated: Decree 30 PDFs
(fpdf2 + Noto Sans), a python-docx file, 300 dpi scans rendered with Pillow.

Run: ``.venv/bin/python bench/capture.py [--rounds N] [--no-ocr]``
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import img2pdf

from edoc.capture import capture, extract_pdf, ocr_pdf, suggest_metadata
from edoc.capture.inspect import inspect_docx
from edoc.errors import ValidationError
from edoc.search.text import fold, notation_keys
from tests.capture.samples import (
    QUYET_DINH,
    decree30_docx,
    decree30_pdf,
    docx_with_extra,
    image_bytes,
    patch_declared_size,
    scan_page,
)


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()  # warm-up (imports, font caches)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def refused(data: bytes) -> None:
    try:
        inspect_docx(data)
    except ValidationError as exc:
        assert exc.code == "docx_zip_bomb"
    else:
        raise AssertionError("bomb accepted")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-ocr", action="store_true")
    args = parser.parse_args()
    r = args.rounds

    pdf1 = decree30_pdf(QUYET_DINH)
    pdf100 = decree30_pdf(QUYET_DINH, pages=100)
    docx_data = decree30_docx(QUYET_DINH)
    scan = scan_page(QUYET_DINH, dpi=300)
    jpeg = image_bytes(scan.convert("RGB"), "JPEG", quality=85, dpi=(300, 300))
    frames = [scan_page(QUYET_DINH, dpi=200) for _ in range(10)]
    tiff = image_bytes(frames[0], "TIFF", save_all=True, append_images=frames[1:],
                       compression="tiff_lzw", dpi=(200, 200))
    bomb = docx_with_extra(docx_data, {"word/media/x.bin": bytes(200 * 1024 * 1024)})
    lying = patch_declared_size(bomb, "word/media/x.bin", 1000)
    first_page = extract_pdf(pdf1).first_page

    rows = [
        ("capture PDF, 1 page (Decree 30 sample)", f"{len(pdf1) // 1024} KB",
         median_ms(lambda: capture(pdf1, "a.pdf"), r)),
        ("capture PDF, 100 pages, full text", f"{len(pdf100) // 1024} KB",
         median_ms(lambda: capture(pdf100, "a.pdf"), r)),
        ("capture PDF, 100 pages, text_pages=1", f"{len(pdf100) // 1024} KB",
         median_ms(lambda: capture(pdf100, "a.pdf", text_pages=1), r)),
        ("capture DOCX", f"{len(docx_data) // 1024} KB",
         median_ms(lambda: capture(docx_data, "a.docx"), r)),
        ("capture JPEG A4 300 dpi -> PDF", f"{len(jpeg) // 1024} KB",
         median_ms(lambda: capture(jpeg, "a.jpg"), r)),
        ("capture TIFF 10 pages 200 dpi -> PDF", f"{len(tiff) // 1024} KB",
         median_ms(lambda: capture(tiff, "a.tif"), r)),
        ("refuse DOCX bomb (200 MiB entry)", f"{len(bomb) // 1024} KB",
         median_ms(lambda: refused(bomb), r)),
        ("refuse DOCX bomb, central directory lying (1 KB declared)", f"{len(lying) // 1024} KB",
         median_ms(lambda: refused(lying), r)),
        ("suggest_metadata (first page)", f"{len(first_page)} chars",
         median_ms(lambda: suggest_metadata(first_page), r * 20)),
        ("fold + notation_keys (first page)", f"{len(first_page)} chars",
         median_ms(lambda: (fold(first_page), notation_keys(first_page)), r * 20)),
    ]
    if not args.no_ocr:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "scan.pdf"
            src.write_bytes(img2pdf.convert(image_bytes(scan, "PNG", dpi=(300, 300))))
            ocr_rounds = max(1, r // 2)
            rows.append(("ocr_pdf 1 page 300 dpi, -l vie, jobs=1", "1 page",
                         median_ms(lambda: ocr_pdf(src, Path(tmp) / "out.pdf"), ocr_rounds)))
            pages3 = Path(tmp) / "scan3.pdf"
            page_png = image_bytes(scan, "PNG", dpi=(300, 300))
            pages3.write_bytes(img2pdf.convert([page_png] * 3))
            rows.append(("ocr_pdf 3 pages 300 dpi, -l vie, jobs=2", "3 pages",
                         median_ms(lambda: ocr_pdf(pages3, Path(tmp) / "out3.pdf", jobs=2),
                                   ocr_rounds)))

    print(f"rounds: {r} (median)\n")
    print("| Operation | Input | Median |")
    print("|---|---|---|")
    for name, size, ms in rows:
        shown = f"{ms:.2f} ms" if ms < 10 else f"{ms:.0f} ms"
        print(f"| {name} | {size} | {shown} |")


if __name__ == "__main__":
    main()
