"""The control plane: which tenants exist, where their store is, and how they sync.

One `tenants` table in the control database (a SQLite file by default, any SQLAlchemy
URL otherwise). Callers get `TenantConfig` snapshots; the access token stays encrypted
in the row and is decrypted only on request, by `TenantRegistry.access_token`.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import DateTime, String, Text, TypeDecorator, create_engine, event, make_url, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from commerce_pipeline.settings import Settings, get_settings
from commerce_pipeline.tenants.crypto import load_cipher
from commerce_pipeline.tenants.plans import InvalidPlan, validate_plan
from commerce_pipeline.tenants.slugs import InvalidTenantId, validate_tenant_id

SQLITE_BUSY_TIMEOUT_SECONDS = 30
STATUSES = ("active", "paused")
# ISO 3166-1 alpha-2, as assigned (same list as the tz database's iso3166.tab).
COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split())
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
_API_VERSION = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class RegistryError(ValueError):
    """Base of every error the registry raises about tenants (crypto errors aside)."""


class TenantNotFound(RegistryError):
    def __init__(self, tenant_id: str):
        super().__init__(f"no tenant {tenant_id!r} is registered "
                         "(see `commerce-pipeline tenants list`)")


class TenantExists(RegistryError):
    def __init__(self, tenant_id: str):
        super().__init__(f"tenant {tenant_id!r} is already registered")


class InvalidTenantField(RegistryError):
    pass


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidTenantField(message)


def check_tenant_id(value: Any) -> str:
    try:
        return validate_tenant_id(value)
    except InvalidTenantId as exc:
        raise InvalidTenantField(str(exc)) from None


def _display_name(value: Any) -> str:
    _check(isinstance(value, str) and 0 < len(value.strip()) <= 200,
           "display name must be 1-200 characters")
    return value.strip()


def _shop_domain(value: Any) -> str:
    host = value.strip().lower() if isinstance(value, str) else ""
    _check(len(host) <= 253 and bool(_HOSTNAME.match(host)),
           f"invalid shop domain {value!r}: give a host name only, like acme.myshopify.com")
    return host


def _api_base_url(value: Any) -> str | None:
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (
            parts.port or 0) >= 0 and not (parts.query or parts.fragment)
    except (TypeError, ValueError, AttributeError):  # not a string, bad port or IPv6 literal
        ok = False
    _check(ok,
           f"invalid API base URL {value!r}: use http(s)://host[:port][/path]")
    return value.rstrip("/")


def _api_version(value: Any) -> str | None:
    _check(value is None or (isinstance(value, str) and bool(_API_VERSION.match(value))),
           f"invalid API version {value!r}: use the YYYY-MM form, like 2025-01")
    return value


def _country(value: Any) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    _check(code in COUNTRIES,
           f"invalid country {value!r}: use an ISO 3166-1 alpha-2 code, like US or DE")
    return code


def _plan(value: Any) -> str:
    try:
        return validate_plan(value)
    except InvalidPlan as exc:
        raise InvalidTenantField(str(exc)) from None


def _status(value: Any) -> str:
    _check(value in STATUSES, f"invalid status {value!r}: choose one of {', '.join(STATUSES)}")
    return value


def _token(value: Any) -> str | None:
    # The message must not echo the value: it may be a real token.
    _check(value is None or (isinstance(value, str) and value.strip() != ""),
           "access token must be a non-empty string (or None to clear it)")
    return None if value is None else value.strip()


_VALIDATORS = {"display_name": _display_name, "shop_domain": _shop_domain,
               "api_base_url": _api_base_url, "api_version": _api_version,
               "default_country": _country, "sync_plan": _plan, "status": _status,
               "access_token": _token}


def validate_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised copies of updatable tenant fields."""
    unknown = sorted(set(changes) - set(_VALIDATORS))
    _check(not unknown, f"cannot set {', '.join(unknown)}: "
           f"settable fields are {', '.join(_VALIDATORS)}")
    return {name: _VALIDATORS[name](value) for name, value in changes.items()}


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
            query = query.where(TenantRow.sync_plan == _plan(plan))
        if status is not None:
            query = query.where(TenantRow.status == _status(status))
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
