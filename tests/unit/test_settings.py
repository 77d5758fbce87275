"""Settings: environment names, the TOML file, and errors that name what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncbridge.settings import SettingsError, load_settings


def test_environment_names_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTION_RATE_LIMIT", "5")
    monkeypatch.setenv("NOTION_ADMIN_EMAILS", "a@example.com, b@example.com")
    monkeypatch.setenv("SYNCBRIDGE_STORE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("NOTION_TOKEN", "ntn_secret_value")
    settings = load_settings()
    assert settings.notion_rate_limit == 5.0
    assert settings.admin_emails == ["a@example.com", "b@example.com"]
    assert settings.store_url == "postgresql://u@h/db"
    assert not settings.sandbox_mode
    assert "ntn_secret_value" not in repr(settings)


def test_defaults_without_token_use_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTION_TOKEN", raising=False)
    monkeypatch.chdir(Path(__file__).parent)
    settings = load_settings()
    assert settings.sandbox_mode
    assert settings.notion_version == "2025-09-03"
    assert settings.max_retries == 3


def test_toml_file_and_unknown_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        'store_url = "sqlite:///x.db"\n[[databases]]\nnotion_id = "abc"\ndatabase_type = "tasks"\n'
    )
    monkeypatch.setenv("SYNCBRIDGE_CONFIG", str(good))
    settings = load_settings()
    assert settings.store_url == "sqlite:///x.db"
    assert settings.databases[0].database_type == "tasks"

    bad = tmp_path / "bad.toml"
    bad.write_text('[[databases]]\nnotion_id = "abc"\nsync_intervall = 5\n')
    monkeypatch.setenv("SYNCBRIDGE_CONFIG", str(bad))
    with pytest.raises(SettingsError, match=r"databases\.0\.sync_intervall"):
        load_settings()


def test_malformed_toml_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("store_url = \n")
    monkeypatch.setenv("SYNCBRIDGE_CONFIG", str(bad))
    with pytest.raises(SettingsError, match=r"broken\.toml"):
        load_settings()


def test_secret_values_never_echoed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTION_RATE_LIMIT", "ntn_leaky_token")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "ntn_leaky_token" not in str(info.value)
    assert "notion_rate_limit" in str(info.value)
