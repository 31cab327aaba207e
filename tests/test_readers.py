"""Happy paths: each reader reads its source's official (or redistributed) layout.

Synthetic files follow the official layouts byte for byte where it matters
(Latin-1, ``*`` cells, DMS coordinates, total rows); the last tests read the
full-size files beside the repo and must give exactly the embedded data.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from brecha import geography
from brecha.errors import InputError
from brecha.settings import DATA_DIR
from brecha.sources import (
    load,
    read_boundaries,
    read_census_localities,
    read_census_municipal,
    read_coneval_municipal,
    read_denue,
    read_initiatives,
    read_marco_geoestadistico,
    read_offices,
)

# --- Census 2020 (ITER) ---------------------------------------------------------

ITER_HEADER = ("ENTIDAD,NOM_ENT,MUN,NOM_MUN,LOC,NOM_LOC,LONGITUD,LATITUD,ALTITUD,POBTOT,POBFEM,POBMAS,"
               "P_0A2,P_3A5,P_6A11,P_60YMAS,PCON_DISC\n")
# National, state and municipal totals, localities and the 9998/9999 small-locality totals, as ITER ships them.
ITER_ROWS = (
    "00,Total nacional,000,Total nacional,0000,Total nacional,,,,126014024,64540634,61473390,1,1,1,1,1\n"
    "01,Aguascalientes,000,Total de la entidad,0000,Total de la entidad,,,,1425607,728924,696683,1,1,1,1,1\n"
    "01,Aguascalientes,001,Aguascalientes,0000,Total del municipio,,,,948990,486917,462073,44372,48767,97947,102987,47525\n"
    "01,Aguascalientes,001,Aguascalientes,0001,Aguascalientes,\"102°17'45.768\"\" W\",\"21°52'47.362\"\" N\",1878,"
    "863893,443000,420893,*,*,*,*,*\n"
    "01,Aguascalientes,005,Jesús María,0000,Total del municipio,,,,129929,65888,64041,7227,7283,14805,10226,*\n"
    "01,Aguascalientes,005,Jesús María,0001,Jesús María,\"102°20'37.612\"\" W\",\"21°57'40.584\"\" N\",1888,"
    "64097,32800,31297,*,*,*,*,*\n"
    "01,Aguascalientes,005,Jesús María,9998,Localidades de una vivienda,,,,41,*,*,*,*,*,*,*\n"
    "01,Aguascalientes,005,Jesús María,9999,Localidades de dos viviendas,,,,77,*,*,*,*,*,*,*\n"
)


def test_census_municipal_reads_official_iter(write_csv):
    path = write_csv("ITER_01CSV20.csv", ITER_HEADER + ITER_ROWS, encoding="latin-1")
    df = read_census_municipal(path)
    assert df["cvegeo"].tolist() == ["01001", "01005"]  # national, state and locality rows dropped
    assert df["cve_ent"].tolist() == ["01", "01"]
    assert df["name"].tolist() == ["Aguascalientes", "Jesús María"]  # Latin-1 accents intact
    assert df["pop_total"].tolist() == [948990, 129929]
    assert df["pop_0_5"].tolist() == [44372 + 48767, 7227 + 7283]
    assert df["pop_0_11"].tolist() == [44372 + 48767 + 97947, 7227 + 7283 + 14805]
    # A confidential '*' cell is missing, never zero.
    assert df["pop_disability"].iloc[0] == 47525
    assert math.isnan(df["pop_disability"].iloc[1])


def test_census_municipal_reads_one_row_per_municipality(write_csv):
    # The redistributed layout: CVEGEO (sometimes stored as an integer) and ITER column names.
    path = write_csv("census.csv", "CVEGEO,ENTIDAD,MUN,POBTOT,P_0A2,P_3A5\n1001,1,1,948990,44372,48767\n"
                                   "02004,2,4,1922523,88000,90000\n")
    df = read_census_municipal(path)
    assert df["cvegeo"].tolist() == ["01001", "02004"]
    assert df["pop_total"].tolist() == [948990, 1922523]
    assert "pop_60_plus" not in df  # a count the file lacks is absent, not zero


def test_census_localities_reads_dms_coordinates(write_csv):
    path = write_csv("ITER_01CSV20.csv", ITER_HEADER + ITER_ROWS, encoding="latin-1")
    gdf = read_census_localities(path)
    assert gdf["cvegeo_loc"].tolist() == ["010010001", "010050001"]  # totals (0000, 9998, 9999) dropped
    assert gdf["name"].tolist() == ["Aguascalientes", "Jesús María"]
    assert gdf["pop_total"].tolist() == [863893, 64097]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.x.iloc[0] == pytest.approx(-(102 + 17 / 60 + 45.768 / 3600), abs=1e-9)
    assert gdf.geometry.y.iloc[0] == pytest.approx(21 + 52 / 60 + 47.362 / 3600, abs=1e-9)


@pytest.mark.parametrize("lon", [
    "102°17'45.768\" W", "102°17'45.768\"W", "102° 17' 45.768\" w", "102 17 45.768 O", "-102.2960466667",
])
def test_census_localities_coordinate_spellings(write_csv, lon):
    path = write_csv("loc.csv", 'entidad,mun,loc,nom_loc,longitud,latitud,pobtot\n'
                                f'01,001,0001,Aguascalientes,"{lon.replace(chr(34), chr(34) * 2)}",21.8798,863893\n')
    x = read_census_localities(path).geometry.x.iloc[0]
    assert x == pytest.approx(-102.2960466667, abs=1e-8)


# --- DENUE -----------------------------------------------------------------------

# INEGI's bulk-download layout (denue_inegi_62_.csv), shipped in Latin-1.
DENUE_HEADER = ("id,clee,nom_estab,raz_social,codigo_act,nombre_act,per_ocu,tipo_vial,nom_vial,numero_ext,"
                "cod_postal,cve_ent,entidad,cve_mun,municipio,cve_loc,localidad,ageb,manzana,telefono,"
                "correoelec,www,tipoUniEco,latitud,longitud,fecha_alta\n")
DENUE_ROWS = (
    "22403,01001624411000011000000000U7,GUARDERÍA PATITOS,,624411,Guarderías del sector privado,"
    "6 a 10 personas,CALLE,MADERO,101,20000,01,Aguascalientes,001,Aguascalientes,0001,Aguascalientes,"
    "0619,017,,,,Fijo,21.87681822,-102.30599442,2010-07\n"
    "22404,01001624412000021000000000U5,ESTANCIA INFANTIL IMSS 12,,624412,Guarderías del sector público,"
    "31 a 50 personas,AVENIDA,LÓPEZ MATEOS,5,20000,01,Aguascalientes,001,Aguascalientes,0001,Aguascalientes,"
    "0619,018,,,,Fijo,21.8801,-102.2950,2010-07\n"
    "22405,01001461110000011000000000U1,ABARROTES LUPITA,,461110,Comercio al por menor en tiendas de abarrotes,"
    "0 a 5 personas,CALLE,JUÁREZ,7,20000,01,Aguascalientes,001,Aguascalientes,0001,Aguascalientes,"
    "0619,019,,,,Fijo,21.8802,-102.2951,2010-07\n"
    "8984759,05030623311000011000000000U3,CASA HOGAR SAN JOSÉ,,623311,"
    "Asilos y otras residencias del sector privado para el cuidado de ancianos,251 y más personas,CALLE,"
    "HIDALGO,1,25000,05,Coahuila de Zaragoza,030,Saltillo,0001,Saltillo,1234,001,,,,Fijo,25.42,-101.0,2019-11\n"
)


def test_denue_reads_official_layout(write_csv):
    path = write_csv("denue_inegi_62_.csv", DENUE_HEADER + DENUE_ROWS, encoding="latin-1")
    gdf = read_denue(path)
    assert gdf["denue_id"].tolist() == ["22403", "22404", "8984759"]  # the grocery is not care
    assert gdf["cvegeo"].tolist() == ["01001", "01001", "05030"]
    assert gdf["care_type"].tolist() == ["day_care", "day_care", "elderly"]
    assert gdf["sector"].tolist() == ["private", "public", "private"]  # from the SCIAN class
    assert gdf["staff_mid"].tolist() == [8.0, 40.5, 300.0]
    assert gdf["name"].iloc[0] == "GUARDERÍA PATITOS"
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.y.iloc[0] == pytest.approx(21.87681822)


def test_denue_keeps_every_activity_when_asked(write_csv):
    path = write_csv("denue.csv", DENUE_HEADER + DENUE_ROWS, encoding="latin-1")
    gdf = read_denue(path, care_only=False)
    assert len(gdf) == 4
    grocery = gdf.set_index("denue_id").loc["22405"]
    assert grocery["scian"] == "461110" and pd.isna(grocery["care_type"])


def test_denue_reads_data_civica_layout(write_csv):
    path = write_csv("denue_cuidados.csv",
                     "id,inegi,codigo_act,nombre_act,per_ocu,cve_ent,entidad,cve_mun,municipio,latitud,longitud,tipo\n"
                     "1,01001,623212,Residencias,0 a 5 personas,01,Aguascalientes,001,Aguascalientes,21.9,-102.3,Público\n")
    gdf = read_denue(path)
    assert gdf[["cvegeo", "care_type", "sector"]].values.tolist() == [["01001", "disability", "public"]]


# --- CONEVAL ---------------------------------------------------------------------

CONEVAL_LONG = ("CVEGEO,CVE_ENT,CVE_MUN,nom_ent,nom_mun,pob_coneval_2020,pobreza_porcentaje,pobreza_poblacion,"
                "pobreza_extrema_porcentaje,pobreza_extrema_poblacion,carencia_servicios_de_salud_porcentaje,"
                "carencia_servicios_de_salud_poblacion,IM_2020,GM_2020\n"
                "01001,01,001,Aguascalientes,Aguascalientes,922268.0,23.7,218414.0,2.0,18206.0,20.0,184627,60.3,Muy bajo\n"
                "04012,04,012,Campeche,Seybaplaya,,,,,,,,,\n")
# CONEVAL's own short names in its concentrado workbook.
CONEVAL_SHORT = ("clave_entidad,entidad_federativa,clave_municipio,municipio,poblacion,pobreza,pobreza_pob,"
                 "pobreza_e,pobreza_e_pob,ic_asalud,ic_asalud_pob\n"
                 "1,Aguascalientes,1001,Aguascalientes,922268,23.7,218414,2.0,18206,20.0,184627\n"
                 "4,Campeche,4012,Seybaplaya,,,,,,,\n")


def test_coneval_reads_redistributed_names(write_csv):
    df = read_coneval_municipal(write_csv("coneval.csv", CONEVAL_LONG), year=2020)
    assert df["cvegeo"].tolist() == ["01001", "04012"]
    row = df.iloc[0]
    assert (row["poverty_pct"], row["poverty_people"], row["extreme_poverty_pct"]) == (23.7, 218414, 2.0)
    assert row["deprivation_health_people"] == 184627
    assert row["pop_coneval"] == 922268
    assert row["marginalisation_grade"] == "Muy bajo"
    # A municipality CONEVAL does not estimate stays empty, flagged, never zero.
    assert df["coneval_nd"].tolist() == [False, True]
    assert df.iloc[1][["poverty_pct", "poverty_people"]].isna().all()
    assert df.attrs["vintage"] == 2020


def test_coneval_short_names_give_the_same_frame(write_csv):
    long = read_coneval_municipal(write_csv("long.csv", CONEVAL_LONG))
    short = read_coneval_municipal(write_csv("short.csv", CONEVAL_SHORT))
    cols = ["cvegeo", "cve_ent", "pop_coneval", "poverty_pct", "poverty_people", "extreme_poverty_pct",
            "extreme_poverty_people", "deprivation_health_pct", "deprivation_health_people", "coneval_nd"]
    pd.testing.assert_frame_equal(short[cols], long[cols])


def _as_spreadsheet_value(cell: str):
    """What a spreadsheet stores for a typed cell: numbers as numbers (codes lose their zeros)."""
    for kind in (int, float):
        try:
            return kind(cell)
        except ValueError:
            pass
    return cell or None


def test_coneval_reads_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    for line in CONEVAL_SHORT.splitlines():
        wb.active.append([_as_spreadsheet_value(c) for c in line.split(",")])
    wb.save(tmp_path / "coneval.xlsx")
    df = read_coneval_municipal(tmp_path / "coneval.xlsx")
    assert df["cvegeo"].tolist() == ["01001", "04012"]
    assert df[["poverty_pct", "poverty_people"]].iloc[0].tolist() == [23.7, 218414]
    assert df["coneval_nd"].tolist() == [False, True]


def test_coneval_not_available_markers_are_missing_never_zero(write_csv):
    # CONEVAL writes n.d. (no disponible) where it publishes no estimate; '-' and empty cells alike.
    text = CONEVAL_SHORT.replace("4,Campeche,4012,Seybaplaya,,,,,,,", "4,Campeche,4012,Seybaplaya,n.d.,n.d.,N.D.,-,,n.d.,n.d.")
    text += "5,Coahuila,5001,Abasolo,2700,n.d.,10,1.0,27,5.0,135\n"
    df = read_coneval_municipal(write_csv("coneval.csv", text))
    assert df["coneval_nd"].tolist() == [False, True, False]
    nd = df.iloc[1]
    assert nd[["pop_coneval", "poverty_pct", "poverty_people", "extreme_poverty_pct", "deprivation_health_pct"]].isna().all()
    partial = df.iloc[2]
    assert math.isnan(partial["poverty_pct"]) and partial["poverty_people"] == 10 and partial["extreme_poverty_pct"] == 1.0


def test_coneval_nd_means_no_estimate_at_all(write_csv):
    # A '-' percentage beside a count of people is a partial estimate, not "no estimate".
    text = CONEVAL_SHORT + "5,Coahuila,5001,Abasolo,2700,-,10,-,,-,\n" + "5,Coahuila,5002,Acuña,,-,-,n.d.,,,\n"
    df = read_coneval_municipal(write_csv("coneval.csv", text)).set_index("cvegeo")
    assert df["coneval_nd"].to_dict() == {"01001": False, "04012": True, "05001": False, "05002": True}
    assert math.isnan(df.loc["05001", "poverty_pct"]) and df.loc["05001", "poverty_people"] == 10


def _concentrado(path, *, sheet="Concentrado municipal", header=True):
    """A workbook laid out like CONEVAL's concentrado: a notes sheet first, then titles
    (merged over the table), a merged indicator band, the header, data with n.d. cells and notes."""
    wb = openpyxl.Workbook()
    wb.active.title = "Notas"
    wb.active.append(["Medición de la pobreza municipal 2020"])
    wb.active.append(["Consulte la hoja de datos."])
    ws = wb.create_sheet(sheet)
    ws.append(["Consejo Nacional de Evaluación de la Política de Desarrollo Social"])
    ws.merge_cells("A1:K1")
    ws.append(["Indicadores de pobreza, porcentaje y número de personas, por municipio, 2020"])
    ws.merge_cells("A2:K2")
    ws.append([])
    ws.append([None] * 5 + ["Pobreza", None, "Pobreza extrema", None, "Carencia por acceso a los servicios de salud"])
    ws.merge_cells("F4:G4")
    ws.merge_cells("H4:I4")
    ws.merge_cells("J4:K4")
    lines = CONEVAL_SHORT.splitlines()
    if header:
        ws.append([c for c in lines[0].split(",")])
    ws.append([_as_spreadsheet_value(c) for c in lines[1].split(",")])
    ws.append([4, "Campeche", 4012, "Seybaplaya", "n.d.", "n.d.", "n.d.", "n.d.", "n.d.", "n.d.", "n.d."])
    ws.append([7, "Chiapas", 7125, "Honduras de la Sierra", 10000, "n.d.", "-", None, None, "n.d.", "n.d."])
    ws.append([])
    ws.append(["Fuente: estimaciones del CONEVAL con base en el Censo de Población y Vivienda 2020."])
    ws.append(["n.d.: no disponible."])
    wb.save(path)
    return path


def test_coneval_reads_the_concentrado_workbook_layout(tmp_path):
    path = _concentrado(tmp_path / "Concentrado_indicadores_de_pobreza_2020.xlsx")
    df = read_coneval_municipal(path)
    assert df["cvegeo"].tolist() == ["01001", "04012", "07125"]
    assert df[["poverty_pct", "poverty_people", "extreme_poverty_pct"]].iloc[0].tolist() == [23.7, 218414, 2.0]
    assert df["coneval_nd"].tolist() == [False, True, True]
    assert df.iloc[1:][["poverty_pct", "poverty_people", "deprivation_health_people"]].isna().all().all()
    assert df["pop_coneval"].iloc[2] == 10000  # a value beside n.d. cells is kept
    # naming the sheet gives the same frame
    pd.testing.assert_frame_equal(read_coneval_municipal(path, sheet="Concentrado municipal"), df)


def test_coneval_workbook_problems_name_the_sheet_and_its_row(tmp_path):
    path = _concentrado(tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Concentrado municipal"]["F6"] = "mucho"  # first data row: header on row 5
    wb.save(path)
    with pytest.raises(InputError) as info:
        read_coneval_municipal(path)
    [p] = info.value.problems
    assert (p.row, p.column, p.value) == (6, "pobreza", "mucho")
    assert p.file == f"{path} (sheet 'Concentrado municipal')"


def test_coneval_workbook_without_a_header_or_sheet_is_a_clear_error(tmp_path):
    path = _concentrado(tmp_path / "c.xlsx", header=False)
    with pytest.raises(InputError) as info:
        read_coneval_municipal(path)
    msg = str(info.value)
    assert "a header row with a code column (cvegeo or clave_municipio) and CONEVAL indicator columns" in msg
    assert "any of the sheets ['Notas', 'Concentrado municipal']" in msg
    with pytest.raises(InputError) as info:
        read_coneval_municipal(_concentrado(tmp_path / "d.xlsx"), sheet="Datos")
    assert info.value.problems[0].value == "Datos"
    assert "one of the workbook's sheets ['Notas', 'Concentrado municipal']" in str(info.value)
    with pytest.raises(InputError) as info:
        read_coneval_municipal(_concentrado(tmp_path / "e.xlsx"), sheet="Notas")
    assert "in sheet 'Notas'" in str(info.value)


# --- Boundaries ------------------------------------------------------------------

def _squares(codes, crs="EPSG:4326"):
    """One 0.1-degree square per code, laid out in rows over central Mexico."""
    geoms = [box(-105 + (i % 100) * 0.1, 18 + (i // 100) * 0.1, -105 + (i % 100) * 0.1 + 0.09,
                 18 + (i // 100) * 0.1 + 0.09) for i in range(len(codes))]
    gdf = gpd.GeoDataFrame({"CVEGEO": list(codes), "NOMGEO": [f"Municipio {c}" for c in codes]},
                           geometry=geoms, crs="EPSG:4326")
    return gdf.to_crs(crs)


@pytest.mark.parametrize("suffix,driver,crs", [
    (".geojson", "GeoJSON", "EPSG:6372"),
    (".gpkg", "GPKG", "EPSG:6372"),
    (".gpkg", "GPKG", "EPSG:6365"),  # INEGI's own tag for the Marco Geoestadístico
    (".fgb", "FlatGeobuf", "EPSG:4326"),
])
def test_read_boundaries_reprojects_to_4326(tmp_path, suffix, driver, crs):
    src = _squares(["02004", "01001", "23005"])
    path = tmp_path / f"municipios{suffix}"
    src.to_crs(crs).to_file(path, driver=driver)
    gdf = read_boundaries(path)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.columns.tolist() == ["cvegeo", "cve_ent", "cve_mun", "name", "geometry"]
    assert gdf["cvegeo"].tolist() == ["01001", "02004", "23005"]  # sorted by code
    assert gdf["cve_mun"].tolist() == ["001", "004", "005"]
    assert gdf["name"].tolist() == ["Municipio 01001", "Municipio 02004", "Municipio 23005"]
    expected = src.set_index("CVEGEO").loc[gdf["cvegeo"]].geometry.values
    assert np.allclose(gdf.geometry.bounds.to_numpy(), gpd.GeoSeries(expected).bounds.to_numpy(), atol=1e-6)


def test_read_boundaries_reads_geoparquet_with_codes_in_index(tmp_path):
    src = _squares(["01001", "01002"]).rename(columns={"CVEGEO": "cvegeo"}).set_index("cvegeo")
    src.to_parquet(tmp_path / "m.parquet")
    assert read_boundaries(tmp_path / "m.parquet")["cvegeo"].tolist() == ["01001", "01002"]


NEW_SINCE_2020 = ["02007", "04013", "12082", "12083", "12084", "12085"]


def test_read_marco_geoestadistico_selects_2020_vintage(tmp_path):
    codes = sorted(geography.municipal_codes() + NEW_SINCE_2020)
    assert len(codes) == 2475
    path = tmp_path / "mg_2023.gpkg"
    _squares(codes, crs="EPSG:6372").to_file(path, layer="municipios", driver="GPKG")
    gdf = read_marco_geoestadistico(path)
    assert len(gdf) == 2469
    assert gdf["cvegeo"].tolist() == geography.municipal_codes()
    assert gdf.attrs["not_in_vintage"] == NEW_SINCE_2020
    assert gdf.attrs["missing"] == []
    assert gdf.crs.to_epsg() == 4326


def test_read_marco_geoestadistico_reports_missing_vintage_codes(tmp_path):
    path = tmp_path / "mg.gpkg"
    _squares(["01001", "01002", "02007"]).to_file(path, driver="GPKG")
    gdf = read_marco_geoestadistico(path, vintage_codes=["01001", "01002", "01003"])
    assert gdf["cvegeo"].tolist() == ["01001", "01002"]
    assert gdf.attrs["not_in_vintage"] == ["02007"]
    assert gdf.attrs["missing"] == ["01003"]


# --- Agencies --------------------------------------------------------------------

def test_embedded_offices_are_read_and_placed():
    off = load("offices")
    assert len(off) == 79
    assert off["office_id"].iloc[0] == "o0002"  # ids carry the file line
    assert set(off["placed"]) <= {"coordinates", "locality", "state", "none"}
    placed = off[off["placed"] == "locality"]
    assert placed["cvegeo"].str.fullmatch(r"\d{5}").all()
    assert (placed["cvegeo"].str[:2] == placed["cve_ent"]).all()
    states_only = off[off["placed"] == "state"]
    assert states_only["cvegeo"].isna().all() and states_only["cve_ent"].notna().all()


def test_embedded_initiatives_are_read():
    ini = load("initiatives")
    assert len(ini) == 159
    assert ini["year"].between(1990, 2035).all()
    tapachula = ini[ini["cvegeos"].map(lambda g: "07089" in g)]
    assert len(tapachula) >= 1 and all("07" in e for e in tapachula["cve_ents"])


def test_offices_xlsx_reads_like_csv(tmp_path):
    csv_path = DATA_DIR / "offices.csv"
    raw = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    wb = openpyxl.Workbook()
    wb.active.append(list(raw.columns))
    for row in raw.itertuples(index=False):
        wb.active.append([int(v) if k == "year_reported" and v else v for k, v in zip(raw.columns, row)])
    wb.save(tmp_path / "offices.xlsx")
    from_xlsx = read_offices(tmp_path / "offices.xlsx")
    from_csv = read_offices(csv_path)
    pd.testing.assert_frame_equal(pd.DataFrame(from_xlsx.drop(columns="geometry")),
                                  pd.DataFrame(from_csv.drop(columns="geometry")))
    assert from_xlsx.geometry.equals(from_csv.geometry)


def test_offices_with_coordinates_are_placed_there(write_csv):
    path = write_csv("offices.csv", "agency,city,state,lat,lon\nUNHCR,Tapachula,Chiapas,14.9067,-92.2631\n"
                                    "UNICEF,Tapachula,Chiapas,,\n")
    off = read_offices(path)
    assert off["placed"].tolist() == ["coordinates", "locality"]
    assert (off.geometry.x.iloc[0], off.geometry.y.iloc[0]) == (-92.2631, 14.9067)
    assert off["cvegeo"].tolist() == ["07089", "07089"]


# --- The full-size files reproduce the embedded data --------------------------------

@pytest.mark.parametrize("name,reader,file", [
    ("census_municipal", read_census_municipal, "census/census2020_municipal.csv"),
    ("coneval_municipal", read_coneval_municipal, "poverty/coneval_pobreza_municipal_2020.csv"),
    ("denue_care", read_denue, "care/denue_cuidados.csv"),
    ("localities", read_census_localities, "census/iter2020_localidades.csv.gz"),
])
def test_full_size_files_give_the_embedded_data(shared_data, name, reader, file):
    got = reader(shared_data / file)
    embedded = load(name)
    cols = [c for c in embedded.columns if c in got.columns and c != "geometry"]
    assert len(cols) >= len(embedded.columns) - 2  # census: pop_65_plus comes from another file
    pd.testing.assert_frame_equal(pd.DataFrame(got[cols]).fillna(np.nan), pd.DataFrame(embedded[cols]).fillna(np.nan),
                                  check_dtype=False)
    if "geometry" in embedded:  # points, embedded at a precision of 1e-6 degrees
        np.testing.assert_allclose(got.geometry.x, embedded.geometry.x, atol=1e-6)
        np.testing.assert_allclose(got.geometry.y, embedded.geometry.y, atol=1e-6)


def test_full_size_census_population(shared_data):
    assert read_census_municipal(shared_data / "census/census2020_municipal.csv")["pop_total"].sum() == 126_014_024


def test_full_size_marco_geoestadistico(shared_data):
    gdf = read_marco_geoestadistico(shared_data / "boundaries/municipios_mg_current_full.gpkg", layer="municipios")
    assert len(gdf) == 2469
    assert gdf["cvegeo"].tolist() == geography.municipal_codes()
    assert gdf.attrs["not_in_vintage"] == NEW_SINCE_2020
    assert gdf.attrs["missing"] == []
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()


# --- Decimal and thousands marks, per column then per file (issue 17) ----------------------

def _checker(delimiter: str, **columns: list[str]):
    from brecha._validate import Checker

    df = pd.DataFrame(columns, dtype=object)
    df["_line"] = range(2, 2 + len(df))
    df.attrs["delimiter"] = delimiter
    return Checker(df, "f.csv")


@pytest.mark.parametrize("delimiter,cells,lo,hi,want", [
    (";", ["1.234,5", "218.414,0", "1.234.567"], 0, 2e7, [1234.5, 218414.0, 1234567.0]),  # Spanish marks
    (",", ["1,234.5", "218,414.0", "1,234,567"], 0, 2e7, [1234.5, 218414.0, 1234567.0]),  # English marks
    (";", ["218.414", "1.234.567"], 0, 2e7, [218414.0, 1234567.0]),  # two groups: the points group thousands
    (",", ["948.000", "12.5"], 0, 2e7, [948.0, 12.5]),  # 12.5: the point is the decimal mark in this column
    (";", ["21.880"], 14.4, 32.8, [21.88]),  # 21,880 is no latitude: the range settles it
    (";", ["-102.296"], -118.5, -86.5, [-102.296]),
    (";", ["23,700"], 0, 100, [23.7]),  # 23,700 % is no percentage
    (",", ['948,990'], 0, 2e7, [948990.0]),  # a comma in a ',' file had to be quoted on purpose: thousands
])
def test_decimal_marks_are_read_per_column(delimiter, cells, lo, hi, want):
    chk = _checker(delimiter, x=cells)
    assert chk.number("x", lo=lo, hi=hi).tolist() == want and chk.problems == []


def test_the_file_tells_the_decimal_mark_of_a_column_that_does_not():
    spanish = _checker(";", pct=["23,7", "10"], people=["218.414", "5"])
    assert spanish.number("people", lo=0, hi=2e7).tolist() == [218414.0, 5.0]
    english = _checker(";", pct=["23.7", "10"], people=["218.414", "5"])
    assert english.number("people", lo=0, hi=2e7).tolist() == [218.414, 5.0]
    unsure = _checker(";", pct=["23", "10"], people=["218.414", "5"])
    assert unsure.number("people", lo=0, hi=2e7).isna().tolist() == [True, False]
    assert [(p.row, p.column, p.value) for p in unsure.problems] == [(2, "people", "218.414")]
    assert "it could be 218.414, with a decimal point, or 218,414" in unsure.problems[0].expected


def test_an_ambiguous_whole_number_is_refused_not_read_as_a_decimal():
    chk = _checker(",", pobtot=["948.000"])
    assert chk.integer("pobtot", lo=0, hi=20_000_000).isna().all()
    assert [p.value for p in chk.problems] == ["948.000"] and "write 948000 or 948" in chk.problems[0].expected


def test_coneval_workbook_never_reads_a_hidden_sheet_unless_named(tmp_path):
    path = _concentrado(tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(path)
    old = wb.copy_worksheet(wb["Concentrado municipal"])  # last year's table, hidden before the current one
    old.title = "2015 (oculta)"
    old.cell(row=6, column=6).value = 99.9
    wb.move_sheet(old, offset=-2)
    old.sheet_state = "hidden"
    wb.active = wb.sheetnames.index("Concentrado municipal")
    wb.save(path)
    seen = read_coneval_municipal(path)
    assert 99.9 not in seen["poverty_pct"].tolist()
    assert 99.9 in read_coneval_municipal(path, sheet="2015 (oculta)")["poverty_pct"].tolist()


def test_coneval_state_workbook_skips_hidden_sheets_and_says_so(tmp_path):
    from brecha.errors import InputWarning
    from brecha.sources.coneval_state import read_coneval_state_workbook

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Pobreza"
    ws["A1"] = "Pobreza extrema por entidad federativa"
    ws.append(["Entidad federativa", "Porcentaje"])
    ws.append([None, 2018, 2020])
    ws.append(["Aguascalientes", 1.1, 2.2])
    old = wb.copy_worksheet(ws)
    old.title = "Anterior"
    old["C4"] = 9.9  # would clash with the visible sheet if it were read
    old.sheet_state = "hidden"
    wb.save(tmp_path / "s.xlsx")
    with pytest.warns(InputWarning, match=r"hidden sheet\(s\) \['Anterior'\] not read"):
        df = read_coneval_state_workbook(tmp_path / "s.xlsx")
    assert df.loc[(df.cve_ent == "01") & (df.year == 2020), "pct"].tolist() == [2.2]
