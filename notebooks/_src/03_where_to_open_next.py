# %% [markdown]
# # Where to open the next offices
#
# If an agency could open *k* new field offices, where should they go to bring the most poor
# people within reach? This is the **maximal covering location problem** (Church & ReVelle 1974):
# choose *k* sites from a list of candidates to cover the most demand within a reach radius.
#
# Here demand is poor people (CONEVAL 2020) who are **not yet** within reach of any existing
# office, and candidates are the 2,469 municipal seats. brecha's greedy solver adds one office at
# a time, always the one covering the most demand still uncovered; it is guaranteed to reach at
# least 63% of the optimum and its choices are nested (the best three include the best two),
# which suits a budget that grows one office at a time.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import brecha

RADIUS_KM = 100  # reach of an office, a planning assumption
sources = brecha.load_sources()

# %% [markdown]
# ## Demand: poor people out of reach
#
# Each municipality's poor people are spread over its localities by population; a locality is
# reached when an existing office lies within `RADIUS_KM`. What remains is the demand the new
# offices compete for.

# %%
demand = brecha.siting.unmet_demand(sources["localities"], sources["census_municipal"],
                                    sources["coneval_municipal"], sources["offices"], radius_km=RADIUS_KM)
total, reached = demand.attrs["poor_total"], demand.attrs["poor_reached"]
print(f"{total / 1e6:.1f} million poor people; {reached / 1e6:.1f} million within {RADIUS_KM} km of an "
      f"office; {demand['demand'].sum() / 1e6:.1f} million out of reach in {len(demand):,} localities")

# %%
candidates = brecha.siting.candidate_sites(sources["localities"], kind="seats")
candidates.drop(columns="geometry").head()

# %% [markdown]
# ## Coverage gained per added office
#
# `coverage_curve` solves k = 1..5 in one greedy pass: the k-th row is the office greedy adds
# k-th, with the poor people it brings within reach (`greedy_gain`) and the running total.

# %%
curve = brecha.siting.coverage_curve(demand, candidates, k_max=5, radius_km=RADIUS_KM)
state_names = sources["states"].set_index("cve_ent")["name"]
curve["state"] = curve["site_added"].str[:2].map(state_names)
curve[["k", "site_name", "state", "greedy_gain", "greedy_covered", "greedy_share"]].round(3)

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.5))
ax.bar(curve["k"], curve["greedy_gain"] / 1e6, color="#9ecae1", label="gained by the k-th office")
ax.plot(curve["k"], curve["greedy_covered"] / 1e6, marker="o", color="#08519c", label="covered so far")
for k, covered, name in zip(curve["k"], curve["greedy_covered"], curve["site_name"]):
    ax.annotate(name, (k, covered / 1e6), textcoords="offset points", xytext=(0, 7), ha="center",
                fontsize=8)
ax.set_xticks(curve["k"])
ax.set_xlabel("new offices (k)")
ax.set_ylabel("poor people newly within reach (millions)")
ax.set_title(f"Diminishing returns: each office covers less ({RADIUS_KM} km reach)")
ax.legend(loc="center right")
plt.show()

# %% [markdown]
# ## How close is greedy to the best?
#
# `exact=True` also solves each k as an integer programme (CBC). On 106,155 localities that takes
# minutes, so for this check the demand is merged to one point per municipality (the centre of
# its unmet localities), which the exact solver handles in seconds. `greedy_ratio` is greedy's
# coverage over the optimum; theory guarantees at least `greedy_bound(k)`.

# %%
demand_m = brecha.siting.unmet_demand(sources["localities"], sources["census_municipal"],
                                      sources["coneval_municipal"], sources["offices"],
                                      radius_km=RADIUS_KM, level="municipality")
check = brecha.siting.coverage_curve(demand_m, candidates, k_max=5, radius_km=RADIUS_KM, exact=True)
check["guaranteed"] = [brecha.siting.greedy_bound(k) for k in check["k"]]
check[["k", "greedy_share", "exact_share", "greedy_ratio", "guaranteed"]].round(3)

# %% [markdown]
# ## Where they are
#
# The five greedy sites, numbered in the order they are added, with the existing offices and the
# uncovered demand (dot area ∝ poor people out of reach). Circles are the reach radius, drawn in
# EPSG:6372 so they are true distances.

