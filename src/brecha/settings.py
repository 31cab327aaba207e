"""Settings in one documented place.

Every default lives in :class:`Settings`, a frozen dataclass. Functions take
what they need as explicit arguments; the CLI builds a ``Settings`` from the
environment with :func:`from_env`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["Settings", "from_env", "default_layers_dir", "ANALYSIS_CRS", "STORAGE_CRS", "DATA_DIR"]

#: Mexico ITRF2008 / LCC: planar metres, used for every distance and area.
ANALYSIS_CRS = "EPSG:6372"
#: Longitude/latitude on WGS 84, used for stored layers and web maps.
STORAGE_CRS = "EPSG:4326"
#: The embedded default data shipped inside the package.
DATA_DIR = Path(__file__).resolve().parent / "data"


def default_layers_dir() -> Path:
    """The layer specs a build uses when none are named.

    ``./layers`` when the current folder has one (a checkout, a planner's
    project); else the default specs: those packaged in the wheel
    (``brecha/layers``, copied from the checkout's ``layers/`` at build
    time), or, for an editable install, the checkout's own ``layers/``.
    """
    here = Path(__file__).resolve().parent
    for folder in (Path("layers"), here / "layers", here.parent.parent / "layers"):
        if folder.is_dir():
            return folder
    return Path("layers")  # none: load_specs names the missing folder


#: mapclassify schemes a map may class a choropleth with (spec ``[style] scheme``, ``brecha.maps``);
#: matched without case or underscores ("NaturalBreaks" is natural_breaks). fisher_jenks and natural_breaks
#: are slow without numba (tens of seconds nationally): prefer fisher_jenks_sampled.
CLASS_SCHEMES = ("quantiles", "equal_interval", "fisher_jenks", "fisher_jenks_sampled", "natural_breaks",
                 "jenks_caspall", "headtail_breaks", "maximum_breaks", "prettybreaks", "box_plot", "std_mean",
                 "percentiles")
#: Smallest and largest number of classes ``k`` (ColorBrewer's sequential palettes stop at 9).
CLASS_K = (2, 9)


def scheme_problems(scheme: object, k: object) -> list[tuple[str, object, str]]:
    """``(key, value, expected)`` for a classification the maps cannot draw; empty when usable.

    The one rule for the spec check (``brecha layers``/``build``) and the maps.
    """
    out: list[tuple[str, object, str]] = []
    known = {s.replace("_", "") for s in CLASS_SCHEMES}
    if not (isinstance(scheme, str) and scheme.replace("_", "").lower() in known):
        out.append(("scheme", scheme, f"a mapclassify scheme: one of {list(CLASS_SCHEMES)}"))
    whole = hasattr(k, "__index__") and not isinstance(k, bool)
    if not (whole and CLASS_K[0] <= int(k) <= CLASS_K[1]):  # type: ignore[call-overload]
        out.append(("k", k, f"a whole number of classes from {CLASS_K[0]} to {CLASS_K[1]}"))
    return out


@dataclass(frozen=True)
class Settings:
    """Defaults for a brecha run.

    Attributes
    ----------
    out_dir
        Where builds write layers, maps and the manifest (``BRECHA_OUT``).
    layers_dir
        Folder of layer specs (``BRECHA_LAYERS``).
    data_dir
        Folder of the embedded default data (``BRECHA_DATA``).
    lock_timeout_s
        Seconds a build waits for another build's lock (``BRECHA_LOCK_TIMEOUT``).
    lang
        Map label language, ``"es"`` or ``"en"`` (``BRECHA_LANG``).
    """

    out_dir: Path = Path("outputs")
    layers_dir: Path = field(default_factory=default_layers_dir)
    data_dir: Path = DATA_DIR
    lock_timeout_s: float = 0.0
    lang: str = "es"

    def with_(self, **changes) -> Settings:
        """Return a copy with some fields changed."""
        return replace(self, **changes)


def from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``BRECHA_*`` environment variables."""
    env = os.environ if environ is None else environ
    s = Settings()
    changes: dict = {}
    if "BRECHA_OUT" in env:
        changes["out_dir"] = Path(env["BRECHA_OUT"])
    if "BRECHA_LAYERS" in env:
        changes["layers_dir"] = Path(env["BRECHA_LAYERS"])
    if "BRECHA_DATA" in env:
        changes["data_dir"] = Path(env["BRECHA_DATA"])
    if "BRECHA_LOCK_TIMEOUT" in env:
        changes["lock_timeout_s"] = float(env["BRECHA_LOCK_TIMEOUT"])
    if "BRECHA_LANG" in env:
        changes["lang"] = env["BRECHA_LANG"]
    return replace(s, **changes)
