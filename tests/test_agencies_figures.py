"""People reached, parsed from the real ``beneficiaries_or_figure`` strings of the embedded initiatives.

Every string below is copied from ``src/brecha/data/initiatives.csv`` (line in the comment); the
expected parse was decided by reading the string: the largest direct count of people, with its unit,
or ``not_people``. Figures are never summed.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from brecha.settings import DATA_DIR
from brecha.sources.agencies import parse_figure, read_initiatives

REAL = [
    # line 2: the headline figure, not the health workers
    ("800+ health workers trained; 250,000 children and pregnant women reached", 250_000, "children"),
    ("18 million caregivers and children reached", 18_000_000, "people"),  # line 4
    # line 5: an audience "via social media/TV" is not people reached
    ("10 million+ people via social media/TV; 250,000 people in Tapachula", 250_000, "people"),
    ("105 schools in 10 (unnamed) states; 34,000 additional upper-secondary students on the platform", 34_000,
     "students"),  # line 6
    ("65,000 preschoolers", 65_000, "children"),  # line 8
    ("sample of 100 schools", math.nan, "not_people"),  # line 10
    ("US$2 million assigned by state congress; CPA annual funding raised to US$290,000 (100% increase)",
     math.nan, "not_people"),  # line 13: money
    # line 19: "in poverty in Mexico City" is the context, not the reach
    ("1.2 million children benefit; 1.4 million children in poverty in Mexico City", 1_200_000, "children"),
    # line 21: people affected by a hurricane were not reached by the initiative
    ("852,622 people affected (251,207 children) in Acapulco and Coyuca de Benítez; team based in Chilpancingo",
     math.nan, "not_people"),
    ("5 border cities (not named); 100,000 pregnant women, children and adolescents", 100_000, "women"),  # line 22
    # line 30: the sector's size (">2.2 million domestic workers in Mexico") is not the reach
    ("54,421 domestic workers enrolled (more than 54,000; 700% increase); >2.2 million domestic workers in Mexico",
     54_421, "workers"),
    ("5,619 teachers; 1,339 schools; 121,008 students", 121_008, "students"),  # line 31
    ("124,301 ha non-timber forest management; 4,414 ha forest cultivation; 403 ha restoration", math.nan,
     "not_people"),  # line 33
    ("thirteen municipalities (not named)", math.nan, "not_people"),  # line 37
    ("about 600 tostadas a week", math.nan, "not_people"),  # line 41
    ("1,347 participants (60% women); 300 community actions mapped; ads in Mexico City subway", 1_347,
     "participants"),  # line 43
    # line 45: "could benefit" and laws are potential, not reached; the trained people are
    ("federal reform could benefit 35.3 million women; 11 laws in State of Mexico (>8 million women, girls, "
     "adolescents); 346 AVGM indicators; 11,021 trained", 11_021, "people"),
    # line 58: indirect reach is not counted
    ("25 municipalities (not named); 379 women direct; >390,000 indirect (96% women)", 379, "women"),
    ("almost 200 people (70% women)", 200, "people"),  # line 59
    ("1.8 million+ passengers; 137 aircraft; 80 destinations", math.nan, "not_people"),  # line 63: audience
    ("93,000+ social media users; 50+ news stories", math.nan, "not_people"),  # line 64: audience
    # line 66: the number of screenings is not the number of people
    ("eight cities; 32 screenings seen by 2,120 people; 22 screenings in migrant shelters; +360% attendance",
     2_120, "people"),
    ("48 new signatories in 2023; 241 total", math.nan, "not_people"),  # line 78: companies
    # line 87: a sector's size without a verb of reach
    ("2.4 million domestic workers (95% women); multi-sector roundtables in Oaxaca and Jalisco; 6 virtual sessions",
     math.nan, "not_people"),
    ("26.5 million elementary and middle school students", 26_500_000, "students"),  # line 90
    ("80 thousand kits", math.nan, "not_people"),  # line 91
    ("102 rooms; up to 278 migrants; 14-day quarantine", math.nan, "not_people"),  # line 94: capacity
    ("2,307 refugees", 2_307, "refugees"),  # line 105
    ("five municipalities (not named) in three states; 9 CSO implementing partners; 80 CSO beneficiaries",
     math.nan, "not_people"),  # line 119: organisations
    ("capacity up to 300 people; Chiapas receives >65% of asylum applications", math.nan, "not_people"),  # l. 124
    ("16 million people reached (indigenous languages); 554 monitors at 66+ subway stations; 3.2 million "
     "people/day", 16_000_000, "people"),  # line 127
    ("7.2 million viewers (Nov 30-Dec 19) on public TV; value USD 757,000", math.nan, "not_people"),  # line 135
    ("89 lawyers, 54 paralegals; >238,000 legal services; 12 law firms; 17 university legal clinics", math.nan,
     "not_people"),  # line 152: providers and services, not people reached
    ("1,800+ monitoring visits to 127 shelters; 38 shelters financed (181,400 people); donations to 89 shelters",
     181_400, "people"),  # line 159
    ("600 naturalized in 2023 vs 200 in 2022 (section 16: 470 vs 211; 665 initiated)", 600, "people"),  # line 160
    ("", math.nan, ""),
]


@pytest.mark.parametrize("text, people, unit", REAL)
def test_real_figures_parse_as_read(text, people, unit):
    got_people, got_unit = parse_figure(text)
    assert got_unit == unit
    assert (math.isnan(got_people) and math.isnan(people)) or got_people == people


def test_every_real_string_above_is_in_the_embedded_file():
    figures = set(pd.read_csv(DATA_DIR / "initiatives.csv", dtype=str, keep_default_na=False)
                  ["beneficiaries_or_figure"])
    for text, _, _ in REAL:
        assert not text or any(f.startswith(text) for f in figures), text


def test_initiatives_frame_carries_people_columns():
    ini = read_initiatives(DATA_DIR / "initiatives.csv")
    assert {"people_reached", "figure_unit", "figure_text"} <= set(ini.columns)
    has_figure = ini["figure_text"] != ""
    assert int(has_figure.sum()) == 121
    # NaN exactly where the figure is not a count of people (or there is none); the text is kept as given.
    counted = ini["people_reached"].notna()
    assert (counted == ~ini["figure_unit"].isin(["not_people", ""])).all()
    assert (ini.loc[has_figure & ~counted, "figure_unit"] == "not_people").all()
    assert int(counted.sum()) == 54
    row = ini.set_index("initiative_id").loc["i0002"]
    assert (row["people_reached"], row["figure_unit"]) == (250_000.0, "children")
    assert row["figure_text"].startswith("800+ health workers trained")
