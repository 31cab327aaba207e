"""``brecha sources``: what data brecha carries, with vintage, rows and checksum."""

from __future__ import annotations

import json

import click
import pandas as pd

from ..settings import DATA_DIR
from ..sources.catalog import ATTRIBUTION, catalog


@click.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def command(as_json: bool) -> None:
    """List each embedded source: vintage, rows, SHA-256 and licence."""
    cat = catalog()
    if as_json:
        click.echo(json.dumps(cat.to_dict(orient="records"), ensure_ascii=False, indent=2))
        return
    census = pd.read_parquet(DATA_DIR / "census_municipal.parquet", columns=["pop_total"])
    for r in cat.itertuples():
        flag = "" if r.rows_ok else "  (UNEXPECTED ROW COUNT)"
        click.echo(f"{r.source:24} {r.vintage:10} {r.rows:>9,} rows  sha256 {r.sha256[:16]}  {r.licence}{flag}")
    click.echo(f"\nCensus 2020 population: {int(census.pop_total.sum()):,}")
    click.echo(ATTRIBUTION)
