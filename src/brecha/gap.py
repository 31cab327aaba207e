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
presence reported (high = less gap; entered as *lack* = 1 - presence)
``initiatives``           initiatives placed in the place (its level or finer)
``agencies``              distinct agencies with an initiative or office there
``offices``               distinct existing offices in the place
reach (its own axis; weight 0 by default, never part of ``presence_score``)
``reach``                 ``reach_scale_km / (reach_scale_km + nearest_office_km)``:
                          1 at an office, 0.5 at ``reach_scale_km``, 0 with no office
========================  ======================================================

**Presence is what is reported, reach is apart.** Distance to an office says
where an office *could* serve, not that anyone works there, so it does not
enter ``presence_score`` and, by default, not the gap either. ``gap_class``
keeps what the reports do not say apart from absence (:func:`gap_classes`):
a high-need place that no report names, nor its state
(``presence_evidence == "no_report"``), is ``"no_report"``; one whose state
the reports name but never the place (``"state_only"``) is
``"state_only"``; only a place the reports name, with low presence, is a
``"gap"``.

**Presence is scaled by log over the maximum, not by rank.** Need keeps
``GapSettings.normalisation`` (rank by default). The presence components do
not: on the 2020 reports about 97% of municipalities have no initiative,
agency or office, and rank normalisation gives every tied zero 0 and the
first placed report the share of places below it, so a single initiative
lifted a place from 0 to about the 98th percentile (Ocosingo, 07059, moved
from gap rank 2 to 1974 with one added initiative while its presence class
stayed low). With ``presence_normalisation = "log_max"`` (the default, kept
in the ``gap_settings`` table) each presence count is scaled as
``log(1 + x) / log(1 + max x)``, the scale of
:func:`brecha.presence.presence_score`: zero stays zero, one report counts
``log 2 / log(1 + max)`` (about 0.29 against a maximum of 10) and only the
most present places reach 1; with one added initiative Ocosingo now moves
from rank 2 to 124 (2020 data, default build). ``"rank"`` and ``"minmax"``
remain available.

**Settings** live once, in :class:`GapSettings`, which the pipeline passes
explicitly to the municipal gap, the state gap and the weight sensitivity.

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
``gap_rank`` are missing, ``gap_drivers`` says why (code ``not_ranked``). They are excluded from
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
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._composite import empirical_bayes, normalise
from ._gap_settings import DEFAULT_WEIGHTS, NEED, PRESENCE, REACH, GapSettings, settings_table
from ._gap_words import GAP_CLASSES, describe_drivers, describe_gap_class, encode_drivers
from ._lisa import gap_clusters
from .errors import InputError, Problem, require_columns

__all__ = [
    "GapSettings",
    "settings_table",
    "gap_index",
    "gap_classes",
    "weight_sensitivity",
    "gap_clusters",
    "empirical_bayes",
    "normalise",
    "describe_drivers",
    "describe_gap_class",
    "NEED",
    "PRESENCE",
    "REACH",
    "GAP_CLASSES",
    "DEFAULT_WEIGHTS",
    "NEED_FLOOR",
]

log = logging.getLogger(__name__)

#: Lowest value of a need term in the geometric mean (see the module docstring).
NEED_FLOOR = 0.01
#: Counts spanning orders of magnitude: log1p before min-max scaling.
_COUNTS = {"poverty_people", "care_unmet", "initiatives", "agencies", "offices"}

def _components(frame: pd.DataFrame, *, key: str, settings: GapSettings, pop_col: str) -> pd.DataFrame:
    """Raw, smoothed and normalised components; normalised columns are ``n_<component>``."""
    use_reach = settings.weights["reach"] > 0
    require_columns(frame, [key, "poverty_pct", "poverty_people", pop_col, *PRESENCE, "care_unmet",
                            *(["nearest_office_km"] if use_reach else [])], "gap input")
    out = pd.DataFrame({key: frame[key].to_numpy()}, index=frame.index)
    pct = frame["poverty_pct"].to_numpy(dtype=float)
    out["poverty_pct_raw"] = pct
    if settings.eb:
        rate, w = empirical_bayes(pct / 100.0 * frame[pop_col].to_numpy(dtype=float),
                                  frame[pop_col].to_numpy(dtype=float))
        out["poverty_pct_eb"], out["poverty_eb_weight"] = 100.0 * rate, w
    else:
        out["poverty_pct_eb"], out["poverty_eb_weight"] = pct, 1.0
    values = {"poverty_pct": out["poverty_pct_eb"], "poverty_people": frame["poverty_people"],
              "care_unmet": frame["care_unmet"], **{c: frame[c].fillna(0) for c in PRESENCE}}
    if "nearest_office_km" in frame:
        dist = frame["nearest_office_km"].to_numpy(dtype=float)
        # No reachable office at all (NaN or inf) is no reach, not unknown.
        scale = settings.reach_scale_km
        out["reach"] = np.where(np.isfinite(dist), scale / (scale + np.maximum(dist, 0)), 0.0)
    else:
        out["reach"] = 0.0
    values["reach"] = out["reach"]
    ranked = np.isfinite(pct)
    out["gap_ranked"] = ranked
    for comp, col in values.items():
        v = np.where(ranked, col.to_numpy(dtype=float), np.nan)
        if comp in PRESENCE and settings.presence_normalisation == "log_max":
            out[f"n_{comp}"] = _log_max(v)
        else:
            method = settings.presence_normalisation if comp in PRESENCE else settings.normalisation
            out[f"n_{comp}"] = normalise(v, method, log_count=comp in _COUNTS)  # type: ignore[arg-type]
    return out