# %%
sites = brecha.siting.maximal_covering(demand, candidates, k=5, radius_km=RADIUS_KM)
sites[["order", "name", "cvegeo", "gain", "covered_share"]].round(3)

# %%
crs = brecha.settings.ANALYSIS_CRS

fig, ax = plt.subplots(figsize=(10, 6.5))
sources["states"].to_crs(crs).plot(ax=ax, color="#f0f0f0", edgecolor="white", linewidth=0.5)
big = demand[demand["demand"] > 500].to_crs(crs)
big.plot(ax=ax, markersize=big["demand"] / 2_000, color="#fd8d3c", alpha=0.4, label="poor people out of reach")
# Offices placed only in a state have no point.
offices = sources["offices"][sources["offices"].geometry.notna()]
offices.to_crs(crs).plot(ax=ax, markersize=10, color="#252525", marker="s", label="existing offices")
placed = sites.to_crs(crs)
placed.buffer(RADIUS_KM * 1_000).boundary.plot(ax=ax, color="#08519c", linewidth=1)
placed.plot(ax=ax, markersize=40, color="#08519c", marker="*", label="new offices")
for row in placed.itertuples():  # numbers, not names: the sites are close together
    ax.annotate(str(row.order), (row.geometry.x, row.geometry.y), xytext=(5, 5),
                textcoords="offset points", fontsize=10, fontweight="bold", color="#08519c")
ax.set_axis_off()
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# ## Look again: the layer with the new offices
#
# A plan is easiest to test as data. Write the five sites the way an offices file is written
# (agency, city, state, coordinates) and read it with the same reader as real offices, then
# rebuild the municipal layer with them added. `office_id` comes from the file line, so the new
# ones get their own prefix.

# %%
muni_names = sources["municipalities"].set_index("cvegeo")
plan = pd.DataFrame({"agency": "Proposed", "office_type": "field office (proposed)",
                     "city": muni_names.loc[sites["cvegeo"], "name"].to_numpy(),
                     "state": muni_names.loc[sites["cvegeo"], "state_name"].to_numpy(),
                     "lat": sites.geometry.y.round(5), "lon": sites.geometry.x.round(5),
                     "status": "existing"})
plan_path = Path(tempfile.mkdtemp(prefix="brecha-")) / "proposed_offices.csv"
plan.to_csv(plan_path, index=False)

proposed = brecha.sources.read_offices(plan_path)
proposed["office_id"] = "new-" + proposed["office_id"]
with_plan = {**sources, "offices": pd.concat([sources["offices"], proposed], ignore_index=True)}
proposed[["office_id", "agency", "city", "state", "cvegeo", "placed"]]

# %%
before = brecha.municipal_layer(sources)
after = brecha.municipal_layer(with_plan)

def poor_in_reach(layer):
    share = layer["poor_within_reach_pct"] / 100
    return float((share * layer["poverty_people"]).sum())

top_before = brecha.top_gaps(before, 20)["cvegeo"]
still = brecha.top_gaps(after, 20)["cvegeo"].isin(top_before).sum()
print(f"poor people within {RADIUS_KM} km of an office: {poor_in_reach(before) / 1e6:.1f} M -> "
      f"{poor_in_reach(after) / 1e6:.1f} M; {still} of the 20 largest gaps remain in the top 20")

# %% [markdown]
# The reach map of the new situation: offices with their reach rings (the proposed ones under the
# agency *Proposed*), over the distance to the nearest office and poverty.

# %%
brecha.show(brecha.reach_map(after, with_plan["offices"], radius_km=RADIUS_KM, lang="en"))

# %% [markdown]
# ## Try
#
# * Another reach: set `RADIUS_KM = 50` at the top and re-run; the curve gets flatter and the sites
#   move toward the dense poor regions.
# * State budgets: `candidate_sites(..., cve_ent="07")` keeps Chiapas's seats only.
# * Population-weighted centres instead of seats: `kind="centres"`.
#
# References: Church, R. & ReVelle, C. (1974). The maximal covering location problem. *Papers of
# the Regional Science Association* 32, 101-118. Nemhauser, G. L., Wolsey, L. A. & Fisher, M. L.
# (1978). An analysis of approximations for maximizing submodular set functions. *Mathematical
# Programming* 14, 265-294.
