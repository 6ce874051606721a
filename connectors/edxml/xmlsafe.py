"""The one way this library turns bytes into an lxml tree.

Entity resolution, DTD loading and network access are off, and a document type declaration is
refused outright (it is the carrier of XXE and of entity-expansion bombs). ``huge_tree`` is on
so one attachment payload may exceed libxml2's 10 MB text-node limit; that is safe only because
entities are never resolved (spike.md §4), and every other text node is checked afterwards
against ``max_text_chars``.
"""

from __future__ import annotations

from lxml import etree

from ..errors import EnvelopeInvalid
from .config import EdxmlLimits

__all__ = ["check_text_sizes", "new_parser", "parse_bytes"]

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")


def new_parser() -> etree.XMLParser:
    """A fresh parser (lxml parsers must not be shared between threads)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_bytes(data: bytes, *, limits: EdxmlLimits) -> etree._ElementTree:
    """Parse ``data`` safely or raise EnvelopeInvalid (too_large, encoding_unsupported,
    dtd_forbidden, xml_malformed)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("edXML input must be bytes")
    data = bytes(data)
    if len(data) > limits.max_envelope_bytes:
        raise EnvelopeInvalid(
            "too_large",
            f"envelope is {len(data)} bytes, limit {limits.max_envelope_bytes}",
            details={"size": len(data), "limit": limits.max_envelope_bytes},
        )
    # UTF-16/32 would hide a DOCTYPE from the byte scan below; edXML is UTF-8 in every sample.
    if data.startswith(_WIDE_BOMS) or b"\x00" in data[:4]:
        raise EnvelopeInvalid("encoding_unsupported", "only UTF-8 (ASCII-compatible) edXML is read")
    if _prolog_has_doctype(data):
        raise EnvelopeInvalid("dtd_forbidden", "document type declarations are not accepted")
    try:
        root = etree.fromstring(data, parser=new_parser())
    except etree.XMLSyntaxError as exc:
        raise EnvelopeInvalid("xml_malformed", f"not well-formed XML: {exc}") from None
    tree = root.getroottree()
    # Defence in depth: the byte scan could be fooled by an exotic encoding declaration.
    if tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise EnvelopeInvalid("dtd_forbidden", "document type declarations are not accepted")
    return tree


def _prolog_has_doctype(data: bytes) -> bool:
    """True if a DOCTYPE appears before the root element (skipping the XML declaration,
    comments, processing instructions and whitespace, which is all a prolog may hold)."""
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = len(data)
    while pos < end:
        while pos < end and data[pos] in b" \t\r\n":
            pos += 1
        if data.startswith(b"<!--", pos):
            close = data.find(b"-->", pos + 4)
            pos = end if close < 0 else close + 3
        elif data.startswith(b"<?", pos):
            close = data.find(b"?>", pos + 2)
            pos = end if close < 0 else close + 2
        else:
            return data[pos : pos + 9].upper() == b"<!DOCTYPE"
    return False


def check_text_sizes(
    root: etree._Element, *, limits: EdxmlLimits, large_tags: frozenset[str]
) -> None:
    """Only elements whose tag is in ``large_tags`` may carry long text (attachment payloads)."""
    limit = limits.max_text_chars
    for count, el in enumerate(root.iter(), start=1):
        if count > limits.max_elements:
            raise EnvelopeInvalid("too_many_elements", f"more than {limits.max_elements} elements")
        if isinstance(el, etree._Entity):  # unexpanded entity reference: never allowed
            raise EnvelopeInvalid("dtd_forbidden", "entity references are not accepted")
        # Skip reading a payload's .text: it would copy the whole payload for nothing.
        text = el.text if el.tag not in large_tags else None
        if text is not None and len(text) > limit:
            raise EnvelopeInvalid(
                "field_too_large",
                f"text of {_local(el)} is {len(text)} characters, limit {limit}",
                details={"element": _local(el), "size": len(text), "limit": limit},
            )
        tail = el.tail
        if tail is not None and len(tail) > limit:
            raise EnvelopeInvalid("field_too_large", "text between elements is too long")
        for name, value in el.attrib.items():
            if len(value) > limit:
                raise EnvelopeInvalid(
                    "field_too_large", f"attribute {name} is too long", details={"attribute": name}
                )


def _local(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else str(tag)
