"""``brecha resolve PLACE``: turn a place name into INEGI codes.

Imports only :mod:`brecha.places` (no pandas, no geopandas): the answer
comes from the precomputed gazetteer in milliseconds.
"""

from __future__ import annotations

import json

import click

from ..errors import PlaceError
from ..places import resolve


@click.command("resolve")
@click.argument("place", nargs=-1, required=True)
@click.option("--state", help="Only look for municipalities in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer (or the candidates) as JSON.")
def command(place: tuple[str, ...], state: str | None, as_json: bool) -> None:
    """Resolve PLACE (a state, municipality, city or 'Municipality, State') to codes.

    Prints the code, level, name, how it matched and its precision (point,
    municipality or state). Ambiguous or unknown names exit with code 2 and
    list the candidates; a state name that is also a municipality's answers
    the state and names the municipality (under "alternatives" in --json).
    """
    text = " ".join(place)
    try:
        p = resolve(text, state=state)
    except PlaceError as exc:
        if as_json:
            err = {"error": type(exc).__name__, "query": text, "message": str(exc).splitlines()[0],
                   "candidates": exc.candidates}
            click.echo(json.dumps(err, ensure_ascii=False, indent=2))
        raise
    if as_json:
        click.echo(json.dumps(p.to_dict(), ensure_ascii=False, indent=2))
        return
    code = p.cvegeo or p.cve_ent
    extra = f" (locality {p.locality})" if p.locality else ""
    click.echo(f"{code}\t{p.level}\t{p.name}, {p.state_name}\t[{p.matched_by}; precision {p.precision}]{extra}")
    for alt in p.alternatives:
        # On stderr, so scripts reading the one answer line on stdout are not disturbed.
        click.echo(f"note: {text!r} also names {alt.get('cvegeo') or alt.get('cve_ent')} {alt['name']}, "
                   f"{alt['state_name']} ({alt['level']}); write 'Name, State' or use --state for it", err=True)
