"""Tampered packages are refused, each with its reason code."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import bagit
import pytest

from archive import PackageInvalid, build_package, read_package, verify_package

CODE = "000.00.00.H41.2025.01.TCCB"
ORIGINAL = f"data/representations/rep1/data/{CODE}.002.pdf"


@pytest.fixture
def package(record_fixture, tmp_path, fixed):
    f = record_fixture
    return build_package(f.record, f.documents, f.store.open, tmp_path / "good.zip", **fixed)


def rezip(src: Path, dst: Path, *,
          change: dict[str, Callable[[bytes], bytes | None]] | None = None,
          add: dict[str, bytes] | None = None) -> Path:
    """Copy a package, editing members (relative to the bag); None as a result drops one."""
    change, add = change or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        top = zin.namelist()[0].split("/", 1)[0]
        for info in zin.infolist():
            rel = info.filename.split("/", 1)[1]
            data = zin.read(info)
            if rel in change:
                data = change[rel](data)
                if data is None:
                    continue
            zout.writestr(info, data)
        for rel, data in add.items():
            zout.writestr(f"{top}/{rel}", data)
    return dst


def rebag(src: Path, dst: Path, tmp: Path, edit: Callable[[Path], None]) -> Path:
    """A careful forger: unpack, edit the payload, recompute every bag manifest, zip again."""
    work = tmp / "forge"
    with zipfile.ZipFile(src) as zf:
        zf.extractall(work)
        top = zf.namelist()[0].split("/", 1)[0]
    bag_dir = work / top
    edit(bag_dir / "data")
    bagit.Bag(str(bag_dir)).save(manifests=True)
    assert bagit.Bag(str(bag_dir)).is_valid()
    with zipfile.ZipFile(dst, "w") as zf:
        for path in sorted(bag_dir.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(work).as_posix())
    shutil.rmtree(work)
    return dst


def flip_byte(data: bytes, at: int = 200) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def codes(path: Path, **kwargs) -> set[str]:
    result = verify_package(path, **kwargs)
    assert result.ok is (not result.problems)
    return set(result.codes)


def test_changed_byte(package, tmp_path):
    bad = rezip(package.path, tmp_path / "bad.zip", change={ORIGINAL: flip_byte})
    assert codes(bad) == {"bag_checksum_mismatch", "file_checksum_mismatch"}


def test_changed_byte_with_forged_bag_manifests(package, tmp_path):
    def edit(data: Path) -> None:
        target = data.parent / ORIGINAL
        target.write_bytes(flip_byte(target.read_bytes()))

    bad = rebag(package.path, tmp_path / "bad.zip", tmp_path, edit)
    assert codes(bad) == {"file_checksum_mismatch"}


def test_removed_file(package, tmp_path):
    bad = rezip(package.path, tmp_path / "bad.zip", change={ORIGINAL: lambda d: None})
    assert codes(bad) == {"bag_oxum_mismatch", "bag_file_missing", "file_missing"}


def test_extra_file(package, tmp_path):
    bad = rezip(package.path, tmp_path / "bad.zip",
                add={"data/representations/rep1/data/extra.pdf": b"%PDF-1.4 planted"})
    assert codes(bad) == {"bag_oxum_mismatch", "bag_unexpected_file", "file_not_described"}


def test_extra_file_with_forged_bag_manifests(package, tmp_path):
    def edit(data: Path) -> None:
        (data / "notes.txt").write_text("planted")

    bad = rebag(package.path, tmp_path / "bad.zip", tmp_path, edit)
    assert codes(bad) == {"file_not_described"}


def test_edited_mets(package, tmp_path):
    def edit(data: bytes) -> bytes:
        return data.replace("Góp ý dự thảo".encode(), "Phê duyệt".encode())

    bad = rezip(package.path, tmp_path / "bad.zip", change={"data/METS.xml": edit})
    assert codes(bad) == {"bag_oxum_mismatch", "bag_checksum_mismatch"}
    same_size = rezip(package.path, tmp_path / "same.zip", change={
        "data/METS.xml": lambda d: d.replace("Văn Nam".encode(), "Văn Lam".encode())})
    assert codes(same_size) == {"bag_checksum_mismatch"}


def test_edited_mets_checksum_with_forged_bag(package, tmp_path):
    good_sha = package.files[2].sha256

    def edit(data: Path) -> None:
        mets = data / "METS.xml"
        mets.write_text(mets.read_text().replace(good_sha, "0" * 64))

    bad = rebag(package.path, tmp_path / "bad.zip", tmp_path, edit)
    assert codes(bad) == {"file_checksum_mismatch"}


def test_consistent_forgery_is_caught_by_the_recorded_zip_digest(package, tmp_path):
    def edit(data: Path) -> None:
        mets = data / "METS.xml"
        mets.write_text(mets.read_text().replace("Góp ý dự thảo", "Phê duyệt"))

    bad = rebag(package.path, tmp_path / "bad.zip", tmp_path, edit)
    assert codes(bad) == set()  # internally consistent: only the outside digest can tell
    assert codes(bad, expected_sha256=package.sha256) == {"package_checksum_mismatch"}
    assert codes(package.path, expected_sha256=package.sha256) == set()


def test_mets_breaking_the_schema(package, tmp_path):
    def edit(data: Path) -> None:
        mets = data / "METS.xml"
        mets.write_text(mets.read_text().replace("<mets:fileSec", "<mets:bogus/><mets:fileSec"))

    bad = rebag(package.path, tmp_path / "bad.zip", tmp_path, edit)
    assert codes(bad) == {"mets_schema_invalid"}


def test_metadata_breaking_our_schema(package, tmp_path):
    def edit(data: Path) -> None:
        mets = data / "METS.xml"
        text = mets.read_text().replace("<e:issuedDate>2025-02-14<", "<e:issuedDate>14/02<")
        mets.write_text(text)

    bad = rebag(package.path, tmp_path / "bad.zip", tmp_path, edit)
    assert codes(bad) == {"metadata_invalid"}


def test_mets_with_entities_is_refused_unexpanded(package, tmp_path):
    def edit(data: Path) -> None:
        mets = data / "METS.xml"
        text = mets.read_text().replace(
            "<?xml version='1.0' encoding='UTF-8'?>",
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
        text = text.replace("<e:subject>Góp ý", "<e:subject>&x;Góp ý")
        mets.write_text(text)

    bad = rebag(package.path, tmp_path / "bad.zip", tmp_path, edit)
    result = verify_package(bad)
    assert result.codes == {"mets_unparseable"}
    assert "root:" not in str(result.problems)


def test_missing_and_garbled_mets(package, tmp_path):
    def drop(data: Path) -> None:
        (data / "METS.xml").unlink()

    def garble(data: Path) -> None:
        (data / "METS.xml").write_text("<mets:mets")

    assert codes(rebag(package.path, tmp_path / "a.zip", tmp_path, drop)) == {"mets_missing"}
    assert codes(rebag(package.path, tmp_path / "b.zip", tmp_path, garble)) == {
        "mets_unparseable"}


def test_mets_pointing_outside_the_package(package, tmp_path):
    def edit(data: Path) -> None:
        mets = data / "METS.xml"
        mets.write_text(mets.read_text().replace(
            'xlink:href="schemas/xlink.xsd"', 'xlink:href="../../bagit.txt"'))

    bad = rebag(package.path, tmp_path / "bad.zip", tmp_path, edit)
    assert codes(bad) == {"unsafe_reference", "file_not_described"}


def test_corrupted_zip_bytes(package, tmp_path):
    raw = package.path.read_bytes()
    marker = raw.index(b"%PDF") + 300  # inside a stored (uncompressed) original
    bad = tmp_path / "bad.zip"
    bad.write_bytes(flip_byte(raw, marker))
    found = codes(bad)
    assert "member_corrupt" in found
    assert not verify_package(bad).ok


def test_not_a_zip_and_missing_path(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip")
    assert codes(junk) == {"package_unreadable"}
    assert codes(tmp_path / "absent.zip") == {"package_unreadable"}


def test_unsafe_member_names(package, tmp_path):
    bad = tmp_path / "bad.zip"
    shutil.copy(package.path, bad)
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("../evil.txt", b"x")
    assert codes(bad) == {"unsafe_member"}
    assert not (tmp_path.parent / "evil.txt").exists()


def test_two_bags_in_one_zip(package, tmp_path):
    bad = tmp_path / "bad.zip"
    shutil.copy(package.path, bad)
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("other/bagit.txt", b"x")
    assert codes(bad) == {"package_layout_invalid"}


def test_read_package_refuses_a_tampered_package(package, tmp_path):
    bad = rezip(package.path, tmp_path / "bad.zip", change={ORIGINAL: flip_byte})
    with pytest.raises(PackageInvalid) as info:
        read_package(bad)
    assert info.value.codes == {"bag_checksum_mismatch", "file_checksum_mismatch"}


# --- signatures through the app's callback ------------------------------------------------


def test_signatures_checked_through_the_callback(package, signer):
    result = verify_package(package.path, check_signatures=signer.verify)
    assert result.ok
    assert sorted(s.name for s in result.signatures) == ["15-QD-UBND.pdf", "204-STP.pdf"]
    assert all(s.ok for s in result.signatures)


def test_broken_signature_is_reported(record_fixture, tmp_path, fixed, signer):
    f = record_fixture
    signed = f.store.blobs["204-STP.pdf"]
    broken = signed[:11] + bytes([signed[11] ^ 0x01]) + signed[12:]  # a byte inside the ByteRange
    ref = f.store.put("204-STP.pdf", broken)
    documents = [f.documents[0], replace(f.documents[1], files=[ref])]
    result = build_package(f.record, documents, f.store.open, tmp_path / "p.zip", **fixed)
    assert verify_package(result.path).ok  # checksums are fine: the file is what was stored
    checked = verify_package(result.path, check_signatures=signer.verify)
    assert checked.codes == {"signature_invalid"}
    assert [s.name for s in checked.signatures if not s.ok] == ["204-STP.pdf"]


def test_signature_callback_errors_and_unsigned_files(package):
    def explode(data: bytes) -> object:
        raise ValueError("no signature dictionary")

    assert codes(package.path, check_signatures=explode) == {"signature_check_error"}
    assert codes(package.path, check_signatures=lambda data: []) == {"signature_invalid"}
    assert codes(package.path, check_signatures=lambda data: {"ok": True}) == set()
