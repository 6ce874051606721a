"""``flask search``: rebuild the index."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Full-text search index.")


@search_cli.command("reindex")
@click.option("--kind", type=click.Choice(["all", "document", "record"]), default="all",
              show_default=True)
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
@click.option("--fresh", is_flag=True,
              help="Empty the index of the kind first (renumbers entries oldest first).")
def reindex_command(kind: str, batch_size: int, fresh: bool) -> None:
    """Rebuild index entries from the documents and records tables, in committed batches."""
    from edoc.extensions import db
    from edoc.search.indexer import reindex

    kinds = ("document", "record") if kind == "all" else (kind,)
    started = time.monotonic()
    last = [0.0]

    def progress(k: str, n: int) -> None:
        if time.monotonic() - last[0] > 5:
            last[0] = time.monotonic()
            click.echo(f"  {k}: {n}")

    counts = reindex(db.session, kinds=kinds, batch_size=batch_size, fresh=fresh,
                     progress=progress)
    elapsed = time.monotonic() - started
    for k, n in counts.items():
        click.echo(f"{k}: {n} indexed")
    click.echo(f"done in {elapsed:.1f} s")
