"""A catalogue of bad input: each case gets one clear error and loses nothing.

``BAD`` is the table of files that must be refused. Every case is read twice:
with the reader itself (the ``InputError`` is a ``ValueError`` and carries a
``Problem`` with the file, line, column, value and expected text of the
case), and with ``brecha validate KIND FILE``, the command a planner runs
before a build (exit code 2, and the printed problem names the file, the
line, the column, the value and what was expected). ``line`` and ``column``
are ``None`` only where they cannot apply: a problem of the whole file (it is
missing, not a workbook, binary) or of a vector layer as a whole.
``TOLERATED`` is the table of untidy files that must be read correctly
(sometimes with a warning that names the file), by the reader and by
``brecha validate`` (exit code 0).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import Polygon, box

from brecha._validate import formula_safe
from brecha.cli import cli
from brecha.cli.validate import KINDS, Kind, check
from brecha.errors import InputError, InputWarning
from brecha.sources import check_coverage, read_boundaries, read_offices

OFFICES = "agency,city,state,lat,lon,year_reported\n"
INITIATIVES = "initiative,agencies,year,theme,states,municipalities\n"
CONEVAL = "cvegeo,pob_coneval_2020,pobreza_porcentaje,pobreza_poblacion\n"
CENSUS = "CVEGEO,POBTOT,P_0A2,P_3A5\n"
LOCALITIES = "entidad,mun,loc,nom_loc,longitud,latitud,pobtot\n"
DENUE = "id,codigo_act,per_ocu,cve_ent,cve_mun,latitud,longitud\n"
DAY_CARE = "1,624411,0 a 5 personas,01,001"
TIJUANA = "UNHCR,Tijuana,Baja California"
BOW_TIE = Polygon([(-102.4, 21.8), (-102.2, 22.0), (-102.2, 21.8), (-102.4, 22.0)])  # self-intersecting
ITER = "ENTIDAD,NOM_ENT,MUN,NOM_MUN,LOC,NOM_LOC,LONGITUD,LATITUD,ALTITUD,POBTOT,POBFEM,P_0A2_F,VPH_SINTIC\n"
DENUE_OFFICIAL = ("id,clee,nom_estab,raz_social,codigo_act,nombre_act,per_ocu,tipo_vial,nom_vial,tipo_v_e_1,"
                  "nom_v_e_1,tipo_v_e_2,nom_v_e_2,tipo_v_e_3,nom_v_e_3,numero_ext,letra_ext,edificio,edificio_e,"
                  "numero_int,letra_int,tipo_asent,nomb_asent,tipoCenCom,nom_CenCom,num_local,cod_postal,cve_ent,"
                  "entidad,cve_mun,municipio,cve_loc,localidad,ageb,manzana,telefono,correoelec,www,tipoUniEco,"
                  "latitud,longitud,fecha_alta\n")


def xlsx(*rows) -> Callable[[Path], None]:
    """A writer of a one-sheet workbook."""

    def write(path: Path) -> None:
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(list(r))
        wb.save(path)

    return write


def layer(codes, geoms=None, *, crs="EPSG:4326", driver="GPKG", code_col="CVEGEO",
          extra: dict[str, list] | None = None) -> Callable[[Path], None]:
    """A writer of a vector layer of municipalities (0.1-degree squares in Jalisco by default), with ``extra`` columns."""

    def write(path: Path) -> None:
        g = geoms or [box(-103.5 + 0.1 * i, 20.5, -103.41 + 0.1 * i, 20.59) for i in range(len(codes))]
        gdf = gpd.GeoDataFrame({code_col: list(codes), **(extra or {})}, geometry=list(g), crs=crs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pyogrio: "'crs' was not provided"
            gdf.to_file(path, driver=driver)

    return write


def coverage_of(codes: list[str]) -> Callable[[Path], None]:
    """Read boundaries, then require the municipalities ``codes``."""

    def check(path: Path) -> None:
        check_coverage(read_boundaries(path), codes, str(path))

    return check


@dataclass(frozen=True)
class Bad:
    kind: str  # the KIND of `brecha validate KIND FILE`, which names the reader
    file: str
    content: str | bytes | Callable[[Path], None] | None  # None: no file at all
    line: int | None  # 1-based line (feature number for vector files); None for the whole file
    column: str | None
    expected: str  # must appear in what the problem says was expected
    value: object = None  # the offending value the message quotes; None when there is none
    options: tuple[str, ...] = ()  # --strict, --complete


BAD: dict[str, Bad] = {
    # -- the shape of the file ---------------------------------------------------------
    "empty_file": Bad("offices", "o.csv", "", 1, None, "a header line"),
    "whitespace_only": Bad("offices", "o.csv", "\n \r\n\t\n", 1, None, "(the file is empty)"),
    "header_only": Bad("offices", "o.csv", OFFICES, 2, None, "at least one data row"),
    "missing_required_column": Bad("offices", "o.csv", f"agency,city\nUNHCR,Tijuana\n", 1, "state",
                                   "a column named 'state'"),
    "duplicated_header": Bad("offices", "o.csv", f"agency,city,state,City\n{TIJUANA},x\n", 1, "city",
                             "unique column names (column 4 repeats column 2)", value="city"),
    "header_not_splittable": Bad("offices", "o.csv", "agency:city:state\nUNHCR:Tijuana:Baja California\n", 1,
                                 "agency", "could not be split by any of ',', ';', tab, '|'"),
    "old_xls_workbook": Bad("offices", "o.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), None, None,
                            "save the old .xls workbook as .xlsx or CSV UTF-8"),
    "corrupt_xlsx": Bad("offices", "o.xlsx", b"PK\x03\x04 not really a zip", None, None,
                        "a readable .xlsx workbook"),
    "utf16_file": Bad("offices", "o.csv", f"agency,city,state\n{TIJUANA}\n".encode("utf-16"), None, None,
                      "a text file (found NUL bytes: binary or UTF-16?)"),
    "row_with_extra_field": Bad("offices", "o.csv", f"agency,city,state\n{TIJUANA}\n{TIJUANA},oops\n", 3, None,
                                "3 fields, found 4", value="UNHCR,Tijuana,Baja California,oops"),
    "unclosed_quote": Bad("offices", "o.csv", f'agency,city,state\n{TIJUANA}\n"UNDP,Cancún,Quintana Roo\n'
                                                 f'{TIJUANA}\n', 3, None, "a closing quote"),
    "data_under_a_blank_header": Bad("offices", "o.csv", f"agency,city,state,\n{TIJUANA},\n{TIJUANA},note\n", 1,
                                     None, "a name in the header for column 4, which holds data (e.g. line 3)"),
    "missing_file": Bad("offices", "o.csv", None, None, None, "an existing file"),
    "missing_xlsx": Bad("offices", "o.xlsx", None, None, None, "an existing file"),
    "a_folder_not_a_file": Bad("offices", "o.csv", Path.mkdir, None, None, "a file, not a folder"),
    "corrupt_gzip": Bad("localities", "iter.csv.gz", b"not gzip at all", None, None, "a valid gzip file"),
    # -- offices: places -------------------------------------------------------------
    "unknown_state": Bad("offices", "o.csv", "agency,city,state\nUNHCR,Tijuana,Narnia\n", 2, "state",
                         "a Mexican state", value="Narnia"),
    "unknown_municipality": Bad("offices", "o.csv", "agency,city,state\nUNHCR,Xyzzyville,Jalisco\n", 2, "city",
                                "unknown place 'Xyzzyville' in Jalisco", value="Xyzzyville"),
    "close_misspelling": Bad("offices", "o.csv", "agency,city,state\nUNHCR,Guadalajaraa,Jalisco\n", 2, "city",
                             "close names: 14039 Guadalajara, Jalisco", value="Guadalajaraa"),
    "ambiguous_municipality_without_state": Bad("offices", "o.csv", "agency,city,state\nUNHCR,Benito Juárez,\n",
                                                2, "city", "names 7 municipalities; add the state",
                                                value="Benito Juárez"),
    "municipality_not_in_stated_state": Bad("offices", "o.csv", "agency,city,state\nUNHCR,Tijuana,Yucatán\n", 2,
                                            "city", "not a municipality of Yucatán; it is Tijuana, Baja California (02004)",
                                            value="Tijuana"),
    # -- offices: numbers and coordinates ----------------------------------------------
    "year_not_a_number": Bad("offices", "o.csv", f"{OFFICES}{TIJUANA},,,twenty\n", 2, "year_reported",
                             "a whole number from 1990 to 2035", value="twenty"),
    "year_out_of_range": Bad("offices", "o.csv", f"{OFFICES}{TIJUANA},,,1890\n", 2, "year_reported",
                             "a whole number from 1990 to 2035", value="1890"),
    "year_with_decimals": Bad("offices", "o.csv", f"{OFFICES}{TIJUANA},,,2020.5\n", 2, "year_reported",
                              "a whole number", value="2020.5"),
    "lat_lon_swapped": Bad("offices", "o.csv", f"{OFFICES}{TIJUANA},-117.02,32.53,2020\n", 2, "lat",
                           "lat and lon in their own columns (they look swapped)", value="-117.02, 32.53"),
    "coordinates_outside_mexico": Bad("offices", "o.csv", f"{OFFICES}{TIJUANA},40.42,-3.70,2020\n", 2, "lat",
                                      "a point inside Mexico", value="40.42, -3.70"),
    "decimal_commas_in_comma_file": Bad("offices", "o.csv", f'{OFFICES}{TIJUANA},"32,53","-117,02",2020\n', 2,
                                        "lat", "a number in decimal degrees with a point as decimal separator",
                                        value="32,53"),
    "coordinates_as_words": Bad("offices", "o.csv", f"{OFFICES}{TIJUANA},north,west,2020\n", 2, "lat",
                                "a number in decimal degrees", value="north"),
    "only_one_coordinate": Bad("offices", "o.csv", f"{OFFICES}{TIJUANA},32.53,,2020\n", 2, "lon",
                               "both lat and lon, or neither", value="32.53"),
    "unknown_status": Bad("offices", "o.csv", f"agency,city,state,status\n{TIJUANA},maybe\n", 2, "status",
                          "one of ['existing', 'planned'", value="maybe"),
    "duplicate_offices": Bad("offices", "o.csv", f"{OFFICES}{TIJUANA},,,2020\nUNDP,Tijuana,Baja California,,,2020\n"
                                                    f"{TIJUANA},,,2020\nunhcr, TIJUANA ,baja california,,,2020\n", 2,
                             "agency+office_type+city+state+year_reported+lat/lon", "repeated on lines [2, 4, 5]",
                             value="unhcr||tijuana|baja california|2020|"),
    "huge_cell": Bad("offices", "o.csv", f"agency,city,state,source_quote\n{TIJUANA},{'x' * 1_000_000}\n", 2,
                     "source_quote", "at most 5,000 characters", value="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."),
    "blank_rows_keep_true_line_numbers": Bad("offices", "o.csv", f"{OFFICES}\n{TIJUANA},,,2020\n\n\n"
                                                                    f"{TIJUANA},,,20x0\n", 6, "year_reported",
                                             "a whole number", value="20x0"),
    "xlsx_bad_year": Bad("offices", "o.xlsx", xlsx(["agency", "city", "state", "year_reported"],
                                                      ["UNHCR", "Tijuana", "Baja California", 2020], [None] * 4,
                                                      ["UNDP", "Tijuana", "Baja California", "2O21"]),
                         4, "year_reported", "a whole number from 1990 to 2035", value="2O21"),
    "xlsx_uncomputed_formula": Bad("offices", "o.xlsx", xlsx(["agency", "city", "state"],
                                                                ["=CONCAT(\"UN\",\"HCR\")", "Tijuana", "Baja California"]),
                                   2, "agency", "a formula that was never computed", value='=CONCAT("UN","HCR")'),
    "extra_column_when_strict": Bad("offices", "o.csv", f"agency,city,state,notes\n{TIJUANA},hi\n", 1, "notes",
                                    "strict mode refuses unknown columns", options=("--strict",), value="notes"),
    # -- initiatives -----------------------------------------------------------------
    "initiative_year_not_a_number": Bad("initiatives", "i.csv", f"{INITIATIVES}X,UNICEF,twenty,health,Chiapas,\n",
                                        2, "year", "a whole number from 1990 to 2035", value="twenty"),
    "initiative_year_missing": Bad("initiatives", "i.csv", f"{INITIATIVES}X,UNICEF,,health,Chiapas,\n", 2, "year",
                                   "(the cell is empty)", value=""),
    "initiative_without_agency": Bad("initiatives", "i.csv", f"{INITIATIVES}X,,2020,health,Chiapas,\n", 2,
                                     "agencies", "a non-empty value", value=""),
    "initiative_unknown_state_in_list": Bad("initiatives", "i.csv", f"{INITIATIVES}X,UNICEF,2020,health,"
                                                                       f"Chiapas; Narnia,\n", 2, "states",
                                            "a Mexican state", value="Narnia"),
    "initiative_municipality_in_wrong_state": Bad("initiatives", "i.csv", f'{INITIATIVES}X,UNICEF,2020,health,,'
                                                                             f'"Tapachula, Chiapas; Tijuana, Yucatán"\n',
                                                  2, "municipalities", "not a municipality of Yucatán",
                                                  value="Tijuana, Yucatán"),
    "initiative_ambiguous_municipality": Bad("initiatives", "i.csv", f"{INITIATIVES}X,UNICEF,2020,health,,"
                                                                        f"Benito Juárez\n", 2, "municipalities",
                                             "23005 Benito Juárez, Quintana Roo", value="Benito Juárez"),
    "initiative_missing_column": Bad("initiatives", "i.csv", "initiative,agencies,year,theme,states\nX,UNICEF,2020,"
                                                                "health,Chiapas\n", 1, "municipalities",
                                     "a column named 'municipalities'"),
    # -- CONEVAL ---------------------------------------------------------------------
    "coneval_percentage_over_100": Bad("coneval", "c.csv", f"{CONEVAL}01001,922268,150,10\n", 2,
                                       "pobreza_porcentaje", "a percentage from 0 to 100", value="150"),
    "coneval_negative_count": Bad("coneval", "c.csv", f"{CONEVAL}01001,922268,23.7,-5\n", 2,
                                  "pobreza_poblacion", "a count of people from 0 to 20,000,000", value="-5"),
    "coneval_text_in_number": Bad("coneval", "c.csv", f"{CONEVAL}01001,922268,veinte,5\n", 2,
                                  "pobreza_porcentaje", "a percentage", value="veinte"),
    "coneval_duplicate_codes": Bad("coneval", "c.csv", f"{CONEVAL}01001,1,1,1\n01002,1,1,1\n1001,1,1,1\n",
                                   2, "cvegeo", "a unique value (repeated on lines [2, 4])", value="01001"),
    "coneval_bad_code": Bad("coneval", "c.csv", f"{CONEVAL}AGS01,1,1,1\n", 2, "cvegeo",
                            "a 5-digit INEGI code", value="AGS01"),
    "coneval_no_indicator_columns": Bad("coneval", "c.csv", "cvegeo,notes\n01001,x\n", 1,
                                        "pobreza_porcentaje", "CONEVAL indicator columns"),
    "coneval_no_code_columns": Bad("coneval", "c.csv", "nom_mun,pobreza\nAguascalientes,23.7\n", 1,
                                   "cvegeo", "a 'cvegeo' column, or 'cve_ent' and 'cve_mun' columns"),
    "coneval_key_of_another_state": Bad("coneval", "c.csv",
                                        "clave_entidad,clave_municipio,pobreza\n1,1001,23.7\n2,1002,10\n", 3,
                                        "clave_municipio", "a municipal key of the state in column 'clave_entidad'",
                                        value="1002"),
    "coneval_state_without_year": Bad("coneval-state", "s.csv", "state,indicator,percentage\nChiapas,pobreza,67.4\n",
                                      1, "year", "a column named 'year'"),
    # -- Census ----------------------------------------------------------------------
    "census_negative_count": Bad("census", "k.csv", f"{CENSUS}01001,-5,1,1\n", 2, "pobtot",
                                 "a whole number from 0 to 20,000,000", value="-5"),
    "census_non_numeric_count": Bad("census", "k.csv", f"{CENSUS}01001,948990,muchos,1\n", 2, "p_0a2",
                                    "a whole number", value="muchos"),
    "census_confidential_total": Bad("census", "k.csv", f"{CENSUS}01001,*,1,1\n", 2, "pobtot",
                                     "(the cell is marked as missing)", value="*"),
    "census_duplicate_codes": Bad("census", "k.csv", f"{CENSUS}01001,5,1,1\n01001,6,1,1\n", 2, "cvegeo",
                                  "repeated on lines [2, 3]", value="01001"),
    "census_missing_population_column": Bad("census", "k.csv", "CVEGEO,P_0A2\n01001,5\n", 1, "pobtot",
                                            "a column named 'pobtot'"),
    "missing_column_below_blank_lines": Bad("census", "k.csv", "\n\nENTIDAD,LOC,POBTOT\n01,0000,5\n", 3, "mun",
                                            "a 3-digit municipality code column 'mun'"),
    "census_iter_without_mun_column": Bad("census", "k.csv", "ENTIDAD,LOC,POBTOT\n01,0000,5\n", 1,
                                          "mun", "a 3-digit municipality code column 'mun'"),
    "localities_bad_dms": Bad("localities", "l.csv", f"{LOCALITIES}01,001,0001,Ags,\"102°17'W\",21.87,10\n",
                              2, "longitud", "a longitud inside Mexico", value="102°17'W"),
    "localities_without_coordinates": Bad("localities", "l.csv", f"{LOCALITIES}01,001,0001,Ags,,,10\n", 2,
                                          "latitud", "a latitud inside Mexico", value=""),
    "localities_duplicate_keys": Bad("localities", "l.csv", f"{LOCALITIES}01,001,0001,A,-102.3,21.9,1\n"
                                                                      f"01,1,1,B,-102.3,21.9,1\n", 2, "cvegeo+loc",
                                     "repeated on lines [2, 3]", value="010010001"),
    # -- DENUE -----------------------------------------------------------------------
    "denue_without_coordinates": Bad("denue", "d.csv", f"{DENUE}{DAY_CARE},,\n", 2, "latitud",
                                     "a latitude inside Mexico (decimal degrees) from 14.4 to 32.8 (the cell is empty)",
                                     value=""),
    "denue_swapped_coordinates": Bad("denue", "d.csv", f"{DENUE}{DAY_CARE},-102.3,21.9\n", 2, "longitud",
                                     "a longitude inside Mexico", value="21.9"),
    "denue_malformed_scian_code": Bad("denue", "d.csv", f"{DENUE}1,62441X,0 a 5 personas,01,001,21.9,-102.3\n", 2,
                                      "codigo_act", "a 6-digit SCIAN code", value="62441X"),
    "denue_unknown_care_class": Bad("denue", "d.csv", f"{DENUE}1,624499,0 a 5 personas,01,001,21.9,-102.3\n", 2,
                                    "codigo_act", "a SCIAN 2018 care class", value="624499"),
    "denue_duplicate_ids": Bad("denue", "d.csv", f"{DENUE}{DAY_CARE},21.9,-102.3\n{DAY_CARE},21.8,-102.2\n", 2,
                               "id", "repeated on lines [2, 3]", value="1"),
    "denue_unknown_staff_band": Bad("denue", "d.csv", f"{DENUE}1,624411,muchas,01,001,21.9,-102.3\n", 2, "per_ocu",
                                    "one of DENUE's staff bands", value="muchas"),
    # -- boundaries ------------------------------------------------------------------
    "boundaries_without_crs": Bad("boundaries", "b.gpkg", layer(["01001"], crs=None), None, "geometry",
                                  "a coordinate reference system"),
    "boundaries_with_wrong_crs_tag": Bad("boundaries", "b.gpkg", layer(["01001"], [box(2.3e6, 9.5e5, 2.4e6, 1e6)]),
                                         1, "geometry", "a polygon in Mexico", value="01001"),
    "boundaries_without_codes": Bad("boundaries", "b.gpkg", layer(["01001"], code_col="CLAVE"), None, "cvegeo",
                                    "a 'CVEGEO' column"),
    "boundaries_duplicate_codes": Bad("boundaries", "b.gpkg", layer(["01001", "01002", "1001"]), 1, "cvegeo",
                                      "one feature per municipality (features [1, 3])", value="01001"),
    "boundaries_bad_code": Bad("boundaries", "b.gpkg", layer(["01001", "Ags-2"]), 2, "cvegeo",
                               "a 5-digit INEGI municipal code", value="Ags-2"),
    "boundaries_points": Bad("boundaries", "b.gpkg", layer(["01001"], gpd.points_from_xy([-102.3], [21.9])), 1,
                             "geometry", "a Polygon or MultiPolygon", value="Point"),
    "boundaries_feature_without_geometry": Bad("boundaries", "b.gpkg", layer(["01001", "01002"],
                                                                               [box(-102.4, 21.8, -102.2, 22), None]),
                                               2, "geometry", "a polygon (the feature has no geometry)"),
    "boundaries_table_without_geometry": Bad("boundaries", "b.csv", "cvegeo,name\n01001,Aguascalientes\n", None,
                                             "geometry", "the file has no geometry column"),
    "boundaries_not_a_vector_file": Bad("boundaries", "b.geojson", "{not json", None, None,
                                        "a vector file GDAL can read"),
    "boundaries_repaired_geometry_when_strict": Bad("boundaries", "b.gpkg", layer(["01001"], [BOW_TIE]), 1, "geometry",
                                                    "strict mode refuses to repair it", options=("--strict",),
                                                    value="01001"),
    # --all: every missing municipality is its own problem (without it they are summarised per state).
    "boundaries_missing_municipalities": Bad("boundaries", "b.gpkg", layer(["01001"]), None, "cvegeo",
                                             "this municipality to be present", options=("--complete", "--all"),
                                             value="01002"),
    # -- hostile files (issue 17): numbers read right or refused, files that are not files ----
    "semicolon_coneval_thousands_or_decimals": Bad("coneval", "c.csv", "cvegeo;pobreza_porcentaje;pobreza_poblacion\n"
                                                                       "01001;23;218.414\n", 2, "pobreza_poblacion",
                                                   "reads one way only (it could be 218.414, with a decimal point, "
                                                   "or 218,414, with a point grouping thousands", value="218.414"),
    "census_dot_thousands_or_decimals": Bad("census", "k.csv", f"{CENSUS}01001,948.000,1,1\n", 2, "pobtot",
                                            "(it could be 948, with a decimal point, or 948,000", value="948.000"),
    "census_iter_without_total_rows": Bad("census", "k.csv", f"{ITER}01,Ags,001,Ags,0001,Ags,,,,10,5,1,1\n", 1, "loc",
                                          "ITER's municipal total rows (LOC 0000"),
    "named_pipe_not_a_file": Bad("census", "k.csv", lambda p: os.mkfifo(p), None, None,
                                 "a regular file (found a named pipe (FIFO))"),
    "device_not_a_file": Bad("localities", "l.csv", lambda p: p.symlink_to("/dev/zero"), None, None,
                             "a regular file (found a character device)"),
    "dangling_link_input": Bad("census", "k.csv", lambda p: p.symlink_to(p.with_name("gone.csv")), None, None,
                               "(a symbolic link to a missing file)"),
    "nul_byte_names_its_line": Bad("census", "k.csv", "CVEGEO,POBTOT\n01001,5\n01002,6\x00\n", 3, None,
                                   "text without NUL bytes", value="01002,6"),
    "unclosed_quote_to_the_end": Bad("census", "k.csv", 'CVEGEO,POBTOT,P_0A2\n01001,5,"1\n01002,6,2\n01003,7,3\n', 2,
                                     None, "a closing quote (a quoted field opens on line 2 and runs to the end"),
    "unclosed_quote_in_the_header": Bad("census", "k.csv", 'CVEGEO,"POBTOT\n01001,5\n', 1, None, "a closing quote"),
    "coneval_state_repeated_row": Bad("coneval-state", "s.csv", "state,year,indicator,percentage\nChiapas,2020,pobreza,"
                                                                 "67.4\nChiapas,2020,pobreza,67.4\n", 2,
                                      "cve_ent+year+indicator", "a unique value (repeated on lines [2, 3])",
                                      value="07 2020 poverty"),
    "xlsx_text_cell_with_dot_thousands": Bad("census", "k.xlsx", xlsx(["CVEGEO", "POBTOT"], ["01001", "948.000"]), 2,
                                             "pobtot", "(it could be 948, with a decimal point, or 948,000",
                                             value="948.000"),
    "boundaries_two_layers_none_named": Bad("boundaries", "b.gpkg", lambda p: (layer(["01001"])(p), _add_layer(p)),
                                            None, None, "one layer, or the layer to read named (layer=...); the file "
                                                        "has 2: ['b', 'old']"),
    "boundaries_nan_coordinates": Bad("boundaries", "b.geojson", lambda p: p.write_text(_geojson_with_nan()), 2,
                                      "geometry", "(the feature has NaN coordinates)", value="01002"),
    # -- strict: every reader refuses a column it does not know, on the header's line ----
    **{f"{kind.replace('-', '_')}_unknown_column_when_strict": Bad(
        kind, file, content, line, "zzz", "strict mode refuses unknown columns", options=("--strict",), value="zzz")
       for kind, file, content, line in [
           ("initiatives", "i.csv", f"{INITIATIVES.strip()},zzz\nX,UNICEF,2020,health,Chiapas,,1\n", 1),
           ("coneval", "c.csv", f"{CONEVAL.strip()},zzz\n01001,922268,23.7,218414,1\n", 1),
           ("census", "k.csv", f"{CENSUS.strip()},zzz\n01001,948990,1,1,1\n", 1),
           ("localities", "l.csv", f"{LOCALITIES.strip()},zzz\n01,001,0001,Ags,-102.3,21.9,10,1\n", 1),
           ("denue", "d.csv", f"{DENUE.strip()},zzz\n{DAY_CARE},21.9,-102.3,1\n", 1),
           ("coneval-state", "s.csv", "state,year,indicator,percentage,zzz\nChiapas,2020,pobreza,67.4,1\n", 1),
           ("boundaries", "b.gpkg", layer(["01001"], extra={"ZZZ": [1]}), None),  # a vector layer's columns have no line
       ]},
}


def _write(path: Path, content) -> None:
    if content is None:
        return
    if callable(content):
        content(path)
    else:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def _read(kind: str, path: Path, options: tuple[str, ...] = ()):
    """Read ``path`` as ``brecha validate KIND FILE [options]`` reads it."""
    return check(kind, path, strict="--strict" in options, complete="--complete" in options)


def _validate(*args: str):
    """``brecha validate ARGS`` through click; the result's output holds stdout and stderr."""
    return CliRunner().invoke(cli, ["validate", *args])