def _log_max(values: np.ndarray) -> np.ndarray:
    """``log(1 + x) / log(1 + max x)`` over the finite values (0 everywhere when the maximum is 0).

    The scale of :func:`brecha.presence.presence_score`: zero stays zero and
    one report is modest beside the most present place (module docstring).

    >>> _log_max(np.array([0.0, 1.0, 3.0, np.nan])).round(3).tolist()
    [0.0, 0.5, 1.0, nan]
    """
    x = np.asarray(values, dtype=float)
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(x)
    top = float(np.clip(x[ok], 0, None).max(initial=0.0))
    out[ok] = np.log1p(np.clip(x[ok], 0, None)) / np.log1p(top) if top > 0 else 0.0
    return out


def _oriented(comp: pd.DataFrame, settings: GapSettings) -> pd.DataFrame:
    """Normalised components turned so that 1 is the most gap, floored for the geometric mean."""
    geometric = settings.aggregate == "geometric"
    cols = {}
    for c in NEED:
        cols[c] = NEED_FLOOR + (1.0 - NEED_FLOOR) * comp[f"n_{c}"] if geometric else comp[f"n_{c}"]
    floor = settings.presence_floor if geometric else 0.0
    for c in PRESENCE + REACH:
        cols[c] = 1.0 - (1.0 - floor) * comp[f"n_{c}"]
    return pd.DataFrame(cols, index=comp.index)


def _aggregate(x: pd.DataFrame, weights: Mapping[str, float], aggregate: str) -> np.ndarray:
    names = [c for c in x.columns if weights.get(c, 0) > 0]
    if not names:
        return np.full(len(x), np.nan)
    w = np.array([weights[c] for c in names])
    w = w / w.sum()
    v = x[names].to_numpy(dtype=float)
    if aggregate == "arithmetic":
        return v @ w
    with np.errstate(divide="ignore"):
        return np.exp(np.log(v) @ w)


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


def _presence_class(score: np.ndarray) -> pd.Series:
    """1 where nothing is reported (score 0); else terciles of the places with reported presence.

    Terciles over all places would put the ~98% with nothing reported, tied
    at zero, in the middle class; so no presence is always 1 (low) and a
    place is 3 (high) only among those that report something.
    """
    v = pd.Series(np.asarray(score, dtype=float))
    out = pd.Series(pd.NA, index=v.index, dtype="Int64")
    out[v.notna()] = 1
    some = v > 0
    if some.any():
        out[some] = _tercile(v[some].to_numpy()).to_numpy()
    return out


def gap_classes(need_class: pd.Series, presence_class: pd.Series, ranked: np.ndarray,
                presence_evidence: pd.Series) -> np.ndarray:
    """The ``gap_class`` of each place (:data:`GAP_CLASSES`).

    - ``"no_data"``: not ranked (no poverty estimate);
    - ``"lower_need"``: need tercile 1 or 2;
    - high need (tercile 3) and nothing reported for the place or its state
      (``presence_evidence == "no_report"``): ``"no_report"``: no report is
      not absence, so it is never called a gap;
    - high need, presence class 2-3: ``"served"``;
    - high need, presence class 1 and only the state named
      (``presence_evidence == "state_only"``): ``"state_only"``: the reports
      speak of the state and never name the place, so its low presence is not
      measured either;
    - high need, presence class 1 and the place itself named: ``"gap"``, the
      only confirmed gap. A complete office list that omits the place
      (``office_evidence == "confirmed_absent"``) confirms one agency's
      absence, not everyone's, so it does not change the class.

    >>> gap_classes(pd.Series([3, 3, 3, 3, 1]), pd.Series([1, 1, 1, 2, 1]), np.array([True] * 5),
    ...             pd.Series(["no_report", "state_only", "reported", "reported", "no_report"])).tolist()
    ['no_report', 'state_only', 'gap', 'served', 'lower_need']
    """
    need = pd.Series(need_class).fillna(0).to_numpy(dtype=int)
    pres = pd.Series(presence_class).fillna(0).to_numpy(dtype=int)
    evidence = pd.Series(presence_evidence).to_numpy(dtype=object)
    high = np.select([evidence == "no_report", pres >= 2, evidence == "state_only"],
                     ["no_report", "served", "state_only"], default="gap")
    return np.where(~np.asarray(ranked, bool), "no_data", np.where(need == 3, high, "lower_need")).astype(object)


