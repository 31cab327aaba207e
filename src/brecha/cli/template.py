"""``brecha template offices|initiatives --out DIR``: empty files to fill in, with the columns explained.

Writes ``<kind>.csv`` (the header only), ``<kind>.xlsx`` (the header on a
first sheet whose cells are text, so codes keep their zeros, and a second
sheet ``columns``/``columnas`` explaining each column with an example) and
``<kind>_columns.csv`` (the same explanations, for CSV users). No example
row is written into the data itself: a forgotten example would be read as
data. ``--lang es`` writes Spanish headers, which brecha reads as well.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

#: kind -> rows of (column, Spanish header, required, meaning in English, meaning in Spanish, example).
COLUMNS: dict[str, list[tuple[str, str, bool, str, str, str]]] = {
    "offices": [
        ("agency", "agencia", True,
         "Agency acronym or name (UNHCR, ACNUR, UN Women...); partners in brackets are dropped",
         "Siglas o nombre de la agencia (ACNUR, UNHCR, ONU Mujeres...); socios entre paréntesis se ignoran", "UNHCR"),
        ("city", "ciudad", True, "City or municipality as written (may be empty when only the state is known)",
         "Ciudad o municipio como se escribe (vacío si solo se conoce el estado)", "Tapachula"),
        ("state", "estado", True,
         "State name, short form or abbreviation (never a placeholder such as 'Estado' or 'N/A')",
         "Nombre del estado, forma corta o abreviatura (nunca 'Estado' ni 'N/A')", "Chiapas"),
        ("lat", "latitud", False, "Latitude in decimal degrees (WGS84), with lon or not at all",
         "Latitud en grados decimales (WGS84), junto con la longitud o ninguna", "14.9067"),
        ("lon", "longitud", False, "Longitude in decimal degrees (negative in Mexico)",
         "Longitud en grados decimales (negativa en México)", "-92.2631"),
        ("office_type", "tipo_oficina", False, "Kind of office (field office, country office...)",
         "Tipo de oficina (oficina de campo, oficina de país...)", "field office"),
        ("status", "estatus", False, "existing, planned, expanding, renovated or closed (existente, planeada, "
         "en expansión, renovada, cerrada); empty means existing",
         "existente, planeada, en expansión, renovada o cerrada; vacío es existente", "existing"),
        ("year_reported", "año", False, "Year of the report that lists the office (1990-2035)",
         "Año del informe que menciona la oficina (1990-2035)", "2023"),
        ("complete_list", "lista_completa", False, "yes when this file lists every office of the agency that year "
         "(absence then means no office); else no",
         "sí cuando el archivo lista todas las oficinas de la agencia ese año (la ausencia confirma que no hay); "
         "si no, no", "no"),
        ("source_file", "archivo_fuente", False, "Document the row comes from", "Documento de donde sale la fila",
         "informe_2023.pdf"),
        ("source_quote", "cita", False, "Short verbatim quote supporting the row", "Cita textual breve que la respalda",
         "UNHCR office in Tapachula"),
    ],
    "initiatives": [
        ("initiative", "iniciativa", True, "Name of the initiative", "Nombre de la iniciativa",
         "Child-friendly spaces"),
        ("agencies", "agencias", True, "Agencies, separated by ';'", "Agencias, separadas por ';'", "UNICEF;UNHCR"),
        ("year", "año", True, "Year (1990-2035)", "Año (1990-2035)", "2023"),
        ("theme", "tema", True, "Themes, separated by ';' (may be empty)", "Temas, separados por ';' (puede ir vacío)",
         "protection"),
        ("states", "estados", True, "States named, separated by ';' (empty when none is named)",
         "Estados nombrados, separados por ';' (vacío si no se nombra ninguno)", "Chiapas"),
        ("municipalities", "municipios", True, "Municipalities as 'Municipality, State', separated by ';'",
         "Municipios como 'Municipio, Estado', separados por ';'", "Tapachula, Chiapas"),
        ("scope_level", "alcance", False, "national, state, municipality, city or region (';' for several): "
         "a sub-national scope with no place named is counted as 'places not named', never national",
         "national, state, municipality, city o region: un alcance subnacional sin lugares nombrados cuenta como "
         "'lugares no nombrados', nunca nacional", "municipality"),
        ("beneficiaries_or_figure", "beneficiarios", False, "The figure as the report gives it; counts of people "
         "('9,378 children') become people_reached, other figures are kept as text",
         "La cifra como la da el informe; los conteos de personas ('9,378 niñas y niños') se leen como personas "
         "alcanzadas, las demás cifras quedan como texto", "9,378 children"),
        ("source_file", "archivo_fuente", False, "Document the row comes from", "Documento de donde sale la fila",
         "informe_2023.pdf"),
        ("source_quote", "cita", False, "Short verbatim quote supporting the row", "Cita textual breve que la respalda",
         "child-friendly spaces in Tapachula"),
    ],
}


def write_template(kind: str, out: Path, lang: str = "en") -> list[Path]:
    """Write the CSV, XLSX and column-notes files for ``kind`` into ``out``; returns their paths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .._io import atomic_path

    cols = COLUMNS[kind]
    es = lang == "es"
    header = [c[1] if es else c[0] for c in cols]
    notes_head = (["columna", "obligatoria", "significado", "ejemplo"] if es
                  else ["column", "required", "meaning", "example"])
    notes = [[c[1] if es else c[0], ("sí" if es else "yes") if c[2] else "no", c[4] if es else c[3], c[5]]
             for c in cols]
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{kind}.csv", out / f"{kind}.xlsx", out / f"{kind}_columns.csv"]
    with atomic_path(paths[0]) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(header)
    with atomic_path(paths[2]) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(notes_head)
        w.writerows(notes)
    wb = Workbook()
    data = wb.active
    data.title = {"offices": "oficinas", "initiatives": "iniciativas"}[kind] if es else kind
    data.append(header)
    for j, _ in enumerate(header, start=1):
        data.cell(row=1, column=j).font = Font(bold=True)
        # Text format for the whole column: codes and years typed later keep their zeros.
        data.column_dimensions[data.cell(row=1, column=j).column_letter].number_format = "@"
        for i in range(2, 502):
            data.cell(row=i, column=j).number_format = "@"
    data.freeze_panes = "A2"
    sheet = wb.create_sheet("columnas" if es else "columns")
    sheet.append(notes_head)
    for row in notes:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    wb.active = 0
    with atomic_path(paths[1]) as tmp:
        wb.save(tmp)
    return paths


@click.command("template")
@click.argument("kind", type=click.Choice(sorted(COLUMNS)))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the template files into (created if missing).")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True,
              help="Language of the headers and explanations (brecha reads both).")
def command(kind: str, out_dir: Path, lang: str) -> None:
    """Write an empty offices or initiatives file (CSV and XLSX) with the columns explained."""
    try:
        paths = write_template(kind, out_dir, lang)
    except OSError as exc:
        click.echo(f"error: cannot write the template into {out_dir}: {exc}", err=True)
        sys.exit(2)
    for p in paths:
        click.echo(f"wrote {p}")
    click.echo(f"fill in {paths[0].name} or {paths[1].name}, check it with `brecha validate {kind} FILE`, then "
               f"`brecha build --add-{kind} FILE` (adds to the embedded data) or `--{kind} FILE` (replaces it)")
