"""Vocabulary and plumbing shared by the office and initiative readers.

Kept apart from :mod:`brecha.sources.agencies` (the public face) so the
readers can import it without a cycle.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
import warnings

import numpy as np
import pandas as pd

from .._io import read_table, split_hint
from .._validate import Checker
from ..errors import InputError, InputWarning, PlaceError, Problem
from ..settings import DATA_DIR

#: Location precision, finest first (after AidData's geocoding precision codes).
#: ``point``: coordinates or a named locality; ``municipality``; ``state``: a state
#: named, no municipality; ``unnamed``: sub-national but the places are not named
#: (a count only, "10 states"); ``national``: the whole country, or no place known.
PRECISION = ("point", "municipality", "state", "unnamed", "national")

OFFICE_STATUS = ("existing", "planned", "expanding", "renovated", "closed")

#: Spanish (and a few English) spellings of a status, keyed without accents, lower case.
STATUS_ALIASES = {
    "existente": "existing", "existe": "existing", "activa": "existing", "activo": "existing",
    "abierta": "existing", "abierto": "existing", "open": "existing", "active": "existing",
    "planeada": "planned", "planeado": "planned", "planificada": "planned", "prevista": "planned",
    "previsto": "planned", "por abrir": "planned", "proyectada": "planned", "planificado": "planned",
    "en expansion": "expanding", "expansion": "expanding", "en ampliacion": "expanding", "ampliacion": "expanding",
    "renovada": "renovated", "renovado": "renovated", "remodelada": "renovated", "remodelado": "renovated",
    "cerrada": "closed", "cerrado": "closed",
}

#: Header spellings accepted for each column (keys: lower case, no accents, ``_`` for spaces).
OFFICE_HEADERS = {
    "agency": ("agencia", "organismo", "agencia_onu"),
    "city": ("ciudad", "municipio", "localidad", "municipality"),
    "state": ("estado", "entidad", "entidad_federativa"),
    "lat": ("latitud", "latitude"),
    "lon": ("longitud", "longitude", "lng"),
    "office_type": ("tipo_oficina", "tipo_de_oficina", "tipo", "type"),
    "status": ("estatus", "situacion"),
    "year_reported": ("ano", "anio", "ano_reporte", "anio_reporte", "year", "ano_reportado"),
    "source_file": ("archivo_fuente", "fuente"),
    "source_quote": ("cita", "cita_fuente"),
    "complete_list": ("lista_completa",),
}
INITIATIVE_HEADERS = {
    "initiative": ("iniciativa", "nombre"),
    "agencies": ("agencias", "agencia", "agency"),
    "year": ("ano", "anio"),
    "theme": ("tema", "temas", "themes"),
    "scope_level": ("alcance", "nivel", "scope"),
    "states": ("estados", "entidades", "state"),
    "municipalities": ("municipios", "municipality"),
    "beneficiaries_or_figure": ("beneficiarios", "cifra", "beneficiaries", "figure"),
    "source_file": ("archivo_fuente", "fuente"),
    "source_quote": ("cita", "cita_fuente"),
}

#: Words people type in a place column when they do not know the place: never a place.
PLACEHOLDERS = frozenset({"estado", "state", "edo", "edo.", "n/a", "na", "n.a.", "nd", "n.d.", "s/d", "sd",
                          "sin dato", "sin datos", "desconocido", "unknown", "ninguno", "none", "null", "-", "--",
                          "?", "xx", "x", "ciudad", "city", "municipio", "municipality", "tbd", "por definir"})

_AGENCY_ALIASES = {"un global compact mexico": "UN Global Compact"}


def fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: how headers and codes words are compared."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", s.strip().lower())


def fold_series(values: pd.Series) -> pd.Series:
    """:func:`fold` of each cell, computed once per distinct value (large files repeat values)."""
    codes, uniq = pd.factorize(values.astype(str))
    folded = np.array([fold(u) for u in uniq] + [""], dtype=object)
    return pd.Series(folded[codes], index=values.index, dtype=object)  # code -1 (missing) takes the last, ""


def normalize_agency(name: str) -> str:
    """Agency name without the partners reports add in brackets or after "via".

    >>> normalize_agency("UN Women (with INMUJERES, SESNSP)")
    'UN Women'
    >>> normalize_agency("UN System (FAO")
    'UN System'
    >>> normalize_agency("UN Women via Cerrando Brechas)"), normalize_agency("UN Global Compact Mexico")
    ('UN Women', 'UN Global Compact')
    """
    base = re.split(r"\s*[()]|\s+via\s+", str(name).strip(), maxsplit=1)[0].strip()
    return _AGENCY_ALIASES.get(base.lower(), base)


@functools.lru_cache(maxsize=4)
def agency_catalog(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The canonical agency list (``data/agencies_catalog.csv``).

    Returns
    -------
    DataFrame
        ``acronym, name_es, name_en, kind`` (``un_agency``, ``government``,
        ``other``), ``aliases`` (``;``-separated), indexed by nothing.
    """
    return pd.read_csv(path or DATA_DIR / "agencies_catalog.csv", dtype=str, keep_default_na=False)


