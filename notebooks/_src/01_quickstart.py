# %% [markdown]
# # Quickstart: where agencies are, and where they are needed
#
# This notebook follows brecha's whole idea in a few steps: load the embedded data, build the
# municipal layer, look at the national gap map, read the 20 largest gaps and the reasons behind
# them, then change one parameter and look again.
#
# Everything runs offline on the data shipped with the package: INEGI's 2020 boundaries and
# Census, CONEVAL's 2020 municipal poverty estimates, DENUE care establishments, and the offices
# and initiatives agencies describe in their own reports.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import brecha

pd.set_option("display.max_colwidth", 110)
brecha.__version__

# %% [markdown]
# ## 1. The geography
#
# Every table in brecha is keyed by INEGI codes, never by names: `cve_ent` (2 characters) for the
# 32 states and `cvegeo` (5 characters) for the 2,469 municipalities of the 2020 frame. Names
# repeat (Mexico has four municipalities called *Guadalupe*), codes do not.

# %%
municipalities = brecha.geography.municipalities()
states = brecha.geography.states()
len(municipalities), len(states)

# %%
municipalities.drop(columns="geometry").head()

# %% [markdown]
# ## 2. The sources
#
# `load_sources()` reads every embedded source into a dictionary of frames. Offices and
# initiatives come from agencies' reports, so their place names are resolved to codes as they
# load; notebook 04 shows what happens when a name cannot be resolved.

# %%
sources = brecha.load_sources()
pd.Series({name: len(frame) for name, frame in sources.items()}, name="rows")

# %%
sources["offices"][["agency", "city", "state", "cvegeo", "status"]].head()

# %% [markdown]
# ## 3. The municipal layer
#
# `municipal_layer` joins everything into one row per municipality: people, poverty, care supply
# against demand, initiatives and offices, distance to the nearest office, and the **gap score**,
# which is high where need is high *and* presence is low. `%%time` shows what the national build
# takes on this machine.
#
# The assumptions that matter most are explicit parameters in km: `catchment_km`, how far people
# travel to a care centre (20 by default), and `radius_km`, how far an office reaches (100).

# %%
%%time
layer = brecha.municipal_layer(sources)
layer.shape

# %%
layer[["cvegeo", "name", "state_name", "poverty_pct", "offices", "nearest_office_km",
       "gap_score", "gap_rank"]].head()

# %% [markdown]
# ## 4. The national gap map
#
# The map crosses need (rows of the legend) with presence (columns) in a 3 × 3 bivariate scheme;
# the outlined corner is high need with low presence. Hover a municipality for its figures; the
# 20 largest gaps are numbered and listed.
#
# `brecha.show` displays the same standalone page `brecha map` writes: Leaflet and every script
# are inlined, so the map works without internet.

# %%
gap = brecha.gap_map(layer, top_n=20, lang="en")
brecha.show(gap)

# %% [markdown]
# A report usually needs a static figure too. The layer is a GeoDataFrame, so geopandas draws it
# directly; projecting to EPSG:6372 (Mexico's Lambert conformal conic, the CRS brecha measures
# distances in) keeps the country from looking stretched.

# %%
crs = brecha.settings.ANALYSIS_CRS
fig, ax = plt.subplots(figsize=(10, 6.5))
layer.to_crs(crs).plot(column="gap_score", cmap="RdPu", linewidth=0, ax=ax, legend=True,
                       legend_kwds={"label": "gap score (1 = largest gap)", "shrink": 0.6},
                       missing_kwds={"color": "lightgrey"})
states.to_crs(crs).boundary.plot(ax=ax, color="white", linewidth=0.4)
ax.set_title("Gap between need and agency presence, by municipality (2020)")
ax.set_axis_off()
plt.show()

# %% [markdown]
# ## 5. The 20 largest gaps, and why
#
# `top_gaps` returns the ranked table a report needs. Its `reason` column says in words which
# components push each municipality up the ranking.

# %%
top = brecha.top_gaps(layer, 20)
top[["gap_rank", "name", "state_name", "gap_score", "poverty_pct", "initiatives", "offices",
     "nearest_office_km", "reason"]]