def _assert_names_everything(case: Bad, path: Path, text: str) -> None:
    """``text``, one problem, names the file, the line, the column, the value and what was expected."""
    where, _, expected = text.partition("; expected ")
    assert str(path) in where, text
    if case.line is not None:
        assert re.search(rf", line {case.line}([,:]|$)", where), text
    if case.column is not None:
        assert f"column {case.column!r}" in where, text
    if case.value is not None:
        assert where.endswith(f": got {case.value!r}"), text
    assert case.expected in expected, text


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_input_is_refused_with_a_clear_message(tmp_path, case):
    path = tmp_path / case.file
    _write(path, case.content)
    with pytest.raises(InputError) as info:
        _read(case.kind, path, case.options)
    err, msg = info.value, str(info.value)
    assert isinstance(err, ValueError)  # callers that do not know brecha can catch ValueError
    hits = [p for p in err.problems if case.expected in p.expected]
    assert hits, f"no problem says {case.expected!r}:\n{msg}"
    p = hits[0]
    # A workbook's problems name the sheet read too: "o.xlsx (sheet 'Sheet')".
    assert p.file == str(path) or p.file.startswith(f"{path} (sheet "), msg
    assert (p.row, p.column, p.value) == (case.line, case.column, case.value), msg
    _assert_names_everything(case, path, str(p))
    assert f"  - {p}" in msg


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_brecha_validate_refuses_bad_input_with_exit_code_2(tmp_path, case):
    path = tmp_path / case.file
    _write(path, case.content)
    result = _validate(case.kind, str(path), *case.options)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    said = [ln for ln in result.output.splitlines() if ln.startswith("  - ") and case.expected in ln]
    assert said, result.output
    _assert_names_everything(case, path, said[0])


