"""Descriptive metadata of a record and its documents in our namespace ``urn:edoc:archive:1``.

Element names are the TT 05/2025 / Decree 30 names (fileCode, title, maintenance...), so the
mapping to EAD.xml stays one-to-one if the official schemas are ever published. Dates are ISO
8601 (xs:date); the DD/MM/YYYY display form is the app's business.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from .errors import InvalidMetadata
from .model import DocumentInfo, FileRef, RecordInfo
from .retention import Retention

__all__ = [
    "EDOC_NS",
    "document_from_xml",
    "document_to_xml",
    "record_from_xml",
    "record_to_xml",
    "rendition_event_xml",
]

EDOC_NS = "urn:edoc:archive:1"
_E = f"{{{EDOC_NS}}}"


def _sub(parent: etree._Element, tag: str, text: str | int | None, **attrs: str) -> None:
    if text is None or text == "":
        return
    el = etree.SubElement(parent, _E + tag, {k: v for k, v in attrs.items() if v})
    try:
        el.text = str(text)
    except ValueError as exc:  # control characters cannot be written to XML
        raise InvalidMetadata(f"{tag}: {exc}") from exc


def _retention(parent: etree._Element, retention: Retention) -> None:
    attrs = {"kind": retention.kind, "code": retention.code()}
    if retention.years is not None:
        attrs["years"] = str(retention.years)
    el = etree.SubElement(parent, _E + "maintenance", attrs)
    # The label is the human text ("10 năm"); free text of an "other" value is kept as such.
    el.text = retention.label


def _extra(parent: etree._Element, extra: tuple[tuple[str, str], ...]) -> None:
    for name, value in extra:
        el = etree.SubElement(parent, _E + "extra", {"name": name})
        el.text = value


def record_to_xml(record: RecordInfo) -> etree._Element:
    root = etree.Element(_E + "record", nsmap={"e": EDOC_NS})
    _sub(root, "fileCode", record.code)
    _sub(root, "organId", record.organ_id)
    _sub(root, "organName", record.agency_name)
    _sub(root, "fileCatalog", record.file_catalog)
    _sub(root, "fileNotation", record.file_notation)
    _sub(root, "title", record.title)
    _retention(root, record.retention)
    _sub(root, "mode", record.mode)
    _sub(root, "language", record.language)
    _sub(root, "startDate", record.start_date.isoformat())
    _sub(root, "endDate", record.end_date.isoformat() if record.end_date else None)
    for keyword in record.keywords:
        _sub(root, "keyword", keyword)
    _sub(root, "totalDoc", str(record.doc_total))
    _sub(root, "numberOfPage", str(record.page_total))
    _sub(root, "confidenceLevel", record.confidence_level)
    _sub(root, "creator", record.creator)
    _sub(root, "fileListHeading", record.file_plan_heading)
    _sub(root, "description", record.description)
    _extra(root, record.extra)
    return root


def document_to_xml(document: DocumentInfo, ordinal: int) -> etree._Element:
    root = etree.Element(_E + "document", nsmap={"e": EDOC_NS})
    _sub(root, "docId", document.id)
    _sub(root, "docOrdinal", str(ordinal))
    _sub(root, "direction", document.direction)
    _sub(root, "typeName", document.type_name)
    _sub(root, "codeNumber", document.number)
    _sub(root, "codeNotation", document.notation)
    _sub(root, "issuedDate", document.issued_date.isoformat())
    _sub(root, "organName", document.issuing_agency)
    _sub(root, "subject", document.subject)
    _sub(root, "language", document.language)
    _sub(root, "numberOfPage", str(document.pages))
    _sub(root, "signer", document.signer, position=document.signer_position)
    _sub(root, "arrivalNumber", document.arrival_number)
    _sub(root, "arrivalDate", document.arrival_date.isoformat() if document.arrival_date else None)
    if document.retention is not None:
        _retention(root, document.retention)
    _sub(root, "mode", document.mode)
    _sub(root, "description", document.description)
    _extra(root, document.extra)
    return root


def rendition_event_xml(*, source_id: str, tool: str, tool_version: str, fmt: str,
                        when: str) -> etree._Element:
    """Provenance of a rendition (digiprovMD): which file, which tool, which target format."""
    root = etree.Element(_E + "rendition", nsmap={"e": EDOC_NS})
    _sub(root, "source", source_id)
    _sub(root, "tool", tool)
    _sub(root, "toolVersion", tool_version)
    _sub(root, "format", fmt)
    _sub(root, "date", when)
    return root


# --- reading -------------------------------------------------------------------------------


def _text(root: etree._Element, tag: str, default: str = "") -> str:
    el = root.find(_E + tag)
    return el.text or "" if el is not None else default


def _date(root: etree._Element, tag: str) -> date | None:
    value = _text(root, tag)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidMetadata(f"bad date in {tag}: {value!r}") from exc


def _int(root: etree._Element, tag: str) -> int | None:
    value = _text(root, tag)
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidMetadata(f"bad number in {tag}: {value!r}") from exc


def _read_retention(root: etree._Element) -> Retention | None:
    el = root.find(_E + "maintenance")
    if el is None:
        return None
    kind = el.get("kind", "")
    years = int(el.get("years")) if el.get("years") else None
    if kind == "permanent":
        return Retention.permanent()
    if kind == "years" and years is not None:
        return Retention.for_years(years)
    if kind == "other":
        return Retention.other(el.text or "", years)
    return Retention.parse(el.text or "")


def _read_extra(root: etree._Element) -> tuple[tuple[str, str], ...]:
    return tuple((el.get("name", ""), el.text or "") for el in root.findall(_E + "extra"))


def record_from_xml(root: etree._Element) -> RecordInfo:
    if root.tag != _E + "record":
        raise InvalidMetadata(f"expected e:record, found {root.tag}")
    retention = _read_retention(root)
    start = _date(root, "startDate")
    if retention is None or start is None:
        raise InvalidMetadata("record metadata lacks maintenance or startDate")
    return RecordInfo(
        code=_text(root, "fileCode"),
        title=_text(root, "title"),
        start_date=start,
        end_date=_date(root, "endDate"),
        retention=retention,
        agency_name=_text(root, "organName"),
        organ_id=_text(root, "organId"),
        doc_total=_int(root, "totalDoc") or 0,
        page_total=_int(root, "numberOfPage") or 0,
        file_catalog=_int(root, "fileCatalog"),
        file_notation=_text(root, "fileNotation"),
        language=_text(root, "language"),
        keywords=tuple(el.text or "" for el in root.findall(_E + "keyword")),
        mode=_text(root, "mode"),
        confidence_level=_text(root, "confidenceLevel"),
        creator=_text(root, "creator"),
        file_plan_heading=_text(root, "fileListHeading"),
        description=_text(root, "description"),
        extra=_read_extra(root),
    )


def document_from_xml(root: etree._Element, files: tuple[FileRef, ...]) -> DocumentInfo:
    if root.tag != _E + "document":
        raise InvalidMetadata(f"expected e:document, found {root.tag}")
    issued = _date(root, "issuedDate")
    if issued is None:
        raise InvalidMetadata("document metadata lacks issuedDate")
    signer = root.find(_E + "signer")
    return DocumentInfo(
        id=_text(root, "docId"),
        direction=_text(root, "direction"),  # type: ignore[arg-type]  # checked by the model
        type_name=_text(root, "typeName"),
        number=_text(root, "codeNumber"),
        notation=_text(root, "codeNotation"),
        issued_date=issued,
        issuing_agency=_text(root, "organName"),
        subject=_text(root, "subject"),
        signer=(signer.text or "") if signer is not None else "",
        signer_position=signer.get("position", "") if signer is not None else "",
        pages=_int(root, "numberOfPage") or 0,
        files=files,
        language=_text(root, "language"),
        arrival_number=_text(root, "arrivalNumber"),
        arrival_date=_date(root, "arrivalDate"),
        retention=_read_retention(root),
        mode=_text(root, "mode"),
        description=_text(root, "description"),
        extra=_read_extra(root),
    )
