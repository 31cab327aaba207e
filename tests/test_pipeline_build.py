"""The build on synthetic specs and a test registry: incremental, failure-safe, locked, observable."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from brecha.errors import InputError, LockError
from brecha.pipeline import build, status
from brecha.pipeline import manifest as mf
from brecha.pipeline._lock import build_lock

from test_pipeline_support import CODE, REG, SPECS, assert_consistent, data_copy, write_specs


@dataclass
class Project:
    layers: Path
    data: Path
    out: Path
    events: list = field(default_factory=list)

    def build(self, **kw):
        self.events = []
        kw = {"registry": REG, "data_dir": self.data, "code": CODE, "store": False, **kw}
        return build(self.out, layers_dir=self.layers, on_event=self.events.append, **kw)

    def reasons(self) -> dict:
        return {e["layer"]: e.get("reason") for e in self.events if e["event"] == "layer"}

    def status(self, **kw):
        kw = {"registry": REG, "data_dir": self.data, "code": CODE, **kw}
        return {s.name: s for s in status(self.out, layers_dir=self.layers, **kw)}


@pytest.fixture
def project(tmp_path):
    return Project(write_specs(tmp_path / "layers", SPECS), data_copy(tmp_path / "data"), tmp_path / "out")


def test_first_build_writes_every_output_and_a_consistent_manifest(project):
    res = project.build()
    assert res.exit_code == 0 and sorted(res.built) == ["base", "derived", "grid", "map"]
    out = project.out
    for rel in ["layers/base.parquet", "layers/base.gpkg", "layers/base.fgb", "layers/base.csv",
                "layers/derived.parquet", "layers/derived.csv", "rasters/grid.tif", "maps/map.html", "maps/index.html"]:
        assert (out / rel).is_file(), rel
    man = assert_consistent(out)
    base = man["layers"]["base"]
    assert base["inputs"]["base"]["ref"] == "source:states" and base["inputs"]["base"]["vintage"] == "2020"
    assert base["params"] == {"columns": ["name"]} and base["code_version"] == CODE
    assert base["outputs"][0]["rows"] == 32 and len(base["outputs"][0]["sha256"]) == 64
    assert man["layers"]["derived"]["inputs"]["layer"]["sha256"] == base["outputs"][0]["sha256"]
    assert list(gpd.read_parquet(out / "layers/base.parquet")["cve_ent"]) == sorted(f"{i:02d}" for i in range(1, 33))
    assert "maps/map.html" not in (out / "maps/index.html").read_text() and 'href="map.html"' in (out / "maps/index.html").read_text()
    assert (out / "layers/derived.csv").read_text(encoding="utf-8-sig").splitlines()[1].endswith(",'=1+1")


def test_second_build_skips_everything_and_writes_nothing(project):
    project.build()
    def stamps():  # the lock file records who holds it; everything else must stay untouched
        return {p: p.stat().st_mtime_ns for p in project.out.rglob("*") if p.is_file() and p.name != ".brecha.lock"}

    before = stamps()
    res = project.build()
    assert res.built == [] and sorted(res.skipped) == ["base", "derived", "grid", "map"] and not res.changed
    assert project.events[-1]["event"] == "summary" and project.events[-1]["changed"] is False
    assert stamps() == before


def test_changed_input_rebuilds_its_layer_and_dependents_only(project):
    project.build()
    states = gpd.read_parquet(project.data / "states.parquet")
    states.loc[0, "name"] = "Aguascalientes (changed)"
    states.to_parquet(project.data / "states.parquet")
    res = project.build()
    assert sorted(res.built) == ["base", "derived", "map"] and res.skipped == ["grid"]
    assert project.reasons()["base"] == "input source:states changed"
    assert project.reasons()["derived"] == "input layer:base changed"
    assert "(changed)" in (project.out / "layers/base.csv").read_text(encoding="utf-8-sig")
    assert_consistent(project.out)


def test_identical_upstream_bytes_do_not_ripple_down(project):
    project.build()
    res = project.build(layers=["base"], force=True)
    assert res.built == ["base"]
    res = project.build()
    assert res.built == []  # derived read the same bytes: nothing to do


def test_spec_and_code_changes_are_reasons(project):
    project.build()
    (project.layers / "grid.toml").write_text(SPECS["grid"].replace("cell_km = 5", "cell_km = 10"))
    res = project.build()
    assert res.built == ["grid"] and project.reasons()["grid"] == "spec changed"
    res = project.build(code="0.0.0+other")
    assert len(res.built) == 4 and project.reasons()["grid"] == "code version changed (0.0.0+test -> 0.0.0+other)"


def test_touching_an_input_does_not_rebuild(project):
    project.build()
    p = project.data / "states.parquet"
    p.write_bytes(p.read_bytes())
    assert project.build().built == []


def test_modified_or_missing_output_is_rebuilt(project):
    project.build()
    (project.out / "layers/base.csv").write_text("edited in a spreadsheet")
    (project.out / "rasters/grid.tif").unlink()
    res = project.build()
    assert sorted(res.built) == ["base", "grid"]
    assert project.reasons() == {"base": "output layers/base.csv was modified", "grid": "output rasters/grid.tif is missing",
                                 "derived": None, "map": None}
    assert_consistent(project.out)


def test_dropping_a_format_removes_its_file(project):
    project.build()
    (project.layers / "base.toml").write_text(SPECS["base"].replace('"gpkg", "fgb", ', ""))
    project.build()
    assert not (project.out / "layers/base.gpkg").exists() and (project.out / "layers/base.csv").exists()
    assert_consistent(project.out)


def test_layer_selection_builds_dependencies_only(project):
    res = project.build(layers=["derived"])
    assert res.built == ["base", "derived"]
    with pytest.raises(InputError, match="nope"):
        project.build(layers=["nope"])


def test_failed_layer_keeps_previous_outputs_and_blocks_dependents(project):
    project.build()
    good = (project.out / "layers/base.parquet").read_bytes()
    (project.layers / "base.toml").write_text(SPECS["base"].replace('"t.subset"', '"t.fail"').replace(
        'columns = ["name"]', 'message = "disk on fire"'))
    res = project.build()
    assert res.exit_code == 1 and "disk on fire" in res.failed["base"]
    assert "upstream layer base" in res.failed["derived"] and "upstream layer base" in res.failed["map"]
    assert res.skipped == ["grid"]
    assert (project.out / "layers/base.parquet").read_bytes() == good
    man = assert_consistent(project.out)
    assert "disk on fire" in man["failures"]["base"]["error"]
    st = project.status()
    assert st["base"].state == "failed" and "disk on fire" in st["base"].reason
    (project.layers / "base.toml").write_text(SPECS["base"])
    st = project.status()
    assert st["base"].state == "stale" and "spec changed since the last build failed" in st["base"].reason
    res = project.build()
    assert res.exit_code == 0 and res.built == ["base"]  # identical bytes: dependents stay up to date
    assert mf.load(project.out)["failures"] == {}


def test_bad_result_fails_the_layer_not_the_build(project):
    (project.layers / "derived.toml").write_text(SPECS["derived"].replace('key = ["cve_ent"]', 'key = ["name_len"]'))
    res = project.build()
    assert res.exit_code == 1 and "repeats" in res.failed["derived"] and "base" in res.built


def test_status_reports_never_built_stale_and_up_to_date(project):
    assert {s.state for s in project.status().values()} == {"never built"}
    project.build()
    assert {s.state for s in project.status().values()} == {"up to date"}
    (project.layers / "base.toml").write_text(SPECS["base"].replace('"a"', '"b"').replace(
        'columns = ["name"]', 'columns = ["name"]\ntag = "b"'))
    st = project.status()
    assert (st["base"].state, st["base"].reason) == ("stale", "spec changed")
    assert (st["derived"].state, st["derived"].reason) == ("stale", "upstream layer base is stale")
    assert st["grid"].state == "up to date"


def test_dry_run_writes_nothing(project):
    res = project.build(dry_run=True)
    assert res.planned == {n: "never built" for n in ["base", "derived", "grid", "map"]}
    assert not project.out.exists()


def test_stale_temporary_files_are_removed_at_start(project):
    project.build()
    junk = [project.out / "layers/.base.parquet.brecha-k3j4l5m6.tmp", project.out / ".manifest.json.brecha-abcdefgh.tmp",
            project.out / "maps/.map.html.brecha-a1b2c3d4.tmp", project.out / ".brecha.duckdb.brecha-zzzzzzzz.tmp.wal"]
    for j in junk:
        j.write_bytes(b"half")
    keep = project.out / "layers/.hidden-notes"
    keep.write_text("mine")
    project.build()
    assert not any(j.exists() for j in junk) and keep.exists()
    cleanup = next(e for e in project.events if e["event"] == "cleanup")
    assert len(cleanup["removed"]) == 4


def test_lock_stops_a_second_build_and_lets_a_patient_one_wait(project):
    with build_lock(project.out):
        with pytest.raises(LockError, match="another build is writing"):
            project.build(lock_timeout_s=0.2)
    assert not (project.out / "manifest.json").exists()

    def hold():
        with build_lock(project.out):
            held.set()
            time.sleep(0.5)

    held = threading.Event()
    t = threading.Thread(target=hold)
    t.start()
    held.wait()
    res = project.build(lock_timeout_s=10)
    t.join()
    assert res.exit_code == 0
    lock = next(e for e in project.events if e["event"] == "lock")
    assert lock["waited_s"] >= 0.2


def test_events_tell_the_story_in_order(project):
    project.build()
    kinds = [e["event"] for e in project.events]
    assert kinds[0] == "start" and kinds[1] == "lock" and kinds[-1] == "summary"
    assert kinds.count("layer_start") == 4 and kinds.count("layer") == 4
    summary = project.events[-1]
    assert (summary["built"], summary["skipped"], summary["failed"]) == (4, 0, 0)


def test_derived_plain_table_stays_plain(project):
    project.build()
    df = pd.read_parquet(project.out / "layers/derived.parquet")
    assert list(df.columns) == ["cve_ent", "name_len", "note"] and len(df) == 32


def test_a_raster_layer_is_an_input_read_back_from_its_cog(project):
    (project.layers / "cells.toml").write_text('title = { es = "Celdas", en = "Cells" }\nfunction = "t.cells"\n'
                                               'key = ["name"]\n[inputs]\ngrid = "layer:grid"\n', encoding="utf-8")
    res = project.build()
    assert res.exit_code == 0 and "cells" in res.built, res.failed
    got = pd.read_parquet(project.out / "layers/cells.parquet").iloc[0]
    n = 40 * 30
    assert (got["name"], got["cells"], got["total"], got["cell_m"]) == ("value", n, n * (n - 1) / 2, 5000.0)
    man = mf.load(project.out)
    assert man["layers"]["cells"]["inputs"]["grid"]["sha256"] == man["layers"]["grid"]["outputs"][0]["sha256"]
    assert project.build().skipped.count("cells") == 1  # the same COG bytes: up to date


def test_a_map_layer_is_not_an_input(project):
    (project.layers / "bad.toml").write_text('title = { es = "B", en = "B" }\nfunction = "t.cells"\nkey = ["name"]\n'
                                             '[inputs]\ngrid = "layer:map"\n', encoding="utf-8")
    with pytest.raises(InputError, match="a table or raster layer"):
        project.build()