def test_bad_input_catalogue_is_large_enough():
    assert len(BAD) >= 76
    assert {c.kind for c in BAD.values()} == set(KINDS)  # every kind `brecha validate` reads


def test_missing_municipalities_are_all_named(tmp_path):
    layer(["01001"])(tmp_path / "b.gpkg")
    with pytest.raises(InputError) as info:
        coverage_of(["01001", "01002", "01003"])(tmp_path / "b.gpkg")
    assert [p.value for p in info.value.problems] == ["01002", "01003"]


def test_validate_complete_summarises_missing_municipalities_per_state(tmp_path):
    layer(["01001"])(tmp_path / "b.gpkg")
    result = _validate("boundaries", str(tmp_path / "b.gpkg"), "--complete")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == f"error: 2,468 problem(s) in {tmp_path / 'b.gpkg'} (read as boundaries):"
    assert f"column 'cvegeo': 2,468 municipalities of the 2020 frame are missing, in 32 state(s):" in lines[1]
    assert lines[2] == "      01 Aguascalientes: 10 missing (01002, 01003, 01004, 01005, 01006, ... 5 more)"
    assert lines[3] == "      02 Baja California: 6 missing (02001, 02002, 02003, 02004, 02005, ... 1 more)"
    assert len(lines) == 1 + 1 + 32 + 1 and "--all lists every one" in lines[-1]
    every = _validate("boundaries", str(tmp_path / "b.gpkg"), "--complete", "--all")
    named = [ln for ln in every.output.splitlines() if "this municipality to be present" in ln]
    assert len(named) == 2_468 and named[0].endswith("got '01002'; expected this municipality to be present")


