"""The ARCHIVE_* settings: declared in edoc.config with the others, read by the records module,
and checked when the app starts."""
from __future__ import annotations

import pytest

from edoc.config import SETTINGS_BY_NAME, ConfigError

ARCHIVE_DEFAULTS = {
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


def _app(**cfg):
    from edoc import create_app

    return create_app({"DATABASE_URL": "sqlite:///:memory:", "STORAGE_BACKEND": "memory", **cfg})


def test_every_archive_setting_is_declared_with_its_default():
    from pathlib import Path

    declared = {name for name in SETTINGS_BY_NAME if name.startswith("ARCHIVE_")}
    assert declared == set(ARCHIVE_DEFAULTS)
    for name, default in ARCHIVE_DEFAULTS.items():
        assert SETTINGS_BY_NAME[name].default == default, name
        assert type(SETTINGS_BY_NAME[name].default) is SETTINGS_BY_NAME[name].type, name
    # ... and every one the records module reads is among them.
    read = set()
    for path in (Path(__file__).resolve().parents[2] / "edoc" / "records").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= {part.split('"')[1] for part in text.split('setting(')[1:]
                 if part.startswith('"ARCHIVE_')}
    assert read and read <= declared, read - declared


def test_records_read_the_configured_value(monkeypatch):
    from edoc.records.settings import setting

    monkeypatch.setenv("EDOC_ARCHIVE_ACCESS_MAX_DAYS", "30")
    monkeypatch.setenv("EDOC_ARCHIVE_RENDITIONS", "false")
    app = _app()
    with app.app_context():
        assert setting("ARCHIVE_ACCESS_MAX_DAYS") == 30
        assert setting("ARCHIVE_RENDITIONS") is False
        assert setting("ARCHIVE_RETENTION_START") == "next_year"


@pytest.mark.parametrize(("name", "value"), [
    ("ARCHIVE_SIGNATURE_POLICY", "lenient"),
    ("ARCHIVE_RETENTION_START", "nextyear"),
    ("ARCHIVE_ACCESS_MAX_DAYS", 0),
    ("ARCHIVE_PERMANENT_LOCK_YEARS", -5),
    ("ARCHIVE_FIXITY_INTERVAL_HOURS", 0),
    ("ARCHIVE_FIXITY_BATCH", -1),
    ("ARCHIVE_IMPORT_MAX_MB", "2 GB"),
    ("ARCHIVE_RENDITION_TIMEOUT", True),
    ("ARCHIVE_RENDITIONS", "yes"),
])
def test_bad_archive_settings_stop_the_start(name, value):
    with pytest.raises(ConfigError, match=f"EDOC_{name}"):
        _app(**{name: value})


def test_bad_archive_setting_from_the_environment(monkeypatch):
    monkeypatch.setenv("EDOC_ARCHIVE_FIXITY_BATCH", "lots")
    with pytest.raises(ConfigError, match="ARCHIVE_FIXITY_BATCH"):
        _app()
    monkeypatch.setenv("EDOC_ARCHIVE_FIXITY_BATCH", "0")  # 0: every object each run
    assert _app().config["ARCHIVE_FIXITY_BATCH"] == 0