# %% [markdown]
# The gap score combines a **need** score (poverty rate, people in poverty, care demand not met)
# with a **presence** score (initiatives, offices, and how close the nearest office is), by a
# geometric mean: a place needs both high need and little presence to score high. Placing every
# municipality on these two axes shows why the top 20 rank where they do.

# %%
ranked = layer[layer["gap_ranked"]]
top20 = ranked.nsmallest(20, "gap_rank")

fig, ax = plt.subplots(figsize=(6.5, 5))
ax.scatter(ranked["presence_score"], ranked["need_score"], s=4, color="lightgrey",
           label="all municipalities")
ax.scatter(top20["presence_score"], top20["need_score"], s=20, color="#be64ac", label="20 largest gaps")
ax.set_xlabel("presence score (0 = no initiative, no office, far from any)")
ax.set_ylabel("need score (1 = highest need)")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# Against the typical municipality, the top 20 are poorer, have more care demand unmet, no
# initiative and no office, and lie far from the nearest office:

# %%
cols = ["poverty_pct", "poverty_people", "care_unmet", "initiatives", "offices", "nearest_office_km"]
pd.DataFrame({"20 largest gaps (median)": top20[cols].median(),
              "all ranked (median)": ranked[cols].median()}).round(1)

# %% [markdown]
# The gap settings are one object, `brecha.gap.GapSettings` (the `gap=` parameter; the build reads
# them from `layers/gap_settings.toml`); these are the defaults the layer was scored with:

# %%
dict(brecha.gap.GapSettings().weights), layer.attrs["radius_km"], layer.attrs["catchment_km"]

# %% [markdown]
# ## 6. Change a parameter, look again
#
# Is the top 20 an artefact of the 20 km care catchment? If parents travel up to 40 km, more
# day-care and elderly-care places count as reachable and unmet care demand shrinks near towns.
# Rebuild the layer and compare. Rows are in the same order (`cvegeo`), so ranks compare directly.

# %%
layer_40 = brecha.municipal_layer(sources, catchment_km=40)
top_40 = brecha.top_gaps(layer_40, 20)

same = set(top["cvegeo"]) & set(top_40["cvegeo"])
rho = layer["gap_rank"].astype(float).corr(layer_40["gap_rank"].astype(float), method="spearman")
print(f"{len(same)} of the 20 largest gaps stay in the top 20 with a 40 km catchment; "
      f"Spearman rank correlation over all municipalities: {rho:.3f}")

# %%
top_40.loc[~top_40["cvegeo"].isin(top["cvegeo"]), ["gap_rank", "name", "state_name", "reason"]]

# %% [markdown]
# Not every parameter moves the ranking. `radius_km` (office reach) changes
# `pop_within_reach_pct` and the reach map, but the gap's reach component is normalised by rank
# (`normalisation="rank"`, the default), so only the *order* of distances to the nearest office
# counts, and that order does not depend on the radius:

# %%
layer_r50 = brecha.municipal_layer(sources, radius_km=50)
same_ranks = bool((layer_r50["gap_rank"].fillna(-1) == layer["gap_rank"].fillna(-1)).all())
print(f"gap ranks identical with a 50 km office reach: {same_ranks}")

# %% [markdown]
# ## 7. States
#
# `state_layer` sums counts and aggregates rates per state. Passing the municipal layer you
# already have saves building it again.

# %%
state = brecha.state_layer(sources, municipal=layer)
brecha.top_gaps(state, 5)[["gap_rank", "cve_ent", "name", "gap_score", "poverty_pct", "initiatives",
                           "offices", "reason"]]

# %% [markdown]
# ## Next
#
# * `brecha.save_map(gap, "gap.html")` writes the map above as one HTML file to share; it opens
#   without internet.
# * [02_care_in_a_state](02_care_in_a_state.ipynb): care supply against demand in Chiapas, and how
#   much the catchment assumption matters.
# * [03_where_to_open_next](03_where_to_open_next.ipynb): where new offices would reach the most
#   poor people.
# * [04_your_own_initiatives](04_your_own_initiatives.ipynb): bring your own initiatives file.
