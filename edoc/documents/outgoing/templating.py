"""Drafts generated from the Decree 30 templates of :mod:`edoc.drafting`.

The template inputs (body paragraphs, "Kính gửi", legal bases, invitation ...) are kept on the
document (``draft_inputs``) so that a change of metadata or text regenerates the DOCX as a new
draft version. Everything printed from the directory (agency, unit, signer) is read at generation
time.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l

from edoc.auth.models import Agency, OrgUnit, User
from edoc.documents.doctypes import DOCUMENT_TYPES, get_type
from edoc.documents.models import Document
from edoc.documents.outgoing.metadata import as_text_list, bad, recipient_names
from edoc.drafting import TEMPLATE_TYPES, DraftSpec, Invitation, render_draft
from edoc.extensions import db

#: the template inputs kept in ``Document.draft_inputs``
INPUT_KEYS = ("body", "addressees", "legal_bases", "proposal", "collective_body",
              "issuing_authority", "invitation")

#: every type that can be drafted from a template (copies are made from issued documents)
DRAFTABLE_TYPES = tuple(t.key for t in DOCUMENT_TYPES if not t.is_copy)


def template_choices() -> list[dict[str, Any]]:
    """The templates offered: a structure of its own for the common types, generic otherwise."""
    return [{"key": t.key, "name": t.name, "abbreviation": t.abbreviation,
             "structure": t.key if t.key in TEMPLATE_TYPES else "generic"}
            for t in DOCUMENT_TYPES if not t.is_copy]


def _line(value: Any, field: str, limit: int = 500) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise bad(field, _l("Trường %(f)s không hợp lệ.", f=field))
    return " ".join(value.split()) or None


def _paragraphs(value: Any) -> list[str]:
    """Body text: a list of paragraphs, or one text whose non-empty lines are paragraphs."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.replace("\r\n", "\n").split("\n") if p.strip()]
    return as_text_list(value, "body", limit=20000)


def _invitation(value: Any) -> dict[str, str] | None:
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict):
        raise bad("invitation", _l("Thông tin giấy mời không hợp lệ."))
    out = {}
    for key in ("invitees", "event", "time", "venue"):
        text = _line(value.get(key), f"invitation.{key}")
        if not text:
            raise bad(f"invitation.{key}", _l("Giấy mời cần thành phần, sự kiện, thời gian và "
                                              "địa điểm."), code="draft_field_missing")
        out[key] = text
    return out


def parse_inputs(raw: dict[str, Any], *, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Template inputs present in ``raw``, merged over ``base`` (the document's current ones)."""
    out = dict(base or {})
    if "body" in raw:
        out["body"] = _paragraphs(raw["body"])
    for key in ("addressees", "legal_bases"):
        if key in raw:
            out[key] = as_text_list(raw[key], key)
    for key in ("proposal", "collective_body", "issuing_authority"):
        if key in raw:
            out[key] = _line(raw[key], key)
    if "invitation" in raw:
        out["invitation"] = _invitation(raw["invitation"])
    return out


def check_template(template: Any, type_key: str | None) -> str:
    """The type to draft: ``template`` names the layout (a type key); ``type`` must agree."""
    key = str(template or type_key or "").strip()
    if key in ("", "generic"):
        key = type_key or ""
    if key not in DRAFTABLE_TYPES:
        raise bad("template", _l("Mẫu văn bản không hợp lệ."), code="invalid_template")
    if type_key and type_key != key:
        raise bad("template", _l("Mẫu văn bản không khớp loại văn bản."), code="invalid_template")
    return key


def _meeting_time(text: str) -> dt.datetime | str:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return text


def build_spec(doc: Document) -> DraftSpec:
    agency = db.session.get(Agency, doc.agency_id)
    unit = db.session.get(OrgUnit, doc.drafting_unit_id) if doc.drafting_unit_id else None
    signer = db.session.get(User, doc.signer_id) if doc.signer_id else None
    if signer is None:
        raise bad("signer_id", _l("Cần chọn người ký trước khi tạo dự thảo từ mẫu."),
                  code="draft_field_missing")
    inputs = doc.draft_inputs or {}
    invitation = inputs.get("invitation")
    archive = "VT" + (f", {doc.drafter_notation}" if doc.drafter_notation else "")
    names = recipient_names(doc.agency_id, doc.planned_recipients)
    addressees = inputs.get("addressees") or []
    if not addressees and doc.type_key in ("cong_van", "to_trinh"):
        addressees = [n for n in names if n.lower() not in ("như trên", "như trên;")]
    return DraftSpec(
        type_key=doc.type_key, governing_body=agency.governing_body or None,
        agency_name=agency.name, agency_notation=agency.notation,
        unit_notation=unit.notation if unit else None, place=agency.place_name,
        subject=doc.subject, body=inputs.get("body") or [],
        signer_name=signer.full_name,
        signer_position=doc.signer_position or signer.position_title,
        signing_capacity=doc.signing_capacity or None,
        capacity_holder=doc.capacity_holder or None, recipients=names,
        archive_notation=archive, urgency_key=doc.urgency,
        confidentiality_key=doc.confidentiality, addressees=addressees,
        legal_bases=inputs.get("legal_bases") or [], proposal=inputs.get("proposal"),
        collective_body=inputs.get("collective_body"),
        invitation=Invitation(invitees=invitation["invitees"], event=invitation["event"],
                              time=_meeting_time(invitation["time"]), venue=invitation["venue"])
        if invitation else None,
        issuing_authority=inputs.get("issuing_authority"),
    )


def generate_docx(doc: Document) -> bytes:
    """The DOCX of ``doc`` laid out by its template (422 when something required is missing)."""
    return render_draft(build_spec(doc))


def docx_name(doc: Document) -> str:
    return f"du-thao-{get_type(doc.type_key).key.replace('_', '-')}-{doc.id}.docx"
