"""A printable profile of one municipality or state: need, presence, care, reach, gap, quotes, vintages.

The profile reads a built layer and shows its figures as they are: it never
recounts what the layer has (``initiatives``, ``offices``, ``gap_rank``...).
Beside the figures it lists the records behind them (the initiatives and
offices that name the place, with the reports' own words) and every source
with its vintage. The page prints on one or two A4 pages
(:mod:`brecha._profile_html`).

>>> import pandas as pd
>>> layer = pd.DataFrame({"cvegeo": ["07059"], "cve_ent": ["07"], "name": ["Ocosingo"],
...                       "state_name": ["Chiapas"], "initiatives": [0], "gap_rank": [2]})
>>> from brecha.places import resolve
>>> p = place_profile(resolve("Ocosingo"), layer, initiatives=None, places=None, offices=None)
>>> p.title, p.row["gap_rank"], p.ranked
('Ocosingo, Chiapas', 2, 1)
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, Problem
from .places import Place

__all__ = ["Profile", "place_profile", "read_build", "memory_frames", "initiative_records", "office_records",
           "source_rows", "PLACED_HERE"]

log = logging.getLogger(__name__)

#: Initiative precisions that name a municipality (a point or a named locality lies in one).
PLACED_HERE = ("point", "municipality")


@dataclass
class Profile:
    """Everything one profile shows, already picked from the layers and the source tables.

    ``row`` is the layer's row (a dict of its columns); ``ranked`` how many
    places of the layer have a gap rank; ``placed`` / ``state_scope`` the
    initiative records (one dict per initiative) naming the place / only its
    state; ``offices`` one dict per office site naming the place; ``top`` a
    state's municipalities with the largest gap (state profiles only);
    ``sources`` one dict per source (title, publisher, vintage, file);
    ``origin`` where the figures come from (a build folder or memory).
    """

    place: Place
    level: str
    row: dict[str, Any]
    ranked: int
    placed: list[dict] = field(default_factory=list)
    state_scope: list[dict] = field(default_factory=list)
    offices: list[dict] = field(default_factory=list)
    top: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    origin: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """``"Ocosingo, Chiapas"`` (a state: its name)."""
        return f"{self.row.get('name', self.place.name)}, {self.row.get('state_name', self.place.state_name)}" \
            if self.level == "municipality" else str(self.row.get("name", self.place.name))


def _clean(value: Any) -> Any:
    """A cell as plain Python: NA/NaN -> None, numpy scalars -> int/float/bool."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # a list or array cell
        return list(value)
    return value.item() if hasattr(value, "item") else value


