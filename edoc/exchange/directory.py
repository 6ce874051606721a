"""The exchange directory: agencies registered on the axis become (non-hosted) agencies here,
so that documents can be addressed to them. Hosted agencies are never changed by the sync."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from connectors.protocol import AgencyInfo
from edoc import audit
from edoc.auth.models import Agency
from edoc.extensions import db

__all__ = ["SyncReport", "sync_directory"]

logger = logging.getLogger(__name__)


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def sync_directory(entries: tuple[AgencyInfo, ...] | list[AgencyInfo]) -> SyncReport:
    """Upsert the axis' agency list (flushes; the caller commits)."""
    report = SyncReport()
    known = {a.organ_id: a for a in db.session.scalars(select(Agency))}
    for entry in entries:
        organ_id = entry.organ_id.strip()
        if not organ_id or len(organ_id) > 35:
            continue
        name = (entry.name or organ_id).strip()[:255]
        agency = known.get(organ_id)
        if agency is None:
            agency = Agency(organ_id=organ_id, name=name, hosted=False,
                            email=entry.email[:255], phone=entry.telephone[:50])
            db.session.add(agency)
            known[organ_id] = agency
            report.created += 1
            continue
        if agency.hosted:
            report.unchanged += 1
            continue
        if (agency.name, agency.email, agency.phone) != (name, entry.email[:255],
                                                         entry.telephone[:50]):
            agency.name, agency.email, agency.phone = name, entry.email[:255], entry.telephone[:50]
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()
    # Parents second: an entry may name a parent listed after it.
    for entry in entries:
        agency = known.get(entry.organ_id.strip())
        parent = known.get(entry.parent_id.strip()) if entry.parent_id else None
        if agency is not None and not agency.hosted and parent is not None \
                and agency.parent_id != parent.id and parent.id != agency.id:
            agency.parent_id = parent.id
    db.session.flush()
    if report.created or report.updated:
        audit.record("exchange.directory_synced",
                     details={"created": report.created, "updated": report.updated})
    logger.info("exchange directory: %s", report)
    return report
