"""Choropleth classes from mapclassify, with ColorBrewer colours and legend labels.

Classes follow Rey, Stephens & Laura (2017), "An evaluation of sampling and
full enumeration strategies for Fisher Jenks classification in big data
settings", Transactions in GIS 21(4) (mapclassify); colours are ColorBrewer
sequential schemes (Harrower & Brewer 2003, The Cartographic Journal 40(1)).

>>> c = classify([0, 0, 1, 2, 3, 10, None], scheme="quantiles", k=2, palette="Blues",
...              decimals=0, zero_class=True)
>>> c.labels
('0', '1 – 2', '3 – 10')
>>> c.bins, len(c.colors)
((2.0, 10.0), 3)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from branca.utilities import color_brewer

from ..errors import InputError, Problem
from ..settings import CLASS_SCHEMES, scheme_problems

__all__ = ["Classes", "classify", "SCHEMES", "NODATA_COLOR", "ZERO_COLOR", "check_scheme", "check_palette",
           "palette_colors", "Palette"]

#: A ColorBrewer scheme name ("YlGnBu", "YlGnBu_r" reversed) or a list of colours from low to high.
Palette = str | Sequence[str]

NODATA_COLOR = "#bdbdbd"
ZERO_COLOR = "#e9e9e4"

#: mapclassify schemes accepted by name; fisher_jenks / natural_breaks are slow
#: without numba (tens of seconds nationally): prefer fisher_jenks_sampled.
SCHEMES = CLASS_SCHEMES  # one table with the spec check: brecha.settings


@dataclass(frozen=True)
class Classes:
    """Class upper bounds, their colours and legend labels.

    With ``zero`` the first colour and label are for exact zeros and the
    bins classify the positive values.
    """

    bins: tuple[float, ...]
    colors: tuple[str, ...]
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    zero: bool
    scheme: str
    k: int
    nodata: int

    def colors_of(self, values: Sequence[float] | pd.Series) -> list[str]:
        """The fill of each value, as the page's runtime computes it (``brecha.classOf``)."""
        y = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").astype(float).to_numpy()
        off = 1 if self.zero else 0
        out = []
        for v in y:
            if not np.isfinite(v):
                out.append(NODATA_COLOR)
            elif self.zero and v == 0:
                out.append(self.colors[0])
            elif not self.bins:
                out.append(NODATA_COLOR)
            else:
                i = min(int(np.searchsorted(self.bins, v, side="left")), len(self.bins) - 1)
                out.append(self.colors[i + off])
        return out

    def runtime(self) -> dict:
        """The fields ``brecha.choropleth`` uses."""
        return {"bins": list(self.bins), "colors": list(self.colors), "zero": self.zero, "nodata": NODATA_COLOR}


def check_scheme(scheme: str, k: int) -> list[Problem]:
    """Problems with a scheme name and class count (empty when both are usable)."""
    return [Problem(f"<{key}>", None, key, value, expected) for key, value, expected in scheme_problems(scheme, k)]


def _fmt(x: float, decimals: int) -> str:
    return f"{x:,.{decimals}f}"


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def check_palette(palette: Palette, what: str = "<palette>") -> list[Problem]:
    """Problems with a palette: an unknown ColorBrewer name, or colours that are not ``#rgb``/``#rrggbb``.

    Colours end up in style attributes, so anything but a hex colour is refused.
    """
    if isinstance(palette, str):
        try:
            color_brewer(palette, 5)
        except ValueError:
            return [Problem(what, None, "colors", palette,
                            'a ColorBrewer scheme such as "YlGnBu" or a list of colours')]
        return []
    if not isinstance(palette, Sequence) or len(palette) < 2:
        return [Problem(what, None, "colors", palette, 'at least two colours like "#fc8d59"')]
    return [Problem(what, None, "colors", c, 'a hex colour like "#fc8d59"')
            for c in palette if not (isinstance(c, str) and _HEX.fullmatch(c))]


