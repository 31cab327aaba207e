"""Settings in one documented place.

Every default lives in :class:`Settings`, a frozen dataclass. Functions take
what they need as explicit arguments; the CLI builds a ``Settings`` from the
environment with :func:`from_env`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Settings", "from_env", "ANALYSIS_CRS", "STORAGE_CRS", "DATA_DIR"]

#: Mexico ITRF2008 / LCC: planar metres, used for every distance and area.
ANALYSIS_CRS = "EPSG:6372"
#: Longitude/latitude on WGS 84, used for stored layers and web maps.
STORAGE_CRS = "EPSG:4326"
#: The embedded default data shipped inside the package.
DATA_DIR = Path(__file__).resolve().parent / "data"


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
    layers_dir: Path = Path("layers")
    data_dir: Path = DATA_DIR
    lock_timeout_s: float = 0.0
    lang: str = "es"

    def with_(self, **changes) -> "Settings":
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
