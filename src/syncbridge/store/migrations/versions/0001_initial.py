"""Initial schema: syncbridge's own tables (databases, data sources, columns, runs, checkpoints,
row bases, conflicts).

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from syncbridge.store.types import JSON_TYPE, UtcDateTime

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _int(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=False)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _fk(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "sb_databases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _str("notion_database_id", 36),
        _str("name", 255),
        _str("database_type", 32),
        sa.Column("sync_interval", sa.Integer(), nullable=True),
        _str("cron", 255, nullable=True),
        _str("conflict_strategy", 32),
        sa.Column("fetch_content", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_databases")),
        sa.UniqueConstraint("notion_database_id", name=op.f("uq_sb_databases_notion_database_id")),
        **MYSQL,
    )
    op.create_table(
        "sb_data_sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _int("database_id"),
        _str("notion_data_source_id", 36),
        _str("name", 255),
        _str("table_name", 64),
        sa.Column("schema_json", JSON_TYPE, nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _fk("database_id", "sb_data_sources", "sb_databases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_data_sources")),
        sa.UniqueConstraint(
            "notion_data_source_id", name=op.f("uq_sb_data_sources_notion_data_source_id")
        ),
        sa.UniqueConstraint("table_name", name=op.f("uq_sb_data_sources_table_name")),
        **MYSQL,
    )
    op.create_index("ix_sb_data_sources_database_id", "sb_data_sources", ["database_id"])
    op.create_table(
        "sb_columns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _int("data_source_id"),
        _str("property_id", 255),
        sa.Column("property_name", sa.Text(), nullable=False),
        _str("property_type", 32),
        sa.Column("columns", JSON_TYPE, nullable=False),
        _str("state", 32),
        _time("created_at"),
        _time("updated_at"),
        _fk("data_source_id", "sb_columns", "sb_data_sources"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_columns")),
        **MYSQL,
    )
    op.create_index(
        "ix_sb_columns_data_source_id_property_id",
        "sb_columns",
        ["data_source_id", "property_id"],
    )
    op.create_table(
        "sb_sync_runs",
        sa.Column("id", BIG_ID, nullable=False),
        _int("database_id"),
        sa.Column("data_source_id", sa.Integer(), nullable=True),
        _str("mode", 32),
        _str("trigger", 32),
        _str("status", 32),
        _time("started_at"),
        _time("ended_at", nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
        *(
            _int(name)
            for name in (
                "pages_seen",
                "inserted",
                "updated",
                "unchanged",
                "tombstoned",
                "pushed",
                "conflicts",
                "requests",
                "rate_limited",
                "retries",
            )
        ),
        sa.Column("error", sa.Text(), nullable=True),
        _fk("data_source_id", "sb_sync_runs", "sb_data_sources"),
        _fk("database_id", "sb_sync_runs", "sb_databases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_sync_runs")),
        **MYSQL,
    )
    op.create_index("ix_sb_sync_runs_data_source_id", "sb_sync_runs", ["data_source_id"])
    op.create_index(
        "ix_sb_sync_runs_database_id_started_at", "sb_sync_runs", ["database_id", "started_at"]
    )
    op.create_table(
        "sb_checkpoints",
        _int("data_source_id"),
        _time("cursor", nullable=True),
        _str("scan_id", 36, nullable=True),
        _str("scan_state", 32),
        _time("scan_started_at", nullable=True),
        _time("scan_last_created_time", nullable=True),
        _str("scan_last_page_id", 36, nullable=True),
        _int("scan_pages"),
        _time("last_full_scan_at", nullable=True),
        _time("trash_checked_at", nullable=True),
        _time("updated_at"),
        _fk("data_source_id", "sb_checkpoints", "sb_data_sources"),
        sa.PrimaryKeyConstraint("data_source_id", name=op.f("pk_sb_checkpoints")),
        **MYSQL,
    )
    op.create_table(
        "sb_row_bases",
        _int("data_source_id"),
        _str("page_id", 36),
        _time("last_edited_time", nullable=True),
        _str("content_hash", 64, nullable=True),
        sa.Column("properties", JSON_TYPE, nullable=False),
        _str("seen_scan_id", 36, nullable=True),
        _time("synced_at"),
        _fk("data_source_id", "sb_row_bases", "sb_data_sources"),
        sa.PrimaryKeyConstraint("data_source_id", "page_id", name=op.f("pk_sb_row_bases")),
        **MYSQL,
    )
    op.create_table(
        "sb_conflicts",
        sa.Column("id", BIG_ID, nullable=False),
        _int("data_source_id"),
        _str("page_id", 36),
        _str("property_id", 255),
        sa.Column("property_name", sa.Text(), nullable=False),
        sa.Column("base_value", JSON_TYPE, nullable=True),
        sa.Column("local_value", JSON_TYPE, nullable=True),
        sa.Column("remote_value", JSON_TYPE, nullable=True),
        _str("status", 32),
        _str("resolution", 32, nullable=True),
        sa.Column("resolved_value", JSON_TYPE, nullable=True),
        _time("detected_at"),
        _time("resolved_at", nullable=True),
        _fk("data_source_id", "sb_conflicts", "sb_data_sources"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_conflicts")),
        **MYSQL,
    )
    op.create_index(
        "ix_sb_conflicts_data_source_id_status", "sb_conflicts", ["data_source_id", "status"]
    )
    op.create_index("ix_sb_conflicts_page_id", "sb_conflicts", ["page_id"])


def downgrade() -> None:
    for table in (
        "sb_conflicts",
        "sb_row_bases",
        "sb_checkpoints",
        "sb_sync_runs",
        "sb_columns",
        "sb_data_sources",
        "sb_databases",
    ):
        op.drop_table(table)
