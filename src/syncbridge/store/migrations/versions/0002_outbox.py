"""Outbox: the durable write queue (sb_outbox) and per-data-source key properties.

Revision ID: 0002_outbox
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from syncbridge.store.types import JSON_TYPE

revision: str = "0002_outbox"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _col(name: str, type_: Any, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sb_outbox",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _col("kind", sa.String(16), nullable=False),
        _col("page_key", sa.String(255), nullable=False),
        _col("data_source_id", sa.String(64)),
        _col("idem_key", sa.String(255)),
        _col("coalesce_key", sa.String(255)),
        _col("payload", JSON_TYPE, nullable=False),
        _col("state", sa.String(16), nullable=False),
        _col("attempts", sa.Integer(), nullable=False),
        _col("enqueued_at", sa.Double(), nullable=False),
        _col("next_attempt_at", sa.Double(), nullable=False),
        _col("lease_until", sa.Double()),
        _col("lease_owner", sa.String(64)),
        _col("sent_at", sa.Double()),
        _col("sent_hash", sa.String(64)),
        _col("result_page_id", sa.String(64)),
        _col("done_at", sa.Double()),
        _col("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_outbox")),
        sa.UniqueConstraint("idem_key", name=op.f("uq_sb_outbox_idem_key")),
        sa.UniqueConstraint("coalesce_key", name=op.f("uq_sb_outbox_coalesce_key")),
        sqlite_autoincrement=True,  # ids never reused: a delivered row is deleted
        **MYSQL,
    )
    op.create_index("ix_sb_outbox_page_key_id", "sb_outbox", ["page_key", "id"])
    op.create_index("ix_sb_outbox_state_next_attempt_at", "sb_outbox", ["state", "next_attempt_at"])
    op.create_table(
        "sb_outbox_key_property",
        _col("data_source_id", sa.String(64), nullable=False),
        _col("property_name", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("data_source_id", name=op.f("pk_sb_outbox_key_property")),
        **MYSQL,
    )


def downgrade() -> None:
    op.drop_table("sb_outbox_key_property")
    op.drop_index("ix_sb_outbox_state_next_attempt_at", table_name="sb_outbox")
    op.drop_index("ix_sb_outbox_page_key_id", table_name="sb_outbox")
    op.drop_table("sb_outbox")
