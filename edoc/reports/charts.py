"""Small server-rendered SVG charts: no JavaScript, nothing loaded from the internet.

Each function returns the numbers a template needs to draw the chart with plain SVG elements; the
numbers are always shown beside the chart too (for screen readers and for printing).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]
    x: float
    heights: tuple[float, ...]


def grouped_bars(rows: list[dict], keys: tuple[str, ...], *, width: int = 640, height: int = 180,
                 label_key: str = "month") -> dict:
    peak = max([r[k] for r in rows for k in keys] + [1])
    n = max(len(rows), 1)
    slot = width / n
    bar_w = max(2.0, slot * 0.8 / len(keys))
    bars = []
    for i, r in enumerate(rows):
        bars.append(Bar(str(r[label_key]), tuple(r[k] for k in keys), i * slot + slot * 0.1,
                        tuple(round((height - 20) * r[k] / peak, 1) for k in keys)))
    return {"bars": bars, "bar_w": bar_w, "width": width, "height": height, "peak": peak}


def gauge(percent: float | None, *, radius: int = 44) -> dict:
    """A ring showing a share: stroke-dasharray of the arc for ``percent``."""
    import math

    circumference = 2 * math.pi * radius
    filled = 0.0 if percent is None else circumference * max(0.0, min(100.0, percent)) / 100
    return {"r": radius, "c": round(circumference, 2), "filled": round(filled, 2),
            "percent": percent}
