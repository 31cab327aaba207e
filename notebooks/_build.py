"""Write the example notebooks from their sources in ``_src/``, without outputs.

Each notebook is kept as a Python file in the "percent" format (as jupytext
and VS Code read it): ``# %%`` starts a code cell, ``# %% [markdown]`` a
markdown cell whose lines are comments. The sources diff and review like
code; the notebooks are always written clean (no outputs, no execution
counts, stable cell ids). Edit ``_src/NN_name.py``, then run::

    python notebooks/_build.py

``tests/test_notebooks.py`` checks the stored notebooks match their sources,
are clean, and run top to bottom.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "_src"

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_MARKER = re.compile(r"^# %%(?P<md> \[markdown\])?\s*$")


def parse(text: str) -> list[tuple[str, str]]:
    """``(kind, source)`` for each cell of a percent-format file; kind is ``"md"`` or ``"code"``.

    >>> parse("# %% [markdown]\\n# # Title\\n#\\n# Why.\\n\\n# %%\\nx = 1\\n")
    [('md', '# Title\\n\\nWhy.'), ('code', 'x = 1')]
    """
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        marker = _MARKER.match(line)
        if marker:
            cells.append(("md" if marker["md"] else "code", []))
        elif cells:
            kind, lines = cells[-1]
            lines.append(re.sub(r"^# ?", "", line) if kind == "md" else line)
        elif line.strip():
            raise ValueError(f"text before the first '# %%' cell marker: {line!r}")
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def build(stem: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A clean notebook: stable cell ids, no outputs, no execution counts."""
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    for i, (kind, text) in enumerate(cells):
        cell = new_markdown_cell(text) if kind == "md" else new_code_cell(text)
        cell["id"] = f"{stem[:2]}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main(out_dir: Path = HERE) -> list[Path]:
    """Write ``out_dir/<stem>.ipynb`` for every ``_src/<stem>.py``; returns the paths."""
    written = []
    for src in sorted(SOURCES.glob("[0-9]*.py")):
        path = out_dir / f"{src.stem}.ipynb"
        nbformat.write(build(src.stem, parse(src.read_text(encoding="utf-8"))), path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