def test_a_few_missing_municipalities_are_each_named(tmp_path):
    from brecha.geography import municipal_codes

    codes = municipal_codes()
    layer(codes[:-3], [box(-103.5, 20.5, -103.4, 20.6)] * (len(codes) - 3))(tmp_path / "b.gpkg")  # codes matter here
    result = _validate("boundaries", str(tmp_path / "b.gpkg"), "--complete")
    named = [ln for ln in result.output.splitlines() if ln.startswith("  - ")]
    assert [ln.split("got ")[1].split("'")[1] for ln in named] == list(codes[-3:])


def test_every_problem_in_a_file_is_reported_at_once(write_csv):
    path = write_csv("offices.csv", f"{OFFICES}UNHCR,Tijuana,Narnia,,,2020\nUNDP,Xyzzy,Jalisco,,,2020\n"
                                    f"IOM,Tijuana,Baja California,-117.0,32.5,20x0\n")
    with pytest.raises(InputError) as info:
        read_offices(path)
    problems = info.value.problems
    assert [(p.row, p.column) for p in problems] == [(2, "state"), (3, "city"), (4, "lat"), (4, "year_reported")]
    assert str(info.value).startswith("4 problem(s) in input:")


def test_many_problems_are_listed_with_a_count(write_csv):
    rows = "".join(f"UNHCR{i},Tijuana,Narnia\n" for i in range(60))
    with pytest.raises(InputError) as info:
        read_offices(write_csv("offices.csv", "agency,city,state\n" + rows))
    assert len(info.value.problems) == 60
    assert "... and 10 more" in str(info.value)


