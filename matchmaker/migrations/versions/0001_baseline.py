"""Baseline: the schema of the last release without migrations (4257b74), every table.

The tables are `matchmaker.migrations.baseline`. A database of that release, or of one before
it, has some or all of them: db.upgrade() first adds the columns those lack
(db.ADDED_COLUMNS), then this revision makes the rest.

Revision ID: 0001
Revises: nothing, the first revision
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from matchmaker.migrations import baseline

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # each table missing is made with its indexes (and, on PostgreSQL, its enum types where
    # they are missing); a table that is there is left as it is
    baseline.metadata().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    # every table, in the order of their foreign keys, and on PostgreSQL their enum types
    baseline.metadata().drop_all(op.get_bind())
