"""Two-way sync: change log written by mirror triggers, sync-origin marker, pushes, push errors.

Revision ID: 0003_push
Revises: 0002_outbox
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from syncbridge.store.types import JSON_TYPE, UtcDateTime

revision: str = "0003_push"
down_revision: str | Sequence[str] | None = "0002_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ds_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["data_source_id"],
        ["sb_data_sources.id"],
        name=op.f(f"fk_{table}_data_source_id_sb_data_sources"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "sb_changes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("data_source_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.String(36), nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("changed_at", sa.Double(), nullable=False),
        _ds_fk("sb_changes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_changes")),
        **MYSQL,
    )
    op.create_index(
        "ix_sb_changes_data_source_id_page_id", "sb_changes", ["data_source_id", "page_id"]
    )
    op.create_table(
        "sb_sync_origin",
        sa.Column("token", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_sb_sync_origin")),
        **MYSQL,
    )
    op.create_table(
        "sb_pushes",
        sa.Column("data_source_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=False),
        sa.Column("idem_key", sa.String(255), nullable=True),
        sa.Column("properties", JSON_TYPE, nullable=False),
        sa.Column("pushed_at", UtcDateTime(), nullable=False),
        _ds_fk("sb_pushes"),
        sa.PrimaryKeyConstraint("data_source_id", "page_id", name=op.f("pk_sb_pushes")),
        **MYSQL,
    )
    op.create_table(
        "sb_push_errors",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("data_source_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.String(36), nullable=False),
        sa.Column("property_id", sa.String(255), nullable=True),
        sa.Column("property_name", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("value", JSON_TYPE, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _ds_fk("sb_push_errors"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_push_errors")),
        **MYSQL,
    )
    op.create_index(
        "ix_sb_push_errors_data_source_id_page_id",
        "sb_push_errors",
        ["data_source_id", "page_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_sb_push_errors_data_source_id_page_id", table_name="sb_push_errors")
    op.drop_table("sb_push_errors")
    op.drop_table("sb_pushes")
    op.drop_table("sb_sync_origin")
    op.drop_index("ix_sb_changes_data_source_id_page_id", table_name="sb_changes")
    op.drop_table("sb_changes")
