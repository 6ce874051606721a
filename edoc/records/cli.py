"""``flask archive``: export, verify and import archival packages; fixity; search index."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import or_, select

from edoc import audit
from edoc.extensions import db

archive_cli = click.Group("archive", help="Lưu trữ cơ quan: gói lưu trữ, kiểm tra toàn vẹn.")


def _record(ref: str):
    from edoc.records.models import Record

    cond = [Record.code == ref]
    if ref.isdigit():
        cond.append(Record.id == int(ref))
    records = db.session.scalars(select(Record).where(or_(*cond))).all()
    if len(records) != 1:
        raise click.ClickException(f"no single record with id or code {ref!r}")
    return records[0]


@archive_cli.command("export")
@click.argument("record")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the zip (default: ./<record code>.zip).")
@with_appcontext
def export_command(record: str, output: Path | None) -> None:
    """Write the archival package (BagIt zip with METS) of RECORD (id or code)."""
    from edoc.records import packages
    from edoc.records.states import RecordState
    from edoc.storage.services import open_stored

    rec = _record(record)
    output = output or Path(packages.package_name(rec))
    if rec.state == RecordState.ARCHIVED:
        package = packages.stored_package(rec)
        with open_stored(package.stored) as reader, output.open("wb") as fh:
            shutil.copyfileobj(reader, fh, 1024 * 1024)
        sha, objid = package.sha256, package.objid
    else:
        result = packages.build_package_file(rec, output)
        sha, objid = result.sha256, result.objid
    audit.record("archive.package_exported", obj=rec, details={"sha256": sha, "via": "cli"})
    db.session.commit()
    click.echo(f"{output}\t{objid}\tsha256={sha}")


@archive_cli.command("verify")
@click.argument("package", type=click.Path(exists=True, path_type=Path))
@click.option("--no-signatures", is_flag=True, help="Skip the PDF signature checks.")
@click.option("--record", "record_ref", help="The record (id or code) whose kept package this "
              "must be, byte for byte.")
@with_appcontext
def verify_command(package: Path, no_signatures: bool, record_ref: str | None) -> None:
    """Check PACKAGE: bag checksums, METS validity, file list, PDF signatures."""
    from edoc.records import packages

    result = packages.verify_file(package, signatures=not no_signatures,
                                  record=_record(record_ref) if record_ref else None)
    report = packages.verification_json(result)
    for p in report["problems"]:
        click.echo(f"FAIL\t{p['code']}\t{p['message']}\t{p['path'] or ''}\t{p['detail']}")
    for s in report["signatures"]:
        click.echo(f"{'OK' if s['ok'] else 'FAIL'}\tsignature\t{s['name']}")
    click.echo(f"{'VALID' if result.ok else 'INVALID'}\t{result.objid or '-'}\t"
               f"{result.files_checked} files\t{result.bytes_checked} bytes")
    db.session.rollback()
    if not result.ok:
        sys.exit(1)


@archive_cli.command("import")
@click.argument("package", type=click.Path(exists=True, path_type=Path))
@click.option("--user", "username", required=True, help="The archivist importing it.")
@with_appcontext
def import_command(package: Path, username: str) -> None:
    """Create an archived record from PACKAGE (refused unless it verifies)."""
    from edoc.auth.models import User
    from edoc.errors import EdocError
    from edoc.records import package_import

    actor = db.session.scalar(select(User).where(User.username == username))
    if actor is None:
        raise click.ClickException(f"no user {username!r}")
    try:
        record = package_import.import_package(actor, package)
    except EdocError as exc:
        db.session.rollback()
        for p in exc.details.get("problems", []):
            click.echo(f"FAIL\t{p['code']}\t{p['message']}\t{p.get('path') or ''}")
        raise click.ClickException(f"{exc.code}: {exc.message}") from exc
    db.session.commit()
    click.echo(f"imported record {record.id}\t{record.code}\t{record.doc_total} documents")


@archive_cli.command("fixity")
@click.option("--limit", type=int, default=None, help="Objects to check (0: all).")
@with_appcontext
def fixity_command(limit: int | None) -> None:
    """Re-hash archived objects now and report mismatches."""
    from edoc.records.fixity import run_fixity

    run = run_fixity(trigger="cli", limit=limit)
    db.session.commit()
    for p in run.problems:
        click.echo(f"{p.kind}\t{p.key}\trecords={p.record_ids}\t{p.detail}")
    click.echo(f"run {run.id}: {run.checked} checked, {run.ok_count} ok, {run.mismatches} "
               f"changed, {run.missing} missing, {run.errors} errors")
    if not run.ok:
        sys.exit(1)


@archive_cli.command("schedule-fixity")
@with_appcontext
def schedule_command() -> None:
    """Queue the scheduled fixity job (it then re-queues itself)."""
    from edoc.records.jobs import schedule_fixity

    schedule_fixity(now=True)
    db.session.commit()
    click.echo("fixity job queued")


@archive_cli.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the archive search index of every archived record."""
    from edoc.records.models import Record
    from edoc.records.search import index_record
    from edoc.records.states import RecordState

    n = 0
    for record in db.session.scalars(select(Record).where(
            Record.state == RecordState.ARCHIVED)):
        index_record(record)
        n += 1
    db.session.commit()
    click.echo(f"{n} records indexed")
