"""Hostile output folders: a build writes and deletes only what it owns inside --out.

Each case plants something in or around ``--out`` (a manifest listing files
outside it, a link where the lock or a sub-folder should be, someone else's
``*.tmp``), runs ``brecha build`` and checks, byte for byte, that every file
outside ``--out`` is still there and unchanged; and that the build either
went on (with a warning) or stopped with exit code 2 and a message naming
the path, never a traceback.
"""

from __future__ import annotations

import ast
import json
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from affine import Affine
from click.testing import CliRunner

import brecha.pipeline._lock as lock_module
from brecha.cli import build as build_cli
from brecha.pipeline import RasterResult, Registry
from brecha.pipeline import manifest as mf
from brecha.pipeline import run as run_module

CODE = "0.0.0+folders"
REG = Registry()


@REG.register("f.table", inputs=("base",))
def _table(inputs):
    """A plain table of the states."""
    df = inputs["base"]
    return pd.DataFrame({"cve_ent": df["cve_ent"], "name": df["name"]})


@REG.register("f.grid", kind="raster")
def _grid(inputs, *, cell_km: float):
    """A tiny raster, so that rasters/ is written to."""
    arr = np.ones((4, 3), dtype="float32")
    return RasterResult(arr, Affine(cell_km * 1000, 0, 2.0e6, 0, -cell_km * 1000, 1.5e6), "EPSG:6372", -1.0, ("v",))


SPECS = {
    "base": 'title = { es = "Base", en = "Base" }\nfunction = "f.table"\nkey = ["cve_ent"]\n'
            '[inputs]\nbase = "source:states"\n[outputs]\nformats = ["parquet", "csv"]\n',
    "grid": 'title = { es = "Malla", en = "Grid" }\nfunction = "f.grid"\n[params]\ncell_km = 5\n'
            '[outputs]\nformats = ["tif"]\n',
}


class Site:
    """A specs folder, an output folder and victim files outside it."""

    def __init__(self, root: Path):
        self.layers = root / "specs"
        self.layers.mkdir()
        for name, text in SPECS.items():
            (self.layers / f"{name}.toml").write_text(text, encoding="utf-8")
        self.out = root / "out"
        self.elsewhere = root / "elsewhere"
        self.elsewhere.mkdir()
        self.victims = {root / "victim.txt": b"not brecha's\n", self.elsewhere / "notes.tmp": b"mine\n",
                        self.elsewhere / ".draft.abcd1234.tmp": b"also mine\n",
                        self.elsewhere / "grid.tif": b"someone else's raster\n"}
        for path, data in self.victims.items():
            path.write_bytes(data)

    def build(self, *args: str):
        return CliRunner().invoke(build_cli.command, ["--out", str(self.out), "--layers-dir", str(self.layers),
                                                      "--no-store", *args])

    def assert_victims_untouched(self) -> None:
        for path, data in self.victims.items():
            assert path.is_file() and not path.is_symlink(), path
            assert path.read_bytes() == data, path
        assert sorted(p.name for p in self.elsewhere.iterdir()) == sorted(
            p.name for p in self.victims if p.parent == self.elsewhere)  # nothing written there


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "REGISTRY", REG)
    monkeypatch.setattr(run_module, "code_version", lambda: CODE)
    return Site(tmp_path)


def _refused(result, *says: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (OSError, ValueError)), result.output
    for s in says:
        assert s in result.output, result.output


# --- the manifest lists files that are not the build's ------------------------------------

