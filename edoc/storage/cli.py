"""``flask storage ...``: integrity check and garbage collection of the object store."""
from __future__ import annotations

from flask.cli import AppGroup

storage_cli = AppGroup("storage", help="Object store maintenance (verify, gc).")
