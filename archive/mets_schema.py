"""Offline XML Schema validation of METS documents and of our descriptive metadata.

The vendored mets.xsd imports xlink.xsd by its Library of Congress URL; a resolver maps that
URL to the local copy, and the parser never touches the network nor expands entities.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from lxml import etree

__all__ = [
    "EDOC_XSD_PATH",
    "METS_NS",
    "METS_XSD_PATH",
    "SCHEMA_DIR",
    "XLINK_NS",
    "XLINK_XSD_PATH",
    "safe_parser",
    "validate_edoc_metadata",
    "validate_mets",
]

SCHEMA_DIR = Path(__file__).with_name("schema")
METS_XSD_PATH = SCHEMA_DIR / "mets.xsd"
XLINK_XSD_PATH = SCHEMA_DIR / "xlink.xsd"
EDOC_XSD_PATH = SCHEMA_DIR / "edoc-archive-1.xsd"
METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"

_LOCAL_IMPORTS = {
    "http://www.loc.gov/standards/xlink/xlink.xsd": XLINK_XSD_PATH,
    "https://www.loc.gov/standards/xlink/xlink.xsd": XLINK_XSD_PATH,
}


class _LocalSchemaResolver(etree.Resolver):
    def resolve(self, system_url, public_id, context):  # type: ignore[override]
        local = _LOCAL_IMPORTS.get(system_url)
        if local is not None:
            return self.resolve_filename(str(local), context)
        return None  # lxml falls back to the file system; no_network forbids the rest


def safe_parser(*, huge_tree: bool = False) -> etree.XMLParser:
    """The only parser this package uses: no entities, no DTD, no network."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=huge_tree, remove_blank_text=False,
    )
    parser.resolvers.add(_LocalSchemaResolver())
    return parser


@cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


# A schema object keeps its error log on itself: validations must not interleave.
_LOCK = threading.Lock()


def _errors(schema: etree.XMLSchema, doc: etree._Element | etree._ElementTree) -> list[str]:
    with _LOCK:
        if schema.validate(doc):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]


def validate_mets(doc: etree._Element | etree._ElementTree) -> list[str]:
    """Errors of ``doc`` against METS 1.12.1; an empty list means valid."""
    return _errors(_schema(METS_XSD_PATH), doc)


def validate_edoc_metadata(element: etree._Element) -> list[str]:
    """Errors of one e:record / e:document / e:rendition element against our XSD."""
    return _errors(_schema(EDOC_XSD_PATH), element)
