"""Embedding a subset TrueType font (Type0, Identity-H) so appearance streams show Vietnamese.

Used for form-field values and the incoming stamp, where real text (searchable, crisp) is worth
the ~0.1 s that subsetting costs once per document. The subset keeps the original glyph ids
(``retain_gids``) so that text is encoded straight from the font's own cmap.
"""

from __future__ import annotations

import functools
import hashlib
import io
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from .errors import AppearanceError
from .fonts import FontRole, find_font

__all__ = ["EmbeddedFont", "FontMetrics", "font_metrics"]


@dataclass(frozen=True)
class FontMetrics:
    """What layout needs from a font, in PDF glyph space (1/1000 em)."""

    path: Path
    ps_name: str
    cmap: dict[int, int]
    widths: dict[int, int]  # glyph id -> advance
    ascent: int
    descent: int  # negative
    cap_height: int
    bbox: tuple[int, int, int, int]
    italic_angle: float

    def glyphs(self, text: str) -> list[int]:
        """Glyph ids for ``text`` (NFC); characters the font lacks become glyph 0."""
        return [self.cmap.get(ord(ch), 0) for ch in unicodedata.normalize("NFC", text)]

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(g, 0) for g in self.glyphs(text)) * size / 1000


@lru_cache(maxsize=8)
def font_metrics(role: FontRole) -> FontMetrics:
    path = find_font(role)
    font = TTFont(str(path), lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    hmtx = font["hmtx"].metrics
    order = font.getGlyphOrder()
    gid = {name: i for i, name in enumerate(order)}
    cmap = {cp: gid[name] for cp, name in font.getBestCmap().items()}
    widths = {gid[name]: round(adv * scale) for name, (adv, _lsb) in hmtx.items()}
    os2 = font["OS/2"]
    head = font["head"]
    ps_name = font["name"].getDebugName(6) or path.stem
    return FontMetrics(
        path=path,
        ps_name=ps_name.replace(" ", ""),
        cmap=cmap,
        widths=widths,
        ascent=round(os2.sTypoAscender * scale),
        descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", 0) * scale) or 700,
        bbox=(
            round(head.xMin * scale),
            round(head.yMin * scale),
            round(head.xMax * scale),
            round(head.yMax * scale),
        ),
        italic_angle=float(font["post"].italicAngle),
    )


# Stamps and filled fields differ from one document to the next only in digits and date
# punctuation; always including them makes the subset for a given label text identical across
# documents, so the (expensive, ~100 ms) subsetting runs once per process and text.
_ALWAYS = frozenset(ord(c) for c in "0123456789 :/.,-()")


@functools.lru_cache(maxsize=128)
def _subset_program(path: Path, codepoints: frozenset[int]) -> bytes:
    font = TTFont(str(path))
    opts = subset.Options()
    opts.retain_gids = True  # glyph ids stay those of the full font's cmap
    opts.notdef_outline = True
    opts.layout_features = []
    opts.hinting = False
    opts.name_IDs = []
    opts.name_languages = []
    opts.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "DSIG"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=codepoints)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


@functools.lru_cache(maxsize=128)
def _packed_program(path: Path, codepoints: frozenset[int]) -> tuple[bytes, int]:
    """The subset program Flate-compressed (as the writer would), and its length: compressing
    it again for every stamp was a quarter of a millisecond per font."""
    program = _subset_program(path, codepoints)
    return zlib.compress(program), len(program)


