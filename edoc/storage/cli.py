"""``flask storage ...``: integrity check and garbage collection of the object store."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

storage_cli = AppGroup("storage", help="Object store maintenance (verify, gc, check).")


@storage_cli.command("verify")
def verify_command() -> None:
    """Re-hash every stored object against the database; exit 1 if any is wrong or missing."""
    from edoc.storage.services import verify_objects

    report = verify_objects()
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(f"checked {report.checked} objects ({report.bytes_read} bytes), "
               f"{len(report.problems)} problem(s)")
    if not report.ok:
        raise SystemExit(1)


@storage_cli.command("gc")
@click.option("--grace-hours", type=click.FloatRange(min=0), default=None,
              help="Keep unreferenced objects younger than this (default: "
                   "STORAGE_GC_GRACE_HOURS).")
@click.option("--dry-run", is_flag=True, help="List what would be deleted, delete nothing.")
def gc_command(grace_hours: float | None, dry_run: bool) -> None:
    """Delete stored objects that no database row references."""
    from edoc.storage.services import collect_garbage

    if grace_hours is None:
        grace_hours = float(current_app.config.get("STORAGE_GC_GRACE_HOURS", 24))
    report = collect_garbage(timedelta(hours=grace_hours), dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    for key in report.deleted:
        click.echo(f"{verb}\t{key}")
    for key in report.locked:
        click.echo(f"locked\t{key}")
    click.echo(f"scanned {report.scanned} objects, {verb} {len(report.deleted)}, "
               f"kept {len(report.locked)} locked")


@storage_cli.command("check")
def check_command() -> None:
    """Exit 1 unless the object store is reachable."""
    from edoc.storage import get_store
    from edoc.storage.base import StorageError

    store = get_store()
    try:
        store.check()
    except StorageError as exc:
        click.echo(f"{store.backend}: unavailable ({exc.code})", err=True)
        raise SystemExit(1) from exc
    click.echo(f"{store.backend}: ok")
