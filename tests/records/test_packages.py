"""Archival packages: export (BagIt + METS), verify, import; tampered packages refused."""
from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import bagit
import pytest
from lxml import etree
from sqlalchemy import select

from archive.mets_schema import METS_XSD_PATH, safe_parser
from edoc.records.archive_models import AccessLog, RecordPackage
from edoc.records.models import Record
from tests.records.helpers import archived_record, closed_record, error_code, ok, post

METS = "{http://www.loc.gov/METS/}"


def _export(client, office, record_id: int) -> bytes:
    r = client.get(f"/api/v1/records/{record_id}/export", headers=office.headers("archivist"))
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert r.headers["Content-Type"] == "application/zip"
    data = r.get_data()
    assert hashlib.sha256(data).hexdigest() == r.headers["X-Package-SHA256"]
    return data


def _unzip(data: bytes, target: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(target)
        top = zf.namelist()[0].split("/", 1)[0]
    return target / top


def test_exported_package_validates_with_bagit_and_the_mets_schema(
        client, office, make_document, signed_pdf, tmp_path, db):
    signed = make_document("Quyết định phê duyệt kế hoạch", data=signed_pdf, type_key="quyet_dinh",
                           number=15, notation="QĐ-UBND")
    plain = make_document("Công văn hướng dẫn", number=7)
    record = archived_record(client, office, [signed, plain])
    data = _export(client, office, record["id"])
    bag_dir = _unzip(data, tmp_path / "pkg")

    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # raises on any checksum, Oxum or manifest problem
    assert bag.info["External-Identifier"] == record["code"]
    assert bag.info["Source-Organization"] == "UBND phường Lưu Trữ"

    schema = etree.XMLSchema(etree.parse(str(METS_XSD_PATH), safe_parser()))
    mets = etree.parse(str(bag_dir / "data" / "METS.xml"), safe_parser())
    schema.assertValid(mets)
    hrefs = [f.get("{http://www.w3.org/1999/xlink}href")
             for f in mets.iter(f"{METS}FLocat")]
    originals = [h for h in hrefs if "/rep1/" in h]
    assert len(originals) == 2
    # The signed PDF is in the package byte for byte.
    packaged = {(bag_dir / "data" / h).read_bytes() for h in originals}
    assert signed_pdf in packaged
    # The package is kept (locked like the record) and the export was logged.
    package = db.session.scalar(select(RecordPackage).where(
        RecordPackage.record_id == record["id"]))
    assert package.sha256 == hashlib.sha256(data).hexdigest()
    assert package.stored.retention_until is not None
    assert db.session.scalar(select(AccessLog).where(AccessLog.record_id == record["id"],
                                                     AccessLog.action == "export"))
    # A second export serves the same kept package.
    assert _export(client, office, record["id"]) == data


def test_accept_builds_the_package_in_the_background(client, office, make_document, db):
    from edoc.jobs import run_pending

    record = archived_record(client, office, [make_document()])
    assert run_pending() >= 1
    package = db.session.scalar(select(RecordPackage).where(
        RecordPackage.record_id == record["id"]))
    assert package is not None and package.size > 0


@pytest.mark.config(ARCHIVE_RENDITIONS=True)
def test_pdfa_renditions_beside_the_signed_originals(client, office, make_document, signed_pdf,
                                                     tmp_path):
    if shutil.which("gs") is None:
        pytest.fail("Ghostscript is required: scripts/system-deps.sh installs it")
    record = archived_record(client, office, [make_document(data=signed_pdf)])
    bag_dir = _unzip(_export(client, office, record["id"]), tmp_path / "pkg")
    renditions = list((bag_dir / "data" / "representations" / "rep2" / "data").glob("*.pdf"))
    assert len(renditions) == 1
    from archive import pdfa_identification

    assert pdfa_identification(renditions[0]) == ("2", "B")
    originals = list((bag_dir / "data" / "representations" / "rep1" / "data").glob("*.pdf"))
    assert [p.read_bytes() for p in originals] == [signed_pdf]


def test_cli_export_verify_import_round_trip(app, runner, client, office, make_document,
                                             signed_pdf, tmp_path, db):
    record = archived_record(client, office, [make_document(data=signed_pdf)])
    out = tmp_path / "goi.zip"
    result = runner.invoke(args=["archive", "export", record["code"], "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "sha256=" in result.output and out.is_file()
    result = runner.invoke(args=["archive", "verify", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("VALID")
    assert "OK\tsignature" in result.output

    # Import into another agency: a new archived record with its documents and files.
    from edoc.auth.roles import Role

    other_agency = office.factories.agency("UBND xã Nhận Gói", organ_id="000.00.77.H44")
    archivist = office.factories.user(Role.ARCHIVIST, agency=other_agency,
                                      username="luutru-xa")
    result = runner.invoke(args=["archive", "import", str(out), "--user", "luutru-xa"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    imported = db.session.scalar(select(Record).where(Record.agency_id == other_agency.id))
    assert imported.state == "archived" and imported.imported
    assert imported.title == record["title"] and imported.doc_total == 1
    assert imported.retention_until.isoformat() == record["retention_until"]
    doc = imported.documents[0]
    assert doc.subject == "Về việc tổ chức Lễ hội Đền Hùng"
    from edoc.documents.files import read_file

    assert read_file(doc.current_file()) == signed_pdf
    assert doc.current_file().stored.retention_until is not None  # locked on import
    # The same package a second time is refused: the code is taken.
    result = runner.invoke(args=["archive", "import", str(out), "--user", archivist.username])
    assert result.exit_code != 0 and "record_code_taken" in result.output


def _forge(src: bytes, tmp: Path, edit, *, fix_mets: bool) -> Path:
    """Unpack, edit the payload, optionally fix METS checksums, re-bag consistently, zip."""
    work = tmp / "forge"
    top = _unzip(src, work)
    data_dir = top / "data"
    changed = edit(data_dir)
    if fix_mets:
        mets_path = data_dir / "METS.xml"
        tree = etree.parse(str(mets_path), safe_parser())
        for f in tree.iter(f"{METS}file"):
            href = f.find(f"{METS}FLocat").get("{http://www.w3.org/1999/xlink}href")
            if href == changed:
                content = (data_dir / href).read_bytes()
                f.set("CHECKSUM", hashlib.sha256(content).hexdigest())
                f.set("SIZE", str(len(content)))
        tree.write(str(mets_path), xml_declaration=True, encoding="UTF-8")
    bagit.Bag(str(top)).save(manifests=True)
    out = tmp / "forged.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted(top.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(work).as_posix())
    return out


def _flip_signed_content(data_dir: Path) -> str:
    pdf = next((data_dir / "representations" / "rep1" / "data").glob("*.pdf"))
    content = bytearray(pdf.read_bytes())
    pos = content.index(b"endstream")
    content[pos - 5] ^= 0x01
    pdf.write_bytes(bytes(content))
    return pdf.relative_to(data_dir).as_posix()


def test_tampered_packages_are_refused_with_a_reason(client, office, make_document, signed_pdf,
                                                     tmp_path, runner):
    record = archived_record(client, office, [make_document(data=signed_pdf)])
    good = _export(client, office, record["id"])
    headers = office.headers("archivist")

    # 1. A byte changed inside the zip: the bag checksums no longer match.
    bag_dir = _unzip(good, tmp_path / "plain")
    _flip_signed_content(bag_dir / "data")
    crude = tmp_path / "crude.zip"
    with zipfile.ZipFile(crude, "w") as zf:
        for path in sorted(bag_dir.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(tmp_path / "plain").as_posix())
    result = runner.invoke(args=["archive", "verify", str(crude)])
    assert result.exit_code == 1 and "bag_checksum_mismatch" in result.output

    # 2. A careful forger re-bags and fixes METS: only the PDF signature tells.
    forged = _forge(good, tmp_path, _flip_signed_content, fix_mets=True)
    r = client.post("/api/v1/archive/verify", headers=headers,
                    data={"file": (forged.open("rb"), "forged.zip")},
                    content_type="multipart/form-data")
    report = ok(r)
    assert not report["ok"]
    assert {p["code"] for p in report["problems"]} == {"signature_invalid"}
    assert "chữ ký số" in report["problems"][0]["message"].lower()

    r = client.post("/api/v1/archive/import", headers=headers,
                    data={"file": (forged.open("rb"), "forged.zip")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and error_code(r) == "package_invalid"
    assert "signature_invalid" in {p["code"] for p in r.get_json()["error"]["details"][
        "problems"]}
    assert "Chữ ký số" in r.get_json()["error"]["message"]


def test_a_rebagged_copy_is_caught_by_the_kept_digest(client, office, make_document, tmp_path,
                                                      runner):
    """Unpacked, edited consistently (bag and METS agree) and zipped again: sound inside, but
    not the package the archive kept for the record."""
    record = archived_record(client, office, [make_document()])
    good = _export(client, office, record["id"])
    good_path = tmp_path / "good.zip"
    good_path.write_bytes(good)
    result = runner.invoke(args=["archive", "verify", str(good_path), "--record", record["code"]])
    assert result.exit_code == 0, result.output

    def add_note(data_dir: Path) -> str:
        info = data_dir.parent / "bag-info.txt"
        info.write_text(info.read_text() + "Bag-Group-Identifier: forged\n")
        return ""

    forged = _forge(good, tmp_path, add_note, fix_mets=False)
    alone = runner.invoke(args=["archive", "verify", str(forged)])
    assert alone.exit_code == 0, alone.output  # nothing inside contradicts itself
    result = runner.invoke(args=["archive", "verify", str(forged), "--record", record["code"]])
    assert result.exit_code == 1 and "package_checksum_mismatch" in result.output
    r = client.post("/api/v1/archive/verify", headers=office.headers("archivist"),
                    data={"file": (forged.open("rb"), "copy.zip"), "record_id": record["id"]},
                    content_type="multipart/form-data")
    assert {p["code"] for p in ok(r)["problems"]} == {"package_checksum_mismatch"}


def test_export_of_a_closed_record_is_built_on_the_fly(client, office, make_document, db):
    record = closed_record(client, office, [make_document()])
    data = _export(client, office, record["id"])
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    assert db.session.scalar(select(RecordPackage)) is None  # nothing kept before archiving
    r = client.get(f"/api/v1/records/{record['id']}/export", headers=office.headers("officer"))
    assert r.status_code == 403


def test_verify_needs_a_file_and_the_archivist(client, office):
    r = post(client, "/archive/verify", office.headers("archivist"))
    assert r.status_code == 400 and error_code(r) == "file_required"
    r = client.post("/api/v1/archive/verify", headers=office.headers("officer"),
                    data={"file": (io.BytesIO(b"x"), "x.zip")},
                    content_type="multipart/form-data")
    assert r.status_code == 403
