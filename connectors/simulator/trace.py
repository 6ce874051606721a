"""What a hub does to a message in transit: append its own TraceHeader (vn-standards §1.4)."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from ..edxml.config import EdxmlConfig
from ..edxml.values import format_timestamp
from ..edxml.xmlsafe import parse_bytes

__all__ = ["append_trace"]


def append_trace(body: bytes, *, config: EdxmlConfig, organ_id: str, now: dt.datetime) -> bytes:
    """The message with one more TraceHeader (only a Timestamp unless ``organ_id`` is set, like
    the VXP hub). A message with an XML signature is left untouched: editing it would break an
    enveloped signature over the whole document."""
    root = parse_bytes(body, limits=config.limits).getroot()
    if root.find(f".//{{{config.dsig_namespace}}}Signature") is not None:
        return body
    ns = config.namespace

    def q(name: str) -> str:
        return f"{{{ns}}}{name}"

    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    if header is None:
        return body
    trace_list = header.find(q("TraceHeaderList"))
    if trace_list is None:
        trace_list = etree.Element(q("TraceHeaderList"))
        message_header = header.find(q("MessageHeader"))
        if message_header is not None:
            message_header.addnext(trace_list)
        else:
            header.append(trace_list)
    trace = etree.Element(q("TraceHeader"))
    if organ_id:
        etree.SubElement(trace, q("OrganId")).text = organ_id
    etree.SubElement(trace, q("Timestamp")).text = format_timestamp(now, config.timezone)
    business = trace_list.find(q("Bussiness"))
    if business is not None:
        business.addprevious(trace)
    else:
        trace_list.append(trace)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")
