"""Locating TrueType fonts that cover Vietnamese.

Decree 30 asks for Times New Roman; Liberation Serif has the same metrics and covers Vietnamese,
Noto Serif/Sans (Debian ``fonts-noto-core``) are the fallbacks. DejaVu is deliberately absent:
pyHanko's OpenType code mis-spaces it, and one font family per role keeps output predictable.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from .errors import AppearanceError

__all__ = ["FontRole", "find_font"]

FontRole = Literal["serif", "serif-bold", "serif-italic", "sans", "sans-bold"]

_LIB = Path("/usr/share/fonts/truetype/liberation2")
_LIB1 = Path("/usr/share/fonts/truetype/liberation")
_NOTO = Path("/usr/share/fonts/truetype/noto")

_CANDIDATES: dict[str, tuple[Path, ...]] = {
    "serif": (
        _LIB / "LiberationSerif-Regular.ttf",
        _LIB1 / "LiberationSerif-Regular.ttf",
        _NOTO / "NotoSerif-Regular.ttf",
        _NOTO / "NotoSans-Regular.ttf",
    ),
    "serif-bold": (
        _LIB / "LiberationSerif-Bold.ttf",
        _LIB1 / "LiberationSerif-Bold.ttf",
        _NOTO / "NotoSerif-Bold.ttf",
        _NOTO / "NotoSans-Bold.ttf",
    ),
    "serif-italic": (
        _LIB / "LiberationSerif-Italic.ttf",
        _LIB1 / "LiberationSerif-Italic.ttf",
        _NOTO / "NotoSerif-Italic.ttf",
        _NOTO / "NotoSans-Italic.ttf",
    ),
    "sans": (_NOTO / "NotoSans-Regular.ttf", _LIB / "LiberationSans-Regular.ttf"),
    "sans-bold": (_NOTO / "NotoSans-Bold.ttf", _LIB / "LiberationSans-Bold.ttf"),
}


@cache
def find_font(role: FontRole) -> Path:
    """The first installed font for ``role``; ``font_missing`` if none is installed."""
    for path in _CANDIDATES[role]:
        if path.is_file():
            return path
    raise AppearanceError(
        f"no font covering Vietnamese found for {role!r}; install the Debian package "
        "fonts-noto-core (looked for: " + ", ".join(str(p) for p in _CANDIDATES[role]) + ")",
        code="font_missing",
    )
