"""Map size and draw time: brecha's municipal choropleth against folium's naive output."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import geopandas as gpd

from ._browser import VIEWPORT, Browser
from ._context import ROOT, Context
from ._harness import Measurement, require, run_process
from ._report import Section, fmt_ratio

NAME = "map"
TITLE = "Map size and draw time: brecha municipal maps vs naive folium"
REQUIRES = ("brecha.cli.build:command", "brecha.maps:presence_map", "folium:GeoJson",
            "playwright.sync_api:sync_playwright")

FULL_BOUNDARIES = ROOT.parent / "shared" / "data" / "boundaries" / "municipios_mg_current_full.gpkg"
LEAFLET = ROOT / "src" / "brecha" / "maps" / "assets" / "leaflet"
SIZE_GOAL_MB = 3.0
DRAW_GOAL_S = 2.0
COLORS = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"]


def map_specs(layers_dir: Path, layer: str = "municipalities") -> list[str]:
    """Names of the layer specs that map ``layer`` nationally (a ``maps.*`` function fed
    ``layer:<layer>``), sorted."""
    names = []
    for spec in sorted(layers_dir.glob("*.toml")):
        with open(spec, "rb") as f:
            doc = tomllib.load(f)
        inputs = doc.get("inputs", {}).values()
        if str(doc.get("function", "")).startswith("maps.") and f"layer:{layer}" in inputs:
            names.append(spec.stem)
    return names


def brecha_maps(ctx: Context, layers: list[str]) -> dict[str, Path]:
    """Build the map layers with ``brecha build`` (no store) into ``workdir/map-build``; return their HTML files."""
    out = ctx.workdir / "map-build"
    cmd = [sys.executable, "-m", "brecha", "build", "--out", str(out), "--layers-dir", str(ROOT / "layers"),
           "--no-store", *(a for name in layers for a in ("--layer", name))]
    _, _, res = run_process(cmd, cwd=str(ROOT))
    require(res.returncode == 0, f"brecha build exited {res.returncode}:\n{res.stderr[-3000:]}")
    htmls = {f"{name} (brecha build)": out / "maps" / f"{name}.html" for name in layers}
    missing = [str(p.relative_to(out)) for p in htmls.values() if not p.exists()]
    require(not missing, f"brecha build wrote no {', '.join(missing)}")
    return htmls


def presence_map(municipal_layer: Path, path: Path, state: str | None = None) -> Path:
    """brecha.maps' presence choropleth of the built municipal layer (national, or one state), saved offline."""
    from brecha import maps
    from brecha.sources import initiative_places, load

    munis = gpd.read_parquet(municipal_layer)
    m = maps.presence_map(munis, load("offices"), initiative_places(load("initiatives")), state=state)
    return maps.save_map(m, path)


def boundaries(ctx: Context) -> tuple[gpd.GeoDataFrame, str]:
    """The polygons folium gets: the full-resolution current frame when staged, else the embedded 2020 one."""
    from brecha import geography

    if ctx.smoke:
        muni = geography.municipalities().rename(columns={"cvegeo": "CVEGEO", "name": "NOMGEO"})
        return muni[muni["cve_ent"] == "06"], "embedded 2020 boundaries of Colima (smoke)"
    if FULL_BOUNDARIES.exists():
        return (gpd.read_file(FULL_BOUNDARIES, layer="municipios"),
                f"full-resolution current boundaries ({FULL_BOUNDARIES.name})")
    muni = geography.municipalities().rename(columns={"cvegeo": "CVEGEO", "name": "NOMGEO"})
    return muni, ("embedded 2020 boundaries, not simplified further (the full-resolution file "
                  f"{FULL_BOUNDARIES} is absent on this machine)")


def folium_map(polys: gpd.GeoDataFrame, path: Path) -> Path:
    """The naive peer: every vertex and column into ``folium.GeoJson``, quintile colours, a tooltip."""
    import folium
    import mapclassify

    from brecha import sources

    pov = sources.load("coneval_municipal")[["cvegeo", "poverty_pct"]]
    gdf = polys.merge(pov, left_on="CVEGEO", right_on="cvegeo", how="left").drop(columns="cvegeo")
    known = gdf["poverty_pct"].notna()
    gdf["fill"] = "#cccccc"
    bins = mapclassify.Quantiles(gdf.loc[known, "poverty_pct"], k=min(5, int(known.sum())))
    gdf.loc[known, "fill"] = [COLORS[c] for c in bins.yb]
    m = folium.Map(location=[23.6, -102.5], zoom_start=5)
    folium.GeoJson(gdf, style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#555555",
                                                  "weight": 0.3, "fillOpacity": 0.8},
                   tooltip=folium.GeoJsonTooltip(["NOMGEO", "poverty_pct"])).add_to(m)
    m.save(str(path))
    return path


