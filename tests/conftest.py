"""Shared fixtures: tiny synthetic data factories and the embedded real data."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

#: The full-size staged data: ``BRECHA_SHARED_DATA``, else ``../shared/data`` beside the clone.
SHARED_ENV = "BRECHA_SHARED_DATA"
SHARED_BESIDE = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data_dir(environ: dict[str, str] | None = None) -> tuple[Path, bool]:
    """Where the full-size data should be, and whether it was asked for (the env variable is set)."""
    env = os.environ if environ is None else environ
    if env.get(SHARED_ENV):
        return Path(env[SHARED_ENV]).expanduser(), True
    return SHARED_BESIDE, False


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
    """The full-size staged data (CI has it; users may not).

    Skips when it is absent and nobody asked for it; fails when
    ``BRECHA_SHARED_DATA`` names a folder that does not exist, so a CI set-up
    that means to run the full-size tests cannot skip them silently.
    """
    folder, asked = shared_data_dir()
    if folder.is_dir():
        return folder
    if asked:
        pytest.fail(f"{SHARED_ENV}={folder} is not a folder; point it at the full-size data (shared/data) "
                    f"or unset it to skip the full-size tests", pytrace=False)
    pytest.skip(f"full-size data not present: {folder} is missing (set {SHARED_ENV} to run these tests)")


# --- Real data, built once per session: the slow products many tests read -------------------------------


@pytest.fixture(scope="session")
def real_sources_session() -> dict:
    """The embedded source frames (``brecha.api.load_sources``); copy a frame before changing it."""
    from brecha.api import load_sources

    return load_sources()


@pytest.fixture(scope="session")
def municipal_layer_default(real_sources_session):
    """The municipal layer of the embedded data with the default build's settings (layers/municipalities.toml)."""
    from brecha.coverage import municipal_layer
    from brecha.pipeline.scenario import municipal_params

    return municipal_layer(real_sources_session, **municipal_params())


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder filled by ``make(folder)`` once per test run, shared by every xdist worker; read it only.

    Session fixtures are per process: under ``pytest -n 2`` each worker would
    redo an expensive build. The first worker to ask builds into the run's
    common temp folder under an exclusive lock; the others wait, then read it.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent  # shared by the workers of this run
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or when the worker dies
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that died half-way left it
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def _default_build(folder: Path) -> None:
    from brecha.pipeline import build

    res = build(folder / "out")
    assert not res.failed, res.failed


@pytest.fixture(scope="session")
def real_build_dir(tmp_path_factory) -> Path:
    """A complete default build (``brecha build``) of the embedded data, once per run; read it, never write into it."""
    return built_once(tmp_path_factory, "real_build", _default_build) / "out"
