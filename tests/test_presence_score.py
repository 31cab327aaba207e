"""Presence score and class from reported presence only (brecha.presence.presence_score / presence_class)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brecha import presence
from brecha.errors import InputError


def frame(ini, ag, off, **extra) -> pd.DataFrame:
    return pd.DataFrame({"initiatives": ini, "agencies": ag, "offices": off, **extra})


def test_score_by_hand():
    f = frame([0, 1, 10], [0, 2, 4], [0, 0, 3])
    expected = (math.log(2) / math.log(11) + math.log(3) / math.log(5) + 0) / 3
    got = presence.presence_score(f)
    assert got.iloc[0] == 0 and got.iloc[2] == 1 and got.iloc[1] == pytest.approx(expected)
    assert got.name == "presence_score" and list(got.index) == list(f.index)


def test_score_ignores_reach_and_state_scope():
    f = frame([0, 0], [0, 0], [0, 0], nearest_office_km=[1.0, 900.0], initiatives_state_scope=[5, 0],
              pop_within_reach_pct=[100.0, 0.0])
    assert (presence.presence_score(f) == 0).all()
    assert (presence.presence_class(f) == 1).all()


def test_score_weights_and_empty_frame():
    f = frame([0, 2], [0, 1], [1, 0])
    only_offices = presence.presence_score(f, weights={"offices": 1.0})
    assert only_offices.tolist() == [1.0, 0.0]
    assert (presence.presence_score(frame([0], [0], [0])) == 0).all()  # nothing anywhere: all 0, no NaN
    for bad in ({"reach": 1.0}, {"offices": -1.0}, {"offices": 0.0}):
        with pytest.raises(ValueError, match="weights"):
            presence.presence_score(f, weights=bad)


def test_score_refuses_missing_or_bad_counts():
    with pytest.raises(InputError) as err:
        presence.presence_score(pd.DataFrame({"initiatives": [1]}))
    assert {p.column for p in err.value.problems} == {"agencies", "offices"}
    with pytest.raises(InputError, match="a count >= 0"):
        presence.presence_score(frame([1, np.nan], [1, 1], [0, 0]))
    with pytest.raises(InputError, match="a count >= 0"):
        presence.presence_score(frame([1, -1], [1, 1], [0, 0]))


def test_class_splits_the_present_at_their_median():
    f = frame([0, 1, 1, 1, 2, 6], [0, 1, 1, 1, 2, 3], [0, 0, 0, 0, 1, 2])
    assert presence.presence_class(f).tolist() == [1, 2, 2, 2, 3, 3]
    only = frame([0, 0, 3], [0, 0, 1], [0, 0, 0])
    assert presence.presence_class(only).tolist() == [1, 1, 2]  # one present place: medium, not high
    assert str(presence.presence_class(f).dtype) == "Int64"


def test_class_is_1_without_initiative_or_office_even_with_agencies():
    f = frame([0, 0, 4], [3, 0, 2], [0, 0, 1])  # an inconsistent frame: agencies but nothing placed
    assert presence.presence_class(f).tolist() == [1, 1, 2]
    with pytest.raises(ValueError, match="score"):
        presence.presence_class(f, score=pd.Series([0.1, np.nan, 0.3]))


counts = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 5), st.integers(0, 8)), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(counts)
def test_class_properties(rows):
    f = frame(*map(list, zip(*rows)))
    score, cls = presence.presence_score(f), presence.presence_class(f)
    nothing = (f["initiatives"] == 0) & (f["offices"] == 0)
    assert ((score >= 0) & (score <= 1)).all()
    assert not (nothing & (cls == 3)).any()
    assert (cls[nothing & (f["agencies"] == 0)] == 1).all()
    present = ~nothing
    if present.any():  # a higher score never gets a lower class among the present
        s, c = score[present].to_numpy(), cls[present].to_numpy()
        order = np.argsort(s, kind="mergesort")
        assert (np.diff(c[order]) >= 0).all()
