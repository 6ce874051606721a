"""The OpenAPI document is valid and lists the contract's endpoints."""
from __future__ import annotations

from openapi_spec_validator import validate


def test_openapi_is_valid_and_complete(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for path, method in [("/auth/token", "post"), ("/me", "get"), ("/incoming", "post"),
                         ("/incoming/{doc_id}/register", "post"), ("/documents/{doc_id}/files",
                                                                   "get"),
                         ("/reports/kpi", "get"), ("/document-types", "get")]:
        assert method in spec["paths"][path], (path, method)
    assert spec["paths"]["/auth/token"]["post"]["security"] == []