def _mix(a: str, b: str, f: float) -> str:
    def rgb(c: str) -> np.ndarray:
        c = c.lstrip("#")
        c = "".join(ch * 2 for ch in c) if len(c) == 3 else c
        return np.array([int(c[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)
    v = np.round(rgb(a) * (1 - f) + rgb(b) * f).astype(int)
    return "#" + "".join(f"{x:02x}" for x in v)


def palette_colors(palette: Palette, n: int) -> list[str]:
    """``n`` colours from low to high: a ColorBrewer scheme, or a list (resampled linearly unless it has ``n``)."""
    if n <= 0:
        return []
    if isinstance(palette, str):
        return list(color_brewer(palette, max(n, 3)))[:n] if n < 3 else list(color_brewer(palette, n))
    colors = [str(c).lower() for c in palette]
    if len(colors) == n:
        return colors
    if n == 1:
        return [colors[-1]]
    out = []
    for i in range(n):
        x = i * (len(colors) - 1) / (n - 1)
        j = min(int(x), len(colors) - 2)
        out.append(_mix(colors[j], colors[j + 1], x - j))
    return out


def _distinct_bounds(bins: list[float], lo: float, decimals: int) -> list[float]:
    """``bins`` with the classes merged whose bounds read the same at ``decimals``.

    With many tiny values (0.001, 0.003, ...) several upper bounds print as
    "0.00"; each such run becomes one class, bounded by its largest bin, so
    no two legend rows read alike.

    >>> _distinct_bounds([0.001, 0.002, 0.004, 0.33], 0.0005, 2)
    [0.004, 0.33]
    """
    out: list[float] = []
    for b in bins:
        if out and _fmt(b, decimals) == _fmt(out[-1], decimals):
            out[-1] = b
        else:
            out.append(b)
    return out


def classify(values: Sequence[float] | pd.Series, *, scheme: str = "quantiles", k: int = 5,
             palette: Palette = "YlOrRd", decimals: int = 1, zero_class: bool = False) -> Classes:
    """Classify ``values`` with mapclassify ``scheme`` into ``k`` classes.

    NaN values are left out (shown as "no data"). Schemes that cannot form
    ``k`` distinct classes (many ties) give fewer; the legend says how many.

    Raises
    ------
    InputError
        Unknown scheme, ``k`` outside 2..9, or an unusable palette.
    """
    problems = check_scheme(scheme, k) + check_palette(palette)
    if problems:
        raise InputError(problems)
    y = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").astype(float).to_numpy()
    valid = y[np.isfinite(y)]
    nodata = int(len(y) - len(valid))
    zeros = valid[valid == 0] if zero_class else valid[:0]
    pos = valid[valid != 0] if zero_class else valid
    bins: list[float] = []
    if len(pos):
        uniq = np.unique(pos)
        kk = min(int(k), len(uniq))
        if kk == 1:
            bins = [float(uniq[0])]
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # mapclassify warns on ties and missing numba
                import mapclassify  # 1 s of import (scipy.stats): only when a map is drawn, not for spec checks

                cls = mapclassify.classify(pos, scheme.replace("_", "").lower(), k=kk)
            bounds = np.asarray(cls.bins, dtype=float)
            if np.all(pos == np.round(pos)):
                bounds = np.floor(bounds)  # counts: a bound of 2.5 means "up to 2"
            bins = sorted(set(bounds.tolist()))
        bins[-1] = max(bins[-1], float(pos.max()))
    lo = float(pos.min()) if len(pos) else 0.0
    bins = _distinct_bounds(bins, lo, decimals)
    labels, counts = [], []
    step = 10.0 ** -decimals
    for i, b in enumerate(bins):
        start = lo if i == 0 else bins[i - 1] + (step if decimals == 0 else 0)
        if decimals and 0 < start < step / 2 <= b:
            start = step  # positive values that print as 0.00 start the class at 0.01
        if decimals and 0 < start and b < step / 2:
            labels.append(f"< {_fmt(step, decimals)}")  # positive values too small to print: not "0.00"
        else:
            labels.append(_fmt(b, decimals) if _fmt(start, decimals) == _fmt(b, decimals)
                          else f"{_fmt(start, decimals)} – {_fmt(b, decimals)}")
        prev = -np.inf if i == 0 else bins[i - 1]
        counts.append(int(((pos > prev) & (pos <= b)).sum()))
    colors = palette_colors(palette, len(bins))
    if zero_class:
        labels.insert(0, "0")
        counts.insert(0, int(len(zeros)))
        colors.insert(0, ZERO_COLOR)
    return Classes(tuple(bins), tuple(colors), tuple(labels), tuple(counts), zero_class, scheme, len(bins), nodata)