def run(ctx: Context, section: Section) -> None:
    from brecha import geography

    # Smoke: the state map and one state's presence map check the machinery in seconds.
    mapped, smoke_state = ctx.pick(("municipalities", None), ("states", "06"))
    specs = map_specs(ROOT / "layers", mapped)
    require(bool(specs), f"no layer spec in layers/ maps layer:{mapped} (a maps.* function)")
    ours = brecha_maps(ctx, specs[:1] if ctx.smoke else specs)
    ours["brecha.maps.presence_map"] = presence_map(ctx.workdir / "map-build" / "layers" / "municipalities.parquet",
                                                    ctx.workdir / "presence_map.html", smoke_state)
    muni = geography.municipalities()
    expected = {name: len(geography.states()) if ctx.smoke else len(muni) for name in ours}
    expected["brecha.maps.presence_map"] = int((muni["cve_ent"] == smoke_state).sum()) if ctx.smoke else len(muni)
    polys, source = boundaries(ctx)
    peer_html = folium_map(polys, ctx.workdir / "folium_naive.html")

    def draw(label: str, html: Path, n: int, runs: int) -> tuple[Measurement, float]:
        d = browser.draw_times(html, expected=n, runs=runs)
        mb = html.stat().st_size / 1e6
        net = f"; {len(d.offline_requests)} URLs answered locally" if d.offline_requests else "; no network requests"
        m = section.add(Measurement(f"{label}: draw time", f"{n:,} polygons, {mb:.2f} MB HTML", d.times_s, None,
                                    f"{d.paths:,} polygons drawn ({d.renderer}){net}"))
        if d.console_errors:
            section.notes.append(f"{label}: {len(d.console_errors)} console error(s), first: {d.console_errors[0][:200]}")
        return m, mb

    with Browser(LEAFLET) as browser:
        m_peer, mb_peer = draw("folium GeoJson, naive", peer_html, len(polys), ctx.runs_at_most(3))
        results = {name: draw(f"brecha `{name}`", html, expected[name], ctx.runs) for name, html in ours.items()}
    for name, (m, mb) in results.items():
        section.ratio(m_peer, m, f"Draw time, folium / brecha `{name}`")
        section.ratios.append(f"HTML size, folium / brecha `{name}`: **{fmt_ratio(mb_peer / mb)}** "
                              f"({mb_peer:,.2f} MB / {mb:,.2f} MB)")
        if not ctx.smoke:  # the goals are about the national maps
            section.checks.append(f"Goal `{name}` at most {SIZE_GOAL_MB:g} MB and drawn in under {DRAW_GOAL_S:g} s: "
                                  f"size {'met' if mb <= SIZE_GOAL_MB else 'NOT met'} ({mb:.2f} MB), draw time "
                                  f"{'met' if m.median_s < DRAW_GOAL_S else 'NOT met'} (median {m.median_s:.2f} s).")
    section.notes.append(f"brecha maps: the specs in layers/ that map layer:{mapped} ({', '.join(specs)}), built by "
                         "`python -m brecha build --no-store --layer ...`, and `brecha.maps.presence_map` "
                         f"({'state ' + smoke_state if smoke_state else 'national'}) of the municipal layer that "
                         "build wrote, with the embedded offices and initiatives, saved by `brecha.maps.save_map`.")
    section.notes.append(f"Folium input: {source}, {len(polys):,} polygons, joined to CONEVAL 2020 poverty by CVEGEO, "
                         "coloured by quintile with a tooltip; no simplification.")
    section.notes.append(f"Draw time: headless Debian Chromium ({VIEWPORT['width']}x{VIEWPORT['height']}) via "
                         "Playwright, from navigation start of the file:// URL to the first animation frame where "
                         "every polygon is drawn (SVG renderer: its `<path>` is in the DOM; canvas renderer: it is "
                         "projected and no redraw is pending); a fresh browser context (empty cache) per run. "
                         "Requests off the machine (folium links Leaflet 1.9.3 and Bootstrap online; both maps ask "
                         "for basemap tiles) are answered from brecha's vendored Leaflet 1.9.4 or with empty bodies.")
