"""The precomputed gazetteer file ``data/gazetteer.tsv.gz``: written once, read fast.

Resolving a name used to normalise ~189k Census locality names on every
call (seconds). The names are normalised once, when the embedded data is
built (:func:`build`, run by ``python -m brecha.sources._embed``), and
shipped as one gzip-compressed UTF-8 text file with four sections::

    #brecha-gazetteer 1
    [states]         cve_ent  name  short_name  abbr  abbr_code
    [municipalities] cvegeo   name  key
    [names_2023]     cvegeo   name  key       (later-frame names of 2020 codes)
    [cities]         key      cvegeo  pop_total  name   (localities of CITY_POP people or more)
    [localities]     key      cvegeo  pop_total  name

``key`` is the name through :func:`normalize`.

The head (states, municipalities, names) and the ``[localities]`` section
are two gzip members of the one file (``zcat`` shows it whole): a name
answered by a state or municipality never decompresses the localities.
Fields are tab-separated. Locality lines are sorted by normalised ``key``,
then population (largest first), then code, so all localities of one name
are consecutive and a lookup is one ``str.find`` in the text
(:class:`Localities`), with no index to build. Reading needs only the
standard library: no pandas, no geopandas. The bytes are deterministic
(gzip ``mtime=0``, fixed order), so a test can check that regenerating from
the embedded data gives the same file.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

__all__ = ["FILE_NAME", "CITY_POP", "normalize", "Localities", "GazetteerData", "read", "build", "write"]

FILE_NAME = "gazetteer.tsv.gz"
#: A locality this large (people) is a city a report may mean by its name, even where a municipality
#: elsewhere has that name ("Xico": 30092 in Veracruz, and a city of 384,000 in 15122).
CITY_POP = 15_000
_MAGIC = "#brecha-gazetteer 1"

_ABBREVIATIONS = {
    "cd": "ciudad", "sta": "santa", "sto": "santo", "sn": "san", "gral": "general",
    "h": "heroica", "edo": "estado", "mpio": "municipio", "nvo": "nuevo", "dr": "doctor",
}
_DOTTED = re.compile(r"(?<=\w)\.(?=\w\.)|(?<=\b\w)\.(?=\w)")
_PUNCT = re.compile(r"[^\w\s]")


def normalize(text: str) -> str:
    """Lower-case, strip accents and punctuation, expand common abbreviations.

    >>> normalize("  Cd. Juárez ")
    'ciudad juarez'
    >>> normalize("N.L.")
    'nl'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _DOTTED.sub("", text)  # N.L. -> NL
    text = _PUNCT.sub(" ", text).replace("_", " ")
    return " ".join(_ABBREVIATIONS.get(w, w) for w in text.split())


class Locality(NamedTuple):
    """One Census locality: its municipality, people and name as INEGI writes it."""

    cvegeo: str
    pop_total: int
    name: str


class Localities:
    """Localities by normalised name, looked up in the sorted text of the file.

    Parameters
    ----------
    text
        Lines ``key<TAB>cvegeo<TAB>pop_total<TAB>name`` sorted by key (the
        ``[localities]`` section), each ending with a newline; or a function
        returning them, called on first use.
    """

    def __init__(self, text: str | Callable[[], str]):
        self._source = text
        self._loaded: str | None = None

    @property
    def _text(self) -> str:
        if self._loaded is None:
            self._loaded = "\n" + (self._source() if callable(self._source) else self._source)
        return self._loaded

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, int, str]]) -> Localities:
        """Build from ``(key, cvegeo, pop_total, name)`` rows in any order."""
        return cls("".join(_locality_lines(rows)))

    def get(self, key: str) -> list[Locality]:
        """Every locality whose normalised name is ``key``, largest first."""
        if not key or "\t" in key or "\n" in key:
            return []
        needle = f"\n{key}\t"
        at = self._text.find(needle)
        out: list[Locality] = []
        while at >= 0:
            end = self._text.find("\n", at + 1)
            _, code, pop, name = self._text[at + 1:end].split("\t")
            out.append(Locality(code, int(pop), name))
            at = end if self._text.startswith(needle, end) else -1
        return out

    def rows(self) -> Iterable[tuple[str, str, int, str]]:
        """All ``(key, cvegeo, pop_total, name)`` rows in file order."""
        for line in self._text[1:].splitlines():
            key, code, pop, name = line.split("\t")
            yield key, code, int(pop), name


class GazetteerData(NamedTuple):
    """The parsed file: plain dicts and the locality lookup."""

    states: dict[str, tuple[str, str, str, str]]  # cve_ent -> name, short_name, abbr, abbr_code
    municipalities: dict[str, tuple[str, str]]  # cvegeo -> (name, key)
    names_2023: list[tuple[str, str, str]]  # (cvegeo, name, key)
    localities: Localities
    cities: dict[str, list[Locality]]  # key -> localities of CITY_POP people or more, largest first


def _clean(value) -> str:
    # Tabs and newlines would break the line format; INEGI names have none, a user's frame might.
    return "" if value is None or value != value else re.sub(r"[\t\r\n]+", " ", str(value)).strip()


def _locality_lines(rows: Iterable[tuple[str, str, int, str]]) -> list[str]:
    rows = sorted(((k, c, int(p), n) for k, c, p, n in rows if k), key=lambda r: (r[0], -r[2], r[1], r[3]))
    return [f"{k}\t{c}\t{p}\t{n}\n" for k, c, p, n in rows]


