"""Packaging: wheel and sdist carry the licence, attribution and default specs; `make maps` installs no dev tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from brecha.settings import default_layers_dir

REPO = Path(__file__).resolve().parents[1]


def test_licence_is_bsd_3_clause_and_declared():
    assert (REPO / "LICENSE").read_text().startswith("BSD 3-Clause License")
    text = (REPO / "pyproject.toml").read_text()
    assert 'license = "BSD-3-Clause"' in text and 'license-files = ["LICENSE"]' in text


def _checkout_copy(dest: Path) -> Path:
    """The files a build reads, copied: building in the checkout would leave build/ and egg-info there."""
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "LICENSE", "README.md", "requirements.lock"):
        shutil.copy2(REPO / name, dest / name)
    shutil.copytree(REPO / "layers", dest / "layers")
    shutil.copytree(REPO / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    src = _checkout_copy(tmp_path_factory.mktemp("checkout"))
    # No build isolation: the venv's setuptools, no package index needed.
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "-w", str(out), "--no-deps", "-q",
                    "--no-build-isolation", "--disable-pip-version-check"], check=True, timeout=600,
                   capture_output=True)
    return next(out.glob("brecha-*.whl"))


def test_the_wheel_carries_specs_licence_and_attribution(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        specs = {Path(n).name: z.read(n) for n in names if n.startswith("brecha/layers/") and n.endswith(".toml")}
        assert {n: (REPO / "layers" / n).read_bytes() for n in specs} == specs  # the checkout's copy, byte for byte
        assert set(specs) == {p.name for p in (REPO / "layers").glob("*.toml")}
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        assert "brecha/data/DATA.md" in names
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: BSD-3-Clause" in meta
    assert not any(line.startswith("Requires-Dist: matplotlib") and "extra" not in line for line in meta.splitlines())


def test_the_sdist_carries_specs_and_licence(tmp_path):
    (tmp_path / "checkout").mkdir()
    code = ("import sys; from setuptools import build_meta as b; "
            f"print(b.build_sdist({str(tmp_path)!r}))")
    src = _checkout_copy(tmp_path / "checkout")
    name = subprocess.run([sys.executable, "-c", code], cwd=src, check=True, capture_output=True, text=True,
                          timeout=600).stdout.split()[-1]
    with tarfile.open(tmp_path / name) as t:
        names = {Path(*Path(n).parts[1:]).as_posix() for n in t.getnames()}
    assert "LICENSE" in names and "setup.py" in names
    assert {f"layers/{p.name}" for p in (REPO / "layers").glob("*.toml")} <= names


def test_default_specs_are_the_folder_here_else_the_packaged_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an empty folder: the editable install falls back to the checkout's specs
    assert default_layers_dir().resolve() == (REPO / "layers").resolve()
    (tmp_path / "layers").mkdir()  # a planner's own project folder wins
    assert default_layers_dir() == Path("layers")


def test_brecha_runs_without_matplotlib():
    # mapclassify imports matplotlib when it is there (optional: its "spatial" extra); brecha needs none of it.
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "import brecha.cli, brecha.api, brecha.maps, brecha.pipeline.run, brecha.coverage, brecha.rasters\n"
            "import mapclassify; print(len(mapclassify.Quantiles([1, 2, 3, 4, 5, 6], k=3).bins))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "3"


def test_make_maps_installs_no_dev_extras_and_make_test_adds_them():
    maps = subprocess.run(["make", "-n", "-B", "-C", str(REPO), "maps"], capture_output=True, text=True, timeout=60)
    test = subprocess.run(["make", "-n", "-B", "-C", str(REPO), "test"], capture_output=True, text=True, timeout=60)
    assert maps.returncode == 0 and test.returncode == 0
    assert "-e ." in maps.stdout and "[dev]" not in maps.stdout and "brecha build" in maps.stdout
    assert "-e '.[dev]'" in test.stdout and "ruff check src" in test.stdout and "mypy src/brecha" in test.stdout
    assert test.stdout.index("-e .") < test.stdout.index("-e '.[dev]'")  # dev extras on top of the run stamp
