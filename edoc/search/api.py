"""``GET /api/v1/search``: documents and records, ranked (docs/api.md)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from edoc.api.common import api_user, token_required
from edoc.search.params import parse_request
from edoc.search.query import SearchHit, search

bp = Blueprint("api_search", __name__, url_prefix="/api/v1")


def hit_url(hit: SearchHit, *, api: bool) -> str | None:
    """Where a hit lives: the API resource, or the web page."""
    if hit.kind == "document":
        if api:
            return f"/api/v1/{hit.direction}/{hit.id}"
        return url_for("documents.show", doc_id=hit.id)
    if api:
        return f"/api/v1/records/{hit.id}"
    try:
        return url_for("records.show", record_id=hit.id)
    except Exception:  # the records pages may not be installed
        return None


def hit_json(hit: SearchHit) -> dict:
    return {"kind": hit.kind, "id": hit.id, "direction": hit.direction, "title": hit.title,
            "number_notation": hit.number_notation, "date": hit.date.isoformat(),
            "state": hit.state, "type": hit.type_key or None, "snippet": str(hit.snippet),
            "score": hit.score, "url": hit_url(hit, api=True)}


@bp.get("/search")
@token_required
def search_api():
    req = parse_request(request.args, default_per_page=50)
    results = search(api_user(), req.q, scope=req.scope, filters=req.filters, page=req.page,
                     per_page=req.per_page)
    return jsonify({"items": [hit_json(h) for h in results.items], "total": results.total,
                    "total_exact": results.total_exact, "page": results.page,
                    "per_page": results.per_page})
