"""Legend markup, built in Python with every label escaped.

The page's runtime (``brecha.legend``) puts each legend in one box at the
bottom right and shows it only while its layer is on the map, following
the layer's add/remove events (folium's own legends stay on screen when
their layer is switched off).

>>> from brecha.maps._classify import classify
>>> html = class_legend("Pobreza <b>", classify([1, 2, 3], k=3, decimals=0), nodata_label="Sin datos")
>>> "Pobreza &lt;b&gt;" in html and "<b>" not in html
True
"""

from __future__ import annotations

from collections.abc import Sequence

from ._classify import NODATA_COLOR, Classes
from ._escape import esc

__all__ = ["class_legend", "symbol_legend", "bivariate_legend", "shape_svg", "SHAPES", "BIVARIATE_COLORS",
           "NO_REPORT_COLOR", "STATE_ONLY_COLOR"]

SHAPES = ("circle", "square", "diamond", "triangle")

_SHAPE_PATHS = {
    "circle": '<circle cx="9" cy="9" r="6.5"/>',
    "square": '<rect x="3" y="3" width="12" height="12"/>',
    "diamond": '<path d="M9 1.5 16.5 9 9 16.5 1.5 9Z"/>',
    "triangle": '<path d="M9 2 16.5 15.5H1.5Z"/>',
}

#: Joshua Stevens' 3x3 bivariate scheme (Stevens 2015, "Bivariate choropleth
#: maps: a how-to guide"), rows = need 1..3 (low to high), columns = presence
#: 1..3. High need with low presence (the gap) is the saturated magenta.
#: Fill of high-need places nothing reports ("sin reporte"): outside the grid, so never read as a gap.
NO_REPORT_COLOR = "#fdd49e"
#: Fill of high-need places whose state the reports name, never the place ("solo el estado"): the same
#: orange family as "sin reporte" (presence not measured there), a shade darker as the state is named.
STATE_ONLY_COLOR = "#fdae6b"
BIVARIATE_COLORS = (
    ("#e8e8e8", "#ace4e4", "#5ac8c8"),
    ("#dfb0d6", "#a5add3", "#5698b9"),
    ("#be64ac", "#8c62aa", "#3b4994"),
)


def shape_svg(shape: str, color: str, *, hollow: bool = False, size: int = 18) -> str:
    """A small marker symbol; ``color`` must be a palette colour, never input text."""
    fill, stroke = ("#ffffff", color) if hollow else (color, "#ffffff")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 18 18">'
            f'<g fill="{fill}" stroke="{stroke}" stroke-width="1.6">{_SHAPE_PATHS[shape]}</g></svg>')


def _note(note: str | None, live_id: str | None = None) -> str:
    if live_id:
        return f'<div class="brecha-note brecha-note-live">{esc(note or "")}</div>'
    return f'<div class="brecha-note">{esc(note)}</div>' if note else ""


def class_legend(title: str, classes: Classes, *, nodata_label: str, unit: str = "",
                 note: str | None = None, extra_notes: Sequence[str] = ()) -> str:
    """A vertical list of class swatches with their ranges, and a no-data swatch when needed."""
    # Short units (km, %) follow each value; wordy ones ("per 1,000 children") go under the title once.
    inline = unit if len(unit.strip()) <= 3 else ""
    rows = [f'<li><span class="sw" style="background:{c}"></span>{esc(label)}{esc(inline)}</li>'
            for c, label in zip(classes.colors, classes.labels)]
    if classes.nodata:
        rows.append(f'<li><span class="sw" style="background:{NODATA_COLOR}"></span>{esc(nodata_label)}</li>')
    notes = "".join(_note(n) for n in (*extra_notes, note) if n)
    sub = f'<div class="brecha-unit">{esc(unit.strip())}</div>' if unit and not inline else ""
    return f"<h4>{esc(title)}</h4>{sub}<ul>{''.join(rows)}</ul>{notes}"


def symbol_legend(title: str, entries: Sequence[tuple[str, str]], *, note: str | None = None,
                  notes: Sequence[str] = ()) -> str:
    """Symbols and their labels; each symbol is brecha-made SVG/HTML, each label is escaped.

    Long lists (agencies) flow into two columns.
    """
    rows = [f'<li><span class="sym">{sym}</span>{esc(label)}</li>' for sym, label in entries]
    extra = "".join(_note(n) for n in (*notes, note) if n)
    cols = ' class="cols"' if len(entries) > 6 else ""
    head = f"<h4>{esc(title)}</h4>" if title else ""
    return f"{head}<ul{cols}>{''.join(rows)}</ul>{extra}"


def bivariate_legend(title: str, *, x_label: str, y_label: str, low: str, high: str, note: str | None = None,
                     colors: Sequence[Sequence[str]] = BIVARIATE_COLORS, nodata: int = 0,
                     nodata_label: str = "Sin datos", swatches: Sequence[tuple[str, str]] = ()) -> str:
    """A 3x3 grid: need rises upwards, presence rises to the right; the gap cell is outlined.

    Each axis names its ends (``low``, ``high``) so the grid reads without the note.
    ``nodata`` features without both classes add a "no data" swatch; ``swatches``
    (colour, label) add classes drawn outside the grid ("sin reporte").
    """
    cells = []
    for row in (3, 2, 1):
        for col in (1, 2, 3):
            gap = " gap" if (row, col) == (3, 1) else ""
            cells.append(f'<div class="cell{gap}" style="background:{colors[row - 1][col - 1]}" '
                         f'data-need="{row}" data-presence="{col}"></div>')
    lo, hi = esc(low), esc(high)
    grid = (f'<div class="brecha-bivar"><div class="ylab">{esc(y_label)} →</div>'
            f'<div class="yticks"><span>{hi}</span><span>{lo}</span></div>{"".join(cells)}'
            f'<div class="xticks"><span>{lo}</span><span>{hi}</span></div>'
            f'<div class="xlab">{esc(x_label)} →</div></div>')
    rows = [(color, label) for color, label in swatches] + ([(NODATA_COLOR, f"{nodata_label} ({nodata:,})")]
                                                            if nodata else [])
    missing = "<ul>" + "".join(f'<li><span class="sw" style="background:{c}"></span>{esc(lab)}</li>'
                               for c, lab in rows) + "</ul>" if rows else ""
    return f"<h4>{esc(title)}</h4>{grid}{missing}{_note(note)}"
