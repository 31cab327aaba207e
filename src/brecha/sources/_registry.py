"""The registry of sources: one entry per embedded file, as data.

``rows`` is what the embedded file must hold; :func:`catalog` checks it and
reports the file's SHA-256, so a republished source is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass

ATTRIBUTION = ("Fuente: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020; "
               "CONEVAL, Medición de la pobreza municipal 2020; INEGI, DENUE")


@dataclass(frozen=True)
class Source:
    name: str
    file: str
    title: str
    vintage: str
    rows: int
    licence: str
    publisher: str
    redistributor: str
    official_url: str
    key: str


SOURCES: tuple[Source, ...] = (
    Source("municipalities", "municipalities.parquet", "Municipal boundaries, Marco Geoestadístico 2020",
           "2020", 2469, "INEGI free-use terms; BSD-3-Clause (mxmaps)", "INEGI", "diegovalle/mxmaps",
           "https://www.inegi.org.mx/temas/mg/", "cvegeo"),
    Source("states", "states.parquet", "State boundaries, dissolved from the 2020 municipalities",
           "2020", 32, "INEGI free-use terms; BSD-3-Clause (mxmaps)", "INEGI", "diegovalle/mxmaps",
           "https://www.inegi.org.mx/temas/mg/", "cve_ent"),
    Source("census_municipal", "census_municipal.parquet", "Census 2020 ITER, municipal totals",
           "2020", 2469, "INEGI free-use terms; MIT (derived tables)", "INEGI",
           "fdealbam/censo2020; datacivica/huella-de-cuidados; isaacarroyov/datos_facil_acceso",
           "https://www.inegi.org.mx/programas/ccpv/2020/", "cvegeo"),
    Source("localities", "localities.parquet", "Census 2020 ITER, inhabited localities (points)",
           "2020", 189432, "INEGI free-use terms; MIT (rgeomex)", "INEGI", "fdzul/rgeomex",
           "https://www.inegi.org.mx/programas/ccpv/2020/", "cvegeo_loc"),
    Source("coneval_municipal", "coneval_municipal.parquet", "CONEVAL municipal poverty 2020",
           "2020", 2469, "CONEVAL free use with attribution; CC-BY-4.0 (derived)", "CONEVAL",
           "samuelglezact-oss/Determinantes-socioeconomicos...; cuentadesanti/pobreza-marginacion",
           "https://www.coneval.org.mx/Medicion/Paginas/Pobreza-municipio-2010-2020.aspx", "cvegeo"),
    Source("denue_care", "denue_care.parquet", "DENUE direct-care establishments (SCIAN 6232, 6233, 6244)",
           "2021/22", 12464, "INEGI free-use terms; MIT (huella-de-cuidados)", "INEGI",
           "datacivica/huella-de-cuidados", "https://www.inegi.org.mx/app/descarga/?ti=6", "denue_id"),
    Source("offices", "offices.csv", "Agency field offices, extracted from the agencies' annual reports",
           "2020-2023", 79, "Agencies' public reports (UNICEF, UN Mexico, UN Women, UNHCR)", "UN agencies",
           "brecha", "", "row"),
    Source("initiatives", "initiatives.csv", "Agency initiatives, extracted from the agencies' annual reports",
           "2020-2023", 159, "Agencies' public reports (UNICEF, UN Mexico, UN Women, UNHCR)", "UN agencies",
           "brecha", "", "row"),
    Source("municipal_names_mg2023", "municipal_names_mg2023.csv", "Municipal name catalogue, Marco Geoestadístico 2023",
           "2023", 2475, "INEGI free-use terms", "INEGI", "isaacarroyov/datos_facil_acceso",
           "https://www.inegi.org.mx/temas/mg/", "cve_geo"),
)