def test_a_duplicate_is_reported_once_with_all_its_lines(write_csv):
    path = write_csv("o.csv", f"{OFFICES}" + f"{TIJUANA},,,2020\n" * 3)
    with pytest.raises(InputError) as info:
        read_offices(path)
    assert len(info.value.problems) == 1
    assert "repeated on lines [2, 3, 4]" in str(info.value)


# --- Untidy but readable --------------------------------------------------------------

def _offices(**expect) -> Callable[[pd.DataFrame], None]:
    def check(df: pd.DataFrame) -> None:
        for col, want in expect.items():
            assert list(df[col]) == want, (col, list(df[col]))

    return check


def _row(header: str, **cells: str) -> str:
    """A CSV line under ``header`` with ``cells`` filled and every other cell empty."""
    return ",".join(cells.get(c, "") for c in header.strip().split(",")) + "\n"


def _repaired(gdf: gpd.GeoDataFrame) -> None:
    assert gdf.geometry.is_valid.all()
    assert gdf.geometry.values[0].area == pytest.approx(0.02)  # both lobes of the bow tie kept (square degrees)


def _in_4326_at(bounds: list[float]) -> Callable[[gpd.GeoDataFrame], None]:
    def check(gdf: gpd.GeoDataFrame) -> None:
        assert gdf.crs.to_epsg() == 4326
        assert gdf.geometry.bounds.round(2).values.tolist() == [bounds]

    return check


def _points_at(xy: list[tuple[float, float]]) -> Callable[[gpd.GeoDataFrame], None]:
    def check(gdf: gpd.GeoDataFrame) -> None:
        assert [(round(p.x, 6), round(p.y, 6)) for p in gdf.geometry] == xy

    return check


def _hidden_old_sheet(path: Path) -> None:
    """Last year's figures in a hidden first sheet; the workbook opens on the visible one."""
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "old"
    old.append(["CVEGEO", "POBTOT"])
    old.append(["01001", 877190])
    new = wb.create_sheet("new")
    new.append(["CVEGEO", "POBTOT"])
    new.append(["01001", 948990])
    old.sheet_state = "hidden"
    wb.active = 1
    wb.save(path)


def _add_layer(path: Path) -> None:
    gpd.GeoDataFrame({"CVEGEO": ["01001"]}, geometry=[box(-103.5, 20.5, -103.4, 20.6)],
                     crs="EPSG:4326").to_file(path, layer="old", driver="GPKG")


def _geojson_with_nan() -> str:
    ring = "[[-102.4, 21.8], [-102.2, 21.8], [-102.2, 22.0], [-102.4, 21.8]]"
    nan_ring = "[[-102.4, 21.8], [-102.2, 21.8], [NaN, 22.0], [-102.4, 21.8]]"
    feature = '{{"type": "Feature", "properties": {{"CVEGEO": "{}"}}, "geometry": {{"type": "Polygon", "coordinates": [{}]}}}}'
    return ('{"type": "FeatureCollection", "features": [' + feature.format("01001", ring) + ", "
            + feature.format("01002", nan_ring) + "]}")


@dataclass(frozen=True)
class Tolerated:
    kind: str  # the KIND of `brecha validate KIND FILE`, which names the reader
    file: str
    content: str | bytes | Callable[[Path], None]
    check: Callable[[pd.DataFrame], None]
    warns: str | None = None  # an InputWarning whose message contains this