def _listish(value: Any) -> list:
    """A list cell (DuckDB arrays, pandas object lists) or a ``;``-separated text as a list of text."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    try:
        return [str(v) for v in value if v is not None and str(v) != ""]
    except TypeError:
        return [] if pd.isna(value) else [str(value)]


def initiative_records(initiatives: pd.DataFrame | None, places: pd.DataFrame | None, place: Place) -> tuple[
        list[dict], list[dict]]:
    """The initiatives naming ``place`` and, for a municipality, those naming only its state.

    Parameters
    ----------
    initiatives
        The initiatives frame (:func:`brecha.sources.read_initiatives`): title,
        agencies, year, themes, ``source_file``, ``source_quote``, ``figure_text``.
    places
        Its long table (:func:`brecha.sources.initiative_places`), with ``precision``.
    place
        A resolved municipality or state.

    Returns
    -------
    (placed, state_scope)
        One dict per initiative, sorted by year then title; each with the
        ``precision`` it has here.
    """
    if initiatives is None or places is None or places.empty:
        return [], []
    prec = places["precision"].astype(str) if "precision" in places else places["level"].astype(str)
    ent = places["cve_ent"].astype(object)
    if place.level == "municipality":
        here = prec.isin(PLACED_HERE) & (places["cvegeo"].astype(object) == place.cvegeo)
        state = (prec == "state") & (ent == place.cve_ent)
    else:
        here = prec.isin((*PLACED_HERE, "state")) & (ent == place.cve_ent)
        state = pd.Series(False, index=places.index)
    best = {p: i for i, p in enumerate(("point", "municipality", "state"))}

    def records(mask: pd.Series) -> list[dict]:
        sel = places[mask].assign(_p=prec[mask])
        ids = sel.groupby("initiative_id")["_p"].agg(lambda s: min(s, key=lambda p: best.get(p, 9)))
        info = initiatives.set_index(initiatives["initiative_id"].astype(str))
        out = []
        for iid, precision in ids.items():
            if iid not in info.index:
                continue
            r = info.loc[iid]
            r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
            out.append({"id": iid, "title": _clean(r.get("initiative")), "agencies": _listish(r.get("agencies")),
                        "themes": _listish(r.get("themes")), "year": _clean(r.get("year")),
                        "precision": precision, "source_file": _clean(r.get("source_file")),
                        "quote": _clean(r.get("source_quote")), "figure": _clean(r.get("figure_text")),
                        "people_reached": _clean(r.get("people_reached"))})
        return sorted(out, key=lambda d: (-(d["year"] or 0), str(d["title"])))

    placed = records(here)
    return placed, [r for r in records(state) if r["id"] not in {p["id"] for p in placed}]


def office_records(offices: pd.DataFrame | None, place: Place) -> list[dict]:
    """The offices naming ``place`` (any status), one dict per site with its report years and quotes."""
    if offices is None or offices.empty:
        return []
    key, code = ("cvegeo", place.cvegeo) if place.level == "municipality" else ("cve_ent", place.cve_ent)
    sel = offices[offices[key].astype(object) == code]
    site = sel["site_id"] if "site_id" in sel else sel["office_id"]
    out = []
    for sid, one in sel.groupby(site.astype(str), sort=True):
        years = sorted({int(y) for y in pd.to_numeric(one["year_reported"], errors="coerce").dropna()})
        first = one.iloc[0]
        out.append({"site_id": sid, "agency": _clean(first.get("agency")),
                    "office_type": _clean(first.get("office_type")),
                    "city": _clean(first.get("city")), "status": _clean(first.get("status")), "years": years,
                    "precision": _clean(first.get("precision")),
                    "source_files": sorted({str(f) for f in one["source_file"].dropna()}),
                    "quotes": list(dict.fromkeys(str(q) for q in one["source_quote"].dropna()))})
    return sorted(out, key=lambda d: (str(d["agency"]), str(d["city"])))


def source_rows(store_sources: pd.DataFrame | None = None) -> list[dict]:
    """Every registered source (:data:`brecha.sources.SOURCES`) with its vintage.

    ``store_sources`` (the build store's ``_sources`` table: ``source, file,
    sha256, vintage``) replaces the registry's file and vintage with what the
    build actually read; sources the build did not read are left out then.
    """
    from .sources import SOURCES

    used = None
    if store_sources is not None and not store_sources.empty:
        used = {str(r["source"]): r for _, r in store_sources.iterrows()}
    out = []
    for s in SOURCES:
        if used is not None and s.name not in used:
            continue
        if used is None and s.optional:
            continue
        row = used[s.name] if used is not None else None
        out.append({"name": s.name, "title": s.title, "publisher": s.publisher,
                    "vintage": str(row["vintage"]) if row is not None else s.vintage,
                    "file": str(row["file"]) if row is not None else s.file,
                    "sha256": (str(row["sha256"]) if row is not None else s.sha256 or "")[:12]})
    return out


def _layer_row(layer: pd.DataFrame, place: Place, what: str) -> dict[str, Any]:
    key, code = ("cvegeo", place.cvegeo) if place.level == "municipality" else ("cve_ent", place.cve_ent)
    hit = layer[layer[key].astype(str) == code]
    if hit.empty:
        raise InputError([Problem(what, None, key, code, f"{place.name} ({code}) among the layer's "
                                  f"{len(layer)} rows; build a layer that covers it, or omit --from")])
    return {k: _clean(v) for k, v in hit.iloc[0].items() if k not in ("geometry", "bbox")}


def place_profile(place: Place, layer: pd.DataFrame, *, initiatives: pd.DataFrame | None,
                  places: pd.DataFrame | None, offices: pd.DataFrame | None,
                  store_sources: pd.DataFrame | None = None, origin: dict | None = None,
                  what: str = "layer") -> Profile:
    """The :class:`Profile` of ``place`` from its layer (municipal for a municipality, state for a state).

    Raises
    ------
    InputError
        The place is not in ``layer``.
    """
    row = _layer_row(layer, place, what)
    ranked = int(pd.to_numeric(layer.get("gap_rank"), errors="coerce").notna().sum()) if "gap_rank" in layer else 0
    placed, state_scope = initiative_records(initiatives, places, place)
    return Profile(place=place, level=place.level, row=row, ranked=ranked, placed=placed, state_scope=state_scope,
                   offices=office_records(offices, place), sources=source_rows(store_sources),
                   origin=dict(origin or {}))


def top_of_state(municipal: pd.DataFrame, cve_ent: str, n: int = 5) -> list[dict]:
    """A state's ``n`` municipalities with the best (lowest) national ``gap_rank``, as the layer ranks them."""
    if "gap_rank" not in municipal:
        return []
    sel = municipal[(municipal["cve_ent"].astype(str) == cve_ent) & municipal["gap_rank"].notna()]
    sel = sel.sort_values("gap_rank").head(n)
    cols = [c for c in ("cvegeo", "name", "gap_rank", "gap_class", "gap_drivers") if c in sel]
    return [{c: _clean(r[c]) for c in cols} for _, r in sel.iterrows()]


