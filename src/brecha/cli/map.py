"""``brecha map NAME``: render one interactive map (or all) as standalone offline HTML."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError, Problem
from ..settings import from_env

_NAMES = ("presence", "reach", "care", "gap", "all")


def _slug(text: str) -> str:
    from ..places import normalize

    return normalize(text).replace(" ", "-")


def _render(name: str, munis, *, state, lang, tiles, scheme, k, radius_km, top_n, offices_path, initiatives_path):
    from .. import geography, maps
    from ..sources import initiative_places, load

    common = {"state": state, "lang": lang, "tiles": tiles, "scheme": scheme, "k": k}
    if name == "presence":
        return maps.presence_map(munis, load("offices", offices_path),
                                 initiative_places(load("initiatives", initiatives_path)), **common)
    if name == "reach":
        return maps.reach_map(munis, load("offices", offices_path), radius_km=radius_km,
                              localities=geography.localities(), **common)
    if name == "care":
        return maps.care_map(munis, load("denue_care"), **common)
    return maps.gap_map(munis, top_n=top_n, **common)


@click.command("map")
@click.argument("name", type=click.Choice(_NAMES))
@click.option("--state", help="One state at municipal detail (any spelling: 'Chiapas', 'CDMX', '07').")
@click.option("--lang", type=click.Choice(["es", "en"]), default=None, help="Label language [default: es, or BRECHA_LANG].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the HTML files [default: outputs/maps].")
@click.option("--layer", "layer_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The municipal layer [default: outputs/layers/municipalities.parquet].")
@click.option("--offices", "offices_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Offices file instead of the embedded one.")
@click.option("--initiatives", "initiatives_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Initiatives file instead of the embedded one.")
@click.option("--radius-km", type=float, default=100.0, show_default=True, help="Reach radius of an office (reach map).")
@click.option("--scheme", default="quantiles", show_default=True, help="mapclassify scheme for the choropleths.")
@click.option("--k", type=int, default=5, show_default=True, help="Number of classes (2 to 9).")
@click.option("--top-n", type=int, default=20, show_default=True, help="Municipalities listed on the gap map.")
@click.option("--no-tiles", is_flag=True, help="Leave out the online basemap.")
def command(name: str, state: str | None, lang: str | None, out_dir: Path | None, layer_path: Path | None,
            offices_path: Path | None, initiatives_path: Path | None, radius_km: float, scheme: str, k: int,
            top_n: int, no_tiles: bool) -> None:
    """Render map NAME (presence, reach, care, gap or all) and refresh the folder's index.html.

    Each map is one HTML file with Leaflet inlined: it opens without internet.
    """
    import geopandas as gpd

    from ..maps import save_map, write_index
    from ..maps.index import index_lang
    from ..places import resolve

    settings = from_env()
    lang = lang or settings.lang
    out_dir = out_dir or settings.out_dir / "maps"
    layer_path = layer_path or settings.out_dir / "layers" / "municipalities.parquet"
    if not layer_path.is_file():
        raise InputError([Problem(str(layer_path), None, None, None,
                                  "the municipal layer written by `brecha build` (run the build first, "
                                  "or pass --layer PATH)")])
    munis = gpd.read_parquet(layer_path)
    suffix = f"-{_slug(resolve(state, level='state').name)}" if state else ""
    names = [n for n in _NAMES if n != "all"] if name == "all" else [name]
    for n in names:
        m = _render(n, munis, state=state, lang=lang, tiles=not no_tiles, scheme=scheme, k=k, radius_km=radius_km,
                    top_n=top_n, offices_path=offices_path, initiatives_path=initiatives_path)
        path = save_map(m, out_dir / f"{n}{suffix}{'' if lang == 'es' else '-' + lang}.html")
        click.echo(f"{path}\t{path.stat().st_size / 1e6:.2f} MB")
    # The folder's index keeps its language: an English map added to a Spanish folder is listed, in Spanish;
    # a new folder's index takes the maps' language.
    click.echo(str(write_index(out_dir, lang=index_lang(out_dir, lang))))
