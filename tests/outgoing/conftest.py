"""Fixtures for the outgoing workflow: an agency with its people, keys, draft files, API calls."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Any

import pytest

from edoc.auth.roles import Role
from signing.testpki import TestCa

SIGNER_SECRET = "mat-khau-ky-so-1"
SEAL_SECRET = "mat-khau-con-dau-1"


@pytest.fixture(scope="session")
def test_ca() -> TestCa:
    return TestCa.create("edoc Outgoing Test Root CA")


@pytest.fixture(scope="session")
def ca_pem(test_ca, tmp_path_factory):
    path = tmp_path_factory.mktemp("pki") / "root.pem"
    path.write_bytes(test_ca.as_issued().certificate_pem)
    return path


@pytest.fixture
def config_overrides(request, ca_pem) -> dict:
    """The suite's ``config_overrides`` plus the test root CA as trust anchor."""
    marker = request.node.get_closest_marker("config")
    return {"SIGNING_TRUST_ROOTS": str(ca_pem), **(dict(marker.kwargs) if marker else {})}


@pytest.fixture(scope="session")
def draft_pdf() -> bytes:
    """An uploaded PDF draft as a drafter would export it from Word: a Decree 30 quyết định with
    the number and date placeholders still printed ("Số: ……/QĐ-UBND")."""
    from edoc.drafting import docx_to_pdf, render_draft

    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is required: scripts/system-deps.sh installs it")
    return docx_to_pdf(render_draft(_spec("quyet_dinh")))


def _spec(type_key: str):
    from edoc.drafting import DraftSpec

    return DraftSpec(
        type_key=type_key, governing_body="UBND tỉnh Vĩnh Phúc",
        agency_name="Ủy ban nhân dân huyện Tam Đảo", agency_notation="UBND", unit_notation="VP",
        place="Vĩnh Phúc", subject="Về việc thành lập Tổ công tác chuyển đổi số",
        body=["Thành lập Tổ công tác chuyển đổi số của huyện.",
              "Quyết định này có hiệu lực kể từ ngày ký."],
        signer_name="Trần Thị Bình", signer_position="Phó Chủ tịch", signing_capacity="KT.",
        capacity_holder="Chủ tịch", recipients=["Như Điều 2"])


@dataclass
class Org:
    agency: Any
    unit: Any
    other_unit: Any
    drafter: Any
    head: Any      # head of unit, first reviewer
    chief: Any     # office chief, second reviewer
    signer: Any    # leader, signs
    clerk: Any
    outsider: Any  # a leader not on any review list
    external: Any  # an agency of the exchange directory


@pytest.fixture
def org(app, factories, test_ca) -> Org:
    from edoc.auth.services import create_agency
    from edoc.documents.numbering import ensure_default_books
    from edoc.extensions import db

    agency = factories.agency("Ủy ban nhân dân huyện Tam Đảo", notation="UBND",
                              governing_body="UBND TỈNH VĨNH PHÚC", place_name="Vĩnh Phúc")
    ensure_default_books(agency.id)
    unit = factories.unit(agency, "Văn phòng HĐND và UBND", notation="VP")
    other = factories.unit(agency, "Phòng Nội vụ", notation="NV")
    user = factories.user
    org = Org(
        agency=agency, unit=unit, other_unit=other,
        drafter=user(Role.OFFICER, agency=agency, unit=unit, full_name="Nguyễn Văn An",
                     position_title="Chuyên viên"),
        head=user(Role.OFFICER, agency=agency, unit=unit, full_name="Lê Thị Hoa",
                  position_title="Phó Chánh Văn phòng"),
        chief=user(Role.LEADER, agency=agency, unit=unit, full_name="Phạm Văn Cường",
                   position_title="Chánh Văn phòng"),
        signer=user(Role.LEADER, agency=agency, full_name="Trần Thị Bình",
                    position_title="Phó Chủ tịch"),
        clerk=user(Role.CLERK, agency=agency, unit=unit, full_name="Vũ Thị Thư",
                   position_title="Văn thư"),
        outsider=user(Role.LEADER, agency=agency, full_name="Đỗ Văn Ngoài",
                      position_title="Chủ tịch"),
        external=create_agency(organ_id="000.00.31.H62", name="Sở Nội vụ tỉnh Vĩnh Phúc",
                               hosted=False),
    )
    db.session.commit()
    return org


