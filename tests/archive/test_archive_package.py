"""build_package -> bagit validate -> METS XSD validate -> verify_package -> read_package."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import bagit
import pytest
from lxml import etree

from archive import (
    FileRef,
    InvalidMetadata,
    PackageBuildError,
    PackageLayout,
    Rendition,
    RenditionError,
    build_package,
    read_package,
    validate_mets,
    verify_package,
)
from archive.mets_schema import METS_XSD_PATH, safe_parser


def _unzip(path: Path, target: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        zf.extractall(target)
        top = zf.namelist()[0].split("/", 1)[0]
    return target / top


def test_package_validates_with_bagit_and_mets_schema(record_fixture, tmp_path, fixed):
    f = record_fixture
    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip", **fixed)

    bag_dir = _unzip(result.path, tmp_path / "x")
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # raises on any problem
    assert sorted(bag.algorithms) == ["sha256", "sha512"]
    payload = [p for p in (bag_dir / "data").rglob("*") if p.is_file()]
    assert len(payload) == len(result.files) + 4  # + METS.xml and three schemas
    assert bag.info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"

    # METS against the official schema, loaded independently of archive's own helper.
    class Local(etree.Resolver):
        def resolve(self, url, pubid, ctx):
            if url.endswith("standards/xlink/xlink.xsd"):
                return self.resolve_filename(str(METS_XSD_PATH.with_name("xlink.xsd")), ctx)
            return None

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(Local())
    schema = etree.XMLSchema(etree.parse(str(METS_XSD_PATH), parser))
    mets = etree.parse(str(bag_dir / "data" / "METS.xml"), safe_parser())
    assert schema.validate(mets), schema.error_log
    assert validate_mets(mets) == []
    assert "Version 1.12.1" in METS_XSD_PATH.read_text()

    verification = verify_package(result.path)
    assert verification.ok, verification.problems
    assert verification.objid == result.objid == f"urn:uuid:{fixed['package_id']}"
    assert verification.sha256 == result.sha256
    assert verification.files_checked == len(result.files) + 3  # + 3 schema files


def test_originals_are_copied_unchanged_with_checksums(record_fixture, tmp_path, fixed):
    f = record_fixture
    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip", **fixed)
    with zipfile.ZipFile(result.path) as zf:
        manifest256 = zf.read(f"{result.bag_name}/manifest-sha256.txt").decode()
        manifest512 = zf.read(f"{result.bag_name}/manifest-sha512.txt").decode()
        for packaged in result.files:
            data = zf.read(packaged.path)
            assert data == f.store.blobs[packaged.name]
            rel = packaged.path.split("/", 1)[1]
            assert f"{hashlib.sha256(data).hexdigest()}  {rel}" in manifest256
            assert f"{hashlib.sha512(data).hexdigest()}  {rel}" in manifest512
            assert packaged.sha512 == hashlib.sha512(data).hexdigest()
    roles = {p.name: p.role for p in result.files}
    assert roles == {"15-QD-UBND.pdf": "original", "phu-luc.pdf": "appendix",
                     "204-STP.pdf": "original"}
    assert result.renditions_created == 0 and result.warnings == ()


def test_member_order_is_deterministic_and_bytes_reproducible(record_fixture, tmp_path, fixed):
    f = record_fixture
    first = build_package(f.record, f.documents, f.store.open, tmp_path / "a.zip", **fixed)
    second = build_package(f.record, f.documents, f.store.open, tmp_path / "b.zip", **fixed)
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()
    names = [n.split("/", 1)[1] for n in zipfile.ZipFile(first.path).namelist()]
    code = "000.00.00.H41.2025.01.TCCB"
    assert names == [
        "bagit.txt",
        f"data/representations/rep1/data/{code}.001.pdf",
        f"data/representations/rep1/data/{code}.001-pl1.pdf",
        f"data/representations/rep1/data/{code}.002.pdf",
        "data/schemas/mets.xsd",
        "data/schemas/xlink.xsd",
        "data/schemas/edoc-archive-1.xsd",
        "data/METS.xml",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ]
    with zipfile.ZipFile(first.path) as zf:
        info = zf.getinfo(f"{first.bag_name}/data/representations/rep1/data/{code}.001.pdf")
        assert info.date_time == (2025, 7, 15, 9, 30, 0)
        assert info.compress_type == zipfile.ZIP_STORED
        assert zf.getinfo(f"{first.bag_name}/data/METS.xml").compress_type == zipfile.ZIP_DEFLATED


def test_read_package_round_trip(record_fixture, tmp_path, fixed):
    f = record_fixture
    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip", **fixed)
    record, documents, open_file = read_package(result.path)
    assert record == f.record
    assert documents == tuple(f.documents)
    assert open_file.objid == result.objid and open_file.verification.ok
    for document in documents:
        for ref in document.files:
            with open_file(ref) as fh:
                assert fh.read() == f.store.blobs[ref.name]


def test_read_package_from_unpacked_directory(record_fixture, tmp_path, fixed):
    f = record_fixture
    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip", **fixed)
    bag_dir = _unzip(result.path, tmp_path / "x")
    assert verify_package(bag_dir).ok
    record, documents, open_file = read_package(bag_dir)
    assert record == f.record
    ref = documents[1].files[0]
    with open_file(ref) as fh:
        assert fh.read() == f.store.blobs["204-STP.pdf"]


def test_unknown_file_cannot_be_opened(record_fixture, tmp_path, fixed):
    f = record_fixture
    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip", **fixed)
    _, _, open_file = read_package(result.path)
    stranger = FileRef(name="x.pdf", sha256="0" * 64, size=1)
    with pytest.raises(Exception) as info:
        open_file(stranger)
    assert getattr(info.value, "code", None) == "file_not_in_package"


def test_source_bytes_must_match_their_fileref(record_fixture, tmp_path, fixed):
    f = record_fixture
    f.store.blobs["204-STP.pdf"] += b"\n%tampered in storage"
    out = tmp_path / "p.zip"
    with pytest.raises(PackageBuildError) as info:
        build_package(f.record, f.documents, f.store.open, out, **fixed)
    assert info.value.code == "source_mismatch"
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary zip was removed too


def test_unopenable_source_is_a_build_error(record_fixture, tmp_path, fixed):
    f = record_fixture

    def broken(ref):
        raise ConnectionError("object store down")

    with pytest.raises(PackageBuildError) as info:
        build_package(f.record, f.documents, broken, tmp_path / "p.zip", **fixed)
    assert info.value.code == "source_unavailable"


def test_control_characters_in_metadata_are_refused(record_factory, tmp_path, fixed):
    record = record_factory(description="bad \x0b char")
    with pytest.raises(InvalidMetadata):
        build_package(record, [], lambda ref: io.BytesIO(), tmp_path / "p.zip", **fixed)


def test_empty_record_and_count_mismatch_are_warnings(record_factory, tmp_path, fixed):
    result = build_package(record_factory(doc_total=3), [], lambda ref: io.BytesIO(),
                           tmp_path / "p.zip", **fixed)
    assert {w.code for w in result.warnings} == {"no_documents", "document_count_mismatch"}
    assert verify_package(result.path).ok


def test_failed_rendition_is_a_warning_not_an_error(record_fixture, tmp_path, fixed):
    f = record_fixture
    calls = []

    def failing(src: Path, dst: Path) -> Rendition | None:
        calls.append(src.read_bytes())
        raise RenditionError("simulated timeout", code="rendition_timeout")

    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip",
                           renditions=failing, **fixed)
    # The converter saw exactly the original bytes (staged while streaming into the zip).
    assert sorted(calls) == sorted(f.store.blobs.values())
    assert [w.code for w in result.warnings] == ["rendition_timeout"] * 3
    assert result.renditions_created == 0
    assert verify_package(result.path).ok


def test_converter_returning_none_or_crashing(record_fixture, tmp_path, fixed):
    f = record_fixture
    result = build_package(f.record, f.documents[1:], f.store.open, tmp_path / "a.zip",
                           renditions=lambda s, d: None, **fixed)
    assert [w.code for w in result.warnings] == ["document_count_mismatch",
                                                 "rendition_unavailable"]
    result = build_package(f.record, f.documents[1:], f.store.open, tmp_path / "b.zip",
                           renditions=lambda s, d: 1 / 0, **fixed)
    assert result.warnings[-1].code == "rendition_failed"


def test_supplied_rendition_is_kept_and_linked(record_fixture, tmp_path, fixed, pdf_factory):
    from dataclasses import replace

    f = record_fixture
    doc = f.documents[1]
    supplied = f.store.put("204-STP.pdfa.pdf", pdf_factory(["bản PDF/A"]), role="rendition",
                           derived_from="204-STP.pdf")
    doc = replace(doc, files=(*doc.files, supplied))
    converted = []
    result = build_package(f.record, [f.documents[0], doc], f.store.open, tmp_path / "p.zip",
                           renditions=lambda s, d: converted.append(s) or None, **fixed)
    # Only the first document's two PDFs were offered for conversion.
    assert len(converted) == 2
    _, documents, _ = read_package(result.path)
    assert documents[1].files == (doc.files[0], supplied)


def test_layout_options(record_fixture, tmp_path, fixed):
    f = record_fixture
    layout = PackageLayout(objid_style="fonds", fonds_code="H41", oais_package_type="SIP",
                           mets_type="SIP_hoso", include_schemas=False,
                           checksums=("sha256",), structmap_type="PHYSICAL")
    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip",
                           layout=layout, **fixed)
    assert result.objid == f"urn:H41:uuid:{fixed['package_id']}"
    assert result.bag_name == f"urn_H41_uuid_{fixed['package_id']}"
    names = zipfile.ZipFile(result.path).namelist()
    assert not any("schemas/" in n for n in names)
    assert not any("sha512" in n for n in names)
    root = etree.fromstring(zipfile.ZipFile(result.path).read(
        f"{result.bag_name}/data/METS.xml"), safe_parser())
    assert root.get("TYPE") == "SIP_hoso"
    assert root.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OAISPACKAGETYPE") == "SIP"
    assert validate_mets(root) == []
    assert verify_package(result.path, layout=layout).ok
