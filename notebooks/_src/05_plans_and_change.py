# %% [markdown]
# # Our planned offices against the gap, and what changed since 2020
#
# Two questions a planner asks after "where is the gap?":
#
# 1. **Would our planned expansion go where the gap is?** The reports list offices as *planned*.
#    `brecha.scenario` opens them and rebuilds the municipal layer with the same settings as the
#    build (same reach radius and cost unit, same gap weights), then compares before and after:
#    people and poor people newly within reach, and which gap ranks move.
# 2. **What changed since 2020?** Each report year tells its own part of the story.
#    `brecha.scenario.by_year` rebuilds presence and the gap from one report year at a time, and
#    `year_change` compares two years municipality by municipality.
#
# Presence here is what the agencies' reports say, no more: "no report" is not "absent", and a
# report year lists what that report mentions, not everything that ran that year.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import brecha
from brecha.pipeline.scenario import municipal_params

params = municipal_params()  # the build's settings, from layers/municipalities.toml
sources = brecha.load_sources()
offices = sources["offices"]
print(offices["status"].value_counts().to_string())

# %% [markdown]
# ## 1. Open the planned offices
#
# `expanding` and `renovated` offices already count as serving people; `planned` ones do not, yet.
# The scenario sets them to `existing` and nothing else.

# %%
planned = brecha.scenario.open_planned(offices)
result = brecha.scenario.run_scenario("planned", sources, planned, params=params)
s = result.summary
print(f"{s['opened']} planned offices opened")
print(f"people newly within reach: {s['people_within_reach_gained']:,.0f}")
print(f"poor people newly within reach: {s['poor_within_reach_gained']:,.0f}")
print(f"gap ranks moved: {s['ranks_moved']:,} municipalities")
result.opened[["agency", "city", "state", "status"]]

# %% [markdown]
# The municipalities whose gap rank moved most (a positive move is *up* the ranking, more urgent;
# opening offices mostly moves places *down*, as they become better served):

# %%
moved = result.change.loc[result.change["rank_move"].fillna(0) != 0]
moved = moved.reindex(moved["rank_move"].abs().sort_values(ascending=False).index)
moved[["cvegeo", "name", "state_name", "gap_rank_before", "gap_rank_after", "rank_move", "changed_columns"]].head(10)

# %% [markdown]
# Did the plan reach the largest gaps? Of the 20 largest gaps before, how many get an office within
# reach?

# %%
top = result.before.nsmallest(20, "gap_rank")["cvegeo"]
b = result.before.set_index("cvegeo").loc[top, "poor_within_reach_pct"]
a = result.after.set_index("cvegeo").loc[top, "poor_within_reach_pct"]
print(f"of the 20 largest gaps, {(a > b).sum()} gain reach from the planned offices")

# %%
fig, ax = plt.subplots(figsize=(7.5, 4))
by_state = result.change.groupby("state_name")["rank_move"].apply(lambda m: (m.fillna(0) != 0).sum())
by_state = by_state[by_state > 0].sort_values()
by_state.plot.barh(ax=ax, color="#2166ac")
ax.set_xlabel("municipalities whose gap rank moved")
ax.set_title("Where the planned offices move the gap ranking")
plt.tight_layout()
plt.show()

# %% [markdown]
# The change map: red moved up the gap ranking, blue moved down; hover for the ranks before and after.

# %%
from brecha.maps.change import change_map

brecha.show(change_map(result.change, lang="en"))

# %% [markdown]
# ## 2. What changed since 2020
#
# One layer per report year (2020, 2022, 2023 in the embedded data), then 2020 against 2023.

# %%
years = brecha.scenario.report_years(sources)
table = brecha.scenario.by_year(sources, params=params)
summary = table.groupby("year").agg(initiatives=("initiatives", "sum"), offices=("offices", "sum"),
                                    reported=("presence_evidence", lambda e: (e == "reported").sum()))
print(f"report years: {years}")
summary

# %%
since = brecha.scenario.year_change(table, years[0], years[-1])
print(f"{int(since['changed'].sum()):,} municipalities differ between the {years[0]} and {years[-1]} reports")
since.loc[since["changed"], ["cvegeo", "name", "state_name", "changed_columns"]].head(10)

# %% [markdown]
# ## Try
#
# * `brecha scenario planned --out plan/` writes the same tables and map from the command line;
#   `brecha scenario sites --sites my_sites.csv --out plan/` opens your own proposed sites
#   (a CSV with `lat, lon`, or `place` and `state`).
# * `brecha compare last_week/ outputs/ --out change/` compares two builds and names the inputs
#   and settings that differ.
