"""The marketing control plane: the send log (`email_sends`) that makes every email at most
once, and each tenant's suppression list (`email_suppressions`).

Both live in the control database, not a tenant warehouse: the event webhook and the CLI write
them outside any run, and the at-most-once guarantee rests on one unique key,
(tenant, campaign, profile, period), that a claim must win before anything is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Self

import pandas as pd
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from commerce_pipeline.tenant_settings import control_engine
from commerce_pipeline.tenants.slugs import validate_tenant_id

# claimed: won the key, outcome not yet known (a run that died mid-batch leaves these; they
# count as sent for cooldowns, so an unknown outcome is never sent twice). failed and dry_run
# rows never reached an inbox, so a later run may claim their key again.
STATUSES = ("claimed", "sent", "failed", "dry_run", "delivered", "bounced")
REUSABLE = ("failed", "dry_run")
REACHED = ("claimed", "sent", "delivered", "bounced")
_metadata = MetaData()
email_sends = Table(
    "email_sends", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(40), nullable=False),
    Column("campaign", String(40), nullable=False),
    Column("profile_id", String(80), nullable=False),
    Column("period", String(80), nullable=False),
    Column("email", String(320), nullable=False),
    Column("status", String(16), nullable=False),
    Column("run_id", String(64), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("message_id", String(200)),
    Column("error", Text),
    UniqueConstraint("tenant_id", "campaign", "profile_id", "period", name="uq_email_sends_key"),
)
email_suppressions = Table(
    "email_suppressions", _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(40), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("source", String(40), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "email", "reason", name="uq_email_suppressions"),
)
_KEY = (email_sends.c.campaign, email_sends.c.profile_id, email_sends.c.period)


def _now() -> datetime:
    return datetime.now(UTC)


class MarketingControl:
    def __init__(self, url: str):
        self._engine = control_engine(url)
        self._dialect = sqlite if self._engine.dialect.name == "sqlite" else postgresql
        _metadata.create_all(self._engine)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self._engine.dispose()

    # -- the send log ------------------------------------------------------------------------
    def claim(self, tenant_id: str, rows: list[dict], run_id: str, status: str = "claimed") -> list[dict]:
        """Claim each row's key (campaign, profile_id, period; with its email) for `run_id` and
        return the rows this run won. A key some run already holds is not returned, unless its
        email never went out (failed, dry run)."""
        tenant_id = validate_tenant_id(tenant_id)
        if not rows:
            return []
        now = _now()
        keys = [(r["campaign"], r["profile_id"], r["period"]) for r in rows]
        values = [{"tenant_id": tenant_id, "campaign": r["campaign"], "profile_id": r["profile_id"],
                   "period": r["period"], "email": r["email"], "status": status, "run_id": run_id,
                   "claimed_at": now} for r in rows]
        mine = and_(email_sends.c.tenant_id == tenant_id, tuple_(*_KEY).in_(keys))
        with self._engine.begin() as con:
            # One statement run per row (executemany), compiled once: a multi-row VALUES would be
            # compiled anew for every batch, which cost more than the inserts themselves.
            inserted = con.execute(self._dialect.insert(email_sends).on_conflict_do_nothing(), values).rowcount
            if inserted == len(rows):  # every key was free, so all are this run's: none to reuse
                return list(rows)
            con.execute(update(email_sends).where(mine, email_sends.c.status.in_(REUSABLE),
                                                  email_sends.c.run_id != run_id)
                        .values(status=status, run_id=run_id, claimed_at=now, error=None))
            won = {tuple(r) for r in con.execute(select(*_KEY).where(
                mine, email_sends.c.run_id == run_id, email_sends.c.status == status))}
        return [r for r, key in zip(rows, keys) if key in won]

    def finish(self, tenant_id: str, outcomes: list[dict]) -> None:
        """Record each claimed row's outcome: status sent|failed, message_id, error."""
        now = _now()
        with self._engine.begin() as con:
            for o in outcomes:
                con.execute(update(email_sends).where(
                    email_sends.c.tenant_id == tenant_id, email_sends.c.campaign == o["campaign"],
                    email_sends.c.profile_id == o["profile_id"], email_sends.c.period == o["period"])
                    .values(status=o["status"], message_id=o.get("message_id"), error=o.get("error"),
                            finished_at=now))

    def sends(self, tenant_id: str) -> pd.DataFrame:
        query = select(email_sends).where(email_sends.c.tenant_id == tenant_id).order_by(email_sends.c.id)
        with self._engine.connect() as con:
            return pd.DataFrame(con.execute(query).mappings().all(),
                                columns=[c.name for c in email_sends.columns])

    def history(self, tenant_id: str) -> pd.DataFrame:
        """Emails that reached (or may have reached) an inbox: profile_id, email, campaign, sent_at."""
        c = email_sends.c  # only those rows: a dry run's many are no one's history
        query = (select(c.profile_id, c.email, c.campaign, c.claimed_at, c.finished_at)
                 .where(c.tenant_id == tenant_id, c.status.in_(REACHED)).order_by(c.id))
        with self._engine.connect() as con:
            sends = pd.DataFrame(con.execute(query).mappings().all(),
                                 columns=["profile_id", "email", "campaign", "claimed_at", "finished_at"])
        sent_at = sends["finished_at"].fillna(sends["claimed_at"])
        return pd.DataFrame({"profile_id": sends["profile_id"], "email": sends["email"],
                             "campaign": sends["campaign"], "sent_at": pd.to_datetime(sent_at, utc=True)})

    def unconfirmed(self, tenant_id: str, run_id: str) -> int:
        """Keys other runs claimed without recording an outcome (they died mid-request)."""
        c = email_sends.c
        query = select(func.count()).where(c.tenant_id == tenant_id, c.status == "claimed", c.run_id != run_id)
        with self._engine.connect() as con:
            return int(con.execute(query).scalar_one())

    def mark_event(self, tenant_id: str, message_id: str, email: str, status: str) -> int:
        """A webhook event about one delivered message: returns the rows updated."""
        with self._engine.begin() as con:
            return con.execute(update(email_sends).where(
                email_sends.c.tenant_id == tenant_id, email_sends.c.message_id == message_id,
                email_sends.c.email == email).values(status=status)).rowcount

    # -- suppressions ------------------------------------------------------------------------
    def suppress(self, tenant_id: str, email: str, reason: str, source: str) -> None:
        value = {"tenant_id": validate_tenant_id(tenant_id), "email": email.strip().lower(),
                 "reason": reason, "source": source, "recorded_at": _now()}
        with self._engine.begin() as con:
            con.execute(self._dialect.insert(email_suppressions).values(value).on_conflict_do_nothing())

    def suppressed(self, tenant_id: str) -> dict[str, str]:
        """email -> reason (the first recorded one) for the tenant's suppression list."""
        query = (select(email_suppressions.c.email, email_suppressions.c.reason)
                 .where(email_suppressions.c.tenant_id == tenant_id).order_by(email_suppressions.c.id))
        out: dict[str, str] = {}
        with self._engine.connect() as con:
            for email, reason in con.execute(query):
                out.setdefault(email, reason)
        return out
