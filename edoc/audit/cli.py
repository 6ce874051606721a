"""``flask audit verify``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="Audit log commands.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Re-hash every audit chain; exit 1 on any edited, inserted or deleted entry."""
    from edoc.audit.verify import verify_chains
    from edoc.extensions import db

    report = verify_chains(db.session)
    for p in report.problems:
        where = f"seq {p.seq}" if p.seq is not None else "head"
        click.echo(f"chain {p.chain} {where}: {p.kind}: {p.detail}")
    click.echo(f"{report.entries_checked} entries in {report.chains} chains checked, "
               f"{len(report.problems)} problems")
    if not report.ok:
        raise SystemExit(1)
