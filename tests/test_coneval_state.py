"""Reading CONEVAL's official state poverty figures (workbook and tidy CSV)."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from brecha import geography, poverty
from brecha.errors import InputError
from brecha.places import Gazetteer
from brecha.sources.coneval_state import (
    indicator_from_label,
    read_coneval_state,
    read_coneval_state_csv,
    read_coneval_state_workbook,
)

YEARS = [2016, 2018, 2020, 2022]


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    """States and municipalities only: the readers need no locality names (and indexing them is slow)."""
    no_localities = pd.DataFrame({"cvegeo": pd.Series(dtype=str), "name": pd.Series(dtype=str),
                                  "pop_total": pd.Series(dtype=float)})
    return Gazetteer(geography.municipalities(), geography.states(), no_localities)


def _per_state_sheet(wb: openpyxl.Workbook) -> None:
    """One state per sheet, indicators as rows (the anexo's 'Cuadro 4' layout)."""
    ws = wb.active
    ws.title = "Cuadro 4A"
    ws["A1"] = "Medición de la pobreza, Aguascalientes, 2016-2022"
    ws["A2"] = "Porcentaje, número de personas y carencias promedio por indicador de pobreza, 2016-2022"
    ws["A4"], ws["B4"], ws["F4"], ws["J4"] = "Indicadores", "Porcentaje", "Miles de personas", "Carencias promedio"
    ws.merge_cells("B4:E4")
    ws.merge_cells("F4:I4")
    ws.merge_cells("J4:M4")
    for j, y in enumerate(YEARS):
        ws.cell(5, 2 + j, y)
        ws.cell(5, 6 + j, str(y))
        ws.cell(5, 10 + j, y)
    ws["A6"] = "Pobreza"
    ws.append(["Población en situación de pobreza", 28.2, 26.2, 27.6, 24.6, 377.5, 360.5, 396.5, 360.1,
               2.0, 2.0, 2.1, 2.0])
    ws.append(["    Población en situación de pobreza extrema", 2.2, 1.1, 1.7, 1.2, 29.5, 15.3, 25.3, 17.5,
               3.5, 3.4, 3.6, 3.5])
    ws.append(["Indicadores de carencia social¹"])
    ws.append(["Carencia por acceso a la alimentación nutritiva y de calidad²", 15.0, 13.8, 18.1, 14.1,
               200.0, 190.0, 260.5, 206.0])
    ws.append(["Rezago educativo", "n.d.", 14.0, 15.7, 15.0, None, 190.0, 224.9, 220.0])
    ws.append([])
    ws.append(["Fuente: estimaciones del CONEVAL con base en la ENIGH 2016, 2018, 2020 y 2022."])


def _per_indicator_sheet(wb: openpyxl.Workbook, chiapas_2020: float = 30.5) -> None:
    """One indicator per sheet, states as rows, people in millions."""
    ws = wb.create_sheet("Pobreza extrema")
    ws["A1"] = "Porcentaje de la población en situación de pobreza extrema según entidad federativa, 2016-2022"
    ws.append([])
    ws.append(["Entidad federativa", "Porcentaje", None, None, None, "Millones de personas"])
    ws.append([None, *YEARS, *YEARS])
    ws.append(["Estados Unidos Mexicanos", 7.2, 7.0, 8.5, 7.1, 8.9, 8.7, 10.8, 9.1])
    ws.append(["Aguascalientes", 2.2, 1.1, 1.7, 1.2, 0.0295, 0.0153, 0.0253, 0.0175])
    ws.append(["Chiapas", 28.1, 29.7, chiapas_2020, 28.2, 1.5, 1.6, 1.7, 1.6])
    ws.append(["Coahuila de Zaragoza", 1.6, 1.4, 2.0, 1.3, 0.05, 0.04, 0.06, 0.04])


@pytest.fixture
def workbook(tmp_path):
    wb = openpyxl.Workbook()
    _per_state_sheet(wb)
    _per_indicator_sheet(wb)
    path = tmp_path / "anexo.xlsx"
    wb.save(path)
    return path


def _value(df, ent, year, indicator, col):
    return df.set_index(["cve_ent", "year", "indicator"]).loc[(ent, year, indicator), col]


def test_workbook_both_layouts(workbook, gz):
    df = read_coneval_state_workbook(workbook, gazetteer=gz)
    assert list(df.columns) == ["cve_ent", "state", "year", "indicator", "pct", "people"]
    assert _value(df, "01", 2020, "poverty", "pct") == 27.6
    assert _value(df, "01", 2020, "poverty", "people") == 396_500  # thousands -> people
    assert _value(df, "01", 2022, "deprivation_food", "people") == 206_000
    assert _value(df, "00", 2020, "extreme_poverty", "people") == 10_800_000  # millions -> people
    assert _value(df, "07", 2020, "extreme_poverty", "pct") == 30.5
    assert _value(df, "05", 2016, "extreme_poverty", "people") == 50_000
    assert np.isnan(_value(df, "01", 2016, "deprivation_education", "pct"))  # "n.d." is missing
    assert set(df["year"]) == set(YEARS)
    # "Carencias promedio" (2.0, 3.5...) is not read as a percentage or a count.
    assert _value(df, "01", 2016, "extreme_poverty", "pct") == 2.2
    assert df.loc[df.cve_ent == "01", "state"].iloc[0] == "Aguascalientes"
    assert read_coneval_state(workbook, gazetteer=gz).equals(df)


def test_sheets_that_disagree_are_reported(tmp_path, gz):
    wb = openpyxl.Workbook()
    _per_state_sheet(wb)
    ws = wb.create_sheet("Otra")  # a second per-indicator sheet giving Aguascalientes 2020 another value
    ws["A1"] = "Pobreza extrema por entidad federativa"
    ws.append(["Entidad federativa", "Porcentaje"])
    ws.append([None, 2018, 2020])
    ws.append(["Aguascalientes", 1.1, 9.9])
    path = tmp_path / "clash.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="01 2020 extreme_poverty"):
        read_coneval_state_workbook(path, gazetteer=gz)


def test_workbook_without_a_table_is_an_input_error(tmp_path, gz):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Nada que ver"
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="row of years"):
        read_coneval_state_workbook(path, gazetteer=gz)
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="readable"):
        read_coneval_state_workbook(bad, gazetteer=gz)


