"""Shared fixtures: tiny synthetic data factories and the embedded real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def write_csv(tmp_path):
    """Factory: write text (or bytes) to a file in tmp_path and return its path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return p

    return _write


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The full-size staged data beside the repo, when present (CI has it; users may not)."""
    if not SHARED.exists():
        pytest.skip("full-size ../shared/data is not present on this machine")
    return SHARED
