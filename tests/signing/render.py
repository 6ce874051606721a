"""Rendering a PDF page with poppler's pdftoppm (72 dpi: one pixel per PDF point)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image


def render_page(pdf: bytes, page: int, tmp_path: Path) -> Image.Image:
    src = tmp_path / "render.pdf"
    src.write_bytes(pdf)
    out = tmp_path / f"page{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "72",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            "-png",
            str(src),
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return Image.open(f"{out}.png").convert("RGB")


def _count(img: Image.Image, box, test) -> int:
    raw = img.crop(tuple(round(v) for v in box)).tobytes()  # RGB triplets
    return sum(1 for i in range(0, len(raw), 3) if test(raw[i : i + 3]))


def dark_pixels(img: Image.Image, box) -> int:
    """Pixels in ``box`` (left, top, right, bottom in image coordinates) that are near black."""
    return _count(img, box, lambda p: max(p) < 110)


def blue_pixels(img: Image.Image, box) -> int:
    return _count(img, box, lambda p: p[2] > 120 and p[2] > p[0] + 60 and p[2] > p[1] + 40)


def red_pixels(img: Image.Image, box) -> int:
    return _count(img, box, lambda p: p[0] > 120 and p[0] > p[1] + 60 and p[0] > p[2] + 60)
