"""Outgoing documents (văn bản đi): drafting, review, signing, issuance, sealing, dispatch."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Registers the outgoing pages, API and jobs (filled in by the outgoing module's owner)."""
