"""Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def test_migrations_match_models(database_url, tmp_path):
    from flask_migrate import downgrade, upgrade

    from edoc import create_app
    from edoc.extensions import db
    from tests.conftest import BASE_CONFIG

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    else:  # a separate schema-free database of its own
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        name = f"{url.database}_mig"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        target = url.set(database=name).render_as_string(hide_password=False)
    app = create_app({**BASE_CONFIG, "DATABASE_URL": target})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            from edoc.database import migration_include_object

            ctx = MigrationContext.configure(conn, opts={"include_object":
                                                         migration_include_object})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
    if url.get_backend_name() != "sqlite":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
