"""``brecha profile PLACE``: a printable profile that shows the layer's figures as they are."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from brecha import geography
from brecha.cli import main
from brecha.presence import presence_by_area
from brecha.sources import initiative_places, load

PRESENCE = ["initiatives", "initiatives_state_scope", "agencies", "offices", "offices_planned", "people_reached",
            "presence_evidence", "office_evidence"]
HOSTILE = "<img src=x onerror=window.__xss=1>"


def run(args: list[str], capsys) -> tuple[object, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    """A build folder as ``brecha build`` leaves it: layers (real presence columns, marked need figures),
    manifest and a DuckDB store holding the initiatives and offices read."""
    d = tmp_path_factory.mktemp("build")
    (d / "layers").mkdir()
    ini = load("initiatives")
    ini.loc[ini["initiative"].str.contains("Tapachula Working Group"), "initiative"] = HOSTILE
    places, off = initiative_places(ini), load("offices")
    munis = pd.DataFrame(geography.municipalities().drop(columns="geometry"))
    pm = presence_by_area(places, off, level="municipality", boundaries=munis, initiatives=ini)
    layer = munis.merge(pm[["cvegeo", *PRESENCE]], on="cvegeo")
    n = len(layer)
    layer["pop_total"] = 100_000.0
    layer["poverty_people"] = 209_226.0 + np.arange(n)  # marked values: the profile must show them as they are
    layer["poverty_pct"] = 92.5
    layer["gap_rank"] = pd.array(np.arange(1, n + 1), dtype="Int64")
    layer.loc[layer["cvegeo"] == "07059", "gap_rank"] = 2
    layer["gap_class"] = "gap"
    layer["gap_drivers"] = '[["care_unmet", 43803.9], ["poverty_people", 209226.0]]'
    layer.loc[layer["cvegeo"] == "07089", "initiatives"] = 99  # a layer that disagrees with the list
    layer.to_parquet(d / "layers" / "municipalities.parquet")
    ps = presence_by_area(places, off, level="state", initiatives=ini)
    states = pd.DataFrame(geography.states().drop(columns="geometry")).merge(
        ps[["cve_ent", *PRESENCE]], on="cve_ent")
    states["gap_rank"] = pd.array(np.arange(1, 33), dtype="Int64")
    states["fair_share_gap"], states["share_poor"] = 0.0412, 0.08
    states.to_parquet(d / "layers" / "states.parquet")
    (d / "manifest.json").write_text(json.dumps({"built_at": "2026-01-02T03:04:05Z", "layers": {
        "municipalities": {"params": {"radius_km": 100}}}}), encoding="utf-8")
    with duckdb.connect(str(d / "brecha.duckdb")) as con:
        for name, frame in (("initiatives", ini), ("initiative_places", places),
                            ("offices", pd.DataFrame(off).drop(columns="geometry"))):
            con.register("f", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM f")
            con.unregister("f")
        con.execute("CREATE TABLE _sources AS SELECT 'offices' AS source, 'my_offices.csv' AS file, "
                    "'abc123' AS sha256, '2024' AS vintage")
    return d


def test_ocosingo_profile_from_a_build_shows_the_layers_figures(build_dir, tmp_path, capsys):
    out = tmp_path / "o.html"
    code, stdout, _ = run(["profile", "Ocosingo", "--from", str(build_dir), "--out", str(out)], capsys)
    assert code == 0 and "Ocosingo, Chiapas" in stdout
    html = out.read_text(encoding="utf-8")
    assert "<h1>Ocosingo, Chiapas</h1>" in html and "07059" in html
    # how the place was matched, in words (not the resolver's code "municipality_name")
    assert "«Ocosingo» (por el nombre del municipio)" in html and "municipality_name" not in html
    ocosingo = pd.read_parquet(build_dir / "layers" / "municipalities.parquet").set_index("cvegeo").loc["07059"]
    assert f"{ocosingo['poverty_people']:,.0f} personas" in html  # as the layer has it, not recomputed
    assert "#2</span> 2 de 2469 lugares" in html
    # gap_drivers rendered by brecha.gap.describe_drivers, evidence in words
    assert "muchas personas en pobreza (209,226)" in html
    assert "solo el estado: se nombra su estado, no el municipio" in html
    # state-scope initiatives listed apart and not counted here; the build's own source vintage
    assert f"Reportadas para el estado, lugar no nombrado ({ocosingo['initiatives_state_scope']})" in html
    assert "my_offices.csv" in html and "<b>2024</b>" in html and "2026-01-02T03:04:05Z" in html
    assert "<script" not in html and "http" not in html.split("<footer>")[0]  # loads nothing


def test_state_only_profile_says_what_is_missing_not_low_presence(build_dir, tmp_path, capsys):
    import shutil

    d = tmp_path / "build"
    shutil.copytree(build_dir, d)
    layer = pd.read_parquet(d / "layers" / "municipalities.parquet")
    # As the real build has it: Ocosingo's state is named, the place never; presence class 1 is not measured.
    layer["presence_class"] = pd.array([1] * len(layer), dtype="Int64")
    layer.loc[layer["cvegeo"] == "07059", "gap_class"] = "state_only"
    layer.to_parquet(d / "layers" / "municipalities.parquet")
    assert layer.set_index("cvegeo").loc["07059", "presence_evidence"] == "state_only"
    for lang, cls, pres, low in (("es", "solo el estado: necesidad alta; los reportes nombran solo el estado",
                                  "Clase de presencia: <b>solo el estado</b>", "Clase de presencia: <b>baja"),
                                 ("en", "state only: high need; reports name only the state",
                                  "Presence class: <b>state only</b>", "Presence class: <b>low")):
        out = tmp_path / f"o_{lang}.html"
        code, _, _ = run(["profile", "Ocosingo", "--from", str(d), "--out", str(out), "--lang", lang], capsys)
        html = out.read_text(encoding="utf-8")
        assert code == 0 and cls in html and pres in html and low not in html
    # A place the reports name keeps its measured class word.
    from brecha._profile_html import _display

    assert _display("presence_class", 1, "es", {"presence_evidence": "reported"}) == "baja"
    assert _display("presence_class", 1, "en", {"presence_evidence": "no_report"}) == "no report"


def test_quotes_precision_and_offices_of_tapachula(build_dir, tmp_path, capsys):
    out = tmp_path / "t.html"
    assert run(["profile", "Tapachula", "--from", str(build_dir), "--out", str(out)], capsys)[0] == 0
    html = out.read_text(encoding="utf-8")
    assert "Precisión: municipio" in html and "<q>" in html
    assert "Oficinas nombradas aquí (7 sitios)" in html  # sites, planned one included and marked
    assert "planeada (no cuenta como presencia)" in html
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in html and HOSTILE not in html
    # The layer says 99, the list has 12: the profile shows the layer's and says they differ.
    assert re.search(r"Iniciativas nombradas aquí</td><td[^>]*>99<", html)
    assert "la lista tiene 12 iniciativas y la capa cuenta 99" in html


def test_english_and_a_state_profile(build_dir, tmp_path, capsys):
    out = tmp_path / "chis.html"
    assert run(["profile", "Chiapas", "--from", str(build_dir), "--out", str(out), "--lang", "en"], capsys)[0] == 0
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "State profile" in html and "Fair share" in html
    assert "(percentage points)</td><td>4.1<" in html  # fair_share_gap 0.0412: a difference of shares
    assert "municipalities with the highest gap score" in html and "Necesidad" not in html


def test_an_ambiguous_place_exits_2_with_its_candidates(build_dir, tmp_path, capsys):
    out = tmp_path / "j.html"
    code, _, err = run(["profile", "Juchitán", "--from", str(build_dir), "--out", str(out)], capsys)
    assert code == 2 and "12080" in err and "20043" in err and not out.exists()
    code, _, err = run(["profile", "Zzyzx Qwerty", "--from", str(build_dir), "--out", str(out)], capsys)
    assert code == 2 and not out.exists()


def test_refuses_to_overwrite_and_names_a_bad_build(build_dir, tmp_path, capsys):
    out = tmp_path / "o.html"
    out.write_text("mine", encoding="utf-8")
    code, _, err = run(["profile", "Ocosingo", "--from", str(build_dir), "--out", str(out)], capsys)
    assert code == 2 and "--force" in err and out.read_text(encoding="utf-8") == "mine"
    code, _, err = run(["profile", "Ocosingo", "--from", str(tmp_path), "--out", str(tmp_path / "n.html")], capsys)
    assert code == 2 and "layers/municipalities.parquet" in err


def test_pdf_without_chromium_exits_2(build_dir, tmp_path, capsys, monkeypatch):
    from brecha.cli import profile as cli_profile

    monkeypatch.setattr(cli_profile, "find_chromium", lambda: None)
    code, _, err = run(["profile", "Ocosingo", "--from", str(build_dir), "--out", str(tmp_path / "o.html"),
                        "--pdf"], capsys)
    assert code == 2 and "chromium" in err


def _pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF, checked against its page tree's ``/Count`` (Chromium writes both uncompressed)."""
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    assert counts and max(counts) == pages, (pages, counts)
    return pages


