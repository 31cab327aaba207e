"""``brecha compare OLD_OUT NEW_OUT --out DIR``: what changed between two builds, and why."""

from __future__ import annotations

from pathlib import Path

import click


def _fmt(n: float | int) -> str:
    return f"{n:,.0f}"


@click.command("compare")
@click.argument("old_out", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("new_out", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for change.parquet/csv, change_states, change_inputs.csv, maps/change.html, change.json.")
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True, help="Map language.")
def command(old_out: Path, new_out: Path, out_dir: Path, lang: str) -> None:
    """Compare the municipal layers of two build folders (before OLD_OUT, after NEW_OUT).

    Writes one row per municipality with a `changed` flag, each headline
    column before and after and the gap rank move, a state table, the list of
    inputs, settings and code that differ, and an offline map.
    Exit codes: 0 ok; 2 a folder is not a build (or its layer was modified).
    """
    from ..pipeline.compare import compare_builds, write_change

    res = compare_builds(old_out, new_out)
    write_change(res, out_dir, lang=lang, provenance={"before": str(old_out), "after": str(new_out)})
    s = res.summary
    click.echo(f"{s['municipalities_changed']} municipalities changed; "
               f"{s.get('ranks_moved', 0)} gap ranks moved")
    for r in res.inputs.itertuples():
        click.echo(f"  {r.what:7} {r.name}: {r.before or '-'} -> {r.after or '-'}")
    for key in ("people_within_reach_gained", "poor_within_reach_gained"):
        if key in s:
            click.echo(f"  {key.replace('_', ' ')}: {_fmt(s[key])}")
    click.echo(f"wrote {len(res.files)} files under {out_dir}")
