"""add a nullable note to items (release 2 of the scenario: an expand step
that the release before it keeps working with)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("item", sa.Column("note", sa.String(length=255), nullable=True))


def downgrade():
    op.drop_column("item", "note")
