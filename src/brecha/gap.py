"""The gap index: where need is high and agency presence is low.

The index follows the composite-indicator recipe of the OECD/JRC *Handbook
on Constructing Composite Indicators* (2008): pick components, smooth noisy
rates, normalise each to 0..1, orient them so that high means "more gap",
weight and aggregate, then test how much the ranking depends on the weights.

Components (each a column of the input frame, one row per place):

========================  ======================================================
need (high = more gap)
``poverty_pct``           CONEVAL 2020 poverty rate, percent of people, smoothed
                          with empirical Bayes (:func:`empirical_bayes`)
``poverty_people``        people in poverty
``care_unmet``            children and older people whose care demand is not
                          met by accessible supply (:func:`care_unmet`)
presence (high = less gap; entered as *lack* = 1 - presence)
``initiatives``           initiatives naming the place
``offices``               offices in the place
``reach``                 ``reach_scale_km / (reach_scale_km + nearest_office_km)``:
                          1 at an office, 0.5 at ``reach_scale_km``, 0 with no office
========================  ======================================================

**Aggregation.** ``"arithmetic"`` is the weighted mean of the oriented
components: fully compensatory, so a place with the highest need and the
highest presence scores the same as one with no need and no presence.
``"geometric"`` (the default) is the weighted geometric mean, as in the INFORM
risk index (Marin-Ferrer et al. 2017), so a gap needs both need and lack of
presence: a place at the bottom of every need component scores near zero
however absent the agencies (need terms are kept at or above
:data:`NEED_FLOOR` = 0.01 so that one component at its national minimum does
not zero the product). Each lack-of-presence factor is kept at or above
``presence_floor`` (``lack = 1 - (1 - floor) * presence``): presence shrinks a
needy place's score by at most the factor ``presence_floor ** (presence
weight share)`` and cannot offset its need fully.

**Smoothing.** A rate from a handful of people is noisy, so the poverty rate
is shrunk toward the national rate by global empirical Bayes (Marshall 1991;
the same standardisation underlies Assunção & Reis's EB Moran's I), in
proportion to how small the population base is. CONEVAL's rates rest on
whole municipal populations, so on the 2020 data the shrinkage is small: the
rate keeps at least 93% of its own weight, and only the smallest
municipalities move noticeably. Both ``poverty_pct_raw`` and
``poverty_pct_eb`` are kept.

**Places without a poverty estimate** (CONEVAL leaves 04012, 07125 and 29048
blank in 2020) get no score: ``gap_ranked`` is False, ``gap_score`` and
``gap_rank`` are missing, ``gap_drivers`` says why. They are excluded from
the normalisation too, so they do not shift anybody else's score.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*. OECD.
Marin-Ferrer, M., Vernaccini, L. & Poljansek, K. (2017). *INFORM Index for
Risk Management: Concept and Methodology*, version 2017. JRC, EUR 28655.
Marshall, R. J. (1991). Mapping disease and mortality rates using empirical
Bayes estimators. *Applied Statistics* 40(2), 283-294.
Assunção, R. M. & Reis, E. A. (1999). A new proposal to adjust Moran's I for
population density. *Statistics in Medicine* 18, 2147-2162.
Anselin, L. (1995). Local indicators of spatial association - LISA.
*Geographical Analysis* 27(2), 93-115.
"""

from __future__ import annotations

import logging
import math
import re
from types import MappingProxyType
from typing import Literal, Mapping

import numpy as np
import pandas as pd

from ._composite import empirical_bayes, normalise
from ._lisa import gap_clusters
from .errors import InputError, Problem

__all__ = [
    "gap_index",
    "recorded_settings",
    "weight_sensitivity",
    "gap_clusters",
    "empirical_bayes",
    "normalise",
    "care_unmet",
    "NEED",
    "PRESENCE",
    "DEFAULT_WEIGHTS",
    "CARE_GROUPS",
    "NEED_FLOOR",
    "DRIVER_TEXT",
    "localize_drivers",
]

log = logging.getLogger(__name__)

