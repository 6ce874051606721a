"""Resource limits for captured files, one frozen value the app builds from its config."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "CaptureLimits"]

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class CaptureLimits:
    # Whole upload. The web server's own limit (MAX_CONTENT_LENGTH) should be a little larger.
    max_bytes: int = 50 * MiB
    # PDF pages, and frames of a multi-page TIFF (each frame becomes a page).
    max_pages: int = 2000
    # DOCX is a ZIP: a real document has tens of entries, images included rarely a few hundred.
    docx_max_entries: int = 2000
    docx_max_uncompressed: int = 256 * MiB
    # Deflate tops out near 1032:1; Word's XML compresses 5-30:1 and a bomb is hundreds to
    # thousands. The ratio is only judged on entries (and totals) above ratio_min_size, because
    # tiny XML parts of repeated markup legitimately compress very well.
    docx_max_ratio: float = 200.0
    docx_ratio_min_size: int = 1 * MiB
    # Pixels per image (per TIFF frame). 80 MP holds an A3 page at 600 dpi (70 MP); Pillow's own
    # bomb guard (89.5 MP warning, 179 MP error) stays behind it.
    image_max_pixels: int = 80_000_000


DEFAULT_LIMITS = CaptureLimits()
