"""The example notebooks and the top-level API they use.

Fast checks run always: every notebook is stored without outputs and is what
``notebooks/_build.py`` writes, and ``import brecha`` stays light. Executing
the notebooks (real embedded data, each bounded at two minutes) is marked
``notebooks``; the inline-map check in Chromium is marked ``browser``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import brecha

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb"))
CHROMIUM = "/usr/bin/chromium"
#: Each notebook runs top to bottom within this many seconds, kernel start included.
NOTEBOOK_LIMIT_S = 120

#: Text each notebook's outputs must contain: the claims its prose makes.
EXPECTED_TEXT = {
    "01_quickstart": ["reason", "stay in the top 20 with a 40 km catchment",
                      "gap ranks identical with a 50 km office reach: True"],
    "02_care_in_a_state": ["E2SFCA 40 km", "per 1,000 in municipality", "reach some within 20 km"],
    "03_where_to_open_next": ["million poor people", "greedy_ratio", "Proposed"],
    "04_your_own_initiatives": ["Chiapaz", "Oaxaca de Juarex", "Tonala", "close names", "candidates"],
    "05_plans_and_change": ["planned offices opened", "poor people newly within reach with 3 sited offices",
                            "report years", "municipalities differ between the"],
}


def _ids(path: Path) -> str:
    return path.stem


def _load_builder():
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOK_DIR / "_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- stored clean --------------------------------------------------------------
def test_every_notebook_is_there():
    assert [p.stem for p in NOTEBOOKS] == sorted(EXPECTED_TEXT)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [c.id for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert dirty == [], f"{path.name}: clear outputs and execution counts (run notebooks/_build.py)"
    assert [c.id for c in nb.cells if c.metadata] == [], "cell metadata (timings, collapsed...) is not stored"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebooks_are_what_the_generator_writes(tmp_path):
    written = _load_builder().main(tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    for fresh in written:
        stored = json.loads((NOTEBOOK_DIR / fresh.name).read_text(encoding="utf-8"))
        assert json.loads(fresh.read_text(encoding="utf-8")) == stored, (
            f"{fresh.name} differs from notebooks/_build.py: edit the generator and run it")


# -- the top-level API ---------------------------------------------------------
def test_import_brecha_stays_light():
    code = ("import sys, brecha; heavy = ('pandas', 'geopandas', 'folium', 'duckdb', 'shapely');"
            "print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_top_level_names_are_the_api_and_submodules_load_lazily():
    from brecha import api, siting

    assert all(getattr(brecha, name) is getattr(api, name) for name in brecha.__all__)
    assert brecha.siting is siting
    assert {"municipal_layer", "show", "care", "geography"} <= set(dir(brecha))
    with pytest.raises(AttributeError, match="no attribute 'municipal_layers'"):
        brecha.municipal_layers  # noqa: B018


def test_state_names_are_checked_before_any_work():
    with pytest.raises(brecha.errors.InputError, match="Chiapaz"):
        brecha.municipal_layer({}, state="Chiapaz")


def test_state_layer_refuses_a_one_state_municipal_layer():
    import pandas as pd

    with pytest.raises(brecha.errors.InputError, match="all 32 states"):
        brecha.state_layer({}, municipal=pd.DataFrame({"cve_ent": ["07", "07"]}))


def test_problem_table_keeps_every_problem_in_file_order():
    from brecha.errors import InputError, Problem

    err = InputError([Problem("f.csv", 6, "states", "Chiapaz", "a Mexican state"),
                      Problem("f.csv", None, "theme", None, "a column of that name")])
    table = brecha.problem_table(err)
    assert list(table.columns) == ["file", "line", "column", "value", "expected"]
    assert table["line"].tolist()[0] == 6 and table["line"].isna().tolist() == [False, True]


def test_load_sources_takes_your_own_initiatives_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("initiative,agencies,year,theme,states,municipalities\n"
                    'Shelters,UNHCR,2023,migration,Chih.,"Cd. Juarez, Chih."\n', encoding="utf-8")
    sources = brecha.load_sources(initiatives=path)
    assert sources["initiatives"]["cvegeos"].tolist() == [["08037"]]
    assert len(sources["offices"]) == len(brecha.sources.load("offices"))


# -- executed ------------------------------------------------------------------
@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory):
    """A ``python3`` kernelspec for this interpreter, and Jupyter/IPython state, in a temp folder.

    The spec goes first on JUPYTER_PATH so that neither a user's own
    ``python3`` kernel nor the user's home is used or written.
    """
    from ipykernel.kernelspec import write_kernel_spec

    root = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(root / "data" / "kernels" / "python3", overrides={"display_name": "Python 3 (brecha tests)"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, [str(root / "data"), os.environ.get("JUPYTER_PATH")])))
        mp.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
        mp.setenv("IPYTHONDIR", str(root / "ipython"))
        yield root


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_notebook_runs_top_to_bottom(path, jupyter_env, tmp_path):
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable
    nb = nbformat.read(path, as_version=4)
    started = time.monotonic()
    # Any cell error raises CellExecutionError with the cell and traceback.
    NotebookClient(nb, kernel_name="python3", timeout=NOTEBOOK_LIMIT_S,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    took = time.monotonic() - started
    # A bound the notebooks promise their readers, not a benchmark: they take ~10-20 s here.
    assert took < NOTEBOOK_LIMIT_S, f"{path.name} took {took:.0f} s; notebooks must run in under 2 minutes"

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no static figure"
    maps = [o["data"]["text/html"] for o in outputs if o.get("data", {}).get("text/html", "").startswith("<iframe")]
    assert maps, "no inline map"
    assert all("brecha-asset:" not in m and "L.map" in m for m in maps), "a map would need the network"
    text = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    missing = [t for t in EXPECTED_TEXT[path.stem] if t not in text]
    assert missing == [], f"{path.name}: outputs no longer show {missing}; update the prose"


# -- in a browser --------------------------------------------------------------
def _toy_gap_layer():
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"cvegeo": ["29001", "29002"], "cve_ent": ["29", "29"], "name": ["Amaxac de Guerrero", "Apizaco"],
         "state_name": ["Tlaxcala"] * 2, "gap_score": [0.8, 0.2], "gap_rank": [1, 2], "need_class": [3, 1],
         "presence_class": [1, 3], "gap_drivers": ["high poverty", ""]},
        geometry=[box(-98.3, 19.3, -98.2, 19.4), box(-98.2, 19.3, -98.1, 19.4)], crs="EPSG:4326")


def _open_offline(browser, html: str, folder: Path):
    """Load ``html`` as a notebook output area would, with every non-file request blocked."""
    page_path = folder / "cell.html"
    page_path.write_text("<!DOCTYPE html><html><body><script>window.notebookSecret = 42</script>"
                         f"<div class='output'>{html}</div></body></html>", encoding="utf-8")
    context = browser.new_context()
    errors: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                  else r.abort())
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri(), wait_until="load")
    frame = page.frames[1]
    return context, frame, errors


@pytest.mark.browser
def test_shown_map_and_bare_map_draw_offline(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    m = brecha.gap_map(_toy_gap_layer(), lang="en")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            ctx, frame, errors = _open_offline(browser, brecha.show(m)._repr_html_(), tmp_path)
            frame.wait_for_function("window.__brechaReady !== undefined", timeout=30_000)
            assert frame.locator(".leaflet-interactive, .leaflet-overlay-pane canvas").count() > 0
            assert errors == []
            # Sandboxed: the map cannot read or script the notebook page around it.
            reach = "(() => { try { return String(window.parent.notebookSecret); } catch (e) { return e.name; } })()"
            assert frame.evaluate(reach) == "SecurityError"
            ctx.close()
            # A bare map in a cell (folium's display hook) gets the same inlined page.
            ctx, frame, errors = _open_offline(browser, m._repr_html_(), tmp_path)
            frame.wait_for_function("window.__brechaReady !== undefined", timeout=30_000)
            assert frame.evaluate("typeof L") == "object"
            assert errors == []
            ctx.close()
        finally:
            browser.close()