#: Need components: high values mean more gap.
NEED: tuple[str, ...] = ("poverty_pct", "poverty_people", "care_unmet")
#: Presence components: high values mean less gap (entered as lack of presence).
PRESENCE: tuple[str, ...] = ("initiatives", "offices", "reach")
#: Equal weights: need and presence weigh half each.
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType({c: 1.0 for c in NEED + PRESENCE})
#: Lowest value of a need term in the geometric mean (see the module docstring).
NEED_FLOOR = 0.01
#: Counts spanning orders of magnitude: log1p before min-max scaling.
_COUNTS = {"poverty_people", "care_unmet", "initiatives", "offices"}
#: Care group -> column of people in demand (:func:`care_unmet`).
CARE_GROUPS: Mapping[str, str] = MappingProxyType({"children": "pop_0_5", "elderly": "pop_60_plus"})

Normalisation = Literal["rank", "minmax"]
Aggregation = Literal["geometric", "arithmetic"]


def care_unmet(frame: pd.DataFrame, *, groups: Mapping[str, str] | None = None,
               benchmark: Mapping[str, float] | None = None) -> pd.DataFrame:
    """People in care demand not met by accessible supply, per group and in total.

    For each group ``g`` (children: ``pop_0_5``; older people:
    ``pop_60_plus``; people with a disability are left out by default because
    most of them are also 60+) with ``o`` = ``care_outside_share_g`` (share of
    the demand beyond every catchment), ``a`` = ``care_access_g`` (E2SFCA
    places per 1,000 people in demand, demand-weighted mean over localities,
    0 beyond every catchment) and ``B`` the benchmark::

        shortfall_g = o + (1 - o) * clip(1 - a / ((1 - o) * B), 0, 1)

    Demand beyond every catchment is unmet in full; the rest, whose mean
    access is ``a / (1 - o)``, is unmet by its shortfall from ``B``. ``B`` is
    the national level, total accessible places over total demand (the
    demand-weighted mean of ``a``), unless given. ``care_unmet_g = demand_g *
    shortfall_g`` (people); ``care_unmet`` sums the groups. Without a
    ``care_outside_share_g`` column, ``o`` is 0.

    Parameters
    ----------
    frame
        ``care_access_<g>``, optionally ``care_outside_share_<g>``, and each
        group's demand column (people).
    groups
        Group -> demand column; default :data:`CARE_GROUPS`.
    benchmark
        Group -> places per 1,000 people in demand to measure against.

    Returns
    -------
    DataFrame
        Same index: ``care_shortfall_<g>`` (0..1), ``care_unmet_<g>`` and
        ``care_unmet`` (people). ``attrs["benchmark"]`` holds the benchmarks.

    References
    ----------
    Luo, W. & Qi, Y. (2009). An enhanced two-step floating catchment area
    (E2SFCA) method. *Health & Place* 15, 1100-1107: shortage areas are those
    whose accessibility falls below a reference ratio.

    >>> f = pd.DataFrame({"pop_0_5": [100.0, 100.0, 100.0], "care_access_children": [20.0, 5.0, 0.0],
    ...                   "care_outside_share_children": [0.0, 0.5, 1.0]})
    >>> care_unmet(f, groups={"children": "pop_0_5"}, benchmark={"children": 10.0})["care_unmet"].tolist()
    [0.0, 50.0, 100.0]
    """
    groups = dict(CARE_GROUPS if groups is None else groups)
    _require(frame, [c for g, d in groups.items() for c in (d, f"care_access_{g}")], "care frame")
    out = pd.DataFrame(index=frame.index)
    bench: dict[str, float] = {}
    total = np.zeros(len(frame))
    for g, demand_col in groups.items():
        demand = frame[demand_col].to_numpy(dtype=float)
        access = frame[f"care_access_{g}"].to_numpy(dtype=float)
        outside_col = f"care_outside_share_{g}"
        outside = (np.clip(frame[outside_col].to_numpy(dtype=float), 0.0, 1.0) if outside_col in frame
                   else np.zeros(len(frame)))
        ok = np.isfinite(demand) & np.isfinite(access)
        if benchmark is not None and g in benchmark:
            ref = float(benchmark[g])
        else:
            ref = float((access[ok] * demand[ok]).sum() / demand[ok].sum()) if demand[ok].sum() > 0 else 0.0
        bench[g] = ref
        inside = 1.0 - np.nan_to_num(outside)
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = np.where((inside > 0) & (ref > 0), np.clip(1.0 - access / (inside * ref), 0.0, 1.0), 0.0)
        short = np.where(ok, 1.0 - inside + inside * inner, np.nan)
        out[f"care_shortfall_{g}"] = short
        out[f"care_unmet_{g}"] = demand * short
        total = total + np.nan_to_num(demand * short)
    out["care_unmet"] = total
    out.attrs["benchmark"] = bench
    return out


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError([Problem(what, None, c, None, "a column of that name") for c in missing])


