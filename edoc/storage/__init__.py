"""Object storage: file bytes live here, the database keeps only pointers and hashes.

The app talks to one :class:`~edoc.storage.base.ObjectStore`, chosen by ``STORAGE_BACKEND``:
``filesystem`` (embedded default), ``minio`` (production, the only backend importing ``minio``)
or ``memory`` (unit tests). :func:`init_app` builds it once per app; :func:`get_store` returns it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from edoc.storage.base import ObjectStore

__all__ = ["EXTENSION_KEY", "ObjectStore", "create_store", "get_store", "init_app"]

EXTENSION_KEY = "edoc.storage"


def create_store(config: Mapping[str, Any]) -> ObjectStore:
    """Build the store that ``config`` (Flask config keys, i.e. setting names) selects.

    Nothing touches the network here: MinIO buckets are created on first use, so the app starts
    even while the object store is down (requests then fail with 503).
    """
    backend = str(config.get("STORAGE_BACKEND", "filesystem"))
    if backend == "memory":
        from edoc.storage.memory import MemoryStore

        return MemoryStore()
    if backend == "filesystem":
        from edoc.storage.filesystem import FilesystemStore

        path = config.get("STORAGE_PATH")
        if not path:
            raise ValueError("STORAGE_PATH must be set for the filesystem store")
        return FilesystemStore(str(path))
    if backend == "minio":
        from edoc.storage.minio import MinioStore

        return MinioStore.from_config(config)
    raise ValueError(f"unknown STORAGE_BACKEND {backend!r}")


def init_app(app: Flask) -> None:
    """Attach the configured store to ``app`` and register the ``flask storage`` commands."""
    from edoc.storage import models  # noqa: F401 - registers the stored_objects table
    from edoc.storage.cli import storage_cli

    app.extensions[EXTENSION_KEY] = create_store(app.config)
    app.cli.add_command(storage_cli)


def get_store() -> ObjectStore:
    """The current app's object store."""
    return current_app.extensions[EXTENSION_KEY]