def _evidence(frame: pd.DataFrame) -> pd.Series:
    """``presence_evidence`` from the frame, or from its counts when the column is absent."""
    if "presence_evidence" in frame:
        return frame["presence_evidence"]
    some = frame[list(PRESENCE)].fillna(0).sum(axis=1) > 0
    return pd.Series(np.where(some, "reported", "no_report"), index=frame.index)


def gap_index(frame: pd.DataFrame, settings: GapSettings | pd.DataFrame | Mapping | None = None, *, key: str = "cvegeo",
              pop_col: str = "pop_coneval", level_word: str = "municipality") -> pd.DataFrame:
    """Score, rank and classify every place by its gap (high need, low reported presence).

    Parameters
    ----------
    frame
        One row per place: ``key``, ``poverty_pct`` (percent), ``poverty_people``,
        ``pop_col`` (people, the base of the poverty rate), ``care_unmet``
        (people, :func:`brecha.care.care_unmet`), ``initiatives``,
        ``agencies``, ``offices`` (counts); optionally ``presence_evidence``
        (:func:`gap_classes`) and ``nearest_office_km``
        (needed when reach has a weight).
    settings
        :class:`GapSettings` (or its table or a mapping, :meth:`GapSettings.of`); the defaults when None.
    level_word
        ``"municipality"`` or ``"state"``: the level the drivers speak of.

    Returns
    -------
    DataFrame
        Same index: ``key``, ``poverty_pct_raw``, ``poverty_pct_eb``
        (percent), ``poverty_eb_weight``, ``reach`` (0..1), ``n_<component>``
        (normalised, presence not inverted), ``need_score`` and
        ``presence_score`` (reported presence only, 0..1), ``gap_score``
        (0..1, high = large gap), ``gap_rank`` (1 = largest gap),
        ``gap_ranked``, ``need_class`` (terciles 1..3), ``presence_class``
        (:func:`_presence_class`), ``bivariate_class`` (``"<need>-<presence>"``),
        ``gap_class`` (:func:`gap_classes`) and ``gap_drivers`` (JSON
        ``[code, value]`` pairs; :func:`describe_drivers` says them).

    References
    ----------
    OECD/JRC (2008); Marin-Ferrer et al. (2017); Marshall (1991).
    """
    settings = GapSettings.of(settings)
    w = settings.weights
    comp = _components(frame, key=key, settings=settings, pop_col=pop_col)
    x = _oriented(comp, settings)
    out = comp
    out["need_score"] = _aggregate(x[list(NEED)], w, settings.aggregate)
    presence = comp[[f"n_{c}" for c in PRESENCE]].set_axis(list(PRESENCE), axis=1)
    out["presence_score"] = _aggregate(presence, {c: w[c] for c in PRESENCE}, "arithmetic")
    out["gap_score"] = _aggregate(x, w, settings.aggregate)
    ranked = out["gap_ranked"].to_numpy()
    for col in ("need_score", "presence_score", "gap_score"):
        out.loc[~ranked, col] = np.nan
    out["gap_rank"] = _rank(out["gap_score"].to_numpy(), frame["poverty_people"].to_numpy(dtype=float)).array
    need_c = _tercile(out["need_score"].to_numpy())
    pres_c = _presence_class(out["presence_score"].to_numpy())
    out["need_class"], out["presence_class"] = need_c.array, pres_c.array
    out["bivariate_class"] = [f"{n}-{p}" if ok else None for n, p, ok in zip(need_c, pres_c, ranked)]
    evidence = _evidence(frame)
    out["gap_class"] = gap_classes(need_c, pres_c, ranked, evidence)
    out["gap_drivers"] = _drivers(frame.assign(poverty_pct_eb=out["poverty_pct_eb"], presence_evidence=evidence),
                                  x, w, settings.aggregate, ranked=ranked, level_word=level_word)
    if (~ranked).any():
        log.info("%d place(s) without a poverty estimate are not ranked: %s", int((~ranked).sum()),
                 list(frame.loc[~ranked, key])[:10])
    return out