TOLERATED: dict[str, Tolerated] = {
    "extra_unknown_columns": Tolerated("offices", "o.csv", f"agency,city,state,notes,Owner\n{TIJUANA},hi,me\n",
                                       _offices(cvegeo=["02004"]), warns="ignoring unknown column(s) ['notes', 'owner']"),
    "semicolon_from_spanish_excel": Tolerated("offices", "o.csv", "agency;city;state;lat;lon\r\n"
                                                                     "UNHCR;Tijuana;Baja California;32,5327;-117,0189\r\n",
                                              _offices(cvegeo=["02004"], placed=["coordinates"])),
    "tab_delimited": Tolerated("offices", "o.tsv", "agency\tcity\tstate\nUNHCR\tTijuana\tBaja California\n",
                               _offices(cvegeo=["02004"])),
    "pipe_delimited": Tolerated("offices", "o.txt", "agency|city|state\nUNHCR|Tijuana|Baja California\n",
                                _offices(cvegeo=["02004"])),
    "latin1_accents": Tolerated("offices", "o.csv", "agency,city,state\nUNHCR,Mérida,Yucatán\n".encode("latin-1"),
                                _offices(city=["Mérida"], state=["Yucatán"], cvegeo=["31050"])),
    "cp1252_quotes": Tolerated("offices", "o.csv", "agency,city,state,source_quote\nUNHCR,Mérida,Yucatán,“sí”\n"
                               .encode("cp1252"), _offices(source_quote=["“sí”"])),
    "utf8_with_bom": Tolerated("offices", "o.csv", "\ufeffagency,city,state\nUNHCR,Mérida,Yucatán\n",
                               _offices(agency=["UNHCR"], city=["Mérida"])),
    "mixed_utf8_and_latin1_lines": Tolerated("offices", "o.csv", "agency,city,state\nUNHCR,Mérida,Yucatán\n".encode()
                                             + "UNDP,Querétaro,Querétaro\n".encode("latin-1"),
                                             _offices(city=["Mérida", "Querétaro"], cvegeo=["31050", "22014"])),
    "mixed_line_endings": Tolerated("offices", "o.csv", b"agency,city,state\r\nUNHCR,Tijuana,Baja California\n"
                                                           b"UNDP,Merida,Yucatan\rIOM,Tapachula,Chiapas\r\n",
                                    _offices(office_id=["o0002", "o0003", "o0004"], cvegeo=["02004", "31050", "07089"])),
    "blank_rows_ignored": Tolerated("offices", "o.csv", f"\n\nagency,city,state\n\n{TIJUANA}\n , , \n\nIOM,Tapachula,"
                                                           f"Chiapas\n\n", _offices(office_id=["o0005", "o0008"])),
    "trailing_empty_fields": Tolerated("offices", "o.csv", f"agency,city,state\n{TIJUANA},,\n",
                                       _offices(cvegeo=["02004"])),
    "quoted_newline_in_a_cell": Tolerated("offices", "o.csv", f'agency,city,state,source_quote\n{TIJUANA},"two\n'
                                                                 f'lines"\nIOM,Tapachula,Chiapas,\n',
                                          _offices(office_id=["o0002", "o0004"], source_quote=["two\nlines", ""])),
    "formula_like_cells_kept_verbatim": Tolerated("offices", "o.csv", 'agency,city,state\n"=HYPERLINK(""http://x"")",'
                                                                        'Tijuana,Baja California\n',
                                                  _offices(agency_as_written=['=HYPERLINK("http://x")']),
                                                  warns="1 agency name(s) not in brecha's catalogue, kept as "
                                                        "written with kind 'other': =HYPERLINK(\"http://x\")"),
    "codes_that_lost_their_zeros": Tolerated("census", "k.csv", "CVE_ENT,CVE_MUN,POBTOT\n1,1,10\n1.0,2.0,20\n",
                                             _offices(cvegeo=["01001", "01002"])),
    "coneval_semicolon_decimal_commas": Tolerated("coneval", "c.csv",
                                                  "cvegeo;pobreza_porcentaje;pobreza_poblacion\n01001;23,7;218.414,0\n",
                                                  _offices(poverty_pct=[23.7], poverty_people=[218414.0])),
    "census_thousands_separators": Tolerated("census", "k.csv", 'CVEGEO,POBTOT\n01001,"948,990"\n',
                                             _offices(pop_total=[948990.0])),
    "denue_other_activities_dropped": Tolerated("denue", "d.csv", f"{DENUE}{DAY_CARE},21.9,-102.3\n"
                                                                     f"2,461110,0 a 5 personas,01,001,21.9,-102.3\n",
                                                _offices(denue_id=["1"])),
    "boundaries_invalid_geometry_repaired": Tolerated(
        "boundaries", "b.gpkg",
        layer(["01001"], [BOW_TIE]),
        _repaired, warns="repaired 1 invalid geometries with make_valid (cvegeo ['01001'])"),
    # Columns of the official layouts are known, even those the reader does not read.
    "census_iter_layout_columns_known": Tolerated("census", "k.csv", f"{ITER}01,Ags,001,Ags,0000,Total,,,,948990,1,1,1\n",
                                                  _offices(cvegeo=["01001"])),
    "localities_iter_layout_columns_known": Tolerated("localities", "l.csv",
                                                      f"{ITER}01,Ags,001,Ags,0001,Ags,-102.3,21.9,1880,10,5,1,1\n",
                                                      _offices(cvegeo_loc=["010010001"])),
    "denue_official_layout_columns_known": Tolerated("denue", "d.csv", DENUE_OFFICIAL + _row(
        DENUE_OFFICIAL, id="1", codigo_act="624411", per_ocu="0 a 5 personas", cve_ent="01", cve_mun="001",
        latitud="21.9", longitud="-102.3"), _offices(denue_id=["1"])),
    "coneval_unknown_column_warned": Tolerated("coneval", "c.csv", f"{CONEVAL.strip()},zzz\n01001,922268,23.7,218414,1\n",
                                               _offices(poverty_pct=[23.7]), warns="ignoring unknown column(s) ['zzz']"),
    "census_unknown_column_warned": Tolerated("census", "k.csv", f"{CENSUS.strip()},zzz\n01001,948990,1,1,1\n",
                                              _offices(pop_total=[948990.0]), warns="ignoring unknown column(s) ['zzz']"),
    "boundaries_unknown_column_warned": Tolerated("boundaries", "b.gpkg", layer(["01001"], extra={"extra": [1]}),
                                                  _offices(cvegeo=["01001"]), warns="ignoring unknown column(s) ['extra']"),
    "boundaries_other_crs_reprojected": Tolerated(
        "boundaries", "b.gpkg", layer(["01001"], [box(2.3e6, 1.0e6, 2.31e6, 1.01e6)], crs="EPSG:6372"),
        _in_4326_at([-103.93, 21.0, -103.84, 21.09])),
    # -- issue 17: conventions worked out per column and per file, zeros padded and said, the visible sheet --
    "semicolon_coneval_spanish_thousands": Tolerated("coneval", "c.csv", "cvegeo;pobreza_porcentaje;pobreza_poblacion\n"
                                                                         "01001;23,7;218.414\n",
                                                     _offices(poverty_pct=[23.7], poverty_people=[218414.0])),
    "census_semicolon_dot_thousands": Tolerated("census", "k.csv", "CVEGEO;POBTOT;P_0A2\n01001;948.000;1.234.567\n",
                                                _offices(pop_total=[948000.0], pop_0_2=[1234567.0])),
    "coneval_dot_decimals_elsewhere_in_the_file": Tolerated("coneval", "c.csv", f"{CONEVAL}01001,922268,23.7,218.414\n",
                                                            _offices(poverty_people=[218.414])),
    "coordinates_with_three_decimals_in_semicolon_file": Tolerated(
        "localities", "l.csv", "entidad;mun;loc;nom_loc;longitud;latitud;pobtot\n01;001;0001;Ags;-102.296;21.880;10\n",
        _points_at([(-102.296, 21.88)])),
    "census_iter_loc_codes_without_zeros": Tolerated(
        "census", "k.csv", f"{ITER}01,Ags,001,Ags,0,Total,,,,948990,1,1,1\n01,Ags,001,Ags,1,Ags,,,,10,5,1,1\n",
        _offices(cvegeo=["01001"], pop_total=[948990.0]),
        warns="2 LOC code(s) in column 'loc' had lost their leading zeros and were padded to 4 digits "
              "(e.g. line 2: '0' read as '0000')"),
    "xlsx_hidden_first_sheet_not_read": Tolerated("census", "k.xlsx", _hidden_old_sheet, _offices(pop_total=[948990.0]),
                                                  warns="reading sheet 'new', the one the workbook opens on (not the "
                                                        "first of ['old', 'new']); name another with sheet="),
    "xlsx_number_cells_are_not_ambiguous": Tolerated("coneval", "c.xlsx", xlsx(CONEVAL.strip().split(","),
                                                                           ["01001", 922268, 23.714, 218.414]),
                                                     _offices(poverty_pct=[23.714], poverty_people=[218.414])),
    "xlsx_title_rows_skipped": Tolerated("census", "k.xlsx", xlsx(["Censo de Población y Vivienda 2020"], [],
                                                                   ["CVEGEO", "POBTOT"], ["01001", 948990]),
                                         _offices(pop_total=[948990.0]),
                                         warns="skipped 1 title row(s) above the header on row 3 of sheet 'Sheet' "
                                               "(first: 'Censo de Población y Vivienda 2020')"),
}


