# %% [markdown]
# # Care supply against demand in Chiapas
#
# How many day-care places can the children of each municipality reach? The simple answer, places
# per 1,000 children *in the municipality*, assumes nobody crosses a municipal line. The
# **enhanced two-step floating catchment area** method (E2SFCA; Luo & Qi 2009) drops that
# assumption:
#
# 1. each day-care centre's places are divided by the children living within a catchment
#    distance of it, nearer children weighing more (Gaussian decay);
# 2. each locality adds up the ratios of the centres within the catchment, with the same weights.
#
# The result is places per 1,000 children *within reach*. It depends on one assumption, the
# catchment distance: how far will a parent travel to day care? This notebook measures how much
# the ranking of Chiapas's 124 municipalities moves between 10, 20 and 40 km, and how it compares
# with the simple ratio.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import brecha

sources = brecha.load_sources()
chiapas = brecha.resolve("Chiapas")
chiapas

# %% [markdown]
# Supply is DENUE's day-care establishments, with places estimated from their staff band; demand
# is Census 2020 children aged 0 to 5, spread from each municipality over its localities by
# population. E2SFCA runs over the whole country, so centres across the state line count for
# Chiapas's border municipalities; we keep Chiapas's rows afterwards.

# %%
CATCHMENTS_KM = (10, 20, 40)
care = {}
for km in CATCHMENTS_KM:
    table = brecha.care.care_by_municipality(sources["census_municipal"], sources["localities"],
                                             sources["denue_care"], catchment_km=km)
    care[km] = table[table["cvegeo"].str[:2] == chiapas.cve_ent].set_index("cvegeo")

names = sources["municipalities"].set_index("cvegeo")["name"]
children = sources["census_municipal"].set_index("cvegeo")["pop_0_5"].reindex(care[20].index)
print(f"Chiapas: {len(care[20])} municipalities, {children.sum():,.0f} children aged 0-5, "
      f"{care[20]['care_supply_children'].sum():,.0f} estimated day-care places")

# %%
access = pd.DataFrame({f"E2SFCA {km} km": care[km]["care_access_children"] for km in CATCHMENTS_KM})
access["per 1,000 in municipality"] = care[20]["care_per_1000_children"]
access.describe().round(1)

# %% [markdown]
# ## How far does the ranking move?
#
# Rank 1 is the *worst served* municipality. Many municipalities have no centre at all within a
# short catchment, so ties at zero are broken by the number of children: more children without
# access ranks worse. Spearman's rank correlation compares whole rankings.

# %%
def worst_first(values: pd.Series) -> pd.Series:
    order = pd.DataFrame({"access": values, "children": children}).sort_values(
        ["access", "children"], ascending=[True, False]).index
    return pd.Series(range(1, len(order) + 1), index=order).reindex(values.index)

ranks = access.apply(worst_first)
ranks.corr(method="spearman").round(2)

# %% [markdown]
# The ten worst served municipalities under each assumption, side by side. Names in **all** the
# columns are robust findings; names in one column only depend on the assumption.

# %%
top10 = pd.DataFrame({col: names.reindex(ranks[col].nsmallest(10).index).to_numpy() for col in ranks})
top10.index = range(1, 11)
top10

# %%
sets = {col: set(ranks[col].nsmallest(10).index) for col in ranks}
base = sets["E2SFCA 20 km"]
pd.DataFrame({col: {"in the 20 km top 10": len(s & base), "new": len(s - base)} for col, s in sets.items()}).T

# %% [markdown]
# ## Where the simple ratio misleads
#
# The ratio counts only the municipality's own centres: a small municipality next to a city with
# plenty of day care scores zero, although its children can reach the city's centres. E2SFCA
# credits that supply, and also shares a city's places with the children of its neighbours.

# %%
zero_ratio = access["per 1,000 in municipality"].fillna(0) == 0
reachable = access["E2SFCA 20 km"] > 0
print(f"{int(zero_ratio.sum())} municipalities have no day care of their own; "
      f"{int((zero_ratio & reachable).sum())} of them reach some within 20 km")

fig, ax = plt.subplots(figsize=(6, 5))
ax.scatter(access["per 1,000 in municipality"], access["E2SFCA 20 km"], s=14, color="#4e79a7")
lim = max(access["per 1,000 in municipality"].max(), access["E2SFCA 20 km"].max()) * 1.05
ax.plot([0, lim], [0, lim], color="grey", linewidth=0.8, linestyle="--", label="same value")
ax.set_xlabel("places per 1,000 children, own municipality")
ax.set_ylabel("E2SFCA places per 1,000 children, 20 km")
ax.legend()
plt.show()

# %% [markdown]
# ## The same comparison as maps
#
# Small multiples with one shared colour scale, so differences between panels are real
# differences in access, not in classification.

# %%
crs = brecha.settings.ANALYSIS_CRS
shapes = sources["municipalities"].set_index("cvegeo").loc[access.index, ["geometry"]].to_crs(crs)
vmax = float(access.quantile(0.95).max())

fig, axes = plt.subplots(1, 4, figsize=(16, 4.4))
for ax, col in zip(axes, access.columns):
    shapes.assign(value=access[col]).plot(column="value", cmap="YlGnBu", vmin=0, vmax=vmax,
                                          linewidth=0.1, edgecolor="white", ax=ax,
                                          missing_kwds={"color": "lightgrey"})
    ax.set_title(col)
    ax.set_axis_off()
fig.colorbar(plt.cm.ScalarMappable(cmap="YlGnBu", norm=plt.Normalize(0, vmax)), ax=axes, shrink=0.7,
             label="day-care places per 1,000 children 0-5")
plt.show()

# %% [markdown]
# ## The interactive care map
#
# For the map, build Chiapas's municipal layer (default 20 km catchment). With `state=` the layer
# keeps Chiapas's municipalities only and ranks them among themselves, while care supply and
# people across the state line still count. The map shows supply points by type over access and
# demand for each care group.

# %%
layer = brecha.municipal_layer(sources, state="Chiapas")
brecha.show(brecha.care_map(layer, sources["denue_care"], state="Chiapas", lang="en"))

# %% [markdown]
# ## Takeaways
#
# * The catchment is an assumption worth stating next to any ranking; the correlations above
#   say how much it matters here.
# * Municipalities in every top-10 column are short of day care under any reasonable catchment.
# * Change `CATCHMENTS_KM` (or `decay="uniform"` in `care_by_municipality`, the classic 2SFCA)
#   and re-run to test other assumptions.
#
# Reference: Luo, W. & Qi, Y. (2009). An enhanced two-step floating catchment area (E2SFCA)
# method for measuring spatial accessibility to primary care physicians. *Health & Place* 15,
# 1100-1107.
