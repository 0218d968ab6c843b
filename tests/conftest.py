"""Shared fixtures. Area-specific fixtures live in the conftest of each test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Nothing in the test run may reach the network or a hub, or send telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_UI_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data folder, set as ``CSPR_DATA_DIR`` with the settings cache cleared."""
    from review_flows.settings import get_settings

    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("CSPR_DATA_DIR", str(folder))
    monkeypatch.delenv("CSPR_DATABASE_URL", raising=False)
    monkeypatch.delenv("CSPR_INDEX_DIR", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()
