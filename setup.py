"""Packaging hook: the wheel carries the checkout's default layer specs.

``layers/*.toml`` (the one copy in the repository, the folder planners edit)
is copied to ``brecha/layers/`` in the build, so an installed ``brecha build``
finds its default specs anywhere (:func:`brecha.settings.default_layers_dir`).
An editable install reads the checkout's ``layers/`` directly.
Everything else is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithLayers(build_py):
    """``build_py`` that also copies ``layers/*.toml`` into ``brecha/layers``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "brecha" / "layers"
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.toml"):  # a reused build folder must not keep a deleted spec
            old.unlink()
        specs = sorted(Path(__file__).resolve().parent.joinpath("layers").glob("*.toml"))
        if not specs:
            raise SystemExit("layers/*.toml: no default layer specs to package")
        for spec in specs:
            shutil.copyfile(spec, target / spec.name)


setup(cmdclass={"build_py": BuildPyWithLayers})