def _store_table(con, name: str) -> pd.DataFrame | None:
    cols = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
                       [name]).fetchall()
    if not cols:
        return None
    keep = ", ".join(f'"{c}"' for c, t in cols if "GEOMETRY" not in str(t).upper() and c != "bbox")
    return con.execute(f'SELECT {keep} FROM "{name}"').df()  # names come from the catalogue, not the user


def read_build(out: str | os.PathLike) -> dict[str, Any]:
    """The frames a profile reads from a build folder (``brecha build --out OUT``).

    Returns
    -------
    dict
        ``municipal`` and ``states`` (layers, without geometry), and from the
        build's DuckDB store, when it has them: ``initiatives``, ``places``
        (initiative places), ``offices``, ``store_sources``; ``origin``
        (folder and build time, the layers' parameters).

    Raises
    ------
    InputError
        The folder has no ``layers/municipalities.parquet``.
    """
    root = Path(out)
    muni_path = root / "layers" / "municipalities.parquet"
    if not muni_path.is_file():
        raise InputError([Problem(str(root), None, None, "layers/municipalities.parquet missing",
                                  "a build folder written by `brecha build --out` (or omit --from)")])

    def layer(path: Path) -> pd.DataFrame | None:
        if not path.is_file():
            return None
        df = pd.read_parquet(path)
        return df.drop(columns=[c for c in ("geometry", "bbox") if c in df])

    frames: dict[str, Any] = {"municipal": layer(muni_path), "states": layer(root / "layers" / "states.parquet")}
    manifest = root / "manifest.json"
    info = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    params = (info.get("layers", {}).get("municipalities", {}) or {}).get("params", {})
    frames["origin"] = {"path": str(root), "built_at": info.get("built_at"), "params": params}
    store = root / "brecha.duckdb"
    if store.is_file():
        import duckdb

        with duckdb.connect(str(store), read_only=True) as con:
            for key, table in (("initiatives", "initiatives"), ("places", "initiative_places"),
                               ("offices", "offices"), ("store_sources", "_sources")):
                frames[key] = _store_table(con, table)
    return frames


def memory_frames(level: str) -> dict[str, Any]:
    """The frames of a profile built in memory from the embedded data (about 15 s for the municipal layer).

    The state layer is built only for a state profile.
    """
    from . import api
    from .sources import initiative_places

    sources = api.load_sources()
    municipal = api.municipal_layer(sources)
    states = api.state_layer(sources, municipal=municipal) if level == "state" else None
    return {"municipal": pd.DataFrame(municipal).drop(columns=["geometry"], errors="ignore"),
            "states": None if states is None else pd.DataFrame(states).drop(columns=["geometry"], errors="ignore"),
            "initiatives": sources["initiatives"], "places": initiative_places(sources["initiatives"]),
            "offices": pd.DataFrame(sources["offices"]).drop(columns=["geometry"], errors="ignore"),
            "store_sources": None,
            "origin": {"path": None, "built_at": None, "params": dict(municipal.attrs.get("params", {}) or {})}}


def build_profile(place: Place, frames: dict[str, Any]) -> Profile:
    """The profile of ``place`` from ``frames`` (:func:`read_build` or :func:`memory_frames`)."""
    if place.level == "state":
        states = frames.get("states")
        if states is None:
            raise InputError([Problem("states layer", None, None, "missing",
                                      "layers/states.parquet in the build folder (build the states layer)")])
        prof = place_profile(place, states, initiatives=frames.get("initiatives"), places=frames.get("places"),
                             offices=frames.get("offices"), store_sources=frames.get("store_sources"),
                             origin=frames.get("origin"), what="states layer")
        prof.top = top_of_state(frames["municipal"], place.cve_ent)
        return prof
    return place_profile(place, frames["municipal"], initiatives=frames.get("initiatives"),
                         places=frames.get("places"), offices=frames.get("offices"),
                         store_sources=frames.get("store_sources"), origin=frames.get("origin"),
                         what="municipal layer")