def _to_unicode(pairs: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    items = sorted(pairs.items())
    for start in range(0, len(items), 100):
        chunk = items[start : start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        for gid, text in chunk:
            lines.append(b"<%04X> <%s>" % (gid, text.encode("utf-16-be").hex().upper().encode()))
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


class EmbeddedFont:
    """A font subset covering ``text``, written into ``writer`` as a Type0 font."""

    def __init__(self, writer: BasePdfFileWriter, role: FontRole, text: str) -> None:
        self.metrics = font_metrics(role)
        chars = set(unicodedata.normalize("NFC", text)) - {"\n", "\r"}
        missing = sorted(ch for ch in chars if ord(ch) not in self.metrics.cmap)
        if missing:
            raise AppearanceError(
                f"font {self.metrics.path.name} cannot show {''.join(missing)!r}",
                code="font_missing_glyphs",
            )
        codepoints = frozenset(ord(ch) for ch in chars) | frozenset(
            cp for cp in _ALWAYS if cp in self.metrics.cmap)
        self.codepoints = codepoints
        self.ref = self._write(writer, codepoints)

    def covers(self, text: str) -> bool:
        """Whether the subset shows every character of ``text``."""
        return all(ord(ch) in self.codepoints
                   for ch in unicodedata.normalize("NFC", text) if ch not in "\n\r")

    def encode(self, text: str) -> bytes:
        """A PDF hex string of glyph ids, for ``Tj``."""
        return b"<" + "".join(f"{g:04X}" for g in self.metrics.glyphs(text)).encode() + b">"

    def width(self, text: str, size: float) -> float:
        return self.metrics.width(text, size)

    def _write(
        self, writer: BasePdfFileWriter, codepoints: frozenset[int]
    ) -> generic.IndirectObject:
        m = self.metrics
        tag = "".join(
            chr(65 + b % 26) for b in hashlib.sha256(repr(sorted(codepoints)).encode()).digest()[:6]
        )
        base = f"{tag}+{m.ps_name}"
        packed, length = _packed_program(m.path, codepoints)
        file_ref = writer.add_object(
            generic.StreamObject(
                generic.DictionaryObject(
                    {
                        pdf_name("/Length1"): generic.NumberObject(length),
                        pdf_name("/Filter"): pdf_name("/FlateDecode"),
                    }
                ),
                encoded_data=packed,
                handler=None,
            )
        )
        flags = 32 | (64 if m.italic_angle else 0)  # nonsymbolic (+ italic)
        descriptor = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/FontDescriptor"),
                    pdf_name("/FontName"): pdf_name(f"/{base}"),
                    pdf_name("/Flags"): generic.NumberObject(flags),
                    pdf_name("/FontBBox"): generic.ArrayObject(
                        [generic.NumberObject(v) for v in m.bbox]
                    ),
                    pdf_name("/ItalicAngle"): generic.FloatObject(m.italic_angle),
                    pdf_name("/Ascent"): generic.NumberObject(m.ascent),
                    pdf_name("/Descent"): generic.NumberObject(m.descent),
                    pdf_name("/CapHeight"): generic.NumberObject(m.cap_height),
                    pdf_name("/StemV"): generic.NumberObject(80),
                    pdf_name("/FontFile2"): file_ref,
                }
            )
        )
        used = {m.cmap[cp]: chr(cp) for cp in codepoints if cp in m.cmap}
        w_array = generic.ArrayObject()
        for gid in sorted(used):
            w_array.append(generic.NumberObject(gid))
            w_array.append(generic.ArrayObject([generic.NumberObject(m.widths.get(gid, 0))]))
        cid_font = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Font"),
                    pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
                    pdf_name("/BaseFont"): pdf_name(f"/{base}"),
                    pdf_name("/CIDSystemInfo"): generic.DictionaryObject(
                        {
                            pdf_name("/Registry"): generic.TextStringObject("Adobe"),
                            pdf_name("/Ordering"): generic.TextStringObject("Identity"),
                            pdf_name("/Supplement"): generic.NumberObject(0),
                        }
                    ),
                    pdf_name("/FontDescriptor"): descriptor,
                    pdf_name("/W"): w_array,
                    pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
                }
            )
        )
        to_unicode = writer.add_object(generic.StreamObject(stream_data=_to_unicode(used)))
        return writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Font"),
                    pdf_name("/Subtype"): pdf_name("/Type0"),
                    pdf_name("/BaseFont"): pdf_name(f"/{base}"),
                    pdf_name("/Encoding"): pdf_name("/Identity-H"),
                    pdf_name("/DescendantFonts"): generic.ArrayObject([cid_font]),
                    pdf_name("/ToUnicode"): to_unicode,
                }
            )
        )