@pytest.mark.browser
def test_page_counter_counts_pages_chromium_prints(tmp_path):
    """The counter the two-page test relies on tells 1 page from 3."""
    from brecha.cli.profile import print_pdf

    for n in (1, 3):
        html = tmp_path / f"p{n}.html"
        html.write_text("<html><body>" + "<div style='page-break-after: always'>page</div>" * (n - 1)
                        + "<div>last</div></body></html>", encoding="utf-8")
        pdf = print_pdf(html, tmp_path / f"p{n}.pdf")
        assert _pdf_pages(pdf.read_bytes()) == n


@pytest.mark.browser
def test_pdf_prints_on_two_pages_at_most(build_dir, tmp_path, capsys):
    for place in ("Ocosingo", "Tapachula", "Chiapas"):
        out = tmp_path / f"{place}.html"
        assert run(["profile", place, "--from", str(build_dir), "--out", str(out), "--pdf"], capsys)[0] == 0
        pages = _pdf_pages(out.with_suffix(".pdf").read_bytes())
        assert 1 <= pages <= 2, (place, pages)


@pytest.mark.slow
def test_without_a_build_the_municipal_layer_is_built_in_memory(tmp_path, capsys):
    out = tmp_path / "o.html"
    code, stdout, _ = run(["profile", "Ocosingo", "--out", str(out)], capsys)
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert "<h1>Ocosingo, Chiapas</h1>" in html and "sin construcción previa" in html
    assert "initiatives.csv" in html and "2020-2023" in html  # every vintage of the registry
