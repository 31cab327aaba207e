"""``brecha profile PLACE --out FILE.html``: a printable profile of one municipality or state.

PLACE is resolved by :func:`brecha.places.resolve`, which never guesses: an
ambiguous name exits 2 and lists the candidates (add the state, or
``--state``). The figures are a built layer's (``--from OUT``, a
``brecha build`` folder), or the municipal layer built in memory from the
embedded data (about 15 s) when no build is given.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click

from ..errors import BrechaError, InputError, Problem

__all__ = ["command", "find_chromium", "print_pdf"]

_CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable on PATH, or None."""
    for name in _CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, *, chromium: str | None = None, timeout_s: float = 120.0) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (``--print-to-pdf``); the page loads nothing.

    Raises
    ------
    InputError
        No Chromium is installed (exit 2: drop ``--pdf`` or install it).
    BrechaError
        Chromium ran but wrote no PDF.
    """
    exe = chromium or find_chromium()
    if exe is None:
        raise InputError([Problem("--pdf", None, None, "no chromium on PATH",
                                  f"one of {', '.join(_CHROMIUM)} (apt-get install chromium), or drop --pdf; "
                                  "the HTML prints from any browser")])
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise BrechaError(f"chromium wrote no PDF at {pdf} (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return pdf


@click.command("profile")
@click.argument("place", nargs=-1, required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The HTML file to write.")
@click.option("--from", "build_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A build folder (brecha build --out OUT) to read the layers from; default: build the "
                   "municipal layer in memory from the embedded data.")
@click.option("--state", default=None, help="Only look for municipalities in this state.")
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True, help="Language.")
@click.option("--pdf", is_flag=True, help="Also print FILE.pdf with headless Chromium.")
@click.option("--force", is_flag=True, help="Overwrite --out (and the PDF) if it exists.")
def command(place: tuple[str, ...], out: Path, build_dir: Path | None, state: str | None, lang: str, pdf: bool,
            force: bool) -> None:
    """Write a printable profile of PLACE (municipality or state): need, presence, care, reach, gap, sources.

    Exit 2 for an ambiguous or unknown PLACE (the candidates are listed), a
    build folder without layers, an existing --out without --force, or
    --pdf without Chromium.
    """
    from importlib.metadata import PackageNotFoundError, version

    from .._atomic import atomic_write
    from .._profile_html import render_profile
    from ..places import resolve
    from ..profile import build_profile, memory_frames, read_build

    text = " ".join(place)
    pdf_path = out.with_suffix(".pdf")
    existing = [p for p in ([out] + ([pdf_path] if pdf else [])) if p.exists()]
    if existing and not force:
        raise InputError([Problem(str(existing[0]), None, None, "exists", "a new file name, or --force")])
    where = resolve(text, state=state)  # PlaceError (exit 2, candidates listed) when ambiguous or unknown
    for alt in where.alternatives:  # on stderr, as `brecha resolve` says it
        click.echo(f"note: {text!r} also names {alt.get('cvegeo') or alt.get('cve_ent')} {alt['name']}, "
                   f"{alt['state_name']} ({alt['level']}); write 'Name, State' or use --state for it", err=True)
    if build_dir is not None and not build_dir.is_dir():
        raise InputError([Problem(str(build_dir), None, None, "not a folder", "a brecha build folder (--out of "
                                                                              "brecha build)")])
    frames = read_build(build_dir) if build_dir is not None else memory_frames(where.level)
    prof = build_profile(where, frames)
    try:
        ver = version("brecha")
    except PackageNotFoundError:
        ver = "?"
    path = atomic_write(out, render_profile(prof, lang, version=ver))
    click.echo(f"{path}\t{prof.title}\t{path.stat().st_size / 1e3:.0f} kB")
    if pdf:
        try:
            click.echo(f"{print_pdf(path, pdf_path)}\tPDF")
        except BrechaError:
            raise
        except (OSError, subprocess.SubprocessError) as exc:
            raise BrechaError(f"chromium failed to print {pdf_path}: {exc}") from exc