@pytest.fixture
def keys(app, org, test_ca):
    """The signer's key and signature image, the agency's seal key and seal image."""
    from edoc.extensions import db
    from edoc.signatures.images import default_seal_png, default_signature_png, save_image
    from edoc.signatures.keys import register_pkcs12

    signer_cert = test_ca.issue(org.signer.full_name, organization=org.agency.name)
    register_pkcs12(signer_cert.pkcs12(SIGNER_SECRET), SIGNER_SECRET, purpose="signer",
                    agency_id=org.agency.id, user_id=org.signer.id)
    save_image(default_signature_png(org.signer.full_name), kind="signature",
               agency_id=org.agency.id, user_id=org.signer.id)
    seal_cert = test_ca.issue(org.agency.name, organization=org.agency.name)
    register_pkcs12(seal_cert.pkcs12(SEAL_SECRET), SEAL_SECRET, purpose="seal",
                    agency_id=org.agency.id)
    save_image(default_seal_png(org.agency.name), kind="seal", agency_id=org.agency.id)
    db.session.commit()
    return {"signer": signer_cert, "seal": seal_cert}


class Api:
    """JSON calls as a given user: ``api.post(user, path, json=...)`` → response."""

    def __init__(self, client, factories) -> None:
        self.client, self.factories = client, factories
        self._headers: dict[int, dict[str, str]] = {}

    def headers(self, user) -> dict[str, str]:
        if user.id not in self._headers:
            self._headers[user.id] = self.factories.api_headers(user)
        return self._headers[user.id]

    def get(self, user, path: str, **kw):
        return self.client.get(f"/api/v1{path}", headers=self.headers(user), **kw)

    def post(self, user, path: str, json: dict | None = None, **kw):
        return self.client.post(f"/api/v1{path}", headers=self.headers(user), json=json or {},
                                **kw)

    def patch(self, user, path: str, json: dict | None = None, **kw):
        return self.client.patch(f"/api/v1{path}", headers=self.headers(user), json=json, **kw)

    def upload(self, user, path: str, data: bytes, filename: str, meta: dict | None = None,
               method: str = "post"):
        import io
        import json as jsonlib

        form = {"file": (io.BytesIO(data), filename)}
        if meta is not None:
            form["meta"] = jsonlib.dumps(meta)
        return getattr(self.client, method)(f"/api/v1{path}", headers=self.headers(user),
                                            data=form, content_type="multipart/form-data")


@pytest.fixture
def api(client, factories) -> Api:
    return Api(client, factories)


def ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()


def new_upload(api: Api, org: Org, draft_pdf: bytes, **meta) -> dict:
    """An uploaded PDF draft with subject and signer, ready to submit."""
    body = {"type": "quyet_dinh", "subject": "Về việc thành lập Tổ công tác chuyển đổi số",
            "signer_id": org.signer.id, "signing_capacity": "KT.", "capacity_holder": "Chủ tịch",
            "recipients": {"unit_ids": [org.other_unit.id], "names": ["Như Điều 2"]}, **meta}
    return ok(api.upload(org.drafter, "/outgoing", draft_pdf, "du-thao.pdf", body), 201)


def approved(api: Api, org: Org, draft_pdf: bytes, **meta) -> dict:
    doc = new_upload(api, org, draft_pdf, **meta)
    ok(api.post(org.drafter, f"/outgoing/{doc['id']}/submit",
                {"reviewer_ids": [org.head.id]}))
    return ok(api.post(org.head, f"/outgoing/{doc['id']}/approve"))


def sealed(api: Api, org: Org, draft_pdf: bytes, **meta) -> dict:
    """A document taken through review, signature, number and seal."""
    doc = approved(api, org, draft_pdf, **meta)
    ok(api.post(org.signer, f"/outgoing/{doc['id']}/sign", {"secret": SIGNER_SECRET}))
    ok(api.post(org.clerk, f"/outgoing/{doc['id']}/issue"))
    return ok(api.post(org.clerk, f"/outgoing/{doc['id']}/seal", {"secret": SEAL_SECRET}))
