"""How a build reports: a rich progress bar on a terminal, plain lines in logs, JSON for schedulers.

The build emits events (plain dicts with an ``event`` key); a reporter turns
them into output. Events: ``start``, ``cleanup``, ``layer_start``, ``layer``
(status built / skipped / failed / planned), ``store``, ``index`` and
``summary``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import IO, Any

__all__ = ["Event", "reporter", "summary_line", "JsonReporter", "TextReporter", "RichReporter"]

Event = dict[str, Any]


def summary_line(ev: Event) -> str:
    """One line for the end of a build.

    >>> summary_line({"built": 0, "skipped": 3, "failed": 0, "seconds": 0.21, "dry_run": False})
    'nothing changed: 0 built, 3 skipped, 0 failed in 0.2 s'
    >>> summary_line({"planned": 2, "skipped": 1, "seconds": 0.01, "dry_run": True})
    'dry run: 2 to build, 1 up to date in 0.0 s'
    """
    if ev.get("dry_run"):
        return f"dry run: {ev['planned']} to build, {ev['skipped']} up to date in {ev['seconds']:.1f} s"
    head = "nothing changed: " if not ev["built"] and not ev["failed"] else ""
    return f"{head}{ev['built']} built, {ev['skipped']} skipped, {ev['failed']} failed in {ev['seconds']:.1f} s"


def _text(ev: Event) -> str | None:
    kind = ev["event"]
    if kind == "start":
        return f"build {ev['out']}: {ev['layers']} layer(s), code {ev['code_version']}"
    if kind == "cleanup":
        return f"removed {len(ev['removed'])} temporary file(s) left by an interrupted build"
    if kind == "layer":
        extra = f" ({ev['reason']})" if ev.get("reason") else ""
        timing = f" in {ev['seconds']:.1f} s" if ev.get("seconds") is not None else ""
        rows = f", {ev['rows']:,} rows" if ev.get("rows") is not None else ""
        err = f": {ev['error']}" if ev.get("error") else ""
        return f"{ev['status']:8} {ev['layer']}{extra}{rows}{timing}{err}"
    if kind in ("store", "index"):
        return f"{ev['status']:8} {kind} {ev.get('path', '')} ({ev.get('reason') or 'up to date'})"
    if kind == "summary":
        return summary_line(ev)
    return None


class JsonReporter:
    """One JSON object per line, with a UTC ``time``."""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def __call__(self, ev: Event) -> None:
        rec = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **ev}
        self.stream.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
        self.stream.flush()


class TextReporter:
    """Plain timestamped lines, for log files and cron mail."""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def __call__(self, ev: Event) -> None:
        line = _text(ev)
        if line:
            self.stream.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
            self.stream.flush()


class RichReporter:
    """A progress bar for people at a terminal: layers done of all, and the running layer's own line.

    The running layer gets a pulsing bar and its own elapsed time, so a long
    layer (the municipal one) visibly runs rather than sitting at 0/N. Log
    records belong on :attr:`console` (the CLI's ``RichHandler`` prints there),
    so they scroll above the bar instead of tearing it.
    """

    def __init__(self, stream: IO[str]):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.console = Console(file=stream)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.fields[count]}"), TimeElapsedColumn(), console=self.console,
                                 transient=True)
        self.task: Any = None
        self.current: Any = None

    def _count(self) -> str:
        t = self.progress.tasks[0]
        return f"{int(t.completed)}/{int(t.total or 0)}"

    def _end_layer(self) -> None:
        if self.current is not None:
            self.progress.remove_task(self.current)
            self.current = None

    def __call__(self, ev: Event) -> None:
        kind = ev["event"]
        if kind == "start":
            self.progress.start()
            self.task = self.progress.add_task("brecha build", total=ev["layers"], count=f"0/{ev['layers']}")
        elif kind == "layer_start" and self.task is not None:
            self._end_layer()
            self.current = self.progress.add_task(f"  {ev['layer']} ({ev['reason']})", total=None, count="")
        elif kind == "layer":
            self._end_layer()
            if ev["status"] != "skipped":
                self.console.print(_text(ev), markup=False, highlight=False)
            if self.task is not None:
                self.progress.advance(self.task)
                self.progress.update(self.task, count=self._count())
        elif kind == "summary":
            self._end_layer()
            self.progress.stop()
            self.console.print(summary_line(ev), markup=False, highlight=False)
        elif (line := _text(ev)) is not None:
            self.console.print(line, markup=False, highlight=False)


def reporter(log_format: str = "text", stream: IO[str] | None = None) -> Callable[[Event], None]:
    """The reporter for ``log_format`` (``text`` or ``json``): rich when ``stream`` is a terminal."""
    stream = stream or sys.stderr
    if log_format == "json":
        return JsonReporter(stream)
    if getattr(stream, "isatty", lambda: False)():
        return RichReporter(stream)
    return TextReporter(stream)