def test_a_tampered_manifest_deletes_and_overwrites_nothing_outside_out(site, caplog):
    assert site.build().exit_code == 0
    victim = next(p for p in site.victims if p.name == "victim.txt")
    man = json.loads((site.out / "manifest.json").read_text(encoding="utf-8"))
    # A dropped format's old file is deleted by the next build: list the victims as old outputs.
    man["layers"]["base"]["outputs"] += [{"format": "gpkg", "path": "../victim.txt", "sha256": "0" * 64},
                                         {"format": "fgb", "path": str(victim), "sha256": "0" * 64}]
    man["layers"]["grid"]["outputs"][0]["path"] = "../elsewhere/grid.tif"
    man["index"] = {"path": "../elsewhere/notes.tmp", "sha256": "0" * 64}
    (site.out / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        result = site.build("--force")
    assert result.exit_code == 0, result.output
    site.assert_victims_untouched()
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("ignoring layer base, whose output '../victim.txt' is not a file inside" in s for s in said), said
    assert any("ignoring layer grid, whose output '../elsewhere/grid.tif'" in s for s in said), said
    assert any("ignoring the index entry, whose path '../elsewhere/notes.tmp'" in s for s in said), said
    clean = mf.load(site.out)
    paths = [r["path"] for e in clean["layers"].values() for r in e["outputs"]]
    assert "layers/base.parquet" in paths and "rasters/grid.tif" in paths
    assert all(p.startswith(("layers/base.", "rasters/grid.")) for p in paths), paths
    assert mf.verify(site.out) == []


def test_a_manifest_path_through_a_link_inside_out_is_not_followed(site, caplog):
    assert site.build().exit_code == 0
    (site.out / "old").symlink_to(site.elsewhere, target_is_directory=True)
    man = json.loads((site.out / "manifest.json").read_text(encoding="utf-8"))
    man["layers"]["base"]["outputs"].append({"format": "gpkg", "path": "old/notes.tmp", "sha256": "0" * 64})
    (site.out / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert site.build("--force").exit_code == 0
    site.assert_victims_untouched()
    assert any("'old/notes.tmp' is not a file inside" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("tamper", [
    lambda m: m.update(layers=[]),
    lambda m: m["layers"].update(base="layers/base.parquet"),
    lambda m: m["layers"]["base"]["outputs"][0].pop("path"),
    lambda m: m["layers"]["base"].update(outputs=[]),
    lambda m: m.update(failures=None),
    lambda m: m.update(store=["brecha.duckdb"]),
    lambda m: m["layers"]["base"]["inputs"].update(base="states.parquet"),
    "not json {",
], ids=["layers_a_list", "entry_a_string", "output_without_path", "no_outputs", "failures_null", "store_a_list",
        "input_a_string", "not_json"])
def test_a_manifest_of_the_wrong_shape_is_ignored_with_a_warning(site, caplog, tamper):
    assert site.build().exit_code == 0
    path = site.out / "manifest.json"
    if isinstance(tamper, str):
        path.write_text(tamper, encoding="utf-8")
    else:
        man = json.loads(path.read_text(encoding="utf-8"))
        tamper(man)
        path.write_text(json.dumps(man), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        result = site.build()
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "Traceback" not in result.output
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [s for s in said if str(path) in s and "every layer will be rebuilt" in s] == said[:1], said  # said once
    assert mf.verify(site.out) == [] and sorted(mf.load(site.out)["layers"]) == ["base", "grid"]
    site.assert_victims_untouched()


# --- links where the build writes ------------------------------------------------------------

def test_a_lock_file_that_is_a_link_is_refused_and_its_target_left_alone(site):
    site.out.mkdir()
    victim = next(p for p in site.victims if p.name == "victim.txt")
    (site.out / ".brecha.lock").symlink_to(victim)
    _refused(site.build(), f"{site.out / '.brecha.lock'} is a symbolic link, not brecha's lock file")
    site.assert_victims_untouched()
    assert not (site.out / "manifest.json").exists()


def test_a_lock_file_that_is_a_hard_link_is_refused(site):
    site.out.mkdir()
    victim = next(p for p in site.victims if p.name == "victim.txt")
    os.link(victim, site.out / ".brecha.lock")
    _refused(site.build(), "a file with 2 names (a hard link)")
    site.assert_victims_untouched()


@pytest.mark.parametrize("folder", ["layers", "rasters", "maps"])
def test_a_sub_folder_that_is_a_link_is_refused_and_nothing_written_through_it(site, folder):
    site.out.mkdir()
    (site.out / folder).symlink_to(site.elsewhere, target_is_directory=True)
    _refused(site.build(), f"{site.out / folder} is a symbolic link (to {site.elsewhere})",
             "does not follow links there")
    site.assert_victims_untouched()
    assert not (site.out / "manifest.json").exists()


def test_a_sub_folder_linked_after_a_build_is_refused_too(site):
    assert site.build().exit_code == 0
    (site.out / "rasters" / "grid.tif").unlink()
    (site.out / "rasters").rmdir()
    (site.out / "rasters").symlink_to(site.elsewhere, target_is_directory=True)
    _refused(site.build("--force"), "is a symbolic link")
    site.assert_victims_untouched()


def test_a_dangling_link_as_out_gets_a_clear_message(site):
    site.out.symlink_to(site.elsewhere / "gone", target_is_directory=True)
    result = site.build()
    _refused(result, f"{site.out}: it is a symbolic link to {site.elsewhere / 'gone'}, which does not exist")
    assert "File exists" not in result.output


def test_an_out_that_is_a_link_to_a_real_folder_is_the_users_choice(site):
    real = site.elsewhere / "real_out"
    real.mkdir()
    site.victims = {p: d for p, d in site.victims.items()}  # elsewhere now holds the outputs as well
    site.out.symlink_to(real, target_is_directory=True)
    assert site.build().exit_code == 0
    assert (real / "layers" / "base.parquet").is_file() and mf.verify(site.out) == []


# --- clean-up removes only brecha's own temporary files -----------------------------------------

def test_clean_up_removes_brechas_temporary_files_and_nothing_else(site):
    assert site.build().exit_code == 0
    ours = [site.out / "layers" / ".base.parquet.brecha-k3j4l5m6.tmp", site.out / ".manifest.json.brecha-abcdefgh.tmp",
            site.out / ".brecha.duckdb.brecha-zzzzzzzz.tmp.wal"]
    theirs = [site.out / "layers" / ".notes.abcdefgh.tmp", site.out / "layers" / "draft.tmp",
              site.out / "rasters" / ".grid.tif.k3j4l5m6.tmp"]
    for p in ours + theirs:
        p.write_bytes(b"half")
    linked = site.out / "layers" / ".x.parquet.brecha-linkedxx.tmp"
    linked.symlink_to(next(p for p in site.victims if p.name == "victim.txt"))
    assert site.build().exit_code == 0
    assert not any(p.exists() for p in ours)
    assert all(p.read_bytes() == b"half" for p in theirs)
    assert linked.is_symlink()  # a link is never brecha's temporary file: left as it is
    site.assert_victims_untouched()


# --- the lock imports and works without fcntl (Windows) -------------------------------------------

def test_the_lock_module_does_not_import_fcntl_at_the_top():
    tree = ast.parse(Path(lock_module.__file__).read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name for n in top for a in n.names} | {n.module for n in top if isinstance(n, ast.ImportFrom)}
    assert "fcntl" not in names and "msvcrt" not in names
