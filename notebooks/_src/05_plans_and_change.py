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
print(f"{s['opened']} planned offices opened, {s['opened_with_point']} of them with a point")
print(f"people newly within reach: {s['people_within_reach_gained']:,.0f}")
print(f"poor people newly within reach: {s['poor_within_reach_gained']:,.0f}")
print(f"gap ranks moved: {s['ranks_moved']:,} municipalities")
result.opened[["agency", "city", "state", "status"]]

# %% [markdown]
# Where do the planned offices go? Each opened office with its precision and, where it names a
# municipality, that municipality's gap rank before the plan. An office placed only in a state
# ("expanding to Sonora") adds presence to the state but no reach: it has no point to measure from.

# %%
ranks = result.before.set_index("cvegeo")["gap_rank"]
opened = result.opened.assign(gap_rank_before=result.opened["cvegeo"].map(ranks))
opened[["agency", "city", "state", "precision", "status", "gap_rank_before"]]

# %% [markdown]
# ## 2. Against a plan drawn from the gap
#
# For comparison, the three municipal seats the maximal covering location problem picks
# (`siting_sites`: most poor people now out of reach within the same radius), opened the same way.

# %%
sited = brecha.scenario.siting_sites(sources, k=3, radius_km=params["radius_km"])
with_sites = brecha.scenario.open_sites(offices, sited, municipalities=sources["municipalities"],
                                        localities=sources["localities"])
siting = brecha.scenario.run_scenario("siting", sources, with_sites, params=params, before=result.before)
print(f"sited offices: {', '.join(sited['place'])}")
print(f"poor people newly within reach with 3 sited offices: {siting.summary['poor_within_reach_gained']:,.0f}")

# %%
fig, ax = plt.subplots(figsize=(7, 3.2))
labels = [f"planned ({s['opened']} offices)", "sited (3 offices)"]
gains = [s["poor_within_reach_gained"] / 1e6, siting.summary["poor_within_reach_gained"] / 1e6]
ax.barh(labels, gains, color=["#9ecae1", "#08519c"])
ax.set_xlabel(f"poor people newly within {params['radius_km']:.0f} km of an office (millions)")
ax.set_title("What each plan brings within reach")
plt.tight_layout()
plt.show()

# %% [markdown]
# The change map of the sited plan: red moved up the gap ranking, blue moved down (the places
# that gain an office); hover for the ranks before and after.

# %%
from brecha.maps.change import change_map

brecha.show(change_map(siting.change, lang="en"))

# %% [markdown]
# ## 3. What changed since 2020
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
# The years map: one radio button per report year (the same colours in every year) and one for the
# change between the first and last year (red moved up the gap ranking, blue down, white stayed).

# %%
from brecha.maps import years_map

brecha.show(years_map(table, since, change_years=(years[0], years[-1]), lang="en"))

# %% [markdown]
# ## Try
#
# * `brecha scenario planned --out plan/` writes the same tables and map from the command line;
#   `brecha scenario sites --sites my_sites.csv --out plan/` opens your own proposed sites
#   (a CSV with `lat, lon`, or `place` and `state`).
# * `brecha compare last_week/ outputs/ --out change/` compares two builds and names the inputs
#   and settings that differ.
