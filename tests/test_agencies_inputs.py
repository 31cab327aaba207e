"""A planner's own offices and initiatives: Spanish headers and values, workbooks, templates, adding rows."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from brecha.cli import cli
from brecha.errors import InputError
from brecha.settings import DATA_DIR
from brecha.sources._additions import add_rows
from brecha.sources.agencies import read_initiatives, read_offices

SPANISH = ("agencia,ciudad,estado,estatus,año,tipo_oficina\n"
           "ACNUR,Tapachula,Chiapas,existente,2024,oficina de campo\n"
           "ONU Mujeres,Oaxaca de Juárez,Oaxaca,planeada,2024,oficina\n"
           "UNICEF,,Sonora,En expansión,2024,oficina de campo\n"
           "OIM,Tijuana,Baja California,Renovada,2024,oficina\n")


def test_spanish_headers_and_status_values_are_read(write_csv):
    off = read_offices(write_csv("oficinas.csv", SPANISH))
    assert off["agency"].tolist() == ["UNHCR", "UN Women", "UNICEF", "IOM"]
    assert off["status"].tolist() == ["existing", "planned", "expanding", "renovated"]
    assert off["year_reported"].tolist() == [2024] * 4
    assert off["cvegeo"].tolist()[:2] == ["07089", "20067"] and off["precision"].iloc[2] == "state"


def test_cli_validate_accepts_the_spanish_file(write_csv):
    path = write_csv("oficinas.csv", SPANISH)
    res = CliRunner().invoke(cli, ["validate", "offices", str(path)])
    assert res.exit_code == 0, res.output
    assert "4 offices read as offices" in res.output


def test_a_bad_status_names_the_spanish_words(write_csv):
    with pytest.raises(InputError) as info:
        read_offices(write_csv("o.csv", "agencia,ciudad,estado,estatus\nACNUR,Tapachula,Chiapas,quizás\n"))
    [p] = info.value.problems
    assert (p.row, p.column, p.value) == (2, "status", "quizás") and "existente" in p.expected


def test_a_column_given_in_both_languages_is_a_problem(write_csv):
    with pytest.raises(InputError) as info:
        read_offices(write_csv("o.csv", "agency,city,state,estado\nUNHCR,Tapachula,Chiapas,Chiapas\n"))
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "estado")]


def test_spanish_initiatives(write_csv):
    ini = read_initiatives(write_csv("ini.csv", "iniciativa,agencias,año,tema,estados,municipios,beneficiarios\n"
                                                "Espacios seguros,UNICEF;ACNUR,2024,protección,,"
                                                "\"Tapachula, Chiapas\",\"1,200 children\"\n"))
    assert ini["agencies"].tolist() == [["UNHCR", "UNICEF"]] and ini["cvegeos"].tolist() == [["07089"]]
    assert (ini["people_reached"].item(), ini["figure_unit"].item()) == (1200.0, "children")


def _workbook(path, sheets: dict[str, list[list[str]]], active: int = 0):
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.active = active
    wb.save(path)
    return path


def test_a_workbook_sheet_is_chosen_by_name(tmp_path):
    path = _workbook(tmp_path / "o.xlsx", {
        "notas": [["Oficinas 2024"], ["nada aquí"]],
        "oficinas": [["Oficinas de campo 2024"], ["agencia", "ciudad", "estado"], ["ACNUR", "Tapachula", "Chiapas"]],
    })
    with pytest.warns(Warning, match="title row"):
        off = read_offices(path, sheet="oficinas")
    assert off["cvegeo"].tolist() == ["07089"]
    res = CliRunner().invoke(cli, ["validate", "offices", str(path), "--sheet", "oficinas"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["validate", "offices", str(path), "--sheet", "nope"])
    assert res.exit_code == 2 and "nope" in res.output


@pytest.mark.parametrize("kind, lang", [("offices", "en"), ("offices", "es"), ("initiatives", "es")])
def test_template_is_explained_and_reads_back_once_filled(tmp_path, kind, lang):
    res = CliRunner().invoke(cli, ["template", kind, "--out", str(tmp_path), "--lang", lang])
    assert res.exit_code == 0, res.output
    wb = load_workbook(tmp_path / f"{kind}.xlsx")
    data, notes = wb.worksheets
    assert notes.title == ("columnas" if lang == "es" else "columns")
    header = [c.value for c in data[1]]
    assert [r[0] for r in notes.iter_rows(min_row=2, values_only=True)] == header
    assert all(c.number_format == "@" for c in data[2]) and data.freeze_panes == "A2"
    assert (tmp_path / f"{kind}.csv").read_text(encoding="utf-8").strip() == ",".join(header)
    # Filled with the examples the notes give, the template reads back.
    examples = [r[3] for r in notes.iter_rows(min_row=2, values_only=True)]
    data.append(examples)
    wb.save(tmp_path / "filled.xlsx")
    reader = read_offices if kind == "offices" else read_initiatives
    frame = reader(tmp_path / "filled.xlsx")
    assert len(frame) == 1
    if kind == "offices":
        assert frame["cvegeo"].item() == "07089" and frame["precision"].item() == "point"


def test_added_offices_get_ids_that_cannot_collide(write_csv):
    base = read_offices(DATA_DIR / "offices.csv")
    add1 = write_csv("a.csv", SPANISH)
    add2 = write_csv("b.csv", "agency,city,state,year_reported\nUNHCR,Tapachula,Chiapas,2025\n")
    out = add_rows("offices", base, [add1, add2])
    assert len(out) == len(base) + 5 and out["office_id"].is_unique
    assert out["office_id"].tolist()[-5:] == ["a1_o0002", "a1_o0003", "a1_o0004", "a1_o0005", "a2_o0002"]
    assert out["site_id"].notna().all()


def test_an_added_row_repeating_an_embedded_one_is_refused(write_csv):
    base = read_offices(DATA_DIR / "offices.csv")
    dup = write_csv("dup.csv", "agency,city,state,office_type,year_reported\nRCO,Miguel Hidalgo,Ciudad de México,"
                               "country office (Resident Coordinator's Office),2020\n")
    with pytest.raises(InputError) as info:
        add_rows("offices", base, [dup])
    [p] = info.value.problems
    assert p.file.endswith("dup.csv") and p.row == 2 and "repeats o0037" in p.expected


def test_build_sources_add_and_record_the_files(write_csv):
    from brecha.pipeline._fingerprint import Sources

    add = write_csv("a.csv", SPANISH)
    src = Sources({"add_offices": [add]})
    frame = src.frame("offices")
    assert len(frame) == 79 + 4 and frame["office_id"].iloc[-1] == "a1_o0005"
    rec = src.record("offices")
    assert rec["file"] == "offices.csv" and [a["file"] for a in rec["added"]] == [str(add.resolve())]
    assert len(rec["added"][0]["sha256"]) == 64
    with pytest.raises(InputError):
        Sources({"add_offices": [add.parent / "missing.csv"]})