def _pair(comp: str, row: Any, level_word: str) -> tuple[str, Any]:
    """The ``[code, value]`` pair naming one component's contribution."""
    if comp in NEED:
        return comp, float(getattr(row, "poverty_pct_eb" if comp == "poverty_pct" else comp))
    if comp in PRESENCE and row.presence_evidence in ("no_report", "state_only"):
        return str(row.presence_evidence), None  # nothing names the place: say so, not "none there"
    if comp in PRESENCE:
        n = getattr(row, comp)
        n = int(n) if pd.notna(n) else 0
        if comp == "offices":
            return ("no_office_in", level_word) if n == 0 else ("few_offices", n)
        word = {"initiatives": ("no_initiative", "few_initiatives"), "agencies": ("no_agency", "few_agencies")}
        return (word[comp][0], None) if n == 0 else (word[comp][1], n)
    d = row.nearest_office_km
    if not np.isfinite(d):
        return "no_office", None
    if level_word != "municipality":  # a population-weighted mean over municipal centres
        return "mean_distance", float(d)
    return ("nearest" if d < 15 else "none_within"), float(d)


def _drivers(frame: pd.DataFrame, oriented: pd.DataFrame, weights: Mapping[str, float],
             aggregate: str, *, ranked: np.ndarray, top: int = 2,
             level_word: str = "municipality") -> pd.Series:
    """The largest contributions to each score, as JSON ``[code, value]`` pairs (``gap_drivers``).

    A component's contribution is its weight share times how far the place
    sits above the median ranked place on that component, in logs for the
    geometric mean (so contributions add up to ``log(score)`` minus the log
    score of the median profile). The ``top`` positive ones are named,
    largest first, with the raw values of ``frame``; a repeated pair (two
    presence components of a place nothing names) is named once.
    """
    names = [c for c in oriented.columns if weights.get(c, 0) > 0]
    total = sum(weights[c] for c in names)
    v = oriented[names].to_numpy(dtype=float)
    if aggregate == "geometric":
        v = np.log(np.clip(v, 1e-6, None))
    ok = np.asarray(ranked, bool)
    med = np.nanmedian(v[ok], axis=0) if ok.any() else np.zeros(len(names))
    contrib = (v - med) * np.array([weights[c] / total for c in names])
    if "nearest_office_km" not in frame:
        frame = frame.assign(nearest_office_km=np.nan)
    texts = []
    for i, row in enumerate(frame.itertuples(index=False)):
        if not ok[i]:
            texts.append(encode_drivers([("not_ranked", None)]))
            continue
        pairs: list[tuple[str, Any]] = []
        for j in np.argsort(-contrib[i], kind="stable"):
            if len(pairs) == top or contrib[i, j] <= 1e-12:
                break
            p = _pair(names[j], row, level_word)
            if p not in pairs:
                pairs.append(p)
        texts.append(encode_drivers(pairs or [("none_above", None)]))
    return pd.Series(texts, index=frame.index, name="gap_drivers")


def weight_sensitivity(frame: pd.DataFrame, settings: GapSettings | pd.DataFrame | Mapping | None = None, *,
                       change: float = 0.2, top_n: int = 20, key: str = "cvegeo",
                       pop_col: str = "pop_coneval") -> pd.DataFrame:
    """How stable the ranking stays when each weight moves by ``±change``.

    Each positive weight in turn is multiplied by ``1 - change`` and
    ``1 + change`` (the others fixed) and the places re-ranked (OECD/JRC
    2008, section 7: uncertainty and sensitivity analysis).

    Parameters
    ----------
    frame, settings, key, pop_col
        As for :func:`gap_index` (the settings the layer was scored with).
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
    settings = GapSettings.of(settings)
    if key == "cve_ent":  # the state gap does not smooth (every state is large)
        settings = settings.replace(eb=False)
    base_w = dict(settings.weights)
    comp = _components(frame, key=key, settings=settings, pop_col=pop_col)
    ok = comp["gap_ranked"].to_numpy()
    x = _oriented(comp, settings)[ok]
    tiebreak = frame["poverty_people"].to_numpy(dtype=float)[ok]
    base = _rank(_aggregate(x, base_w, settings.aggregate), tiebreak).to_numpy(dtype=float)
    n = min(top_n, len(base))
    top = base <= n
    rows = []
    for c, wc in base_w.items():
        if wc <= 0:
            continue
        for factor in (1 - change, 1 + change):
            r = _rank(_aggregate(x, {**base_w, c: wc * factor}, settings.aggregate), tiebreak).to_numpy(dtype=float)
            moved = np.abs(r - base)
            rows.append({"component": c, "factor": factor, "weight": wc * factor,
                         "top_overlap": float(((r <= n) & top).sum() / n) if n else np.nan,
                         "spearman": float(spearmanr(base, r).statistic) if len(base) > 2 else np.nan,
                         "max_rank_change": int(moved.max()) if len(moved) else 0,
                         "max_rank_change_top": int(moved[top].max()) if top.any() else 0,
                         "mean_rank_change": float(moved.mean()) if len(moved) else 0.0})
    return pd.DataFrame(rows)
