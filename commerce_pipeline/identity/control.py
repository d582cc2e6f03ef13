"""What people decide about identity, kept in the control plane: review decisions on queued
merge groups, and each tenant's own blocklist.

People decide outside any run (the CLI, later a UI) and the next identity run applies it, so
this lives in the control database next to the tenant registry rather than in the tenant's
warehouse (which a running sync may hold locked). Rows are only ever added: the latest
decision on a group wins, and an unblock is a row too, so both keep their audit trail.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
)

from commerce_pipeline.identity.blocklist import KINDS
from commerce_pipeline.tenant_settings import control_engine
from commerce_pipeline.tenants.slugs import validate_tenant_id

DECISIONS = ("approve", "reject")
_metadata = MetaData()
_audit = lambda: [Column("decided_by", String(200), nullable=False),  # noqa: E731
                  Column("decided_at", DateTime(timezone=True), nullable=False)]
merge_decisions = Table(
    "merge_decisions", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(40), nullable=False, index=True),
    Column("group_key", String(40), nullable=False),
    Column("decision", String(16), nullable=False),
    *_audit(),
)
blocklist_entries = Table(
    "identity_blocklist", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(40), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("value", String(500), nullable=False),
    Column("is_pattern", Boolean, nullable=False),
    Column("blocked", Boolean, nullable=False),  # False: a later unblock of the same entry
    *_audit(),
)


class IdentityControl:
    def __init__(self, url: str):
        self._engine = control_engine(url)
        _metadata.create_all(self._engine)

    def _add(self, table: Table, **values) -> None:
        values.setdefault("decided_at", datetime.now(UTC))
        with self._engine.begin() as con:
            con.execute(insert(table).values(**values))

    def _rows(self, table: Table, tenant_id: str) -> list:
        query = select(table).where(table.c.tenant_id == tenant_id).order_by(table.c.id)
        with self._engine.connect() as con:
            return con.execute(query).mappings().all()

    def record_decision(self, tenant_id: str, group_key: str, decision: str, decided_by: str,
                        at: datetime | None = None) -> None:
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
        if not group_key.startswith("g_"):
            raise ValueError(f"not a merge group key: {group_key!r} (see the manual_merge_queue table)")
        self._add(merge_decisions, tenant_id=validate_tenant_id(tenant_id), group_key=group_key,
                  decision=decision, decided_by=decided_by, **({"decided_at": at} if at else {}))

    def latest_decisions(self, tenant_id: str) -> dict[str, dict]:
        """group_key -> {decision, decided_by, decided_at} (the latest per group)."""
        return {r["group_key"]: {"decision": r["decision"], "decided_by": r["decided_by"],
                                 "decided_at": r["decided_at"]}
                for r in self._rows(merge_decisions, tenant_id)}

    def set_blocked(self, tenant_id: str, kind: str, value: str, *, pattern: bool, blocked: bool,
                    decided_by: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown identifier kind {kind!r}; choose one of {', '.join(KINDS)}")
        if pattern:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"invalid pattern {value!r}: {err}") from None
        self._add(blocklist_entries, tenant_id=validate_tenant_id(tenant_id), kind=kind,
                  value=value, is_pattern=pattern, blocked=blocked, decided_by=decided_by)

    def blocklist(self, tenant_id: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(values, patterns) currently blocked for the tenant, as (kind, text) pairs."""
        state: dict[tuple[str, str, bool], bool] = {}
        for r in self._rows(blocklist_entries, tenant_id):
            state[(r["kind"], r["value"], r["is_pattern"])] = r["blocked"]
        active = [key for key, blocked in state.items() if blocked]
        return ([(k, v) for k, v, p in active if not p], [(k, v) for k, v, p in active if p])

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> IdentityControl:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
