"""Reading the AcroForm field tree (names, types) of a PDF."""

from __future__ import annotations

from collections.abc import Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.rw_common import PdfHandler

__all__ = ["field_type", "iter_fields"]


def _walk(items, parent: str) -> Iterator[tuple[str, generic.DictionaryObject]]:
    for item in items:
        obj = item.get_object()
        part = str(obj.get("/T", ""))
        name = f"{parent}.{part}" if parent and part else part or parent
        kids = obj.get("/Kids")
        if kids is not None and any("/T" in k.get_object() for k in kids):
            yield from _walk(kids, name)
        else:
            yield name, obj


def iter_fields(handler: PdfHandler) -> Iterator[tuple[str, generic.DictionaryObject]]:
    """``(fully qualified name, terminal field dictionary)`` for every field of the form."""
    try:
        fields = handler.root["/AcroForm"]["/Fields"]
    except KeyError:
        return
    yield from _walk(fields, "")


def field_type(field: generic.DictionaryObject) -> str | None:
    """The field's /FT, inherited from its parents if need be."""
    node = field
    for _ in range(32):  # field trees are shallow; the bound guards against cycles
        if "/FT" in node:
            return str(node["/FT"])
        node = node.get("/Parent")
        if node is None:
            return None
    return None
