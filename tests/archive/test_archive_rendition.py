"""PDF/A-2b renditions with the real Ghostscript, and the paths where no converter works."""

from __future__ import annotations

import io
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pypdf
import pytest

from archive import (
    RenditionError,
    build_package,
    convert_to_pdfa,
    pdfa_identification,
    read_package,
    to_pdfa,
    verify_package,
)
from archive.rendition import available_converters


# Ghostscript is a system dependency (scripts/system-deps.sh): its absence is a failure here.
def require_gs() -> None:
    assert shutil.which("gs"), "ghostscript missing: run scripts/system-deps.sh"


def xmp_pdfaid(data: bytes) -> tuple[str, str]:
    """pdfaid part/conformance read straight from the XMP packet (independent of archive)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    part = re.search(r"pdfaid:part(?:=['\"]|>)(\d)", xmp)
    conformance = re.search(r"pdfaid:conformance(?:=['\"]|>)([ABU])", xmp)
    assert part and conformance, xmp
    return part.group(1), conformance.group(1)


def fake_tool(directory: Path, name: str, script: str) -> None:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_ghostscript_makes_pdfa_2b(tmp_path, pdf_factory, signer):
    require_gs()
    src = tmp_path / "in.pdf"
    src.write_bytes(signer.sign(pdf_factory(["QUYẾT ĐỊNH", "Về việc lưu trữ hồ sơ"], pages=3)))
    dst = tmp_path / "out.pdf"
    made = convert_to_pdfa(src, dst, converters=("gs",))
    assert made.path == dst and made.tool == "gs" and made.tool_version
    data = dst.read_bytes()
    assert xmp_pdfaid(data) == ("2", "B")
    assert pdfa_identification(dst) == ("2", "B")
    assert pdfa_identification(src) is None
    reader = pypdf.PdfReader(str(dst))
    assert len(reader.pages) == 3
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert "lưu trữ hồ sơ" in reader.pages[0].extract_text()


def test_package_with_renditions(record_fixture, tmp_path, fixed, signer):
    require_gs()
    f = record_fixture
    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip",
                           renditions=True, **fixed)
    assert result.renditions_created == 3 and result.warnings == ()
    renditions = [p for p in result.files if p.role == "rendition"]
    assert [p.name for p in renditions] == ["15-QD-UBND.pdfa.pdf", "phu-luc.pdfa.pdf",
                                            "204-STP.pdfa.pdf"]
    with zipfile.ZipFile(result.path) as zf:
        for p in renditions:
            assert "/representations/rep2/data/" in p.path
            assert xmp_pdfaid(zf.read(p.path)) == ("2", "B")
        originals = {p.name: zf.read(p.path) for p in result.files if p.role != "rendition"}
    assert originals == f.store.blobs  # the signed originals are untouched
    verification = verify_package(result.path, check_signatures=signer.verify)
    assert verification.ok and len(verification.signatures) == 2
    _, documents, open_file = read_package(result.path)
    assert documents == result.documents
    rendition = documents[1].files[1]
    assert rendition.role == "rendition" and rendition.derived_from == "204-STP.pdf"
    with open_file(rendition) as fh:
        assert xmp_pdfaid(fh.read()) == ("2", "B")


def test_no_converter_installed_returns_none(tmp_path, monkeypatch, pdf_factory):
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf_factory(["x"]))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr("sys.executable", str(tmp_path / "nowhere" / "python"))
    assert available_converters() == ()
    assert to_pdfa(src, tmp_path / "out.pdf") is None
    with pytest.raises(RenditionError) as info:
        convert_to_pdfa(src, tmp_path / "out.pdf")
    assert info.value.code == "rendition_unavailable"
    assert not (tmp_path / "out.pdf").exists()


def test_package_build_survives_missing_converters(record_fixture, tmp_path, fixed,
                                                   monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr("sys.executable", str(tmp_path / "nowhere" / "python"))
    f = record_fixture
    result = build_package(f.record, f.documents, f.store.open, tmp_path / "p.zip",
                           renditions=True, **fixed)
    assert {w.code for w in result.warnings} == {"rendition_unavailable"}
    assert verify_package(result.path).ok


def test_converter_timeout(tmp_path, monkeypatch, pdf_factory):
    fake_tool(tmp_path / "bin", "gs", "sleep 30\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf_factory(["x"]))
    with pytest.raises(RenditionError) as info:
        convert_to_pdfa(src, tmp_path / "out.pdf", converters=("gs",), timeout=0.5)
    assert info.value.code == "rendition_timeout"
    assert to_pdfa(src, tmp_path / "out.pdf", converters=("gs",), timeout=0.5) is None


def test_output_that_is_not_pdfa_is_rejected(tmp_path, monkeypatch, pdf_factory):
    # A "converter" that copies its input: exit 0, but no PDF/A claim in the output.
    fake_tool(tmp_path / "bin", "gs", 'for a; do case "$a" in -sOutputFile=*) '
              'out="${a#-sOutputFile=}";; esac; last="$a"; done; cp "$last" "$out"\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf_factory(["x"]))
    with pytest.raises(RenditionError) as info:
        convert_to_pdfa(src, tmp_path / "out.pdf", converters=("gs",))
    assert info.value.code == "rendition_invalid"


def test_failing_converter(tmp_path, monkeypatch, pdf_factory):
    fake_tool(tmp_path / "bin", "gs", "echo 'Unrecoverable error' >&2; exit 1\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf_factory(["x"]))
    with pytest.raises(RenditionError) as info:
        convert_to_pdfa(src, tmp_path / "out.pdf", converters=("gs",))
    assert info.value.code == "rendition_failed"
    assert "Unrecoverable error" in str(info.value)