def _check(weights: Mapping[str, float] | None, normalisation: str, aggregate: str, presence_floor: float,
           reach_scale_km: float) -> dict[str, float]:
    """Every problem with the parameters at once; the weights completed with zeros."""
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    problems = []
    for k, v in w.items():
        if k not in DEFAULT_WEIGHTS:
            problems.append(Problem("weights", None, k, v, f"a component name, one of {list(DEFAULT_WEIGHTS)}"))
        elif not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
            problems.append(Problem("weights", None, k, v, "a finite weight >= 0"))
    if not problems and sum(w.values()) <= 0:
        problems.append(Problem("weights", None, None, w, "at least one positive weight"))
    if normalisation not in ("rank", "minmax"):
        problems.append(Problem("normalisation", None, None, normalisation, "'rank' or 'minmax'"))
    if aggregate not in ("geometric", "arithmetic"):
        problems.append(Problem("aggregate", None, None, aggregate, "'geometric' or 'arithmetic'"))
    if not (isinstance(presence_floor, (int, float)) and 0.0 <= presence_floor < 1.0):
        problems.append(Problem("presence_floor", None, None, presence_floor, "a number in [0, 1)"))
    if not (isinstance(reach_scale_km, (int, float)) and reach_scale_km > 0):
        problems.append(Problem("reach_scale_km", None, None, reach_scale_km, "a positive distance in km"))
    if problems:
        raise InputError(problems)
    return {k: float(w.get(k, 0.0)) for k in DEFAULT_WEIGHTS}


def _components(frame: pd.DataFrame, *, key: str, normalisation: Normalisation, reach_scale_km: float,
                pop_col: str, eb: bool) -> pd.DataFrame:
    """Raw, smoothed and normalised components; normalised columns are ``n_<component>``."""
    _require(frame, [key, "poverty_pct", "poverty_people", pop_col, "initiatives", "offices",
                     "nearest_office_km", "care_unmet"], "gap input")
    out = pd.DataFrame({key: frame[key].to_numpy()}, index=frame.index)
    pct = frame["poverty_pct"].to_numpy(dtype=float)
    out["poverty_pct_raw"] = pct
    if eb:
        rate, w = empirical_bayes(pct / 100.0 * frame[pop_col].to_numpy(dtype=float),
                                  frame[pop_col].to_numpy(dtype=float))
        out["poverty_pct_eb"], out["poverty_eb_weight"] = 100.0 * rate, w
    else:
        out["poverty_pct_eb"], out["poverty_eb_weight"] = pct, 1.0
    dist = frame["nearest_office_km"].to_numpy(dtype=float)
    # No reachable office at all (NaN or inf) is no reach, not unknown.
    out["reach"] = np.where(np.isfinite(dist), reach_scale_km / (reach_scale_km + np.maximum(dist, 0)), 0.0)
    ranked = np.isfinite(pct)
    out["gap_ranked"] = ranked
    values = {"poverty_pct": out["poverty_pct_eb"], "poverty_people": frame["poverty_people"],
              "care_unmet": frame["care_unmet"], "initiatives": frame["initiatives"].fillna(0),
              "offices": frame["offices"].fillna(0), "reach": out["reach"]}
    for comp, col in values.items():
        v = np.where(ranked, col.to_numpy(dtype=float), np.nan)
        out[f"n_{comp}"] = normalise(v, normalisation, log_count=comp in _COUNTS)
    return out


