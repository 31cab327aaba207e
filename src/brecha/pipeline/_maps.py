"""Registry adapters for the web maps (:mod:`brecha.maps`).

A map spec's ``[style]`` reaches the map: ``scheme`` and ``k`` class its
main choropleth, ``colors`` (low to high) paint it and ``legend`` (es/en)
titles its legend; ``column`` picks that choropleth where a map has several
(reach, care) and must name the one a single-purpose map shows (presence,
gap).
"""

from __future__ import annotations

from ..errors import InputError, Problem
from .registry import REGISTRY


def _style(style: dict | None, *, fixed: str | None = None) -> dict:
    """Map keyword arguments from a spec's ``[style]``; ``fixed`` is the only column the map can colour."""
    style = style or {}
    if fixed is not None and style.get("column", fixed) != fixed:
        raise InputError([Problem("<style>", None, "style.column", style.get("column"),
                                  f"{fixed!r}: the column this map colours")])
    out = {"scheme": str(style.get("scheme", "quantiles")).lower(), "k": int(style.get("k", 5))}
    for key in ("colors", "legend"):
        if style.get(key):
            out[key] = style[key]
    if fixed is None and style.get("column"):
        out["column"] = style["column"]
    return out


@REGISTRY.register("maps.choropleth", kind="map", inputs=("layer",))
def _choropleth(inputs, *, style: dict, lang: str = "es", title: dict | None = None):
    """A choropleth of the style's column of a state or municipal layer, classed with mapclassify."""
    from ..maps import choropleth_map

    return choropleth_map(inputs["layer"], title=title, lang=lang, **_style(style))


@REGISTRY.register("maps.presence", kind="map", inputs=("layer", "offices", "initiatives"))
def _presence_map(inputs, *, style: dict | None = None, lang: str = "es"):
    """Initiatives and offices map."""
    from ..maps import presence_map
    from ..sources import initiative_places

    return presence_map(inputs["layer"], inputs["offices"], initiative_places(inputs["initiatives"]),
                        lang=lang, **_style(style, fixed="initiatives"))


@REGISTRY.register("maps.reach", kind="map", inputs=("layer", "offices", "localities"))
def _reach_map(inputs, *, style: dict | None = None, lang: str = "es", radius_km: float = 100.0):
    """Office reach rings, distance to the nearest office, poverty; people out of reach counted by locality."""
    from ..maps import reach_map

    return reach_map(inputs["layer"], inputs["offices"], radius_km=radius_km, localities=inputs["localities"],
                     lang=lang, **_style(style))


@REGISTRY.register("maps.care", kind="map", inputs=("layer", "denue"))
def _care_map(inputs, *, style: dict | None = None, lang: str = "es"):
    """Care supply points, demand and E2SFCA accessibility."""
    from ..maps import care_map

    return care_map(inputs["layer"], inputs["denue"], lang=lang, **_style(style))


@REGISTRY.register("maps.gap", kind="map", inputs=("layer",))
def _gap_map(inputs, *, style: dict | None = None, lang: str = "es", top_n: int = 20):
    """Bivariate need x presence map with the top-N gaps listed."""
    from ..maps import gap_map

    return gap_map(inputs["layer"], top_n=top_n, lang=lang, **_style(style, fixed="gap_score"))
