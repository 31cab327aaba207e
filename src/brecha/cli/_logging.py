"""Where the CLI's log records go: plain lines, JSON lines, or above a rich progress bar.

The package itself only adds a ``NullHandler`` (:mod:`brecha`); the CLI
owns one root handler, tagged :data:`_TAG`, and swaps its formatter or the
handler itself when a command asks for another format:

- ``text``: ``LEVEL logger: message`` on stderr (a build's lines start with the time);
- ``json``: one JSON object per line on stderr (``time``, ``event: "log"``,
  ``level``, ``logger``, ``message``, and ``traceback`` when there is one),
  so with ``2>&1`` a scheduler reads JSON only;
- ``rich``: records printed through the progress bar's console, so they
  scroll above the bar instead of tearing it.

Python's :mod:`warnings` are routed into logging (logger ``py.warnings``)
so they take the same form, and :class:`OnceFilter` drops a record whose
logger, level and text were already shown: a warning that several layers
trigger (the same offices left out of reach) is shown once per build.

Only the standard library is imported here, so ``brecha --help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import warnings
from typing import IO, Any

__all__ = ["setup", "use", "OnceFilter", "JsonFormatter", "TEXT_FORMAT"]

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
#: A build's plain lines carry the time, as its event lines do (cron mail, log files).
BUILD_FORMAT = "%(asctime)s " + TEXT_FORMAT
_TIME = "%Y-%m-%d %H:%M:%S"
#: Attribute marking the handler the CLI installed (so it is replaced, never stacked).
_TAG = "_brecha_cli"


class OnceFilter(logging.Filter):
    """Let a record through the first time its (logger, level, text) is seen.

    >>> f = OnceFilter()
    >>> rec = logging.makeLogRecord({"name": "brecha.reach", "levelno": 20, "msg": "%d office(s)", "args": (19,)})
    >>> f.filter(rec), f.filter(logging.makeLogRecord(rec.__dict__))
    (True, False)
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, in the build events' shape.

    >>> rec = logging.makeLogRecord({"name": "pyogrio", "levelno": 30, "levelname": "WARNING",
    ...                              "msg": "a\\nb", "created": 0})
    >>> JsonFormatter().format(rec)
    '{"time": "1970-01-01T00:00:00Z", "event": "log", "level": "warning", "logger": "pyogrio", "message": "a\\\\nb"}'
    """

    def format(self, record: logging.LogRecord) -> str:
        rec: dict[str, Any] = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                               "event": "log", "level": record.levelname.lower(), "logger": record.name,
                               "message": record.getMessage()}
        if record.exc_info:
            rec["traceback"] = self.formatException(record.exc_info)
        return json.dumps(rec, ensure_ascii=False, default=str)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: IO[str] | None = None, line: str | None = None) -> None:
    # One line, without the source line Python would print under it.
    logging.getLogger("py.warnings").warning("%s: %s (%s:%d)", category.__name__, message, filename, lineno)


def _ours() -> logging.Handler | None:
    return next((h for h in logging.getLogger().handlers if getattr(h, _TAG, False)), None)


def _install(handler: logging.Handler, level: int) -> logging.Handler:
    root = logging.getLogger()
    old = _ours()
    if old is not None:
        root.removeHandler(old)
    setattr(handler, _TAG, True)
    root.addHandler(handler)
    root.setLevel(level)
    warnings.showwarning = _show_warning
    return handler


def setup(level: int, stream: IO[str] | None = None) -> logging.Handler | None:
    """Install the CLI's text handler at ``level`` (called once per command line).

    Like :func:`logging.basicConfig`, nothing is installed when the root
    logger already has a handler of someone else's (pytest's capture, an
    application embedding the CLI): their logging stays as they set it.
    """
    if any(not getattr(h, _TAG, False) for h in logging.getLogger().handlers):
        return None
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    return _install(handler, level)


def use(fmt: str, *, console: Any = None, once: bool = True, stream: IO[str] | None = None,
        force: bool = False) -> logging.Handler | None:
    """Switch the CLI's log output to ``fmt`` (``"text"``, ``"json"`` or ``"rich"``), keeping the level.

    Does nothing unless :func:`setup` installed the CLI's handler (or ``force``).

    Parameters
    ----------
    console
        The ``rich.console.Console`` of the progress bar, for ``"rich"``.
    once
        Show each distinct record once (:class:`OnceFilter`, fresh for each call).
    stream
        Where text and JSON records go (stderr by default).
    """
    if _ours() is None and not force:
        return None
    level = logging.getLogger().level or logging.INFO
    handler: logging.Handler
    if fmt == "rich":
        from rich.logging import RichHandler

        handler = RichHandler(console=console, show_path=False, show_time=False, markup=False,
                              rich_tracebacks=False)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(BUILD_FORMAT, _TIME))
    if once:
        handler.addFilter(OnceFilter())
    return _install(handler, level)
