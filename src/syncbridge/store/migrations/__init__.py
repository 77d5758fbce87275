"""Alembic migrations of syncbridge's own tables (a package so the scripts ship in the wheel)."""
