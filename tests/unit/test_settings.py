from __future__ import annotations

import pytest

from common.errors import ConfigError
from config.settings import load_settings


def test_defaults_are_embedded() -> None:
    settings = load_settings(env={})
    assert settings.store.backend == "sqlite"
    assert settings.model.uses_local_server
    assert settings.memory.strategy == "summary"


def test_firestore_only_when_asked_for() -> None:
    emulator = load_settings(
        env={"TICKETS_STORE": "firestore", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080"}
    )
    assert emulator.store.backend == "firestore"
    assert emulator.store.project == "demo-ticket-assistant"
    prod = load_settings(env={"TICKETS_STORE": "firestore", "GOOGLE_CLOUD_PROJECT": "acme-prod"})
    assert prod.store.backend == "firestore" and prod.store.project == "acme-prod"


@pytest.mark.parametrize(
    "env",
    [
        {"GOOGLE_CLOUD_PROJECT": "acme-prod"},
        {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080"},
        {"GOOGLE_APPLICATION_CREDENTIALS": "/keys/sa.json"},
        {"TICKETS_STORE": "sqlite", "FIRESTORE_PROJECT": "acme-prod"},
    ],
)
def test_firestore_settings_without_tickets_store_are_an_error(env: dict[str, str]) -> None:
    """A developer with GOOGLE_CLOUD_PROJECT exported must not silently use production."""
    with pytest.raises(ConfigError, match="TICKETS_STORE=firestore"):
        load_settings(env=env)


def test_an_unknown_store_names_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"firestore.*sqlite|sqlite.*firestore"):
        load_settings(env={"TICKETS_STORE": "postgres"})


def test_emulator_with_real_project_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(
            env={
                "TICKETS_STORE": "firestore",
                "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
                "GOOGLE_CLOUD_PROJECT": "acme-prod",
            }
        )
    assert "demo-" in str(err.value) and "GOOGLE_CLOUD_PROJECT" in str(err.value)


def test_environment_wins_over_secrets_and_secrets_are_not_in_repr() -> None:
    settings = load_settings(
        env={"OPENAI_MODEL": "from-env"},
        secrets={"OPENAI_MODEL": "from-secrets", "OPENAI_API_KEY": "sk-secret-value"},
    )
    assert settings.model.model == "from-env"
    assert settings.model.api_key == "sk-secret-value"
    assert "sk-secret-value" not in repr(settings)
    assert not settings.model.uses_local_server


def test_bad_values_name_the_setting() -> None:
    with pytest.raises(ConfigError, match="MEMORY_BUDGET_TOKENS"):
        load_settings(env={"MEMORY_BUDGET_TOKENS": "lots"})
    with pytest.raises(ConfigError, match="MEMORY_STRATEGY"):
        load_settings(env={"MEMORY_STRATEGY": "magic"})
    with pytest.raises(ConfigError, match="ALLOW_DEMO_LOGIN"):
        load_settings(env={"ALLOW_DEMO_LOGIN": "perhaps"})