def build(states, municipalities, localities, names_2023=None) -> bytes:
    """The file's bytes from frames of the embedded data.

    Parameters
    ----------
    states
        ``cve_ent, name, short_name, abbr, abbr_code``.
    municipalities
        ``cvegeo, name``.
    localities
        ``cvegeo, name, pop_total`` (people).
    names_2023
        Optional ``cve_geo, nombre_municipio`` of the 2023 frame; only the
        codes present in ``municipalities`` are kept.
    """
    out = [_MAGIC + "\n", "[states]\n"]
    st = states.sort_values("cve_ent")
    for row in st[["cve_ent", "name", "short_name", "abbr", "abbr_code"]].itertuples(index=False):
        out.append("\t".join(_clean(v) for v in row) + "\n")
    out.append("[municipalities]\n")
    mu = municipalities.sort_values("cvegeo")
    out += [f"{_clean(c)}\t{_clean(n)}\t{normalize(_clean(n))}\n" for c, n in zip(mu["cvegeo"], mu["name"])]
    out.append("[names_2023]\n")
    if names_2023 is not None:
        codes = set(mu["cvegeo"])
        pairs = sorted({(_clean(c), _clean(n)) for c, n in zip(names_2023["cve_geo"], names_2023["nombre_municipio"])
                        if c in codes})
        out += [f"{c}\t{n}\t{normalize(n)}\n" for c, n in pairs]
    loc = _locality_lines((normalize(n), _clean(c), int(p), _clean(n)) for c, n, p in
                          zip(localities["cvegeo"], localities["name"], localities["pop_total"].fillna(0)))
    out.append("[cities]\n")
    out += [line for line in loc if int(line.split("\t")[2]) >= CITY_POP]
    out.append("[localities]\n")
    return b"".join(gzip.compress("".join(part).encode("utf-8"), compresslevel=9, mtime=0) for part in (out, loc))


def build_from(data_dir: Path) -> bytes:
    """The file's bytes from the embedded parquet and CSV files in ``data_dir``."""
    import pandas as pd

    d = Path(data_dir)
    states = pd.read_parquet(d / "states.parquet", columns=["cve_ent", "name", "short_name", "abbr", "abbr_code"])
    munis = pd.read_parquet(d / "municipalities.parquet", columns=["cvegeo", "name"])
    loc = pd.read_parquet(d / "localities.parquet", columns=["cvegeo", "name", "pop_total"])
    names = pd.read_csv(d / "municipal_names_mg2023.csv", dtype=str)
    return build(states, munis, loc, names)


def write(data_dir: Path) -> Path:
    """Regenerate ``data_dir/gazetteer.tsv.gz`` from the embedded data beside it."""
    from ._io import atomic_path

    target = Path(data_dir) / FILE_NAME
    with atomic_path(target) as tmp:
        Path(tmp).write_bytes(build_from(data_dir))
    return target


def read(path: Path) -> GazetteerData:
    """Parse the file written by :func:`build`.

    A data folder without the file (one a user assembled) gets it built in
    memory from the parquet files beside it: slower (seconds), same answers.

    Raises
    ------
    ValueError
        The file is not a brecha gazetteer (names the file and what was found).
    """
    path = Path(path)
    raw = path.read_bytes() if path.exists() else build_from(path.parent)
    member = zlib.decompressobj(wbits=31)  # the first gzip member only: the head
    try:
        text = member.decompress(raw).decode("utf-8")
    except (zlib.error, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not a gzip-compressed UTF-8 brecha gazetteer ({err}); regenerate it with "
                         "python -m brecha.sources._embed --gazetteer") from None
    if not text.startswith(_MAGIC + "\n") or not text.endswith("\n[localities]\n"):
        raise ValueError(f"{path}: line 1 is {text[:40]!r}; expected {_MAGIC!r} (regenerate it with "
                         "python -m brecha.sources._embed --gazetteer)")
    rest = member.unused_data
    sections: dict[str, list[list[str]]] = {}
    current = None
    for line in text.splitlines()[1:-1]:
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line.split("\t"))
    states = {r[0]: (r[1], r[2], r[3], r[4]) for r in sections.get("states", [])}
    munis = {r[0]: (r[1], r[2]) for r in sections.get("municipalities", [])}
    names = [(r[0], r[1], r[2]) for r in sections.get("names_2023", [])]
    cities: dict[str, list[Locality]] = {}
    for r in sections.get("cities", []):
        cities.setdefault(r[0], []).append(Locality(r[1], int(r[2]), r[3]))
    return GazetteerData(states, munis, names, Localities(lambda: gzip.decompress(rest).decode("utf-8")), cities)


#: Extra state spellings seen in reports (normalised form -> cve_ent).
STATE_ALIASES = {
    "distrito federal": "09", "df": "09", "mexico city": "09", "ciudad de mexico": "09", "cdmx": "09",
    "edomex": "15", "estado de mexico": "15", "state of mexico": "15", "edo mex": "15", "mexico": "15",
    "mex": "15", "nl": "19", "nuevo leon": "19", "bc": "02", "baja california norte": "02", "bcs": "03",
    "qroo": "23", "q roo": "23", "slp": "24", "veracruz": "30", "michoacan": "16", "coahuila": "05",
    "queretaro de arteaga": "22",
}

#: Cities whose common name is neither a municipality nor a Census locality name. Mexico City is not
#: here: with no alcaldía named it is the state (09), and an alias would put it in one alcaldía.
CITY_ALIASES = {
    "ciudad juarez": "08037",
    "heroica ciudad juarez": "08037",
    "ciudad obregon": "26018",
}

HONORIFIC = re.compile(
    r"^(heroica ciudad de |heroica villa de |heroica villa |heroica ciudad |heroica |ciudad de |villa de )")


def short_forms(name_key: str) -> set[str]:
    """Short forms reports use for a long official name (normalised), the name itself excluded."""
    bare = HONORIFIC.sub("", name_key)
    return {bare, name_key.split(" de ")[0], bare.split(" de ")[0]} - {name_key, ""}
