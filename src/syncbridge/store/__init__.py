"""syncbridge.store: SQLAlchemy models, Alembic migrations and the typed mirror tables.

Modules (imported on use; nothing is re-exported here so ``import syncbridge`` stays cheap):

* ``engine``     ``make_engine(url)`` (SQLite/PostgreSQL/MySQL); where driver errors are translated
* ``migrate``    ``migrate(url)``, ``open_store()`` (Alembic ``upgrade head``)
* ``models``     our ``sb_*`` tables; ``outbox_models`` holds the outbox's
* ``registry``   register / list / get / update / remove Notion databases
* ``mirror``     mirror tables: columns per property, ``load_mirror``, bookkeeping ``Col``
* ``evolution``  ``evolve(engine, data_source, new_schema)``: follow schema changes, drop nothing
* ``rows``       mirror rows: ``page_row``, ``upsert_rows``, ``stored_versions``, ``tombstone``
* ``naming``     identifier rules; ``presets`` database types; ``types`` portable column types
* ``upsert``, ``scan``, ``history``, ``changes``, ``triggers``, ``push_models``: the sync engine's
  statements and tables (owned by sync)

See docs/store.md.
"""
