"""What a user (or an agency) has for signing: credential, certificate, image, as plain data."""
from __future__ import annotations

from typing import Any

from edoc.db import utcnow
from edoc.signatures.images import active_image
from edoc.signatures.keys import active_credential
from edoc.signatures.models import CredentialPurpose, ImageKind, SignatureImage, SigningCredential
from edoc.signatures.settings import seal_passphrase
from signing.appearance import format_signing_time

__all__ = ["credential_dict", "image_dict", "seal_profile", "signing_profile"]


def credential_dict(row: SigningCredential | None) -> dict[str, Any] | None:
    if row is None:
        return None
    now = utcnow()
    status = "valid"
    if row.not_after < now:
        status = "expired"
    elif row.not_before > now:
        status = "not_yet_valid"
    return {
        "id": row.id,
        "purpose": row.purpose,
        "source": row.source,
        "label": row.label,
        "common_name": row.common_name,
        "organization": row.organization,
        "subject": row.subject,
        "issuer": row.issuer,
        "serial_number": row.serial_number,
        "sha256_fingerprint": row.sha256_fingerprint,
        "not_before": format_signing_time(row.not_before),
        "not_after": format_signing_time(row.not_after),
        "status": status,
        "token_label": row.token_label,
        "remote_service": row.remote_service,
        # What the signing dialog must ask for.
        "needs_secret": row.source != "remote",
    }


def image_dict(row: SignatureImage | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"id": row.id, "kind": row.kind, "width_px": row.width_px,
            "height_px": row.height_px, "dpi": row.dpi, "generated": row.generated,
            "sha256": row.stored.sha256}


def signing_profile(user: Any) -> dict[str, Any]:
    credential = active_credential(CredentialPurpose.SIGNER, agency_id=user.agency_id,
                                   user_id=user.id)
    image = active_image(ImageKind.SIGNATURE, agency_id=user.agency_id, user_id=user.id)
    return {"credential": credential_dict(credential), "signature_image": image_dict(image)}


def seal_profile(agency_id: int) -> dict[str, Any]:
    credential = active_credential(CredentialPurpose.SEAL, agency_id=agency_id)
    image = active_image(ImageKind.SEAL, agency_id=agency_id)
    data = credential_dict(credential)
    if data is not None and seal_passphrase():
        data["needs_secret"] = False  # the server holds the seal key's passphrase
    return {"credential": data, "seal_image": image_dict(image)}
