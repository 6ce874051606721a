#!/usr/bin/env bash
# Generate an Alembic revision from the models, against a scratch PostgreSQL database (SQLite
# renders some defaults in ways PostgreSQL refuses). Usage: scripts/new-migration.sh "message"
set -euo pipefail
msg=${1:?usage: scripts/new-migration.sh "message"}
admin=${EDOC_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
db=edoc_migration_scratch
psql_url=${admin/postgresql+psycopg/postgresql}
psql "$psql_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export EDOC_DATABASE_URL="${admin%/*}/$db" EDOC_STORAGE_BACKEND=memory FLASK_APP=wsgi.py
.venv/bin/flask db upgrade -d edoc/migrations
.venv/bin/flask db migrate -d edoc/migrations -m "$msg"
psql "$psql_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