@pytest.mark.parametrize("case", TOLERATED.values(), ids=TOLERATED.keys())
def test_untidy_input_is_read(tmp_path, case):
    path = tmp_path / case.file
    _write(path, case.content)
    if case.warns:
        with pytest.warns(InputWarning, match=re.escape(f"{path}: {case.warns}")):
            df = KINDS[case.kind].reader(path)
    else:
        df = KINDS[case.kind].reader(path)
    case.check(df)


@pytest.mark.parametrize("case", TOLERATED.values(), ids=TOLERATED.keys())
def test_brecha_validate_accepts_untidy_input(tmp_path, case):
    path = tmp_path / case.file
    _write(path, case.content)
    result = _validate(case.kind, str(path))
    assert result.exit_code == 0, result.output
    summary = [ln for ln in result.output.splitlines() if ln.startswith("ok: ")]
    assert len(summary) == 1 and summary[0].startswith(f"ok: {path}: ") and f"read as {case.kind}" in summary[0]
    warned = [ln for ln in result.output.splitlines() if ln.startswith("warning: ")]
    assert warned == ([f"warning: {path}: {case.warns}"] if case.warns else []), result.output


def test_strict_names_every_unknown_column(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(f"agency,city,state,notes,Owner\n{TIJUANA},hi,me\n", encoding="utf-8")
    result = _validate("offices", str(path), "--strict")
    assert result.exit_code == 2
    said = [ln for ln in result.output.splitlines() if ln.startswith("  - ")]
    assert [ln.split(": got ")[0] for ln in said] == [f"  - {path}, line 1, column 'notes'",
                                                       f"  - {path}, line 1, column 'owner'"]


def test_strict_refuses_an_unknown_column_on_the_sheets_header_row(tmp_path):
    path = tmp_path / "c.xlsx"
    xlsx(["Medición de la pobreza municipal 2020"], [], CONEVAL.strip().split(",") + ["zzz"],
         ["01001", 922268, 23.7, 218414, 1])(path)
    with pytest.raises(InputError) as info:
        _read("coneval", path, ("--strict",))
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [(f"{path} (sheet 'Sheet')", 3, "zzz")]


def test_a_warning_refused_in_strict_mode_keeps_its_line_and_column(tmp_path, monkeypatch):
    # A reader without strict= (a plug-in, say) only warns; validate --strict refuses what it named.
    path = tmp_path / "o.csv"
    path.write_text(f"agency,city,state,notes\n{TIJUANA},hi\n", encoding="utf-8")
    monkeypatch.setitem(KINDS, "offices", Kind(lambda p: read_offices(p), "offices", ""))
    with pytest.raises(InputError) as info:
        _read("offices", path, ("--strict",))
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(1, "notes", "notes")]


