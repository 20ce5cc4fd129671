#!/usr/bin/env bash
# Development only, before the first release: rebuild migration 0001 from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f storage/migrations/versions/0001_initial_schema.py /tmp/hoctap-gen.db
.venv/bin/python -c "
from alembic import command
from storage.db import alembic_config
command.revision(alembic_config('sqlite:////tmp/hoctap-gen.db'), message='initial schema', autogenerate=True, rev_id='0001')
"
.venv/bin/ruff format -q storage/migrations/versions
.venv/bin/ruff check --fix --unsafe-fixes -q storage/migrations
