"""Write and read the package-level METS document.

Structure (valid against METS 1.12.1; conventions from spec §4.3 where it gives them):
- metsHdr: CREATEDATE with +07:00, RECORDSTATUS NEW, agents (the agency with its organ id in
  a note marked csip:NOTETYPE="IDENTIFICATIONCODE", and the software);
- dmdSec DMD-RECORD and DMD-DOC-NNN: mdWrap MDTYPE=OTHER OTHERMDTYPE=EDOC-ARCHIVE-1 holding
  e:record / e:document (archive.metadata);
- amdSec: digiprovMD per rendition (e:rendition: source file, tool, format, date);
- fileSec: fileGrp USE Originals / Renditions / Schemas; each file has SIZE, MIMETYPE,
  CHECKSUM (SHA-256), USE = role, GROUPID = document, FLocat with a relative xlink:href and
  the original file name in xlink:title;
- structMap: one div for the record, one per document (ORDER = ordinal) with its fptrs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from .errors import InvalidMetadata
from .layout import PackageLayout
from .metadata import EDOC_NS, document_to_xml, record_to_xml, rendition_event_xml
from .mets_schema import METS_NS, XLINK_NS
from .model import DocumentInfo, RecordInfo

__all__ = [
    "CSIP_NS",
    "MetsContent",
    "MetsDocument",
    "MetsFile",
    "RenditionEvent",
    "build_mets",
    "parse_mets",
]

CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OTHER_MD_TYPE = "EDOC-ARCHIVE-1"
_M = f"{{{METS_NS}}}"
_X = f"{{{XLINK_NS}}}"
_FILE_GROUPS = (("original", "Originals"), ("appendix", "Originals"),
                ("rendition", "Renditions"), ("schema", "Schemas"))


@dataclass(frozen=True)
class RenditionEvent:
    source_id: str
    tool: str
    tool_version: str
    format: str


@dataclass(frozen=True)
class MetsFile:
    """A file as METS describes it; ``href`` is relative to the METS document's folder."""

    id: str
    href: str
    sha256: str
    size: int
    mimetype: str
    use: str  # original | appendix | rendition | schema
    name: str
    document: int | None = None  # ordinal of its document, None for schemas
    rendition: RenditionEvent | None = None


@dataclass(frozen=True)
class MetsDocument:
    ordinal: int
    metadata: etree._Element
    file_ids: tuple[str, ...]


@dataclass(frozen=True)
class MetsContent:
    objid: str
    created: str
    record: etree._Element
    documents: tuple[MetsDocument, ...]
    files: dict[str, MetsFile]


def _mdwrap(parent: etree._Element, payload: etree._Element) -> None:
    wrap = etree.SubElement(parent, _M + "mdWrap", MDTYPE="OTHER", OTHERMDTYPE=OTHER_MD_TYPE,
                            MIMETYPE="text/xml")
    etree.SubElement(wrap, _M + "xmlData").append(payload)


