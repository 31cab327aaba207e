"""The one table of sources: every input brecha reads, as data.

Everything else that lists sources derives from :data:`SOURCES`: loading
(:mod:`brecha.sources._load`), the build's replaceable and optional inputs
(:mod:`brecha.pipeline._fingerprint`), ``brecha validate KIND``
(:mod:`brecha.cli.validate`), the DuckDB store (``pipeline/_store.py``), the
frames :mod:`brecha.coverage` needs and ``brecha sources``.

``sha256`` is what the embedded file must hash to; :func:`brecha.sources.load`
checks it before reading, so a swapped or truncated file stops with its
name, the expected and the actual hash. After regenerating an embedded file
on purpose, print the new value for this table with::

    .venv/bin/python -m brecha.sources._registry offices

(no argument: every embedded source) and paste it into the entry below.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ATTRIBUTION", "Source", "SOURCES", "LAYER_SOURCES", "source", "file_sha256"]

ATTRIBUTION = ("Fuente: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020; "
               "CONEVAL, Medición de la pobreza municipal 2020; INEGI, DENUE")

_INEGI_MG = "INEGI free-use terms; BSD-3-Clause (mxmaps)"
_AGENCIES = "Agencies' public reports (UNICEF, UN Mexico, UN Women, UNHCR)"


@dataclass(frozen=True)
class Source:
    """One input brecha reads.

    Attributes
    ----------
    name
        Registry name: ``source:<name>`` in a spec, the table name in the store.
    file
        Embedded file name in ``brecha/data`` (None: an optional source with no embedded copy).
    rows
        Rows the embedded file holds (None without one).
    sha256
        Expected hex SHA-256 of the embedded file, checked on load (None without one).
    key
        Canonical key column of the frame the source is read into (unique, non-null).
    geometry
        True when the frame is a GeoDataFrame.
    reader
        ``"module:function"`` reading a user's file of this kind (official release or
        brecha's own CSV); imported lazily. None: no reader (the embedded copy is read as is).
    replaceable
        A user may give a file for it at build time (``brecha build --offices``...).
    optional
        Used only when a user gives a file; a spec binding it gets None otherwise.
    validate_kind
        The ``brecha validate KIND`` name, or None when it cannot be validated.
    rows_word
        What one row is, for messages ("municipalities", "offices").
    layer_input
        Read by the municipal and state layers (:data:`LAYER_SOURCES`), beside the boundaries.
    """

    name: str
    file: str | None
    title: str
    vintage: str
    rows: int | None
    sha256: str | None
    key: str
    geometry: bool
    reader: str | None
    replaceable: bool
    optional: bool
    validate_kind: str | None
    rows_word: str
    licence: str
    publisher: str
    redistributor: str
    official_url: str
    layer_input: bool = False


SOURCES: tuple[Source, ...] = (
    Source("municipalities", "municipalities.parquet", "Municipal boundaries, Marco Geoestadístico 2020", "2020",
           2469, "6d7c355e211ab6c006c8c8830bf43ce7d0500f5625ab99e45334f323c149dfb5", "cvegeo", True,
           "brecha.sources.boundaries:read_boundaries", False, False, "boundaries", "municipalities",
           _INEGI_MG, "INEGI", "diegovalle/mxmaps", "https://www.inegi.org.mx/temas/mg/"),
    Source("states", "states.parquet", "State boundaries, dissolved from the 2020 municipalities", "2020",
           32, "de1900907e0d3d1e7de21b55e8ae8623cd80bc647805630a5ae11277f5091370", "cve_ent", True,
           None, False, False, None, "states",
           _INEGI_MG, "INEGI", "diegovalle/mxmaps", "https://www.inegi.org.mx/temas/mg/"),
    Source("census_municipal", "census_municipal.parquet", "Census 2020 ITER, municipal totals", "2020",
           2469, "5fa0ee54f4f8f6eda815a113ac7db8efdf26f0b414ba49abe19e7bfdbd0b1ef3", "cvegeo", False,
           "brecha.sources.census:read_census_municipal", False, False, "census", "municipalities",
           "INEGI free-use terms; MIT (derived tables)", "INEGI",
           "fdealbam/censo2020; datacivica/huella-de-cuidados; isaacarroyov/datos_facil_acceso",
           "https://www.inegi.org.mx/programas/ccpv/2020/", layer_input=True),
    Source("localities", "localities.parquet", "Census 2020 ITER, inhabited localities (points)", "2020",
           189432, "722b104277bbfe89331160e4fdcede002d2b31fcf19a0856fbb3d8c4c8d3598c", "cvegeo_loc", True,
           "brecha.sources.census:read_census_localities", False, False, "localities", "localities",
           "INEGI free-use terms; MIT (rgeomex)", "INEGI", "fdzul/rgeomex",
           "https://www.inegi.org.mx/programas/ccpv/2020/", layer_input=True),
    Source("coneval_municipal", "coneval_municipal.parquet", "CONEVAL municipal poverty 2020", "2020",
           2469, "7b9da89617e775ec2a3564d8d1423ed9ef8c957e569b72ed1d7a69805fbea977", "cvegeo", False,
           "brecha.sources.poverty:read_coneval_municipal", False, False, "coneval", "municipalities",
           "CONEVAL free use with attribution; CC-BY-4.0 (derived)", "CONEVAL",
           "samuelglezact-oss/Determinantes-socioeconomicos...; cuentadesanti/pobreza-marginacion",
           "https://www.coneval.org.mx/Medicion/Paginas/Pobreza-municipio-2010-2020.aspx", layer_input=True),
    Source("denue_care", "denue_care.parquet", "DENUE direct-care establishments (SCIAN 6232, 6233, 6244)",
           "2021/22", 12464, "a12cb52d6ad01a3e6db59d2e1944b06803d4e93a55530407ea2a96d6e9708f87", "denue_id", True,
           "brecha.sources.denue:read_denue", False, False, "denue", "care establishments",
           "INEGI free-use terms; MIT (huella-de-cuidados)", "INEGI", "datacivica/huella-de-cuidados",
           "https://www.inegi.org.mx/app/descarga/?ti=6", layer_input=True),
    Source("offices", "offices.csv", "Agency field offices, extracted from the agencies' annual reports",
           "2020-2023", 79, "b5de3411fca0311e9d45c5d2e7d7b0164d81a6c12e2edd9850b70abc67929588", "office_id", True,
           "brecha.sources.agencies:read_offices", True, False, "offices", "offices",
           _AGENCIES, "UN agencies", "brecha", "", layer_input=True),
    Source("initiatives", "initiatives.csv", "Agency initiatives, extracted from the agencies' annual reports",
           "2020-2023", 159, "df77af2c3dfd7f1524223ae1fe5a55d3ba6f4d294ce2c419c0c1b5c703392817", "initiative_id",
           False, "brecha.sources.agencies:read_initiatives", True, False, "initiatives", "initiatives",
           _AGENCIES, "UN agencies", "brecha", "", layer_input=True),
    # A lookup table: read as text, its cve_geo renamed to the canonical cvegeo (the store's key).
    Source("municipal_names_mg2023", "municipal_names_mg2023.csv",
           "Municipal name catalogue, Marco Geoestadístico 2023", "2023",
           2475, "4ea6eafdbe4e9640fe54addc78f7bf369c4f0b851acd5be1aea5ad8e40c55e10", "cvegeo", False,
           "brecha.sources._load:read_names_mg2023", False, False, None, "municipalities",
           "INEGI free-use terms", "INEGI", "isaacarroyov/datos_facil_acceso", "https://www.inegi.org.mx/temas/mg/"),
    Source("coneval_state", None, "CONEVAL official state poverty (user's workbook or tidy CSV)", "user file",
           None, None, "cve_ent", False,
           "brecha.sources.coneval_state:read_coneval_state", False, True, "coneval-state", "figures",
           "CONEVAL free use with attribution", "CONEVAL", "",
           "https://www.coneval.org.mx/Medicion/Paginas/PobrezaInicio.aspx"),
)

_BY_NAME = {s.name: s for s in SOURCES}

#: The frames the municipal and state layers read beside the boundaries (:data:`brecha.coverage.SOURCES`,
#: the inputs of their registry entries and specs).
LAYER_SOURCES: tuple[str, ...] = tuple(s.name for s in SOURCES if s.layer_input)


def source(name: str) -> Source:
    """The entry of source ``name``.

    Raises
    ------
    KeyError
        ``name`` is not a source; the message lists the known ones.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {sorted(_BY_NAME)}") from None


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (streamed by :func:`hashlib.file_digest`)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _main(names: list[str]) -> None:
    """Print ``name sha256 rows`` of the embedded files, to paste into :data:`SOURCES`."""
    from ..settings import DATA_DIR

    for s in (source(n) for n in names) if names else SOURCES:
        if s.file:
            print(f"{s.name} {file_sha256(Path(DATA_DIR) / s.file)}")


if __name__ == "__main__":
    _main(sys.argv[1:])