def _oriented(comp: pd.DataFrame, aggregate: Aggregation, presence_floor: float) -> pd.DataFrame:
    """Normalised components turned so that 1 is the most gap, floored for the geometric mean."""
    geometric = aggregate == "geometric"
    cols = {}
    for c in NEED:
        cols[c] = NEED_FLOOR + (1.0 - NEED_FLOOR) * comp[f"n_{c}"] if geometric else comp[f"n_{c}"]
    floor = presence_floor if geometric else 0.0
    for c in PRESENCE:
        cols[c] = 1.0 - (1.0 - floor) * comp[f"n_{c}"]
    return pd.DataFrame(cols, index=comp.index)


def _aggregate(x: pd.DataFrame, weights: Mapping[str, float], aggregate: Aggregation) -> np.ndarray:
    names = [c for c in x.columns if weights.get(c, 0) > 0]
    if not names:
        return np.full(len(x), np.nan)
    w = np.array([weights[c] for c in names])
    w = w / w.sum()
    v = x[names].to_numpy(dtype=float)
    if aggregate == "arithmetic":
        return v @ w
    if aggregate == "geometric":
        with np.errstate(divide="ignore"):
            return np.exp(np.log(v) @ w)
    raise ValueError(f"aggregate must be 'geometric' or 'arithmetic', got {aggregate!r}")


def _rank(score: np.ndarray, tiebreak: np.ndarray) -> pd.Series:
    """1 = largest score; ties broken by the larger tiebreak (people in poverty)."""
    # Rounding makes equal sums of rank shares exact ties, whatever the order of the float additions.
    s = pd.DataFrame({"s": np.round(score, 12), "t": tiebreak})
    ok = s["s"].notna()
    order = s[ok].sort_values(["s", "t"], ascending=False, kind="mergesort").index
    rank = pd.Series(pd.NA, index=s.index, dtype="Int64")
    rank.loc[order] = np.arange(1, len(order) + 1)
    return rank


def _tercile(values: np.ndarray) -> pd.Series:
    v = pd.Series(values)
    pct = v.rank(method="average", pct=True)
    return np.ceil(pct * 3).clip(1, 3).astype("Int64")


def gap_index(frame: pd.DataFrame, *, key: str = "cvegeo", weights: Mapping[str, float] | None = None,
              normalisation: Normalisation = "rank", aggregate: Aggregation = "geometric",
              presence_floor: float = 0.1, reach_scale_km: float = 100.0, pop_col: str = "pop_coneval",
              eb: bool = True, level_word: str = "municipality") -> pd.DataFrame:
    """Score, rank and classify every place by its gap (high need, low presence).

    Parameters
    ----------
    frame
        One row per place: ``key``, ``poverty_pct`` (percent), ``poverty_people``,
        ``pop_col`` (people, the base of the poverty rate), ``care_unmet``
        (people, :func:`care_unmet`), ``initiatives``, ``offices`` (counts)
        and ``nearest_office_km`` (NaN or inf when no office).
    weights
        Component -> weight (>= 0) over :data:`NEED` and :data:`PRESENCE`;
        missing components weigh 0. Default :data:`DEFAULT_WEIGHTS`.
    normalisation
        ``"rank"`` (default) or ``"minmax"`` (counts log1p first), see :func:`normalise`.
    aggregate
        ``"geometric"`` (default, INFORM) or ``"arithmetic"``; see the module docstring.
    presence_floor
        Lowest value of a lack-of-presence factor in the geometric mean (0..1).
    reach_scale_km
        Distance at which the reach component halves (km).
    eb
        Smooth the poverty rate with :func:`empirical_bayes` (over ``pop_col``).
    level_word
        Word used in the driver text ("municipality", "state").

    Returns
    -------
    DataFrame
        Same index: ``key``, ``poverty_pct_raw``, ``poverty_pct_eb``
        (percent), ``poverty_eb_weight``, ``reach`` (0..1), ``n_<component>``
        (normalised, presence not inverted), ``need_score`` and
        ``presence_score`` (each dimension aggregated alone, 0..1),
        ``gap_score`` (0..1, high = large gap), ``gap_rank`` (1 = largest
        gap), ``gap_ranked``, ``need_class`` / ``presence_class`` (terciles
        1..3), ``bivariate_class`` (``"<need>-<presence>"``, ``"3-1"`` = high
        need, low presence) and ``gap_drivers``. ``attrs`` records the
        parameters.

    References
    ----------
    OECD/JRC (2008); Marin-Ferrer et al. (2017); Marshall (1991).
    """
    w = _check(weights, normalisation, aggregate, presence_floor, reach_scale_km)
    comp = _components(frame, key=key, normalisation=normalisation, reach_scale_km=reach_scale_km,
                       pop_col=pop_col, eb=eb)
    x = _oriented(comp, aggregate, presence_floor)
    out = comp
    out["need_score"] = _aggregate(x[list(NEED)], w, aggregate)
    presence_w = {c: w[c] for c in PRESENCE}
    out["presence_score"] = _aggregate(comp[[f"n_{c}" for c in PRESENCE]].set_axis(list(PRESENCE), axis=1),
                                       presence_w, "arithmetic")
    out["gap_score"] = _aggregate(x, w, aggregate)
    ranked = out["gap_ranked"].to_numpy()
    for col in ("need_score", "presence_score", "gap_score"):
        out.loc[~ranked, col] = np.nan
    out["gap_rank"] = _rank(out["gap_score"].to_numpy(), frame["poverty_people"].to_numpy(dtype=float)).array
    need_c = _tercile(out["need_score"].to_numpy())
    pres_c = _tercile(out["presence_score"].to_numpy())
    out["need_class"], out["presence_class"] = need_c.array, pres_c.array
    out["bivariate_class"] = [f"{n}-{p}" if ok else None for n, p, ok in zip(need_c, pres_c, ranked)]
    out["gap_drivers"] = _drivers(frame.assign(**{c: out[c] for c in ("poverty_pct_eb", "reach")}),
                                     x, w, aggregate, ranked=ranked, level_word=level_word)
    out.attrs.update(weights=w, normalisation=normalisation, aggregate=aggregate, presence_floor=presence_floor,
                     reach_scale_km=reach_scale_km, eb=eb, excluded=int((~ranked).sum()))
    if (~ranked).any():
        log.info("%d place(s) without a poverty estimate are not ranked: %s", int((~ranked).sum()),
                 list(frame.loc[~ranked, key])[:10])
    return out


