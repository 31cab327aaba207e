"""The ``brecha`` command: a thin layer over the same API notebooks use.

Exit codes: 0 ok, 1 a layer or analysis failed (or a write failed: a full
disk), 2 bad input (a file, a place name, an option, an output folder that
cannot be written to). Errors print one ``error:`` message, never a
traceback (``-vv`` logs it).
"""

from __future__ import annotations

import ast
import importlib
import logging
import sys
from pathlib import Path

import click

from ..errors import BrechaError

log = logging.getLogger("brecha.cli")

# One module per subcommand, each exposing ``command``.
_COMMANDS = ["resolve", "sources", "validate", "layers", "build", "map", "template", "profile", "compare", "scenario"]

EXIT_HELP = "Exit codes: 0 ok; 1 a layer failed; 2 bad input."


class _LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs.

    The modules import pandas, geopandas, DuckDB or folium at their top, so
    importing all of them cost ``brecha --help`` and ``brecha resolve`` over
    a second. ``--help`` reads each command's one-line help from its
    module's source (``ast``), without importing it.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            self.add_command(importlib.import_module(f"{__name__}.{cmd_name}").command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = [n for n in self.list_commands(ctx) if n not in self.commands or not self.commands[n].hidden]
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)  # as click.Group does
        rows = [(n, self.commands[n].get_short_help_str(limit) if n in self.commands else _short_help(n, limit))
                for n in names]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _short_help(name: str, limit: int = 45) -> str:
    """First sentence of the ``command`` docstring in ``cli/<name>.py``, read without importing it."""
    try:
        tree = ast.parse((Path(__file__).parent / f"{name}.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return ""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "command":
            for deco in node.decorator_list:  # an explicit short_help= wins, as in click
                for kw in getattr(deco, "keywords", []):
                    if kw.arg == "short_help" and isinstance(kw.value, ast.Constant):
                        return str(kw.value.value)
            # click shortens it as it would for the loaded command (click.utils.make_default_short_help
            # is deprecated since click 8.2 and untyped).
            return click.Command(name, help=ast.get_docstring(node) or "").get_short_help_str(limit)
    return ""


@click.group(cls=_LazyGroup, help=f"Coverage and gap analysis for Mexico.\n\n{EXIT_HELP}")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.version_option(package_name="brecha")
def cli(verbose: int, quiet: bool) -> None:
    from ._logging import setup  # one CLI handler; `brecha build --log-format` switches its format

    setup(logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO))


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
