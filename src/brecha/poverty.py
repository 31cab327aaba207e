"""CONEVAL 2020 poverty by municipality, and by state (aggregated or official).

Municipal figures are CONEVAL's multidimensional poverty estimates for
2020: rates (percent of the population) and counts (people) of poverty,
extreme poverty, vulnerability and the six social deprivations. CONEVAL does
not estimate three municipalities (04012, 07125, 29048): they stay missing
(NaN), never zero, in every table here.

State figures are not the sum of municipal ones in CONEVAL's methodology:
municipal estimates come from a small-area model on the census sample, state
estimates from the ENIGH survey. :func:`state_poverty` therefore labels its
own state figures ``*_agg_from_municipal`` and, when CONEVAL's official state
table is passed, shows the official figures next to them and uses them.

References
----------
CONEVAL (2021). *Medición de la pobreza municipal 2020* and *Metodología
para la medición multidimensional de la pobreza en México*, 3rd ed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import geography
from ._duckdb import connect, query
from .errors import InputError, Problem

__all__ = ["INDICATORS", "NOT_ESTIMATED", "municipal_poverty", "state_poverty"]

log = logging.getLogger(__name__)

#: Default indicators: poverty, its two parts, vulnerability and the six deprivations.
INDICATORS: tuple[str, ...] = (
    "poverty", "extreme_poverty", "moderate_poverty", "vulnerable_deprivation", "vulnerable_income",
    "deprivation_education", "deprivation_health", "deprivation_social_security",
    "deprivation_housing_quality", "deprivation_housing_services", "deprivation_food",
)
#: Municipalities CONEVAL 2020 does not estimate.
NOT_ESTIMATED: tuple[str, ...] = ("04012", "07125", "29048")

_AGG = "agg_from_municipal"


def _indicators(coneval: pd.DataFrame, indicators: Sequence[str] | None) -> list[str]:
    wanted = list(INDICATORS if indicators is None else indicators)
    problems = []
    if "cvegeo" not in coneval.columns:
        problems.append(Problem("coneval", None, "cvegeo", None, "a column of that name"))
    for ind in wanted:
        if f"{ind}_pct" not in coneval.columns and f"{ind}_people" not in coneval.columns:
            problems.append(Problem("coneval", None, f"{ind}_pct", None,
                                    f"'{ind}_pct' or '{ind}_people' (from brecha.sources.read_coneval_municipal)"))
    if problems:
        raise InputError(problems)
    return wanted


def municipal_poverty(coneval: pd.DataFrame, places: pd.DataFrame | None = None, *,
                      indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """CONEVAL municipal rates and counts joined onto municipalities by ``cvegeo``.

    Parameters
    ----------
    coneval
        The frame of :func:`brecha.sources.read_coneval_municipal`.
    places
        A frame with a ``cvegeo`` column to join onto (kept whole, in its
        order); all 2,469 municipalities of the 2020 frame by default.
    indicators
        Which indicators; :data:`INDICATORS` by default.

    Returns
    -------
    DataFrame
        ``places``' columns (or ``cvegeo``), ``pop_coneval`` (people),
        ``<indicator>_pct`` (0-100) and ``<indicator>_people`` (people) for
        each indicator present, and ``coneval_nd`` (True where CONEVAL gives
        no estimate or the municipality is not in its table; values NaN).

    References
    ----------
    CONEVAL (2021), Medición de la pobreza municipal 2020.
    """
    wanted = _indicators(coneval, indicators)
    cols = ["cvegeo"] + [c for c in ["pop_coneval"] + [f"{i}_{k}" for i in wanted for k in ("pct", "people")]
                         if c in coneval.columns]
    base = pd.DataFrame({"cvegeo": geography.municipal_codes()}) if places is None else pd.DataFrame(places)
    if "cvegeo" not in base.columns:
        raise InputError([Problem("places", None, "cvegeo", None, "a column of that name")])
    base = base.drop(columns=[c for c in cols[1:] + ["coneval_nd"] if c in base.columns])
    base["_order"] = np.arange(len(base))
    if "geometry" in base.columns:
        geom = base.pop("geometry")
    else:
        geom = None
    select = ", ".join(f'c."{c}"' for c in cols[1:])
    out = query(f'SELECT b.*, {select} FROM b LEFT JOIN c USING (cvegeo) ORDER BY b._order',
                b=base, c=pd.DataFrame(coneval[cols]))
    value_cols = [c for c in cols[1:] if c != "pop_coneval"]
    out["coneval_nd"] = out[value_cols].isna().all(axis=1)
    out = out.drop(columns="_order")
    if geom is not None:
        import geopandas as gpd

        out = gpd.GeoDataFrame(out, geometry=geom.to_numpy(), crs=getattr(places, "crs", None))
    out.attrs.update(vintage=coneval.attrs.get("vintage", 2020), source="CONEVAL municipal estimates")
    return out


def state_poverty(coneval: pd.DataFrame, *, official: pd.DataFrame | None = None, year: int = 2020,
                  indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """State poverty: aggregated from municipal estimates, and official when given.

    The aggregate of indicator ``i`` in a state is ``100 * sum(i_people) /
    sum(pop_coneval)`` over its estimated municipalities: the mean of the
    municipal rates weighted by CONEVAL's population base (the rounded
    ``i_pct`` times ``pop_coneval`` when counts are absent). It is *not*
    CONEVAL's official state figure (44.5% poverty nationally against the
    official 43.9% in 2020); the columns say so.

    Parameters
    ----------
    coneval
        The frame of :func:`brecha.sources.read_coneval_municipal`.
    official
        CONEVAL's official state figures, tidy, from
        :func:`brecha.sources.coneval_state.read_coneval_state`
        (``cve_ent, year, indicator, pct, people``).
    year
        The year of the official figures to use (the municipal vintage).
    indicators
        Which indicators; :data:`INDICATORS` by default.

    Returns
    -------
    DataFrame
        32 rows: ``cve_ent, municipalities, municipalities_estimated,
        pop_coneval_agg_from_municipal``; per indicator
        ``<i>_pct_agg_from_municipal`` and ``<i>_people_agg_from_municipal``;
        with ``official``, ``<i>_pct_official`` and ``<i>_people_official``;
        and always ``<i>_pct``, ``<i>_people`` (the official pair where the
        workbook has both figures, else the aggregate pair) with ``<i>_source`` (``"official"`` or
        ``"agg_from_municipal"``). ``attrs`` records the method, the
        national aggregate and the municipalities not estimated.

    References
    ----------
    CONEVAL (2021), Medición de la pobreza municipal 2020; CONEVAL (2023),
    Medición de la pobreza 2022, anexo estadístico (entidades federativas).
    """
    wanted = _indicators(coneval, indicators)
    if "pop_coneval" not in coneval.columns:
        raise InputError([Problem("coneval", None, "pop_coneval", None, "CONEVAL's population base")])
    frame = pd.DataFrame({"cve_ent": coneval["cvegeo"].astype(str).str[:2],
                          "pop": coneval["pop_coneval"].astype(float)})
    for ind in wanted:
        people = coneval.get(f"{ind}_people")
        if people is None:
            people = coneval[f"{ind}_pct"].astype(float) * frame["pop"] / 100.0
        frame[ind] = people.astype(float).to_numpy()
    aggs = ", ".join(
        f'sum("{i}") AS "{i}_people_{_AGG}", '
        f'100.0 * sum("{i}") / sum(pop) FILTER (WHERE "{i}" IS NOT NULL) AS "{i}_pct_{_AGG}"' for i in wanted)
    states = pd.DataFrame({"cve_ent": sorted(geography.states()["cve_ent"])})
    con = connect(spatial=False)
    out = query(f"""
        SELECT s.cve_ent, coalesce(a.municipalities, 0)::BIGINT AS municipalities,
               coalesce(a.municipalities_estimated, 0)::BIGINT AS municipalities_estimated,
               a.pop_coneval_{_AGG}, a.* EXCLUDE (cve_ent, municipalities, municipalities_estimated,
                                                  pop_coneval_{_AGG})
        FROM states s LEFT JOIN (
            SELECT cve_ent, count(*) AS municipalities, count(pop) AS municipalities_estimated,
                   sum(pop) AS pop_coneval_{_AGG}, {aggs}
            FROM f GROUP BY cve_ent) a USING (cve_ent)
        ORDER BY s.cve_ent""", con=con, states=states, f=frame)
    national = query(f"SELECT {aggs} FROM f", con=con, f=frame).iloc[0]
    con.close()
    if official is not None:
        out = out.merge(_official_wide(official, year, wanted), on="cve_ent", how="left")
    for ind in wanted:
        # The official pair replaces the aggregate only when both figures are there, so a state never
        # shows an official rate next to aggregated people under one source label.
        offs = [f"{ind}_{kind}_official" for kind in ("pct", "people")]
        has = (out[offs].notna().all(axis=1) if all(c in out for c in offs)
               else pd.Series(False, index=out.index))
        partial = out[[c for c in offs if c in out]].notna().any(axis=1) & ~has
        if partial.any():
            log.warning("official %s figures incomplete (percentage or people missing) for %s: "
                        "the aggregate is used there", ind, sorted(out.loc[partial, "cve_ent"]))
        for kind in ("pct", "people"):
            agg, off = f"{ind}_{kind}_{_AGG}", f"{ind}_{kind}_official"
            out[f"{ind}_{kind}"] = out[off].where(has, out[agg]) if off in out else out[agg]
        out[f"{ind}_source"] = np.where(has, "official", _AGG)
    order = ["cve_ent", "municipalities", "municipalities_estimated", f"pop_coneval_{_AGG}"]
    order += [f"{i}_{k}_{src}" for i in wanted for src in (_AGG, "official") for k in ("pct", "people")
              if f"{i}_{k}_{src}" in out.columns]
    order += [f"{i}_{k}" for i in wanted for k in ("pct", "people", "source")]
    out = out[order]
    missing = sorted(set(coneval.loc[coneval["pop_coneval"].isna(), "cvegeo"]))
    out.attrs.update(
        method=("state figures *_agg_from_municipal are population-weighted aggregates of CONEVAL 2020 "
                "municipal estimates (sum of people / sum of CONEVAL population), not official state figures"),
        official_year=year if official is not None else None,
        municipalities_not_estimated=missing,
        national_agg_from_municipal={i: float(national[f"{i}_pct_{_AGG}"]) for i in wanted},
    )
    if missing:
        log.info("state aggregates leave out %d municipalities CONEVAL does not estimate: %s", len(missing), missing)
    return out


def _official_wide(official: pd.DataFrame, year: int, wanted: list[str]) -> pd.DataFrame:
    """Official figures of ``year`` as ``<i>_pct_official`` / ``<i>_people_official`` columns."""
    need = ["cve_ent", "year", "indicator", "pct", "people"]
    missing = [c for c in need if c not in official.columns]
    if missing:
        raise InputError([Problem("official", None, c, None,
                                  "a column of that name (see brecha.sources.coneval_state.read_coneval_state)")
                          for c in missing])
    sel = official[(official["year"].astype(int) == int(year)) & official["indicator"].isin(wanted)
                   & (official["cve_ent"] != "00")]
    if sel.empty:
        years = sorted(set(official["year"].astype(int)))
        raise InputError([Problem("official", None, "year", year, f"figures for {year} (the table has {years})")])
    wide = sel.pivot(index="cve_ent", columns="indicator", values=["pct", "people"])
    wide.columns = [f"{ind}_{kind}_official" for kind, ind in wide.columns]
    return wide.reset_index()
