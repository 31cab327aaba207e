"""Registry adapters for the web maps (:mod:`brecha.maps`)."""

from __future__ import annotations

from .registry import REGISTRY


@REGISTRY.register("maps.choropleth", kind="map", inputs=("layer",))
def _choropleth(inputs, *, style: dict, lang: str = "es"):
    """A choropleth of one column, classed with mapclassify (stopgap until brecha.maps lands)."""
    from ._choropleth import choropleth

    return choropleth(inputs["layer"], style=style, lang=lang)


def _style(style: dict | None) -> dict:
    style = style or {}
    return {"scheme": str(style.get("scheme", "quantiles")).lower(), "k": int(style.get("k", 5))}


@REGISTRY.register("maps.presence", kind="map", inputs=("layer", "offices", "initiatives"))
def _presence_map(inputs, *, style: dict | None = None, lang: str = "es"):
    """Initiatives and offices map."""
    from ..maps import presence_map
    from ..sources import initiative_places

    return presence_map(inputs["layer"], inputs["offices"], initiative_places(inputs["initiatives"]),
                        lang=lang, **_style(style))


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

    return gap_map(inputs["layer"], top_n=top_n, lang=lang, **_style(style))
