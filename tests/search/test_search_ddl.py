"""The DDL the migration must run, and Alembic's filter for it."""
from __future__ import annotations

from sqlalchemy import inspect

from edoc.extensions import db
from edoc.search.ddl import create_search_objects, drop_search_objects, is_search_ddl_object


def test_is_search_ddl_object():
    for name in ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_content",
                 "search_fts_docsize", "search_fts_config"):
        assert is_search_ddl_object(name, "table")
    assert not is_search_ddl_object("search_entries", "table")
    assert not is_search_ddl_object("search_fts", "index")
    assert not is_search_ddl_object(None, "table")


def test_create_and_drop_are_idempotent(search_app):
    with db.engine.begin() as conn:
        create_search_objects(conn)
        create_search_objects(conn)
        names = set(inspect(conn).get_table_names())
    if db.engine.dialect.name == "sqlite":
        assert "search_fts" in names
        with db.engine.begin() as conn:
            drop_search_objects(conn)
            drop_search_objects(conn)
            assert "search_fts" not in set(inspect(conn).get_table_names())
            create_search_objects(conn)
    else:
        assert not any(is_search_ddl_object(n, "table") for n in names)
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("search_entries")}
        assert "ix_search_entries_tsv" in indexes
