"""The records and archive settings, read from the app config with their defaults.

Until the lead adds them to ``edoc/config.py`` they are read with ``config.get(name, default)``;
:data:`SETTINGS_HELP` is the text for the settings table.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app

__all__ = ["DEFAULTS", "SETTINGS_HELP", "setting"]

DEFAULTS: dict[str, Any] = {
    "ARCHIVE_PERMANENT_LOCK_YEARS": 100,
    "ARCHIVE_RENDITIONS": True,
    "ARCHIVE_RENDITION_TIMEOUT": 120,
    "ARCHIVE_SIGNATURE_POLICY": "intact",
    "ARCHIVE_FIXITY_INTERVAL_HOURS": 24,
    "ARCHIVE_FIXITY_BATCH": 10000,
    "ARCHIVE_INDEX_MAX_CHARS": 100_000,
    "ARCHIVE_ACCESS_MAX_DAYS": 90,
    "ARCHIVE_RETENTION_START": "next_year",
    "ARCHIVE_IMPORT_MAX_MB": 2048,
}

SETTINGS_HELP: dict[str, str] = {
    "ARCHIVE_PERMANENT_LOCK_YEARS": "Object-lock retention given to the files of permanent "
    "(Vĩnh viễn) records, in years; they also get a legal hold, which never expires.",
    "ARCHIVE_RENDITIONS": "Add PDF/A-2b renditions (Ghostscript/ocrmypdf) to archival packages.",
    "ARCHIVE_RENDITION_TIMEOUT": "Seconds one PDF/A conversion may take before it is abandoned.",
    "ARCHIVE_SIGNATURE_POLICY": "How package verification judges PDF signatures: `intact` "
    "(refuse altered or broken signatures; untrusted roots are reported, not refused) or "
    "`valid` (every signature must be valid and trusted).",
    "ARCHIVE_FIXITY_INTERVAL_HOURS": "Hours between two runs of the scheduled fixity job.",
    "ARCHIVE_FIXITY_BATCH": "Most archived objects one fixity run re-hashes (the least "
    "recently checked first); 0 means all.",
    "ARCHIVE_INDEX_MAX_CHARS": "Characters of a document's text kept in the archive search "
    "index.",
    "ARCHIVE_ACCESS_MAX_DAYS": "Longest access period the archivist may grant, in days.",
    "ARCHIVE_RETENTION_START": "When a retention period starts counting: `next_year` (1 January "
    "after the record's end date, TT 10/2022 as commonly read), `same_year` or `end_date`.",
    "ARCHIVE_IMPORT_MAX_MB": "Largest archival package accepted for import, unpacked, in MB.",
}


def setting(name: str, app: Flask | None = None) -> Any:
    app = app or current_app
    return app.config.get(name, DEFAULTS[name])