def test_validate_lists_every_problem_not_only_fifty(tmp_path):
    rows = "".join(f"UNHCR{i},Tijuana,Narnia\n" for i in range(60))
    (tmp_path / "o.csv").write_text("agency,city,state\n" + rows, encoding="utf-8")
    result = _validate("offices", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    said = [ln for ln in result.output.splitlines() if ln.startswith("  - ")]
    assert [f"line {n}," in ln for n, ln in zip(range(2, 62), said)] == [True] * 60
    assert f"60 problem(s) in {tmp_path / 'o.csv'}" in result.output and "more" not in result.output


def test_validate_complete_is_for_boundaries_only(tmp_path):
    (tmp_path / "o.csv").write_text(f"agency,city,state\n{TIJUANA}\n", encoding="utf-8")
    result = _validate("offices", str(tmp_path / "o.csv"), "--complete")
    assert result.exit_code == 2 and "--complete applies to boundaries only" in result.output


def test_validate_unknown_kind_is_a_usage_error(tmp_path):
    result = _validate("censo", str(tmp_path / "k.csv"))
    assert result.exit_code == 2 and "'censo' is not one of" in result.output


def test_xlsx_reads_like_csv(tmp_path):
    xlsx(["Agency", "City", "State", "year_reported"], ["UNHCR", "Mérida", "Yucatán", 2020.0],
         [None, None, None, None], ["IOM", "Tapachula", "Chiapas", None])(tmp_path / "o.xlsx")
    df = read_offices(tmp_path / "o.xlsx")
    assert df["office_id"].tolist() == ["o0002", "o0004"]  # sheet rows, blank row skipped
    assert df["cvegeo"].tolist() == ["31050", "07089"]
    assert df["year_reported"].tolist()[0] == 2020


# --- Formulas written back to spreadsheets --------------------------------------------

@pytest.mark.parametrize("value,safe", [
    ('=HYPERLINK("http://evil.example","clic")', '\'=HYPERLINK("http://evil.example","clic")'),
    ("+52 55 1234 5678", "'+52 55 1234 5678"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("-99.1332", "-99.1332"),  # numbers stay numbers
    ("+12.5", "+12.5"),
    ("Tijuana", "Tijuana"),
    ("", ""),
])
def test_formula_safe(value, safe):
    assert formula_safe(value) == safe


def test_csv_writer_escapes_formulas(tmp_path, write_csv):
    from brecha.pipeline.writers import write_csv as write_layer_csv

    with pytest.warns(InputWarning, match="not in brecha's catalogue"):  # the formula is no known agency
        off = read_offices(write_csv("o.csv", 'agency,city,state\n"=HYPERLINK(""http://x"",""y"")",Tijuana,'
                                              'Baja California\n'))
    out = tmp_path / "offices_out.csv"
    write_layer_csv(off[["office_id", "agency_as_written", "cvegeo"]], out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["agency_as_written"] == '\'=HYPERLINK("http://x","y")'
    assert rows[0]["cvegeo"] == "02004"


# --- The command line -----------------------------------------------------------------

def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    from brecha.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


@pytest.mark.parametrize("argv,code,says", [
    (["resolve", "Benito", "Juárez"], 2, ["names 7 municipalities", "23005  Benito Juárez, Quintana Roo"]),
    (["resolve", "Xyzzyville"], 2, ["unknown place 'Xyzzyville'"]),
    (["resolve", "Guadalajaraa"], 2, ["14039  Guadalajara, Jalisco"]),
    (["resolve", "Tijuana", "--state", "Narnia"], 2, ["unknown state 'Narnia'"]),
    (["resolve", "Tijuana, Yucatán"], 2, ["not a municipality of Yucatán", "02004"]),
    (["resolve", "99999"], 2, ["no municipality with code 99999"]),
    (["resolve", " "], 2, ["empty place name"]),
    (["resolve"], 2, ["Missing argument"]),
], ids=["ambiguous", "unknown", "misspelt", "unknown_state", "wrong_state", "unknown_code", "blank", "no_argument"])
def test_resolve_refuses_bad_places(capsys, argv, code, says):
    got, out, err = _run(argv, capsys)
    assert got == code
    for s in says:
        assert s in out + err


def test_resolve_json_lists_candidates(capsys):
    code, out, _ = _run(["resolve", "--json", "Benito Juárez"], capsys)
    assert code == 2
    answer = json.loads(out)
    assert answer["error"] == "AmbiguousPlaceError"
    assert {c["cvegeo"] for c in answer["candidates"]} >= {"09014", "23005", "12014"}


def test_installed_entry_point_exit_code(tmp_path):
    exe = Path(sys.executable).with_name("brecha")
    proc = subprocess.run([str(exe), "resolve", "Benito Juárez"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "09014" in proc.stderr


BAD_OFFICES = f"agency,city,state\nUNHCR,Tijuana,Narnia\nUNDP,Xyzzy,Jalisco\n"
BAD_INITIATIVES = f"{INITIATIVES}X,UNICEF,20x0,health,Chiapas,\n"


@pytest.mark.parametrize("option,content,line,column", [
    ("--offices", BAD_OFFICES, 2, "state"),
    ("--offices", "", 1, None),
    ("--initiatives", BAD_INITIATIVES, 2, "year"),
    ("--initiatives", "initiative,agencies\nX,UNICEF\n", 1, "year"),
], ids=["offices_bad_rows", "offices_empty", "initiatives_bad_year", "initiatives_missing_columns"])
def test_build_refuses_bad_agency_files(tmp_path, option, content, line, column):
    from brecha.cli import cli
    from brecha.cli.build import command

    bad = tmp_path / "BAD.csv"
    bad.write_text(content, encoding="utf-8")
    layers = Path(__file__).resolve().parents[1] / "layers"
    args = ["--dry-run", "--out", str(tmp_path / "out"), "--layers-dir", str(layers), option, str(bad)]
    # `brecha build` once registered in the command group; the command itself until then.
    target, args = (cli, ["build", *args]) if "build" in cli.commands else (command, args)
    result = CliRunner().invoke(target, args)
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output and f"line {line}" in result.output
    if column:
        assert f"column {column!r}" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # nothing built


# --- Hostile files (issue 17) -----------------------------------------------------------

def test_a_gzip_that_expands_beyond_the_limit_is_refused_not_read(tmp_path, monkeypatch):
    import gzip

    import brecha._io

    monkeypatch.setattr(brecha._io, "MAX_INPUT_BYTES", 1 << 20)  # 1 MiB here; 2 GiB by default
    bomb = tmp_path / "iter.csv.gz"
    bomb.write_bytes(gzip.compress(LOCALITIES.encode() + b"0" * (8 << 20)))  # 8 MiB in ~8 KiB
    assert bomb.stat().st_size < 64 << 10
    result = _validate("localities", str(bomb))
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert f"{bomb}; expected a gzip file that expands to at most 1,048,576 bytes" in result.output


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import brecha._io

    monkeypatch.setattr(brecha._io, "MAX_INPUT_BYTES", 1000)
    big = tmp_path / "k.csv"
    big.write_text(CENSUS + "01001,5,1,1\n" * 200, encoding="utf-8")
    result = _validate("census", str(big))
    assert result.exit_code == 2 and f"{big}: got {big.stat().st_size}; expected a file of at most 1,000 bytes" \
        in result.output, result.output


def test_repeated_coneval_state_rows_are_named_once_with_their_lines(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("state,year,indicator,percentage,people\nChiapas,2020,pobreza,67.4,3700000\n"
                    "Oaxaca,2020,pobreza,58.4,2400000\nChiapas,2020,pobreza,67.5,3700000\n", encoding="utf-8")
    result = _validate("coneval-state", str(path))
    assert result.exit_code == 2
    said = [ln for ln in result.output.splitlines() if ln.startswith("  - ")]
    assert said == [f"  - {path}, line 2, column 'cve_ent+year+indicator': got '07 2020 poverty'; "
                    f"expected a unique value (repeated on lines [2, 4])"], result.output
    assert "sheets disagree" not in result.output


def test_sheet_names_the_sheet_read_even_a_hidden_one(tmp_path):
    from brecha._io import read_table

    _hidden_old_sheet(tmp_path / "k.xlsx")
    with pytest.warns(InputWarning, match="reading sheet 'new'"):
        assert read_table(tmp_path / "k.xlsx")["pobtot"].tolist() == ["948990"]
    assert read_table(tmp_path / "k.xlsx", sheet="old")["pobtot"].tolist() == ["877190"]
    with pytest.raises(InputError, match=r"the name of one of the workbook's sheets \['old', 'new'\]"):
        read_table(tmp_path / "k.xlsx", sheet="nuevo")


def test_a_named_layer_of_a_geopackage_is_read(tmp_path):
    path = tmp_path / "b.gpkg"
    layer(["01001"])(path)
    _add_layer(path)
    assert read_boundaries(path, layer="b")["cvegeo"].tolist() == ["01001"]


def test_ambiguous_numbers_are_settled_by_the_range(tmp_path):
    # 23.714 % cannot be 23,714 %; 21.880 degrees of latitude cannot be 21,880: no question to ask.
    path = tmp_path / "c.csv"
    path.write_text("cvegeo;pobreza_porcentaje;pobreza_poblacion\n01001;23.714;218414\n", encoding="utf-8")
    assert KINDS["coneval"].reader(path)["poverty_pct"].tolist() == [23.714]
