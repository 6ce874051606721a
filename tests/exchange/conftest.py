"""Fixtures of the exchange tests: a running axis simulator, the two demo agencies each in its
own database (A, the province, on the suite's database; B, the ward, on its own SQLite file),
and a signed and sealed decision ready to dispatch."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import edoc.exchange.models
import edoc.signatures.models  # noqa: F401 - signature checks of received PDFs are recorded
from connectors.simulator import Agency as SimAgency
from connectors.simulator import FaultPlan, demo_agencies
from connectors.simulator.testing import start
from edoc.auth.roles import Role
from signing import KeyMaterial, sign_pdf
from signing.testpki import TestCa
from tests.capture.samples import QUYET_DINH, decree30_pdf
from tests.conftest import BASE_CONFIG

PROVINCE_ORGAN, WARD_ORGAN = "000.00.00.H44", "000.00.31.H44"


@pytest.fixture(scope="session")
def exchange_ca() -> TestCa:
    return TestCa.create("edoc Exchange Test Root CA")


@pytest.fixture(scope="session")
def exchange_ca_pem(exchange_ca, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exchange-pki") / "root.pem"
    path.write_bytes(exchange_ca.as_issued().certificate_pem)
    return path


def _key(issued) -> KeyMaterial:
    return KeyMaterial(private_key=issued.private_key, certificate=issued.certificate,
                       chain=issued.chain)


@pytest.fixture(scope="session")
def sealed_pdf(exchange_ca) -> bytes:
    """A decision signed by its signer and sealed by the province (two PAdES signatures)."""
    signer = exchange_ca.issue("Lê Văn Hùng", organization="UBND tỉnh Phú Thọ")
    seal = exchange_ca.issue("UBND tỉnh Phú Thọ", organization="UBND tỉnh Phú Thọ")
    signed = sign_pdf(decree30_pdf(QUYET_DINH), _key(signer), reason="Ký số văn bản")
    return sign_pdf(signed, _key(seal), reason="Ký số của cơ quan, tổ chức")


@pytest.fixture
def config_overrides(request, exchange_ca_pem) -> dict:
    marker = request.node.get_closest_marker("config")
    return {"SIGNING_TRUST_ROOTS": str(exchange_ca_pem), "AXIS_BACKOFF_SECONDS": 1,
            **(dict(marker.kwargs) if marker else {})}




@dataclass
class Sim:
    db_path: Path
    base_url: str
    stop: Any
    province: SimAgency
    ward: SimAgency
    faults: FaultPlan

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def restart(self, *, same_port: bool = True) -> None:
        self.stop()
        self.base_url, self.stop = start(str(self.db_path), (), faults=self.faults,
                                         port=self.port if same_port else 0)

    def store(self):
        from connectors.simulator import SimulatorStore

        return SimulatorStore(self.db_path)

    def client(self, agency: SimAgency):
        from connectors.client import AxisClient

        return AxisClient(self.base_url, agency.system_id, agency.secret, backoff=0.001,
                          timeout=10)


@pytest.fixture
def sim(tmp_path):
    province, ward = demo_agencies()
    faults = FaultPlan()
    db_path = tmp_path / "axis.sqlite3"
    base_url, stop = start(str(db_path), (province, ward), faults=faults)
    state = Sim(db_path, base_url, stop, province, ward, faults)
    try:
        yield state
    finally:
        state.stop()


@dataclass
class Party:
    """One agency in its own app and database, with the people who act there."""

    app: Flask
    agency_id: int
    organ_id: str
    people: dict[str, Any] = field(default_factory=dict)
    own_context: bool = False

    @contextlib.contextmanager
    def ctx(self):
        """Run code against this party's database (A's context is the test's own)."""
        if not self.own_context:
            yield
            return
        with self.app.app_context():
            try:
                yield
            finally:
                from edoc.extensions import db

                db.session.remove()

    def user(self, name: str):
        from edoc.auth.models import User
        from edoc.extensions import db

        return db.session.get(User, self.people[name])

    def agency(self):
        from edoc.auth.models import Agency
        from edoc.extensions import db

        return db.session.get(Agency, self.agency_id)


def _people(agency) -> dict[str, int]:
    from edoc.auth.services import create_unit, create_user
    from edoc.documents.numbering import ensure_default_books
    from edoc.extensions import db

    ensure_default_books(agency.id)
    unit = create_unit(agency, name="Phòng Kinh tế", notation="KT")
    suffix = agency.organ_id.replace(".", "")
    people = {
        "clerk": create_user(agency, username=f"vanthu{suffix}", full_name="Nguyễn Thị Thu",
                             password="correct-horse-42", roles=[Role.CLERK],
                             position_title="Văn thư"),
        "leader": create_user(agency, username=f"lanhdao{suffix}", full_name="Lê Văn Hùng",
                              password="correct-horse-42", roles=[Role.LEADER],
                              position_title="Phó Chủ tịch"),
        "officer": create_user(agency, username=f"chuyenvien{suffix}",
                               full_name="Trần Văn Minh", password="correct-horse-42",
                               roles=[Role.OFFICER], unit=unit, position_title="Chuyên viên"),
    }
    db.session.flush()
    out = {k: u.id for k, u in people.items()}
    out["unit"] = unit.id
    return out


