"""Settings: defaults for a first run, and no placeholder secrets in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.settings import Settings


def test_defaults_run_embedded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=tmp_path / "var")
    assert settings.redis_url == ""
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'var' / 'hotline.sqlite3').resolve()}"
    assert settings.models_dir == tmp_path / "var" / "models"


def test_environment_variables_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/hotline")
    monkeypatch.setenv("HOTLINE_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("HOTLINE_PORT", "8100")
    settings = Settings()
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.port == 8100


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(env="production", maintainer_token="changeme")
    assert "HOTLINE_SECRET_KEY" in str(caught.value)
    assert "HOTLINE_MAINTAINER_TOKEN" in str(caught.value)


def test_production_accepts_strong_secrets() -> None:
    settings = Settings(env="production", secret_key="k" * 48, maintainer_token="t9" * 16)
    assert settings.env == "production"