def build_mets(
    *,
    objid: str,
    record: RecordInfo,
    documents: Sequence[DocumentInfo],
    files: Sequence[MetsFile],
    layout: PackageLayout,
    created: datetime,
) -> bytes:
    created_text = created.isoformat(timespec="seconds")
    schema_loc = (f"{METS_NS} {layout.schemas_dir}/mets.xsd "
                  f"{EDOC_NS} {layout.schemas_dir}/edoc-archive-1.xsd")
    root = etree.Element(
        _M + "mets",
        nsmap={"mets": METS_NS, "xlink": XLINK_NS, "csip": CSIP_NS, "xsi": XSI_NS,
               "e": EDOC_NS},
        OBJID=objid, LABEL=record.title, TYPE=layout.mets_type, PROFILE=EDOC_NS,
    )
    root.set(f"{{{CSIP_NS}}}OAISPACKAGETYPE", layout.oais_package_type)
    if layout.include_schemas:
        root.set(f"{{{XSI_NS}}}schemaLocation", schema_loc)

    header = etree.SubElement(root, _M + "metsHdr", CREATEDATE=created_text,
                              RECORDSTATUS="NEW")
    agency = etree.SubElement(header, _M + "agent", ROLE="CREATOR", TYPE="ORGANIZATION")
    etree.SubElement(agency, _M + "name").text = record.agency_name
    if record.organ_id:
        note = etree.SubElement(agency, _M + "note")
        note.text = record.organ_id
        note.set(f"{{{CSIP_NS}}}NOTETYPE", "IDENTIFICATIONCODE")
    software = etree.SubElement(header, _M + "agent", ROLE="CREATOR", TYPE="OTHER",
                                OTHERTYPE="SOFTWARE")
    etree.SubElement(software, _M + "name").text = layout.agent_software

    record_dmd = etree.SubElement(root, _M + "dmdSec", ID="DMD-RECORD", CREATED=created_text)
    _mdwrap(record_dmd, record_to_xml(record))
    for ordinal, document in enumerate(documents, start=1):
        dmd = etree.SubElement(root, _M + "dmdSec", ID=f"DMD-DOC-{ordinal:03d}",
                               CREATED=created_text)
        _mdwrap(dmd, document_to_xml(document, ordinal))

    renditions = [f for f in files if f.rendition is not None]
    if renditions:
        amd = etree.SubElement(root, _M + "amdSec", ID="AMD-1")
        for f in renditions:
            assert f.rendition is not None
            prov = etree.SubElement(amd, _M + "digiprovMD", ID=f"PROV-{f.id}",
                                    CREATED=created_text)
            _mdwrap(prov, rendition_event_xml(
                source_id=f.rendition.source_id, tool=f.rendition.tool,
                tool_version=f.rendition.tool_version, fmt=f.rendition.format,
                when=created_text))

    file_sec = etree.SubElement(root, _M + "fileSec", ID="FILESEC-1")
    groups: dict[str, etree._Element] = {}
    for use, group_name in _FILE_GROUPS:
        members = [f for f in files if f.use == use]
        if not members:
            continue
        if group_name not in groups:
            groups[group_name] = etree.SubElement(file_sec, _M + "fileGrp", USE=group_name,
                                                  ID=f"GRP-{group_name.upper()}")
        for f in members:
            attrs = {"ID": f.id, "MIMETYPE": f.mimetype, "SIZE": str(f.size),
                     "CHECKSUM": f.sha256, "CHECKSUMTYPE": "SHA-256", "USE": f.use}
            if f.document is not None:
                attrs["GROUPID"] = f"DOC-{f.document:03d}"
            if f.rendition is not None:
                attrs["ADMID"] = f"PROV-{f.id}"
            el = etree.SubElement(groups[group_name], _M + "file", attrs)
            locat = etree.SubElement(el, _M + "FLocat", LOCTYPE="URL")
            locat.set(_X + "type", "simple")
            locat.set(_X + "href", f.href)
            locat.set(_X + "title", f.name)

    struct = etree.SubElement(root, _M + "structMap", TYPE=layout.structmap_type,
                              LABEL="Record", ID="STRUCT-1")
    record_div = etree.SubElement(struct, _M + "div", TYPE="record", LABEL=record.title,
                                  DMDID="DMD-RECORD", ID="DIV-RECORD")
    for ordinal, document in enumerate(documents, start=1):
        div = etree.SubElement(record_div, _M + "div", TYPE="document", ORDER=str(ordinal),
                               LABEL=document.number_notation or document.subject[:200],
                               DMDID=f"DMD-DOC-{ordinal:03d}", ID=f"DIV-DOC-{ordinal:03d}")
        for f in files:
            if f.document == ordinal:
                etree.SubElement(div, _M + "fptr", FILEID=f.id)
    schema_files = [f for f in files if f.use == "schema"]
    if schema_files:
        div = etree.SubElement(record_div, _M + "div", TYPE="schemas", LABEL="Schemas",
                               ID="DIV-SCHEMAS")
        for f in schema_files:
            etree.SubElement(div, _M + "fptr", FILEID=f.id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- reading -------------------------------------------------------------------------------


def _xml_data(sec: etree._Element) -> etree._Element:
    payload = sec.find(f"{_M}mdWrap/{_M}xmlData")
    children = [c for c in payload if isinstance(c.tag, str)] if payload is not None else []
    if len(children) != 1:
        raise InvalidMetadata(f"{sec.get('ID')}: expected one metadata element in xmlData")
    return children[0]


def _int(value: str | None, what: str) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise InvalidMetadata(f"bad {what}: {value!r}") from exc


def parse_mets(root: etree._Element) -> MetsContent:
    """Read what build_mets wrote. Raises InvalidMetadata when our structure is not there."""
    if root.tag != _M + "mets":
        raise InvalidMetadata("root element is not mets:mets")
    dmd = {sec.get("ID"): sec for sec in root.findall(_M + "dmdSec")}
    prov: dict[str, RenditionEvent] = {}
    e = f"{{{EDOC_NS}}}"
    for sec in root.iterfind(f"{_M}amdSec/{_M}digiprovMD"):
        data = _xml_data(sec)
        prov[sec.get("ID", "")] = RenditionEvent(
            source_id=data.findtext(e + "source", ""), tool=data.findtext(e + "tool", ""),
            tool_version=data.findtext(e + "toolVersion", ""),
            format=data.findtext(e + "format", ""))

    files: dict[str, MetsFile] = {}
    for el in root.iterfind(f"{_M}fileSec//{_M}file"):
        locat = el.find(_M + "FLocat")
        if locat is None or el.get("CHECKSUMTYPE") != "SHA-256":
            raise InvalidMetadata(f"file {el.get('ID')} lacks FLocat or a SHA-256 checksum")
        group = el.get("GROUPID", "")
        files[el.get("ID", "")] = MetsFile(
            id=el.get("ID", ""),
            href=locat.get(_X + "href", ""),
            sha256=(el.get("CHECKSUM") or "").lower(),
            size=_int(el.get("SIZE"), "SIZE"),
            mimetype=el.get("MIMETYPE", ""),
            use=el.get("USE", ""),
            name=locat.get(_X + "title", ""),
            document=_int(group[4:], "GROUPID") if group.startswith("DOC-") else None,
            rendition=prov.get(el.get("ADMID", "")),
        )

    record_div = root.find(f"{_M}structMap/{_M}div[@TYPE='record']")
    if record_div is None or record_div.get("DMDID") not in dmd:
        raise InvalidMetadata("structMap has no record div linked to its dmdSec")
    documents = []
    for div in record_div.iterfind(f"{_M}div[@TYPE='document']"):
        sec = dmd.get(div.get("DMDID"))
        if sec is None:
            raise InvalidMetadata(f"document div {div.get('ID')} has no dmdSec")
        documents.append(MetsDocument(
            ordinal=_int(div.get("ORDER"), "ORDER"),
            metadata=_xml_data(sec),
            file_ids=tuple(f.get("FILEID", "") for f in div.iterfind(_M + "fptr")),
        ))
    header = root.find(_M + "metsHdr")
    return MetsContent(
        objid=root.get("OBJID", ""),
        created=header.get("CREATEDATE", "") if header is not None else "",
        record=_xml_data(dmd[record_div.get("DMDID")]),
        documents=tuple(documents),
        files=files,
    )
