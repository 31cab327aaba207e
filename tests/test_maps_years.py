"""The years map (one choropleth per report year, and the change between two) and the change map.

Built from :func:`maps_support.years_table` (Aguascalientes, three years with known classes)
and :func:`brecha.scenario.year_change`; the browser tests block every network request.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from brecha import maps
from brecha.errors import InputError
from brecha.maps._classify import NODATA_COLOR
from brecha.maps.change import MOVE_COLORS, change_map, changed_words, move_classes, why_notes
from brecha.maps.years import years_map
from brecha.scenario import year_change
from maps_support import HOSTILE, YEARS, years_table
from test_maps_browser import OfflinePage, browser

#: Fixtures used by name (the browser test modules share test_maps_browser's, so they move together).
_FIXTURES = (browser,)


def data_block(html: str, block_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S)
    assert m, f"no data block {block_id}"
    return json.loads(m.group(1))


def layer_options(html: str) -> list[dict]:
    """The options of every ``brecha.choropleth`` layer of a page, in order."""
    return [json.loads(m) for m in re.findall(r"brecha\.choropleth\([^,]+, (\{.*?\})\);\n", html)]


@pytest.fixture(scope="module")
def table():
    return years_table()


@pytest.fixture(scope="module")
def change(table):
    return year_change(table, YEARS[0], YEARS[-1])


# -- classes of a rank move ------------------------------------------------------------------------

def test_move_classes_are_symmetric_with_a_neutral_zero():
    c = move_classes([-40, -3, -1, 0, 0, 2, 3, 9, None], "es")
    assert c.bins == (-4.0, -1.0, 0.0, 3.0, 40.0)  # median |move| = 3: the same cut on both sides
    assert c.colors == MOVE_COLORS and c.colors[2] == "#f7f7f7"
    assert c.counts == (1, 2, 2, 2, 1) and c.nodata == 1
    assert c.colors_of([0, -1, 1, -100, 100, None]) == ["#f7f7f7", MOVE_COLORS[1], MOVE_COLORS[3], MOVE_COLORS[0],
                                                         MOVE_COLORS[4], NODATA_COLOR]
    assert c.labels[0].startswith("bajó 4") and c.labels[4].startswith("subió 4")


def test_small_moves_get_three_classes_and_no_move_one():
    c = move_classes([-1, 0, 1, 1], "en")
    assert c.bins == (-1.0, 0.0, 1.0) and c.labels == ("down 1 place", "no move", "up 1 place")
    still = move_classes([0, 0, None], "en")
    assert still.bins == (0.0,) and still.colors == ("#f7f7f7",) and still.nodata == 1


def test_changed_columns_and_inputs_read_as_words():
    assert changed_words("initiatives;gap_rank", "en") == "Initiatives, Gap rank"
    assert changed_words("", "es") == "ninguna"
    inputs = pd.DataFrame([{"what": "input", "name": "offices", "before": "offices.csv sha256:aaa",
                            "after": "mine.csv sha256:bbb"},
                           {"what": "setting", "name": "radius_km", "before": "100", "after": "50"}])
    notes = why_notes(inputs, "en")
    assert notes == ["Different data: offices (offices.csv sha256:aaa → mine.csv sha256:bbb)",
                     "Different setting: radius_km (100 → 50)"]
    scenario = pd.DataFrame([{"what": "scenario", "name": "planned", "before": "", "after": "9 offices opened"}])
    assert why_notes(scenario, "en") == ["planned: 9 offices opened"]
    assert why_notes(inputs.iloc[:0], "es") == ["Mismas entradas y parámetros."]


# -- the change map ------------------------------------------------------------------------------

def test_change_map_tooltip_pairs_and_notes(change):
    inputs = pd.DataFrame([{"what": "input", "name": "initiatives", "before": "2020", "after": "2023"}])
    html = maps.render_html(change_map(change, inputs, lang="en", tiles=False))
    block = data_block(html, "brecha-change")
    rows = {r[0]: dict(zip(block["fields"], r)) for r in block["rows"]}
    first = change.iloc[0]
    words = block["dicts"]["gap_rank_pair"]
    assert words[rows[first["cvegeo"]]["gap_rank_pair"]] == f"{first['gap_rank_before']} → {first['gap_rank_after']}"
    presence = block["dicts"]["presence_class_pair"][rows[first["cvegeo"]]["presence_class_pair"]]
    assert presence == "low → high"  # class 1 in 2020, 3 in 2023 (years_table)
    assert rows[first["cvegeo"]]["rank_move"] == int(first["rank_move"])
    (opts,) = layer_options(html)
    assert opts["field"] == "rank_move" and 0.0 in opts["bins"] and "#f7f7f7" in opts["colors"]
    assert "Different data: initiatives (2020 → 2023)" in html
    n = int(change["changed"].sum())
    assert f"What changed: {n} municipalities" in html
    assert "brecha-changed" not in html  # every changed place moved: its colour shows it, no outline


def test_change_map_outlines_a_change_without_a_move(change):
    """An office opened where the rank stays: white fill, so the place is outlined."""
    kept = change.assign(rank_move=np.where(change["cvegeo"] == "01002", 0, change["rank_move"]))
    assert bool(kept.loc[kept["cvegeo"] == "01002", "changed"].iloc[0])
    html = maps.render_html(change_map(kept, lang="en", tiles=False))
    (row,) = data_block(html, "brecha-changed")["rows"]
    assert "Some figure changed, same rank (1)" in html and len(row) == 0  # geometry only
    assert len(data_block(html, "brecha-changed")["geoms"]) == 1


def test_change_map_refuses_a_table_without_rank_move(change):
    with pytest.raises(InputError, match="rank_move"):
        change_map(change.drop(columns="rank_move"))


# -- the years map -------------------------------------------------------------------------------

def test_one_layer_per_year_with_the_same_classes_and_a_change_layer(table, change):
    html = maps.render_html(years_map(table, change, lang="es", tiles=False))
    layers = layer_options(html)
    assert [o["field"] for o in layers] == [f"presence_class_{y}" for y in YEARS] + ["rank_move"]
    assert all(o["bins"] == layers[0]["bins"] and o["colors"] == layers[0]["colors"] for o in layers[:3])
    block = data_block(html, "brecha-years")
    rows = {r[0]: dict(zip(block["fields"], r)) for r in block["rows"]}
    for y, cls in zip(YEARS, (1, 2, 3)):  # 01001 is municipality 0: class j + 1 in year j
        assert rows["01001"][f"presence_class_{y}"] == cls
    evidence = block["dicts"]["presence_evidence_2023"][rows["01001"]["presence_evidence_2023"]]
    assert evidence == "reportada"
    assert rows["01001"]["rank_move"] == int(change.set_index("cvegeo").loc["01001", "rank_move"])
    for y in YEARS:
        assert f"{y}: Presencia" in html
    assert f"Cambio {YEARS[0]} → {YEARS[-1]}" in html


def test_a_count_column_is_classed_once_over_every_year(table):
    html = maps.render_html(years_map(table, column="initiatives", k=3, lang="en", tiles=False))
    layers = layer_options(html)
    assert len(layers) == len(YEARS)  # no change table: no change layer
    assert all(o["zero"] and o["bins"] == layers[0]["bins"] for o in layers)
    assert layers[0]["bins"][-1] == float(table["initiatives"].max())


def test_years_map_names_every_problem(table):
    dup = pd.concat([table, table.iloc[:1]], ignore_index=True)
    with pytest.raises(InputError) as err:
        years_map(dup)
    assert "one row per municipality and year" in str(err.value)
    with pytest.raises(InputError) as err:
        years_map(table.drop(columns="year"), column="nope")
    text = str(err.value)
    assert "'year'" in text and "nope" in text


def test_years_map_escapes_names(table):
    hostile = table.assign(name=np.where(table["cvegeo"] == "01001", HOSTILE, table["name"]))
    html = maps.render_html(years_map(hostile, tiles=False))
    assert HOSTILE not in html


# -- in a browser, offline ------------------------------------------------------------------------

FILLS = """(key) => { const out = []; brecha.map.eachLayer(l => {
  if (l.feature && l.feature.properties.cvegeo === key && l.options.fillColor) out.push(l.options.fillColor); });
  return out; }"""


@pytest.mark.browser
def test_the_year_switch_changes_what_is_drawn(browser, tmp_path, table, change):
    path = tmp_path / "years.html"
    maps.save_map(years_map(table, change, lang="en", tiles=False), path)
    pg = OfflinePage(browser, path)
    try:
        layers = layer_options(path.read_text(encoding="utf-8"))
        colors = layers[0]["colors"]
        pg.page.wait_for_timeout(300)
        assert pg.js(FILLS, "01001") == [colors[2]]  # the last year (2023) opens: class 3
        legend = pg.page.locator(".brecha-legend, .leaflet-control .brecha-box").filter(has_text="2023: Presence")
        assert legend.count() >= 1
        pg.page.locator(".leaflet-control-layers label", has_text="2020: Presence").click()
        pg.page.wait_for_timeout(300)
        assert pg.js(FILLS, "01001") == [colors[0]]  # 2020: class 1
        pg.page.locator(".leaflet-control-layers label", has_text="Change").click()
        pg.page.wait_for_timeout(300)
        move = int(change.set_index("cvegeo").loc["01001", "rank_move"])
        want = move_classes(change["rank_move"], "en").colors_of([move])[0]
        assert pg.js(FILLS, "01001") == [want]
        lon, lat = (table.loc[table["cvegeo"] == "01001"].geometry.iloc[0].representative_point().coords[0])
        tip = pg.hover_lonlat(lon, lat)
        assert "Gap rank (before → after)" in tip and "Places moved up the gap ranking" in tip
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.close()


@pytest.mark.browser
def test_the_change_map_opens_offline_with_a_neutral_no_move(browser, tmp_path, change):
    still = change.assign(rank_move=np.where(change["cvegeo"] == "01002", 0, change["rank_move"]))
    path = tmp_path / "change.html"
    maps.save_map(change_map(still, lang="es", tiles=False), path)
    pg = OfflinePage(browser, path)
    try:
        pg.page.wait_for_timeout(300)
        assert pg.js(FILLS, "01002") == ["#f7f7f7"]
        lon, lat = still.loc[still["cvegeo"] == "01001"].geometry.iloc[0].representative_point().coords[0]
        tip = pg.hover_lonlat(lon, lat)
        assert "Qué cambió" in tip and "Presencia" in tip and "baja → alta" in tip
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.close()