def setup_party(app: Flask, *, organ_id: str, name: str, other: tuple[str, str],
                sim_agency: SimAgency | None, own_context: bool) -> Party:
    """The hosted agency, its people, the other agency as a directory entry, credentials."""
    from edoc.auth.services import create_agency
    from edoc.exchange.credentials import set_credentials
    from edoc.extensions import db

    ctx = app.app_context() if own_context else contextlib.nullcontext()
    with ctx:
        agency = create_agency(organ_id=organ_id, name=name, notation="UBND",
                               place_name="Phú Thọ")
        create_agency(organ_id=other[0], name=other[1], hosted=False)
        people = _people(agency)
        if sim_agency is not None:
            set_credentials(agency, sim_agency.system_id, sim_agency.secret)
        db.session.commit()
        party = Party(app, agency.id, organ_id, people, own_context)
        if own_context:
            db.session.remove()
    return party


def make_app(tmp_path: Path, name: str, extra: dict[str, Any]) -> Flask:
    """A second edoc deployment on its own SQLite database (schema by create_all)."""
    import edoc.exchange
    from edoc import create_app
    from edoc.extensions import db

    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / f'{name}.sqlite3'}",
                      "STORAGE_PATH": str(tmp_path / f"{name}-objects"), **extra})
    edoc.exchange.init_app(app)
    with app.app_context():
        db.create_all()
        db.session.remove()
    return app


@pytest.fixture
def exchange_app(app):
    import edoc.exchange

    edoc.exchange.init_app(app)
    return app


@pytest.fixture
def province(exchange_app, sim) -> Party:
    """A: UBND tỉnh Phú Thọ on the suite's database (SQLite and PostgreSQL runs)."""
    exchange_app.config["AXIS_URL"] = sim.base_url
    return setup_party(exchange_app, organ_id=PROVINCE_ORGAN, name="UBND tỉnh Phú Thọ",
                       other=(WARD_ORGAN, "UBND phường Vĩnh Phúc"), sim_agency=sim.province,
                       own_context=False)


@pytest.fixture
def ward(tmp_path, sim, config_overrides) -> Party:
    """B: UBND phường Vĩnh Phúc, a separate deployment with its own SQLite database."""
    app = make_app(tmp_path, "ward", {**config_overrides, "AXIS_URL": sim.base_url})
    party = setup_party(app, organ_id=WARD_ORGAN, name="UBND phường Vĩnh Phúc",
                        other=(PROVINCE_ORGAN, "UBND tỉnh Phú Thọ"), sim_agency=sim.ward,
                        own_context=True)
    yield party
    with app.app_context():
        from edoc.extensions import db

        db.engine.dispose()


def sealed_decision(party: Party, pdf: bytes, *, subject: str = "Về việc phê duyệt Kế hoạch "
                    "chuyển đổi số năm 2025", number: int = 15, confidentiality: str = "thuong"):
    """An outgoing decision in state ``sealed`` (signed, numbered, sealed), committed."""
    from edoc.db import utcnow
    from edoc.documents.files import attach_file
    from edoc.documents.models import Document
    from edoc.extensions import db

    leader = party.user("leader")
    doc = Document(agency_id=party.agency_id, direction="outgoing", state="sealed",
                   type_key="quyet_dinh", subject=subject, urgency="khan",
                   confidentiality=confidentiality, number=number, notation="QĐ-UBND",
                   document_date=dt.date.today(), signer_id=leader.id, signing_capacity="KT.",
                   capacity_holder="Chủ tịch", signer_position="Phó Chủ tịch",
                   issued_at=utcnow(), pages=1,
                   planned_recipients={"organ_ids": [], "names": ["Như trên", "Lưu: VT"]})
    db.session.add(doc)
    db.session.flush()
    attach_file(doc, pdf, kind="sealed", name=f"{number}-QD-UBND.signed.pdf",
                content_type="application/pdf")
    db.session.commit()
    return doc


def dispatch_to(party: Party, doc, organ_id: str):
    from edoc.documents.outgoing.dispatch import dispatch
    from edoc.extensions import db

    deliveries = dispatch(doc, party.user("clerk"), external_organ_ids=[organ_id])
    db.session.commit()
    return deliveries[0]


def work(party: Party, *, receive: bool = True):
    """One round of the exchange worker for this party (jobs → outbox → axis → replies)."""
    from edoc.exchange.worker import run_cycle
    from edoc.jobs import run_pending

    with party.ctx():
        report = run_cycle(receive=receive)
        run_pending()  # the other jobs (signature checks of received PDFs ...)
        return report
