"""The ``brecha`` command: a thin layer over the same API notebooks use.

Exit codes: 0 ok, 1 a layer or analysis failed, 2 bad input (a file, a
place name or an option).
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from ..errors import BrechaError

# One module per subcommand, each exposing ``command``.
_COMMANDS = ["resolve", "sources", "layers", "build", "map"]

EXIT_HELP = "Exit codes: 0 ok; 1 a layer failed; 2 bad input."


@click.group(help=f"Coverage and gap analysis for Mexico.\n\n{EXIT_HELP}")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.version_option(package_name="brecha")
def cli(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


for _name in _COMMANDS:
    cli.add_command(importlib.import_module(f"{__name__}.{_name}").command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map brecha's errors to exit codes."""
    try:
        cli.main(args=argv, prog_name="brecha", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except BrechaError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", 1))
    sys.exit(0)
