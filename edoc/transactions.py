"""The unit of work: one request, one transaction.

Views and services only flush. :class:`EdocFlask` commits after the view returned, so that an
error raised while committing (a stale version, a unique number taken by a concurrent request, a
database that went away) still goes through the error handlers and becomes a clear 409 or 503
instead of a half-sent response. On any error the session is rolled back by the handler.
"""
from __future__ import annotations

from flask import Flask


class EdocFlask(Flask):
    def dispatch_request(self):  # type: ignore[override]
        from edoc.extensions import db

        rv = super().dispatch_request()
        db.session.commit()
        return rv