#: Driver phrases, English and Spanish; ``{placeholders}`` hold values already
#: formatted (English digit grouping, which es-MX shares). English is the layer's
#: text; :func:`localize_drivers` turns it into the map's language.
DRIVER_TEXT: Mapping[str, tuple[str, str]] = MappingProxyType({
    "poverty_pct": ("high poverty rate ({pct}%)", "alta tasa de pobreza ({pct} %)"),
    "poverty_people": ("many people in poverty ({n})", "muchas personas en pobreza ({n})"),
    "care_unmet": ("care places short for ~{n} young children and older people",
                   "faltan lugares de cuidado para ~{n} niñas, niños y personas mayores"),
    "no_initiative": ("no initiative recorded", "ninguna iniciativa registrada"),
    "few_initiatives": ("few initiatives ({n})", "pocas iniciativas ({n})"),
    "no_office_in": ("no office in the {level}", "ninguna oficina en el {level}"),
    "few_offices": ("few offices ({n})", "pocas oficinas ({n})"),
    "no_office": ("no office anywhere", "ninguna oficina en todo el país"),
    "mean_distance": ("people live {km} km from an office on average",
                      "la población vive en promedio a {km} km de una oficina"),
    "nearest": ("nearest office {km} km away", "oficina más cercana a {km} km"),
    "none_within": ("no office within {km} km", "ninguna oficina a menos de {km} km"),
    "not_ranked": ("not ranked: no CONEVAL poverty estimate", "sin lugar: CONEVAL no estima su pobreza"),
    "none_above": ("no component above the median", "ningún componente sobre la mediana"),
})
_LEVEL_WORDS = {"municipality": "municipio", "state": "estado"}
_DRIVER_LANGS = ("en", "es")


def _say(key: str, lang: str = "en", **values: str) -> str:
    text = DRIVER_TEXT[key][_DRIVER_LANGS.index(lang)]
    if lang == "es" and "level" in values:
        values["level"] = _LEVEL_WORDS.get(values["level"], values["level"])
    return text.format(**values)


