"""Settings: the only module that reads the environment and the config file.

Values come, highest priority first, from keyword arguments, the environment (the names fixed in
ARCHITECTURE.md, e.g. ``NOTION_TOKEN``, ``SYNCBRIDGE_STORE_URL``) and the TOML file named by
``SYNCBRIDGE_CONFIG`` (default ``./syncbridge.toml`` when present). Unknown keys in the file are
rejected with an error naming the key, so a misspelt setting never passes silently.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_CONFIG_FILE = "syncbridge.toml"
DEFAULT_STORE_URL = "sqlite:///./syncbridge.db"

ConflictStrategy = Literal["remote_wins", "local_wins", "newest_wins", "manual"]


class SettingsError(ValueError):
    """The configuration is malformed; the message names the file and the key."""


def _env(*names: str) -> Any:
    """Field alias that accepts the TOML key (first name) and each environment name."""
    return AliasChoices(*names)


class DatabaseConfig(BaseModel):
    """A Notion database declared in the config file (``[[databases]]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    notion_id: str
    name: str | None = None
    database_type: str = "generic"
    sync_interval: int | None = Field(default=None, gt=0)
    cron: str | None = None
    conflict_strategy: ConflictStrategy = "remote_wins"
    fetch_content: bool = False


class FieldMapping(BaseModel):
    """How one JSON field becomes one column of a REST source table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str
    path: str
    type: Literal["text", "integer", "float", "boolean", "json", "datetime"] = "text"


class TableMapping(BaseModel):
    """One table fed by a REST source: where its rows are in the JSON and how fields map."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    rows: str = "$"
    key: list[str]
    fields: list[FieldMapping]
    derived: dict[str, str] = Field(default_factory=dict)
    parent: str | None = None


class RestSourceConfig(BaseModel):
    """A plain JSON API polled into tables (``[[sources]]``), as seed 004 describes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    url: str
    method: Literal["GET", "POST"] = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    auth_token: SecretStr | None = None
    interval: int = Field(default=300, gt=0)
    tables: list[TableMapping] = Field(default_factory=list)


class AlertsConfig(BaseModel):
    """E-mail alerting (``[alerts]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    recipients: list[str] = Field(default_factory=list)
    sender: str = "syncbridge@localhost"


class Settings(BaseSettings):
    """Every setting syncbridge reads, with its default."""

    model_config = SettingsConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        case_sensitive=False,
        env_ignore_empty=True,
    )

    config_file: Path | None = Field(
        default=None, validation_alias=_env("config_file", "SYNCBRIDGE_CONFIG")
    )
    store_url: str = Field(
        default=DEFAULT_STORE_URL, validation_alias=_env("store_url", "SYNCBRIDGE_STORE_URL")
    )
    notion_token: SecretStr | None = Field(
        default=None, validation_alias=_env("notion_token", "NOTION_TOKEN")
    )
    notion_base_url: str = Field(
        default="https://api.notion.com",
        validation_alias=_env("notion_base_url", "NOTION_BASE_URL"),
    )
    notion_version: str = Field(
        default="2025-09-03", validation_alias=_env("notion_version", "NOTION_VERSION")
    )
    notion_rate_limit: float = Field(
        default=3.0, gt=0, validation_alias=_env("notion_rate_limit", "NOTION_RATE_LIMIT")
    )
    sync_interval_default: int = Field(
        default=300,
        gt=0,
        validation_alias=_env("sync_interval_default", "NOTION_SYNC_INTERVAL_DEFAULT"),
    )
    cache_timeout: int = Field(
        default=300, ge=0, validation_alias=_env("cache_timeout", "NOTION_CACHE_TIMEOUT")
    )
    max_retries: int = Field(
        default=3, ge=0, validation_alias=_env("max_retries", "NOTION_MAX_RETRIES")
    )
    retry_delay: float = Field(
        default=1.0, ge=0, validation_alias=_env("retry_delay", "NOTION_RETRY_DELAY")
    )
    alert_threshold_minutes: int = Field(
        default=30,
        gt=0,
        validation_alias=_env("alert_threshold_minutes", "NOTION_ALERT_THRESHOLD_MINUTES"),
    )
    max_failed_syncs: int = Field(
        default=3, gt=0, validation_alias=_env("max_failed_syncs", "NOTION_MAX_FAILED_SYNCS")
    )
    admin_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("admin_emails", "NOTION_ADMIN_EMAILS")
    )
    smtp_url: SecretStr | None = Field(
        default=None, validation_alias=_env("smtp_url", "SYNCBRIDGE_SMTP_URL")
    )
    api_token: SecretStr | None = Field(
        default=None, validation_alias=_env("api_token", "SYNCBRIDGE_API_TOKEN")
    )
    api_read_token: SecretStr | None = Field(
        default=None, validation_alias=_env("api_read_token", "SYNCBRIDGE_API_READ_TOKEN")
    )
    delete_threshold: float = Field(default=0.5, ge=0, le=1)
    outbox_max_pending: int = Field(default=1_000_000, gt=0)
    outbox_when_full: Literal["raise", "block"] = "raise"
    databases: list[DatabaseConfig] = Field(default_factory=list)
    sources: list[RestSourceConfig] = Field(default_factory=list)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)

    @field_validator("admin_emails", mode="before")
    @classmethod
    def _split_emails(cls, value: Any) -> Any:
        # The environment gives "a@x, b@y"; the TOML file gives a list.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    @property
    def sandbox_mode(self) -> bool:
        """True when no Notion token is set: the built-in sandbox stands in for Notion."""
        return self.notion_token is None


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML file; its keys are the field names (e.g. ``store_url``)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ is overridden; pydantic-settings never calls this

    def __call__(self) -> dict[str, Any]:
        path = config_path()
        if path is None:
            return {}
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
        except OSError as exc:
            raise SettingsError(f"{path}: cannot read config file: {exc.strerror}") from exc
        data.setdefault("config_file", str(path))
        return data


def config_path() -> Path | None:
    """The config file to read: ``$SYNCBRIDGE_CONFIG``, else ``./syncbridge.toml`` if present."""
    named = os.environ.get("SYNCBRIDGE_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise SettingsError(f"SYNCBRIDGE_CONFIG={named}: no such file")
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation failures into one readable ``SettingsError``."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        where = config_path()
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            # Never echo the offending value: it may be a token.
            lines.append(f"  {loc}: {err['msg']}")
        origin = f" (config file {where})" if where else ""
        raise SettingsError("invalid settings" + origin + ":\n" + "\n".join(lines)) from None
