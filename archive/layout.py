"""Where things go inside a package, and how the package is identified.

The TT 05/2025 layout (spec §4.3) is known only from secondary readings, which also disagree
on the OBJID form and the structMap TYPE; every such choice is a field here.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Literal

__all__ = ["VIETNAM_TZ", "PackageLayout", "safe_component"]

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")  # no daylight saving in Viet Nam

ObjidStyle = Literal["urn_uuid", "uuid_upper", "fonds"]


def safe_component(text: str) -> str:
    """A path component made of [A-Za-z0-9._-] only (file codes contain "/" and spaces)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return cleaned or "x"


@dataclass(frozen=True)
class PackageLayout:
    """Paths are relative to the bag's ``data/`` directory, where METS.xml also lives.

    Defaults follow §4.3: ``representations/rep1/data/<mã hồ sơ>.<NNN>.pdf`` for the signed
    originals; PDF/A renditions go to a second representation (E-ARK style), schemas to
    ``schemas/``. The representation-level METS, EAD.xml and PREMIS.xml of §4.3 are not
    written: their schemas are not public; the descriptive metadata sits in the METS dmdSec.
    """

    mets_name: str = "METS.xml"
    originals_dir: str = "representations/rep1/data"
    renditions_dir: str = "representations/rep2/data"
    schemas_dir: str = "schemas"
    include_schemas: bool = True
    oais_package_type: str = "AIP"  # csip:OAISPACKAGETYPE: SIP or AIP
    mets_type: str = "AIP_hoso"  # METS/@TYPE: the TT 05/2025 package kind
    structmap_type: str = "logical"  # [AIP-SPEC] says logical, [SIPAIP-NOTES] PHYSICAL
    objid_style: ObjidStyle = "urn_uuid"
    fonds_code: str = ""  # mã phông, needed by objid_style="fonds"
    checksums: tuple[str, ...] = ("sha256", "sha512")
    agent_software: str = "edoc"

    def objid(self, package_uuid: uuid.UUID) -> str:
        if self.objid_style == "uuid_upper":
            return f"uuid-{str(package_uuid).upper()}"
        if self.objid_style == "fonds":
            if not self.fonds_code:
                raise ValueError("objid_style='fonds' needs fonds_code")
            return f"urn:{self.fonds_code}:uuid:{package_uuid}"
        return f"urn:uuid:{package_uuid}"

    @staticmethod
    def bag_name(objid: str) -> str:
        """Top-level folder of the zip: OBJID with ":" replaced by "_" (§4.3)."""
        return safe_component(objid.replace(":", "_"))

    def file_path(self, record_code: str, ordinal: int, index: int, name: str,
                  role: str) -> str:
        """``<dir>/<code>.<NNN>[-k].<ext>``: first file of a role has no ``-k`` suffix."""
        ext = name.rsplit(".", 1)[1].lower() if "." in name else "bin"
        ext = safe_component(ext)[:10]
        suffix = "" if index == 0 else f"-{index}"
        directory = self.renditions_dir if role == "rendition" else self.originals_dir
        if role == "appendix":
            suffix = f"-pl{index + 1}"  # phụ lục
        return f"{directory}/{safe_component(record_code)}.{ordinal:03d}{suffix}.{ext}"
