"""Library-level rules: purity, vendored schemas, safe XML, model validation."""

from __future__ import annotations

import ast
import hashlib
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

import archive
from archive import DocumentInfo, FileRef, InvalidMetadata, validate_mets
from archive.mets_schema import METS_XSD_PATH, XLINK_XSD_PATH, safe_parser, validate_edoc_metadata

PACKAGE_DIR = Path(archive.__file__).parent


def test_archive_imports_no_app_code():
    forbidden = {"edoc", "flask", "sqlalchemy", "connectors", "signing"}
    for path in PACKAGE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path}: imports {name}"


def test_public_api_is_curated():
    assert sorted(archive.__all__) == sorted(set(archive.__all__))
    for name in archive.__all__:
        assert hasattr(archive, name), name


def test_vendored_schemas_are_the_official_ones():
    mets = METS_XSD_PATH.read_text()
    assert "Version 1.12.1" in mets and "CC0 1.0" in mets
    assert 'schemaLocation="http://www.loc.gov/standards/xlink/xlink.xsd"' in mets
    assert hashlib.sha256(METS_XSD_PATH.read_bytes()).hexdigest() == (
        "92a993a3886d7c7d64d1a6d19b573ede5783b1f5bf938b1ba92b93ca37590004")
    xlink = XLINK_XSD_PATH.read_text()
    assert "METS XLink Schema, v. 2" in xlink
    assert 'targetNamespace="http://www.w3.org/1999/xlink"' in xlink


def test_mets_validation_rejects_invalid_documents():
    minimal = (b'<mets:mets xmlns:mets="http://www.loc.gov/METS/"><mets:structMap>'
               b'<mets:div/></mets:structMap></mets:mets>')
    assert validate_mets(etree.fromstring(minimal)) == []
    no_structmap = b'<mets:mets xmlns:mets="http://www.loc.gov/METS/"/>'
    assert validate_mets(etree.fromstring(no_structmap))
    bad_href = (b'<mets:mets xmlns:mets="http://www.loc.gov/METS/" '
                b'xmlns:xlink="http://www.w3.org/1999/xlink"><mets:structMap><mets:div>'
                b'<mets:mptr LOCTYPE="URL" xlink:show="sideways"/></mets:div></mets:structMap>'
                b'</mets:mets>')
    errors = validate_mets(etree.fromstring(bad_href))
    assert errors and "show" in errors[0]  # xlink attributes are checked: the import resolved


def test_safe_parser_does_not_expand_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = (f'<!DOCTYPE r [<!ENTITY s SYSTEM "file://{secret}">]><r>&s;</r>').encode()
    root = etree.fromstring(doc, safe_parser())
    assert "TOP-SECRET" not in etree.tostring(root).decode()


def test_descriptive_metadata_schema():
    from archive.metadata import record_to_xml

    assert validate_edoc_metadata(record_to_xml(_record())) == []
    wrong = etree.fromstring(b'<e:record xmlns:e="urn:edoc:archive:1"><e:title>x</e:title>'
                             b'</e:record>')
    assert validate_edoc_metadata(wrong)


def _record():
    from archive import RecordInfo, Retention

    return RecordInfo(code="X.2025.01", title="T", start_date=date(2025, 1, 1), end_date=None,
                      retention=Retention.for_years(5), agency_name="UBND", organ_id="")


@pytest.mark.parametrize("kwargs", [
    dict(name="a/b.pdf"), dict(sha256="xyz"), dict(size=-1), dict(role="copy"),
])
def test_fileref_validation(kwargs):
    values = dict(name="a.pdf", sha256="a" * 64, size=1) | kwargs
    with pytest.raises(InvalidMetadata):
        FileRef(**values)


def test_document_validation():
    ref = FileRef("a.pdf", "A" * 64, 1)
    assert ref.sha256 == "a" * 64  # normalised to lower case
    base = dict(id="d", direction="incoming", type_name="CV", number="1", notation="X",
                issued_date=date(2025, 1, 1), issuing_agency="A", subject="S")
    assert DocumentInfo(**base, files=[ref]).files == (ref,)
    with pytest.raises(InvalidMetadata):
        DocumentInfo(**base | {"direction": "sideways"})
    with pytest.raises(InvalidMetadata):
        DocumentInfo(**base, files=[ref, ref])
    with pytest.raises(InvalidMetadata):
        DocumentInfo(**base, files=[FileRef("r.pdf", "b" * 64, 1, role="rendition",
                                            derived_from="missing.pdf")])
    with pytest.raises(InvalidMetadata):
        _record().__class__(**{**_record().__dict__, "end_date": date(2024, 1, 1)})
