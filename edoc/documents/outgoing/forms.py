"""HTML form fields → the dictionaries the services take (the same shape as the JSON API)."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

METADATA_FIELDS = ("type", "subject", "urgency", "confidentiality", "signer_id",
                   "signing_capacity", "capacity_holder", "signer_position", "drafter_notation",
                   "pages", "notes")
TEXT_INPUTS = ("body", "addressees", "legal_bases", "proposal", "collective_body",
               "issuing_authority")
INVITATION = ("invitees", "event", "time", "venue")


def metadata(form: MultiDict) -> dict[str, Any]:
    out: dict[str, Any] = {k: form.get(k, "") for k in METADATA_FIELDS if k in form}
    if "recipients_present" in form:
        out["recipients"] = {
            "unit_ids": form.getlist("recipient_unit_ids"),
            "user_ids": form.getlist("recipient_user_ids"),
            "organ_ids": form.getlist("recipient_organ_ids"),
            "names": form.get("recipient_names", ""),
        }
    return out


def template_inputs(form: MultiDict) -> dict[str, Any]:
    out: dict[str, Any] = {k: form.get(k, "") for k in TEXT_INPUTS if k in form}
    if any(form.get(f"invitation_{k}") for k in INVITATION):
        out["invitation"] = {k: form.get(f"invitation_{k}", "") for k in INVITATION}
    return out


def id_list(form: MultiDict, name: str) -> list[str]:
    """Values of repeated fields, blanks dropped, in form order (the reviewers' order)."""
    return [v for v in form.getlist(name) if v.strip()]


def version(form: MultiDict) -> int | None:
    raw = form.get("version")
    return int(raw) if raw and raw.isdigit() else None
