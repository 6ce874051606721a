"""The search page ``/search`` (the navbar box, templates/search/_navbox.html, posts here)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from edoc.search.api import hit_url
from edoc.search.params import parse_request
from edoc.search.query import search

bp = Blueprint("search", __name__)

PER_PAGE = 20


@bp.get("/search")
@login_required
def index():
    from edoc.documents.doctypes import DOCUMENT_TYPES, URGENCIES
    from edoc.documents.states import STATE_LABELS

    req = parse_request(request.args, default_per_page=PER_PAGE)
    asked = bool(req.q or req.args())
    results = search(current_user, req.q, scope=req.scope, filters=req.filters, page=req.page,
                     per_page=req.per_page) if asked else None
    return render_template("search/index.html", req=req, results=results, asked=asked,
                           hit_url=hit_url, document_types=DOCUMENT_TYPES, urgencies=URGENCIES,
                           state_labels=STATE_LABELS, record_state_labels=_record_labels())


def _record_labels() -> dict:
    import sys

    states = sys.modules.get("edoc.records.states")  # only when the records module is loaded
    if states is None:
        return {}
    STATE_LABELS = states.STATE_LABELS
    return {str(k): v for k, v in STATE_LABELS.items()}