@functools.lru_cache(maxsize=4)
def _agency_lookup(path: str | None = None) -> dict[str, tuple[str, str]]:
    cat = agency_catalog(path)
    out: dict[str, tuple[str, str]] = {}
    for r in cat.itertuples(index=False):
        for name in [r.acronym, r.name_es, r.name_en, *str(r.aliases).split(";")]:
            if name.strip():
                out[fold(name)] = (r.acronym, r.kind)
    return out


def canonical_agency(name: str) -> tuple[str, str, bool]:
    """``(acronym, kind, known)`` for an agency as a report writes it.

    Partners in brackets are dropped first (:func:`normalize_agency`); an
    agency missing from the catalogue keeps its written name, kind ``other``.

    >>> canonical_agency("ACNUR"), canonical_agency("OHCHR (written UNHCHR)")[0]
    (('UNHCR', 'un_agency', True), 'OHCHR')
    """
    base = normalize_agency(name)
    hit = _agency_lookup().get(fold(base))
    return (hit[0], hit[1], True) if hit else (base, "other", False)


def warn_unknown_agencies(chk: Checker, names) -> None:
    """One warning naming agencies absent from the catalogue (kept as written, kind ``other``)."""
    unknown = sorted({n for n in names if n and not canonical_agency(n)[2]})
    if unknown:
        chk.warn(f"{len(unknown)} agency name(s) not in brecha's catalogue, kept as written with kind 'other': "
                 f"{', '.join(unknown[:10])}" + (" ..." if len(unknown) > 10 else ""))


def split_cell(cell: str) -> list[str]:
    """Items of a ``;``-separated cell."""
    return [p.strip() for p in str(cell).split(";") if p.strip()]


def place_problem(chk: Checker, idx, column: str, value: str, err: PlaceError) -> None:
    """Record a resolver failure with its candidates inline."""
    cands = "; ".join(f"{c.get('cvegeo') or c.get('cve_ent')} {c.get('name')}, {c.get('state_name')}"
                      for c in err.candidates[:6])
    first, label = str(err).splitlines()[0].rstrip(":"), "candidates"
    # The resolver ends with "; close names" (a list follows) or "; no close names": either way the
    # message here lists the candidates itself, inline.
    first, sep, tail = first.rpartition("; ")
    if tail in ("close names", "no close names"):
        label = "close names"
    else:
        first = first + sep + tail
    chk.add(idx, column, value, f"one known place ({first}{f'; {label}: {cands}' if cands else ''})")


def open_agency_table(path: str | os.PathLike, headers: dict[str, tuple[str, ...]], required: tuple[str, ...], *,
                      sheet: str | None = None, strict: bool = False) -> tuple[pd.DataFrame, Checker]:
    """Read an offices or initiatives table with English or Spanish headers.

    Headers are compared without case or accents (``Año`` is ``ano``) and
    renamed to the English names of ``headers``; a column given twice
    (``state`` and ``estado``) is a problem, as is a missing required one.
    ``sheet`` picks a workbook sheet (by name).
    """
    df = read_table(path, sheet=sheet)
    file = str(path) if "sheet" not in df.attrs else f"{path} (sheet {df.attrs['sheet']!r})"
    alias: dict[str, str] = {}
    for english, names in headers.items():
        alias[english] = english
        for n in names:
            alias.setdefault(n, english)
    rename: dict[str, str] = {}
    problems: list[Problem] = []
    head_line = int(df.attrs.get("header_line", 1))
    for col in df.columns:
        if col == "_line":
            continue
        key = re.sub(r"[\s\-]+", "_", fold(col))
        canon = alias.get(key)
        if canon is None:
            continue
        if canon in rename.values():
            first = next(c for c, v in rename.items() if v == canon)
            problems.append(Problem(file, head_line, col, col,
                                    f"one column for {canon!r} (column {first!r} is it too)"))
            continue
        rename[col] = canon
    df = df.rename(columns=rename)
    found = [c for c in df.columns if c != "_line"][:12]
    hint = split_hint(len(found))  # one column: the delimiter is not one we split on (``agency:city:state``)
    for r in required:
        if r not in df.columns:
            spanish = headers[r][0] if headers.get(r) else r
            problems.append(Problem(file, head_line, r, None,
                                    f"a column named {r!r} or {spanish!r} (found {found}{hint})"))
    if problems:
        raise InputError(problems)
    return df, Checker(df, file, strict=strict)


def status_values(chk: Checker, df: pd.DataFrame) -> pd.Series:
    """``status`` in English, Spanish spellings accepted; ``existing`` when the column is absent."""
    if "status" not in df:
        return pd.Series("existing", index=df.index)
    folded = fold_series(df["status"])
    mapped = folded.map(STATUS_ALIASES).fillna(folded)
    empty = mapped == ""
    bad = ~mapped.isin(OFFICE_STATUS) & ~empty
    allowed = list(OFFICE_STATUS) + ["existente", "planeada", "en expansión", "renovada", "cerrada"]
    chk._flag(bad, "status", df["status"], f"one of {allowed}")
    return mapped.where(~empty, "existing")


def is_placeholder(values: pd.Series) -> pd.Series:
    """True where a place cell holds a placeholder word ("Estado", "N/A") rather than a place."""
    return fold_series(values).isin(PLACEHOLDERS)


def warn(message: str) -> None:
    """An :class:`~brecha.errors.InputWarning` (summaries that are not a row's problem)."""
    warnings.warn(message, InputWarning, stacklevel=3)