def _phrase(comp: str, row, level_word: str, lang: str = "en") -> str:
    if comp == "poverty_pct":
        return _say("poverty_pct", lang, pct=f"{row.poverty_pct_eb:.0f}")
    if comp == "poverty_people":
        return _say("poverty_people", lang, n=f"{row.poverty_people:,.0f}")
    if comp == "care_unmet":
        return _say("care_unmet", lang, n=f"{row.care_unmet:,.0f}")
    if comp == "initiatives":
        n = int(row.initiatives) if pd.notna(row.initiatives) else 0
        return _say("no_initiative", lang) if n == 0 else _say("few_initiatives", lang, n=str(n))
    if comp == "offices":
        n = int(row.offices) if pd.notna(row.offices) else 0
        return _say("no_office_in", lang, level=level_word) if n == 0 else _say("few_offices", lang, n=str(n))
    d = row.nearest_office_km
    if not np.isfinite(d):
        return _say("no_office", lang)
    if level_word != "municipality":  # a population-weighted mean over municipal centres
        return _say("mean_distance", lang, km=f"{d:.0f}")
    return _say("nearest" if d < 15 else "none_within", lang, km=f"{d:.0f}")


def _pattern(template: str) -> re.Pattern:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(template)) + "$")


_EN_PATTERNS = tuple((key, _pattern(en)) for key, (en, _) in DRIVER_TEXT.items())


def localize_drivers(text, lang: str):
    """``gap_drivers`` text (English, as :func:`gap_index` writes it) in ``lang`` (``"en"`` or ``"es"``).

    Each ``"; "``-separated reason is matched against the English phrases and
    said again in ``lang`` with the same figures; a reason brecha did not
    write (a user's own text) is kept as it is. Missing values stay missing.

    >>> localize_drivers("many people in poverty (82,318); no office in the municipality", "es")
    'muchas personas en pobreza (82,318); ninguna oficina en el municipio'
    """
    if lang == "en" or not isinstance(text, str):
        return text
    out = []
    for part in text.split("; "):
        for key, pat in _EN_PATTERNS:
            m = pat.match(part)
            if m:
                part = _say(key, lang, **m.groupdict())
                break
        out.append(part)
    return "; ".join(out)


def _drivers(frame: pd.DataFrame, oriented: pd.DataFrame, weights: Mapping[str, float],
             aggregate: Aggregation, *, ranked: np.ndarray, top: int = 2,
             level_word: str = "municipality") -> pd.Series:
    """Plain-words reasons for each score (the ``gap_drivers`` column): its largest contributions.

    A component's contribution is its weight share times how far the place
    sits above the median ranked place on that component, in logs for the
    geometric mean (so contributions add up to ``log(score)`` minus the log
    score of the median profile). The ``top`` positive ones are named,
    largest first, from the raw values in ``frame``.
    """
    names = [c for c in oriented.columns if weights.get(c, 0) > 0]
    total = sum(weights[c] for c in names)
    v = oriented[names].to_numpy(dtype=float)
    if aggregate == "geometric":
        v = np.log(np.clip(v, 1e-6, None))
    ok = np.asarray(ranked, bool)
    med = np.nanmedian(v[ok], axis=0) if ok.any() else np.zeros(len(names))
    contrib = (v - med) * np.array([weights[c] / total for c in names])
    texts = []
    for i, row in enumerate(frame.itertuples(index=False)):
        if not ok[i]:
            texts.append(_say("not_ranked"))
            continue
        order = [j for j in np.argsort(-contrib[i], kind="stable")[:top] if contrib[i, j] > 1e-12]
        texts.append("; ".join(_phrase(names[j], row, level_word) for j in order)
                     or _say("none_above"))
    return pd.Series(texts, index=frame.index, name="gap_drivers")


#: The gap_index parameters a result records in ``attrs`` and that :func:`recorded_settings` returns.
_SETTINGS = ("weights", "normalisation", "aggregate", "presence_floor", "reach_scale_km", "eb")


