"""Layers as declarative TOML specs, built incrementally, atomically and traceably.

``layers/*.toml`` say what each layer reads, which registered function makes
it, with which parameters, and in which formats to write it;
:func:`build` makes what changed into ``outputs/`` with a manifest of
checksums; :func:`status` says what is stale and why. See ``docs/build.md``.
"""

from ._fingerprint import code_version
from .manifest import verify
from .registry import REGISTRY, Entry, Registry
from .run import BuildResult, LayerState, build, status
from .spec import LayerSpec, load_specs
from .writers import RasterResult

__all__ = ["build", "status", "BuildResult", "LayerState", "load_specs", "LayerSpec", "Registry", "Entry",
           "REGISTRY", "RasterResult", "verify", "code_version"]
