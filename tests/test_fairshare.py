"""State fair share: share of the poor (and of unmet care) against share of reported presence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brecha.errors import InputError
from brecha.fairshare import FAIR_SHARE_COLUMNS, fair_share


@pytest.fixture
def states() -> pd.DataFrame:
    return pd.DataFrame({
        "cve_ent": ["01", "02", "03", "04"],
        "poverty_people": [400.0, 300.0, 200.0, 100.0],
        "care_unmet": [0.0, 50.0, 25.0, 25.0],
        "initiatives": [0, 6, 2, 2],
        "agencies": [0, 3, 1, 1],
        "people_reached": [np.nan, 900.0, 100.0, np.nan],
    }, index=[10, 11, 12, 13])


def test_shares_by_hand(states):
    out = fair_share(states)
    assert list(out.columns) == ["cve_ent", *FAIR_SHARE_COLUMNS] and list(out.index) == [10, 11, 12, 13]
    assert out["share_poor"].tolist() == pytest.approx([0.4, 0.3, 0.2, 0.1])
    assert out["share_care_unmet"].tolist() == pytest.approx([0.0, 0.5, 0.25, 0.25])
    assert out["share_initiatives"].tolist() == pytest.approx([0.0, 0.6, 0.2, 0.2])
    assert out["share_agencies"].tolist() == pytest.approx([0.0, 0.6, 0.2, 0.2])
    assert out["share_people_reached"].tolist() == pytest.approx([0.0, 0.9, 0.1, 0.0])  # none stated: 0 of it
    for col in FAIR_SHARE_COLUMNS[:5]:
        assert out[col].sum() == pytest.approx(1.0)
    assert out["fair_share_gap"].tolist() == pytest.approx([0.4, -0.3, 0.0, -0.1])


def test_rank_largest_gap_first_ties_to_more_poor(states):
    out = fair_share(states)
    assert out["fair_share_rank"].tolist() == [1, 4, 2, 3]
    tie = states.assign(poverty_people=[300.0, 300.0, 200.0, 200.0], initiatives=[2, 2, 1, 1])
    # gaps: 0.3-1/3 twice, 0.2-1/6 twice; the equal gaps are broken by the larger share of the poor
    ranked = fair_share(tie)
    assert ranked["fair_share_rank"].tolist() == [3, 4, 1, 2]
    assert str(ranked["fair_share_rank"].dtype) == "Int64"


def test_missing_poverty_gets_no_gap_or_rank(states):
    out = fair_share(states.assign(poverty_people=[400.0, np.nan, 200.0, 100.0]))
    assert np.isnan(out.loc[11, "share_poor"]) and pd.isna(out.loc[11, "fair_share_rank"])
    assert out.loc[10, "share_poor"] == pytest.approx(400 / 700)
    assert out["fair_share_rank"].dropna().tolist() == [1, 2, 3]


def test_zero_totals_give_nan_shares(states):
    out = fair_share(states.assign(initiatives=0, people_reached=np.nan))
    assert out["share_initiatives"].isna().all() and out["share_people_reached"].isna().all()
    assert out["fair_share_gap"].isna().all() and out["fair_share_rank"].isna().all()


def test_bad_frames_are_refused(states):
    with pytest.raises(InputError) as err:
        fair_share(states.drop(columns=["agencies", "people_reached"]))
    assert {p.column for p in err.value.problems} == {"agencies", "people_reached"}
    with pytest.raises(InputError, match="each state once"):
        fair_share(pd.concat([states, states.head(1)]))
    with pytest.raises(InputError, match=">= 0"):
        fair_share(states.assign(poverty_people=[-1.0, 1.0, 1.0, 1.0]))
    with pytest.raises(InputError, match="a count"):
        fair_share(states.assign(initiatives=[np.nan, 1, 1, 1]))


def test_non_unique_index_is_fine(states):
    out = fair_share(states.set_axis([0, 0, 1, 1]))
    assert out["fair_share_rank"].tolist() == [1, 4, 2, 3]


def test_real_states():
    """On the embedded data: shares sum to 1 and states in no report are under-served by construction."""
    from brecha import presence
    from brecha.sources import initiative_places, load

    ini = load("initiatives")
    st = presence.presence_by_area(initiative_places(ini), load("offices"), level="state", initiatives=ini)
    poor = load("coneval_municipal")
    need = poor.groupby("cve_ent", as_index=False)["poverty_people"].sum()
    need["care_unmet"] = np.nan  # the care model is the state layer's (brecha.care); unknown here
    out = fair_share(need.merge(st, on="cve_ent"))
    assert len(out) == 32 and out["fair_share_rank"].notna().all() and out["share_care_unmet"].isna().all()
    for col in ("share_poor", "share_initiatives", "share_agencies", "share_people_reached"):
        assert out[col].sum() == pytest.approx(1.0)
    quiet = out[out["cve_ent"].isin(["06", "17", "18"])]
    assert (quiet["share_initiatives"] == 0).all() and (quiet["fair_share_gap"] > 0).all()


def test_fair_share_table_ranks_states_and_rounds_for_reading():
    import pandas as pd

    from brecha.fairshare import fair_share_table

    st = pd.DataFrame({"cve_ent": ["01", "02", "03"], "name": ["A", "B", "C"],
                       "poverty_people": [50.4, 30.0, 20.0], "care_unmet": [10.6, 10.0, 0.0],
                       "initiatives": [1, 2, 1], "agencies": [1, 1, 2],
                       "people_reached": [float("nan"), 300.0, 100.0]})
    t = fair_share_table(st)
    assert t["fair_share_rank"].tolist() == [1, 2, 3]
    assert t["cve_ent"].tolist() == ["01", "03", "02"]
    assert t.loc[0, "care_unmet"] == 11 and pd.isna(t.loc[0, "people_reached"])
    assert t.loc[0, "fair_share_gap"] == round(50.4 / 100.4 - 0.25, 4)
