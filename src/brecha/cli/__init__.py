"""The ``brecha`` command: a thin layer over the same API notebooks use.

Exit codes: 0 ok, 1 a layer or analysis failed (or a write failed: a full
disk), 2 bad input (a file, a place name, an option, an output folder that
cannot be written to). Errors print one ``error:`` message, never a
traceback (``-vv`` logs it).
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from ..errors import BrechaError

log = logging.getLogger("brecha.cli")

# One module per subcommand, each exposing ``command``.
_COMMANDS = ["resolve", "sources", "validate", "layers", "build", "map"]

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
    except OSError as exc:  # the machine rather than brecha: a file system brecha did not expect to fail
        log.debug("unexpected OSError", exc_info=True)
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        click.echo(f"error: {exc.strerror or exc}{where}; check that the file or folder exists, is writable "
                   "and that its disk has space, then run again (-vv shows the traceback)", err=True)
        sys.exit(1)
    sys.exit(0)