def test_tidy_csv(write_csv, gz):
    path = write_csv("state.csv", "state,year,indicator,percentage,people\n"
                                  "Aguascalientes,2020,poverty,27.6,396500\n"
                                  "Chis.,2020,Población en situación de pobreza extrema,30.5,1700000\n"
                                  "Estados Unidos Mexicanos,2020,poverty,43.9,55700000\n"
                                  "CDMX,2020,rezago educativo,,\n")
    df = read_coneval_state(path, gazetteer=gz)
    assert _value(df, "01", 2020, "poverty", "people") == 396_500
    assert _value(df, "07", 2020, "extreme_poverty", "pct") == 30.5
    assert _value(df, "00", 2020, "poverty", "pct") == 43.9
    assert np.isnan(_value(df, "09", 2020, "deprivation_education", "pct"))


@pytest.mark.parametrize("marker", ["n.d.", "N.D.", "-", "–"])
def test_tidy_csv_reads_coneval_not_available_markers_as_missing(write_csv, gz, marker):
    # The markers the municipal reader accepts (brecha.sources.poverty.NOT_AVAILABLE), not bad cells.
    path = write_csv("state.csv", "state,year,indicator,percentage,people\n"
                                  f"Aguascalientes,2020,poverty,{marker},396500\n"
                                  f"Chiapas,2020,poverty,67.4,{marker}\n")
    df = read_coneval_state(path, gazetteer=gz)
    assert np.isnan(_value(df, "01", 2020, "poverty", "pct")) and _value(df, "01", 2020, "poverty", "people") == 396_500
    assert _value(df, "07", 2020, "poverty", "pct") == 67.4 and np.isnan(_value(df, "07", 2020, "poverty", "people"))


def test_tidy_csv_reports_every_problem(write_csv, gz):
    path = write_csv("bad.csv", "cve_ent,year,indicator,pct\n"
                                "1,2020,poverty,27.6\n"
                                "99,2020,poverty,30\n"
                                "02,2020,happiness,30\n"
                                "03,20x0,poverty,130\n")
    with pytest.raises(InputError) as err:
        read_coneval_state_csv(path, gazetteer=gz)
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(3, "cve_ent"), (4, "indicator"), (5, "year"), (5, "pct")}


def test_indicator_labels():
    assert indicator_from_label("Población con ingreso inferior a la línea de pobreza extrema por ingresos") \
        == "income_below_lpei"
    assert indicator_from_label("Población con ingreso inferior a la línea de pobreza por ingresos") \
        == "income_below_lpi"
    assert indicator_from_label("Población vulnerable por carencias sociales") == "vulnerable_deprivation"
    assert indicator_from_label("Población no pobre y no vulnerable") == "not_poor_not_vulnerable"
    assert indicator_from_label("Carencia por calidad y espacios de la vivienda") == "deprivation_housing_quality"
    assert indicator_from_label("Fuente: estimaciones del CONEVAL") is None


def test_official_workbook_feeds_state_poverty(workbook, gz):
    official = read_coneval_state(workbook, gazetteer=gz)
    coneval = pd.DataFrame({"cvegeo": ["01001"], "pop_coneval": [100.0], "poverty_pct": [50.0],
                            "poverty_people": [50.0], "extreme_poverty_pct": [5.0],
                            "extreme_poverty_people": [5.0]})
    st = poverty.state_poverty(coneval, official=official, indicators=["poverty", "extreme_poverty"])
    st = st.set_index("cve_ent")
    assert st.loc["01", "poverty_pct"] == 27.6 and st.loc["01", "poverty_pct_agg_from_municipal"] == 50.0
    assert st.loc["07", "extreme_poverty_source"] == "official"
    assert "00" not in st.index