def recorded_settings(frame: pd.DataFrame) -> dict:
    """The :func:`gap_index` settings a layer was scored with, as keyword arguments.

    :func:`gap_index` records them in ``attrs``; the municipal layer keeps
    them under ``attrs["gap"]`` (GeoParquet keeps ``attrs``), so that the
    state gap and :func:`weight_sensitivity` describe the same index as the
    layer, whatever its spec set.

    Returns
    -------
    dict
        ``weights, normalisation, aggregate, presence_floor, reach_scale_km, eb``.

    Raises
    ------
    InputError
        The frame records no (or incomplete) settings.

    >>> layer = pd.DataFrame()
    >>> layer.attrs["gap"] = {"weights": {"reach": 2.0}, "normalisation": "rank", "aggregate": "geometric",
    ...                       "presence_floor": 0.1, "reach_scale_km": 50.0, "eb": True, "excluded": 3}
    >>> recorded_settings(layer)["reach_scale_km"]
    50.0
    """
    rec = frame.attrs.get("gap", frame.attrs)
    missing = [k for k in _SETTINGS if k not in rec]
    if missing:
        raise InputError([Problem("layer", None, f"attrs['gap'][{k!r}]", None,
                                  "the gap_index settings the layer was scored with (rebuild the layer)")
                          for k in missing])
    out = {k: rec[k] for k in _SETTINGS}
    out["weights"] = {k: float(v) for k, v in dict(out["weights"]).items()}
    return out


def weight_sensitivity(frame: pd.DataFrame, *, weights: Mapping[str, float] | None = None, change: float = 0.2,
                       top_n: int = 20, key: str = "cvegeo", normalisation: Normalisation = "rank",
                       aggregate: Aggregation = "geometric", presence_floor: float = 0.1,
                       reach_scale_km: float = 100.0, pop_col: str = "pop_coneval", eb: bool = True) -> pd.DataFrame:
    """How stable the ranking stays when each weight moves by ``±change``.

    Each positive weight in turn is multiplied by ``1 - change`` and
    ``1 + change`` (the others fixed) and the places re-ranked (OECD/JRC
    2008, section 7: uncertainty and sensitivity analysis).

    Parameters
    ----------
    frame, weights, key, normalisation, aggregate, presence_floor, reach_scale_km, pop_col, eb
        As for :func:`gap_index`.
    change
        Relative change of one weight (0.2 = ±20%).
    top_n
        Size of the top list whose membership is compared.

    Returns
    -------
    DataFrame
        One row per component and direction: ``component, factor, weight``,
        ``top_overlap`` (share of the baseline top ``top_n`` still in the top
        ``top_n``), ``spearman`` (rank correlation with the baseline over
        ranked places), ``max_rank_change`` (largest absolute move of any
        place), ``max_rank_change_top`` (largest move of a baseline top-
        ``top_n`` place) and ``mean_rank_change``.
    """
    from scipy.stats import spearmanr

    if not 0 < change < 1:
        raise InputError([Problem("change", None, None, change, "a relative change between 0 and 1")])
    base_w = _check(weights, normalisation, aggregate, presence_floor, reach_scale_km)
    comp = _components(frame, key=key, normalisation=normalisation, reach_scale_km=reach_scale_km,
                       pop_col=pop_col, eb=eb)
    ok = comp["gap_ranked"].to_numpy()
    x = _oriented(comp, aggregate, presence_floor)[ok]
    tiebreak = frame["poverty_people"].to_numpy(dtype=float)[ok]
    base = _rank(_aggregate(x, base_w, aggregate), tiebreak).to_numpy(dtype=float)
    n = min(top_n, len(base))
    top = base <= n
    rows = []
    for c, wc in base_w.items():
        if wc <= 0:
            continue
        for factor in (1 - change, 1 + change):
            r = _rank(_aggregate(x, {**base_w, c: wc * factor}, aggregate), tiebreak).to_numpy(dtype=float)
            moved = np.abs(r - base)
            rows.append({"component": c, "factor": factor, "weight": wc * factor,
                         "top_overlap": float(((r <= n) & top).sum() / n) if n else np.nan,
                         "spearman": float(spearmanr(base, r).statistic) if len(base) > 2 else np.nan,
                         "max_rank_change": int(moved.max()) if len(moved) else 0,
                         "max_rank_change_top": int(moved[top].max()) if top.any() else 0,
                         "mean_rank_change": float(moved.mean()) if len(moved) else 0.0})
    out = pd.DataFrame(rows)
    out.attrs.update(top_n=n, change=change, aggregate=aggregate)
    return out
