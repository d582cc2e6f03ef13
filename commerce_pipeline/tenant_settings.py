"""Per-tenant settings kept in the control plane: one append-only table per kind of settings
(model settings, campaign settings). Each row holds the fields one change set, as JSON; the
latest change of each field wins, and every change keeps who made it and when.

People change settings outside any run (the CLI), and the next run reads them, so they live in
the control database next to the tenant registry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
)
from sqlalchemy.engine import Engine, make_url

from commerce_pipeline.tenants.slugs import validate_tenant_id

S = TypeVar("S")  # a frozen settings dataclass with defaults and `with_changes(dict)`
_metadata = MetaData()


def control_engine(url: str) -> Engine:
    """An engine on the control database; a SQLite file's folder is created (a fresh data home)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def settings_table(name: str) -> Table:
    if name in _metadata.tables:
        return _metadata.tables[name]
    return Table(
        name, _metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("tenant_id", String(40), nullable=False, index=True),
        Column("settings", Text, nullable=False),  # JSON of the changed fields only
        Column("changed_by", String(200), nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False),
    )


class TenantSettingsStore(Generic[S]):
    """Subclasses name their `table` and `settings_class`; use as a context manager."""

    table: str
    settings_class: type

    def __init__(self, url: str):
        self._engine = control_engine(url)
        self._table = settings_table(self.table)
        self._table.create(self._engine, checkfirst=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._engine.dispose()

    def changes(self, tenant_id: str) -> dict:
        """Every field the tenant changed, with its latest value."""
        query = (select(self._table.c.settings).where(self._table.c.tenant_id == validate_tenant_id(tenant_id))
                 .order_by(self._table.c.id))
        merged: dict = {}
        with self._engine.connect() as con:
            for (raw,) in con.execute(query):
                merged.update(json.loads(raw))
        return merged

    def get(self, tenant_id: str) -> S:
        return self.settings_class().with_changes(self.changes(tenant_id))

    def set(self, tenant_id: str, changes: dict, changed_by: str) -> S:
        result = self.get(tenant_id).with_changes(changes)  # validates before anything is stored
        stored = {name: getattr(result, name) for name in changes}
        with self._engine.begin() as con:
            con.execute(insert(self._table).values(
                tenant_id=validate_tenant_id(tenant_id), settings=json.dumps(stored, sort_keys=True),
                changed_by=changed_by, changed_at=datetime.now(UTC)))
        return result
