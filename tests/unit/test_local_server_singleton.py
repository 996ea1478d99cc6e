"""Streamlit's "Clear cache" rebuilds the services; the local model server is not rebuilt."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.settings import ModelSettings
from config.bootstrap import build_model
from config.settings import Settings
from storage.settings import StoreSettings


def test_rebuilding_the_services_reuses_the_one_local_model_server(tmp_path: Path) -> None:
    settings = replace(
        Settings(),
        store=StoreSettings(data_dir=tmp_path),
        model=ModelSettings(local_model="smollm2"),
    )
    first_model, first_server = build_model(settings)
    second_model, second_server = build_model(settings)  # what a cleared cache does
    assert first_server is not None and first_server is second_server
    assert first_model is not second_model  # the clients are cheap; the server is shared
    other = replace(settings, model=ModelSettings(base_url="http://127.0.0.1:9/v1"))
    assert build_model(other)[1] is None  # a configured server: no local one at all
