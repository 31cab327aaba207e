"""``brecha map KIND``: build one web map (or all) through the pipeline, as ``brecha build --layer map_KIND``.

The map kinds are the map specs of the layers folder: ``layers/map_<kind>.toml``
(``gap``, ``presence``, ``reach``, ``care``, ``poverty_states`` by default).
The map is written where ``brecha build`` writes it (``OUT/maps/map_<kind>.html``),
with the layers it reads rebuilt first if stale, under the build's lock,
recorded in ``manifest.json`` and listed once in ``OUT/maps/index.html``. Its
style, language and radius are the spec's: edit the spec to change them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import BrechaError, InputError, Problem
from ..pipeline import build, load_specs
from ..pipeline._progress import reporter
from .build import EXIT_CODES, fail, source_options, where_options

__all__ = ["PREFIX", "map_kinds", "command"]

#: A map spec's file name is ``map_<kind>.toml``.
PREFIX = "map_"


def map_kinds(layers_dir: Path) -> dict[str, str]:
    """Map kind -> its layer name, from the map specs in ``layers_dir`` (checked, so a bad spec exits 2)."""
    return {name[len(PREFIX):] if name.startswith(PREFIX) else name: name
            for name, spec in load_specs(layers_dir).items() if spec.kind == "map"}


@click.command("map", epilog=EXIT_CODES)
@click.argument("kind", metavar="KIND")
@where_options
@source_options
@click.option("--force", is_flag=True, help="Rebuild the map even if it is up to date.")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="SECONDS",
              help="Wait this long for another build of the same folder.")
def command(kind: str, out_dir: Path, layers_dir: Path, initiatives: Path | None, offices: Path | None,
            coneval_state: Path | None, force: bool, lock_timeout: float) -> None:
    """Build map KIND (a layers/map_KIND.toml spec, or `all`) into --out/maps and refresh its index.html.

    Each map is one HTML file with Leaflet inlined: it opens without internet.
    """
    try:
        kinds = map_kinds(layers_dir)
        if kind != "all" and kind not in kinds:
            raise InputError([Problem(str(layers_dir), None, None, kind,
                                      f"a map kind: one of {sorted(kinds) + ['all']} (a {PREFIX}<kind>.toml spec)")])
        names = list(kinds.values()) if kind == "all" else [kinds[kind]]
        res = build(out_dir, layers_dir=layers_dir, layers=names, store=False, force=force,
                    lock_timeout_s=lock_timeout, on_event=reporter("text", sys.stderr),
                    sources={k: v for k, v in {"initiatives": initiatives, "offices": offices,
                                               "coneval_state": coneval_state}.items() if v is not None})
    except BrechaError as exc:
        fail(exc)
    for name in names:
        path = out_dir / "maps" / f"{name}.html"
        if path.is_file() and name not in res.failed:
            click.echo(f"{path}\t{path.stat().st_size / 1e6:.2f} MB")
    sys.exit(res.exit_code)
