"""``brecha layers``: each layer spec and its state: up to date, stale and why, never built, failed."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from ..errors import BrechaError
from ..pipeline import status
from .build import fail, source_options, where_options


@click.command("layers")
@where_options
@source_options
@click.option("--json", "as_json", is_flag=True, help="Print the states as JSON.")
def command(out_dir: Path, layers_dir: Path, initiatives: Path | None, offices: Path | None,
            coneval_state: Path | None, as_json: bool) -> None:
    """List the layer specs and whether their outputs in --out are up to date.

    Pass the same --offices/--initiatives/--coneval-state as the build, or
    the layers that read them show as stale. Exit codes: 0 ok; 2 a spec is invalid.
    """
    try:
        given = {"initiatives": initiatives, "offices": offices, "coneval_state": coneval_state}
        states = status(out_dir, layers_dir=layers_dir, sources={k: v for k, v in given.items() if v is not None})
    except BrechaError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in states], ensure_ascii=False, indent=2))
        return
    width = max(len(s.name) for s in states)
    for s in states:
        why = f"  {s.reason}" if s.reason else ""
        click.echo(f"{s.name:{width}}  {s.kind:6}  {s.state:11}{why}")
