"""Reviewers' decisions on queued merge groups, kept in the control plane.

A person decides outside any run (the CLI, later a UI), and the next identity run applies
it, so decisions live in the control database next to the tenant registry rather than in
the tenant's warehouse (which a running sync may hold locked). The latest decision on a
group wins; earlier ones stay as its audit trail.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, insert, select

from commerce_pipeline.tenants.slugs import validate_tenant_id

DECISIONS = ("approve", "reject")
_metadata = MetaData()
merge_decisions = Table(
    "merge_decisions", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(40), nullable=False, index=True),
    Column("group_key", String(40), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)


class MergeDecisions:
    def __init__(self, url: str):
        self._engine = create_engine(url)
        _metadata.create_all(self._engine)

    def record(self, tenant_id: str, group_key: str, decision: str, decided_by: str,
               at: datetime | None = None) -> None:
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
        if not group_key.startswith("g_"):
            raise ValueError(f"not a merge group key: {group_key!r} (see the manual_merge_queue table)")
        with self._engine.begin() as con:
            con.execute(insert(merge_decisions).values(
                tenant_id=validate_tenant_id(tenant_id), group_key=group_key, decision=decision,
                decided_by=decided_by, decided_at=at or datetime.now(UTC)))

    def latest(self, tenant_id: str) -> dict[str, dict]:
        """group_key -> {decision, decided_by, decided_at} (the latest per group)."""
        query = (select(merge_decisions).where(merge_decisions.c.tenant_id == tenant_id)
                 .order_by(merge_decisions.c.id))
        with self._engine.connect() as con:
            rows = con.execute(query).mappings().all()
        return {r["group_key"]: {"decision": r["decision"], "decided_by": r["decided_by"],
                                 "decided_at": r["decided_at"]} for r in rows}

    def close(self) -> None:
        self._engine.dispose()
