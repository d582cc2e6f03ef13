"""The control plane: which tenants exist, where their store is, and how they sync.

One `tenants` table in the control database (a SQLite file by default, any SQLAlchemy
URL otherwise). Callers get `TenantConfig` snapshots; the access token stays encrypted
in the row and is decrypted only on request, by `TenantRegistry.access_token`.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, String, Text, TypeDecorator, create_engine, event, make_url, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from commerce_pipeline.settings import Settings, get_settings
from commerce_pipeline.tenants.crypto import load_cipher
from commerce_pipeline.tenants.fields import (  # noqa: F401  (re-exported API)
    COUNTRIES,
    STATUSES,
    InvalidTenantField,
    RegistryError,
    TenantExists,
    TenantNotFound,
    check_tenant_id,
    validate_fields,
)

SQLITE_BUSY_TIMEOUT_SECONDS = 30

class _UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out (SQLite would silently drop the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value and (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)

    def process_result_value(self, value, dialect):
        return value and (value.replace(tzinfo=UTC) if value.tzinfo is None
                          else value.astimezone(UTC))


class Base(DeclarativeBase):
    pass


class TenantRow(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(32), default="shopify")
    shop_domain: Mapped[str] = mapped_column(String(253))
    api_base_url: Mapped[str | None] = mapped_column(String(500))
    api_version: Mapped[str | None] = mapped_column(String(7))
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    default_country: Mapped[str] = mapped_column(String(2), default="US")
    sync_plan: Mapped[str] = mapped_column(String(16), default="daily")
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(_UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(_UTCDateTime())
    last_sync_at: Mapped[datetime | None] = mapped_column(_UTCDateTime())
    last_sync_status: Mapped[str | None] = mapped_column(String(16))
    last_sync_error: Mapped[str | None] = mapped_column(Text)
    # Apart from last_sync_at so a failing tenant still shows how stale its data is.
    last_success_at: Mapped[datetime | None] = mapped_column(_UTCDateTime())


@dataclass(frozen=True)
class TenantConfig:
    """Snapshot of one tenant row. Deliberately holds no token, encrypted or not."""

    id: str
    display_name: str
    platform: str
    shop_domain: str
    api_base_url: str | None
    api_version: str | None
    default_country: str
    sync_plan: str
    status: str
    created_at: datetime
    updated_at: datetime
    last_sync_at: datetime | None
    last_sync_status: str | None
    last_sync_error: str | None
    last_success_at: datetime | None
    has_token: bool
    default_api_version: str = field(repr=False)

    @property
    def base_url(self) -> str:
        return self.api_base_url or f"https://{self.shop_domain}"

    @property
    def effective_api_version(self) -> str:
        return self.api_version or self.default_api_version

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/admin/api/{self.effective_api_version}/graphql.json"


_ROW_COLUMNS = [f.name for f in fields(TenantConfig) if f.name not in
                ("has_token", "default_api_version")]
_UNSET: Any = object()
MAX_ERROR_CHARS = 4000


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Wait for other processes' locks instead of failing at once; WAL lets readers
    # (schedules, the UI) proceed while another process writes.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class TenantRegistry:
    """CRUD over the tenants table; safe to share between processes."""

    def __init__(self, url: str | None = None, settings: Settings | None = None, *,
                 engine_kwargs: dict[str, Any] | None = None):
        self.settings = settings or get_settings()
        parsed = make_url(url or self.settings.control_db_url)
        # Bound values (the encrypted token among them) stay out of SQL errors and logs.
        kwargs = {"hide_parameters": True, **(engine_kwargs or {})}
        is_sqlite = parsed.get_backend_name() == "sqlite"
        if is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(parsed, **kwargs)
        if is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._ready = False

    def __repr__(self) -> str:
        return f"TenantRegistry({self.engine.url!r})"  # URL repr masks any password

    def close(self) -> None:
        self.engine.dispose()

    def _session(self):
        if not self._ready:
            try:
                Base.metadata.create_all(self.engine)
            except (OperationalError, ProgrammingError, IntegrityError):
                Base.metadata.create_all(self.engine)  # another process created it first
            self._ready = True
        return self._sessions.begin()

    def _snapshot(self, row: TenantRow) -> TenantConfig:
        return TenantConfig(**{name: getattr(row, name) for name in _ROW_COLUMNS},
                            has_token=row.access_token_encrypted is not None,
                            default_api_version=self.settings.shopify_api_version)

    def _row(self, session, tenant_id: str) -> TenantRow:
        row = session.get(TenantRow, check_tenant_id(tenant_id))
        if row is None:
            raise TenantNotFound(tenant_id)
        return row

    def _apply(self, row: TenantRow, changes: dict[str, Any]) -> None:
        for name, value in validate_fields(changes).items():
            if name == "access_token":
                row.access_token_encrypted = (
                    value and load_cipher(self.settings).encrypt(value))
            else:
                setattr(row, name, value)
        row.updated_at = _now()

    def add(self, tenant_id: str, *, display_name: str, shop_domain: str,
            access_token: str | None = None, api_base_url: str | None = None,
            api_version: str | None = None, sync_plan: str = "daily",
            default_country: str = "US", status: str = "active") -> TenantConfig:
        row = TenantRow(id=check_tenant_id(tenant_id), platform="shopify", created_at=_now())
        # Validate (and encrypt) everything before touching the database.
        self._apply(row, dict(display_name=display_name, shop_domain=shop_domain,
                              access_token=access_token, api_base_url=api_base_url,
                              api_version=api_version, sync_plan=sync_plan,
                              default_country=default_country, status=status))
        try:
            with self._session() as session:
                if session.get(TenantRow, row.id) is not None:
                    raise TenantExists(row.id)
                session.add(row)
        except IntegrityError:
            raise TenantExists(row.id) from None  # lost a race with another process
        return self._snapshot(row)

    def get(self, tenant_id: str) -> TenantConfig:
        with self._session() as session:
            return self._snapshot(self._row(session, tenant_id))

    def list(self, plan: str | None = None,
             status: str | None = None) -> builtins.list[TenantConfig]:
        query = select(TenantRow).order_by(TenantRow.id)
        if plan is not None:
            query = query.where(TenantRow.sync_plan == validate_fields({"sync_plan": plan})["sync_plan"])
        if status is not None:
            query = query.where(TenantRow.status == validate_fields({"status": status})["status"])
        with self._session() as session:
            return [self._snapshot(row) for row in session.scalars(query)]

    def remove(self, tenant_id: str) -> None:
        with self._session() as session:
            session.delete(self._row(session, tenant_id))

    def update(self, tenant_id: str, **changes: Any) -> TenantConfig:
        """Change fields (validated as in add); access_token= re-encrypts, None clears."""
        with self._session() as session:
            row = self._row(session, tenant_id)
            self._apply(row, changes)
            return self._snapshot(row)

    def set_plan(self, tenant_id: str, plan: str) -> TenantConfig:
        return self.update(tenant_id, sync_plan=plan)

    def set_status(self, tenant_id: str, status: str) -> TenantConfig:
        return self.update(tenant_id, status=status)

    def upsert(self, tenant_id: str, *, display_name: str, shop_domain: str,
               access_token: str | None = _UNSET, api_base_url: str | None = _UNSET,
               api_version: str | None = _UNSET, sync_plan: str = _UNSET,
               default_country: str = _UNSET, status: str = _UNSET) -> TenantConfig:
        """Add the tenant, or update it with only the arguments actually passed, so a
        re-registration keeps e.g. a plan the user changed since."""
        given = {k: val for k, val in dict(
            display_name=display_name, shop_domain=shop_domain, access_token=access_token,
            api_base_url=api_base_url, api_version=api_version, sync_plan=sync_plan,
            default_country=default_country, status=status).items() if val is not _UNSET}
        try:
            return self.update(tenant_id, **given)
        except TenantNotFound:
            pass
        try:
            return self.add(tenant_id, **given)
        except TenantExists:
            return self.update(tenant_id, **given)  # another process added it meanwhile

    def record_sync(self, tenant_id: str, *, success: bool, at: datetime,
                    error: str | None = None) -> TenantConfig:
        with self._session() as session:
            row = self._row(session, tenant_id)
            row.last_sync_at = at
            row.last_sync_status = "success" if success else "failure"
            row.last_sync_error = None if success else (error or "")[:MAX_ERROR_CHARS] or None
            if success:
                row.last_success_at = at
            row.updated_at = _now()
            return self._snapshot(row)

    def access_token(self, tenant_id: str) -> str | None:
        """The decrypted token; MissingSecretKey/TokenDecryptionError if it cannot be."""
        with self._session() as session:
            encrypted = self._row(session, tenant_id).access_token_encrypted
        if encrypted is None:
            return None
        return load_cipher(self.settings).decrypt(
            encrypted, what=f"the access token of tenant {tenant_id!r}")
