"""The records and archive settings (``ARCHIVE_*``), declared in :mod:`edoc.config` with the
others (type, default, help, startup checks); read here by name."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app

__all__ = ["setting"]


def setting(name: str, app: Flask | None = None) -> Any:
    from edoc.config import SETTINGS_BY_NAME

    app = app or current_app
    return app.config.get(name, SETTINGS_BY_NAME[name].default)
