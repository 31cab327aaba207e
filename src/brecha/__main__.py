"""``python -m brecha``: the same command line as the ``brecha`` console script."""

from .cli import cli, main
from .cli import build as _build, layers as _layers

# Until brecha.cli lists "build" and "layers" in _COMMANDS, add them here; a no-op afterwards.
for _cmd in (_build.command, _layers.command):
    if _cmd.name not in cli.commands:
        cli.add_command(_cmd)

main()
