"""``brecha scenario``: what opening planned, proposed or sited offices would change."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("scenario")
@click.argument("kind", type=click.Choice(["planned", "sites", "siting"]))
@click.option("--sites", "sites_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="sites: a CSV/XLSX of proposed sites (lat, lon, or place [, state]).")
@click.option("-k", "k", type=click.IntRange(1, 50), default=3, show_default=True,
              help="siting: how many sites the maximal covering problem opens.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for scenario.parquet/csv, scenario_states, maps/scenario.html, scenario.json.")
@click.option("--layers-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Layer specs whose municipalities.toml gives radius, cost and gap settings [default: the build's].")
@click.option("--offices", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Your offices file instead of the embedded one.")
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True)
def command(kind: str, sites_file: Path | None, k: int, out_dir: Path, layers_dir: Path | None,
            offices: Path | None, lang: str) -> None:
    """Open offices and compare the municipal layer before and after.

    planned: the offices reported as planned open. sites: the proposed sites of
    --sites open. siting: the k municipal seats that cover most poor people now
    out of reach open. Reach respects the layer's cost unit (km or minutes).
    Exit codes: 0 ok; 2 bad input (a site that is not a place or a point in Mexico).
    """
    from ..pipeline.scenario import run_named, write_scenario

    res = run_named(kind, sites_file=sites_file, k=k, layers_dir=layers_dir, offices=offices)
    write_scenario(res, out_dir, lang=lang)
    s = res.summary
    click.echo(f"scenario {kind}: {s['opened']} offices opened ({s['opened_with_point']} with a point, so with reach; "
               f"the others are placed only in a state or nationally); {s['municipalities_changed']} municipalities "
               f"changed; {s.get('ranks_moved', 0)} gap ranks moved")
    click.echo(f"  people newly within reach: {s.get('people_within_reach_gained', 0):,.0f}")
    click.echo(f"  poor people newly within reach: {s.get('poor_within_reach_gained', 0):,.0f}")
    for code, name, before, after in s.get("largest_moves", [])[:10]:
        click.echo(f"  {code} {name}: gap rank {before} -> {after}")
    click.echo(f"wrote {out_dir}")
