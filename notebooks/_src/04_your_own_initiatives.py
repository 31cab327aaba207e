# %% [markdown]
# # Your own initiatives
#
# Reports name places the way people speak: accents left out, states abbreviated, a city where a
# municipality is expected. brecha resolves such names to INEGI codes, and when it cannot, it
# says so for **every** problem at once, with the file line, the column, the value and the
# candidates, so you fix the file in one pass instead of one error at a time.
#
# This notebook writes a small, messy initiatives file, reads it, fixes what the report points
# at, and rebuilds the presence layer with it.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import brecha
from brecha.errors import InputError

pd.set_option("display.max_colwidth", 200)

# %% [markdown]
# ## The file
#
# One initiative per row; `states` and `municipalities` hold `;`-separated lists, and a
# municipality may carry its state after a comma. It is written to a temporary folder so the
# notebook runs anywhere.

# %%
MESSY_CSV = """\
initiative,agencies,year,theme,states,municipalities
Day care cooperatives in the highlands,UNICEF,2024,care,Chis.,"San Cristobal de las Casas, Chis.; Ocosingo; Tuxtla Gutierrez"
Shelters on the northern border,UNHCR; IOM,2023,migration,Chih.,"Cd. Juarez, Chih."
Water committees,UNDP,2024,water,N.L.,"Monterrey, N.L.; Guadalupe, N.L."
Women's cooperatives on the coast,UN Women,2023,gender,Q. Roo,Playa del Carmen; Cancun
School meals in the isthmus,WFP,2024,nutrition,Oaxaca; Chiapaz,"Juchitan, Oax.; Oaxaca de Juarex; Tonala"
"""
folder = Path(tempfile.mkdtemp(prefix="brecha-"))
path = folder / "my_initiatives.csv"
path.write_text(MESSY_CSV, encoding="utf-8")
pd.read_csv(path, dtype=str)

# %% [markdown]
# ## One name at a time
#
# `brecha.resolve` answers for a single name and says how it matched: missing accents and
# abbreviations are normalised, a city that is not a municipality's name is found among the
# Census localities (Playa del Carmen is in Solidaridad, Cancún in Benito Juárez), and a few
# well-known city names are aliases (Ciudad Juárez is the municipality of Juárez).

# %%
names = ["San Cristobal de las Casas, Chis.", "Cd. Juarez, Chih.", "Playa del Carmen", "Cancun",
         "Juchitan, Oax."]
pd.DataFrame([brecha.resolve(n, level="municipality").to_dict() for n in names])[
    ["query", "cvegeo", "name", "state_name", "matched_by", "locality"]]

# %% [markdown]
# ## The whole file, and its report
#
# Reading the file resolves every name. Three cannot be resolved: a misspelt state, a misspelt
# municipality (brecha offers the close names), and *Tonala*, which names two municipalities,
# one in Chiapas and one in Jalisco. All three come in one `InputError`; `problem_table` lays
# them out.

# %%
try:
    brecha.sources.read_initiatives(path)
except InputError as err:
    report = brecha.problem_table(err)
report[["line", "column", "value", "expected"]]

# %% [markdown]
# ## Fix the row
#
# All three problems are on line 6 of the file (line 1 is the header), that is the fifth
# initiative. The report gives the fix for each: *Chiapas*, *Oaxaca de Juárez*, and, of the
# two candidates for *Tonala*, the one on the isthmus coast: Tonalá, Chiapas. Fix the row and
# read again.

# %%
table = pd.read_csv(path, dtype=str, keep_default_na=False)
row = report["line"].iloc[0] - 2  # file line -> row of the table (header is line 1)
table.loc[row, "states"] = "Oaxaca; Chiapas"
table.loc[row, "municipalities"] = "Juchitan, Oax.; Oaxaca de Juarez; Tonala, Chis."
table.to_csv(path, index=False)

initiatives = brecha.sources.read_initiatives(path)
initiatives[["initiative_id", "initiative", "agencies", "cve_ents", "cvegeos"]]

# %% [markdown]
# ## The presence layer
#
# `initiative_places` turns the table into one row per initiative, agency, theme and place;
# `initiative_counts` counts distinct initiatives per municipality (or state). A state named
# without any of its municipalities counts for the state only; it is never spread over the
# state's municipalities.

# %%
places = brecha.sources.initiative_places(initiatives)
counts = brecha.presence.initiative_counts(places, level="municipality")
municipalities = brecha.geography.municipalities()
presence = municipalities.merge(counts, on="cvegeo")
presence.loc[presence["initiatives"] > 0, ["cvegeo", "name", "state_name", "initiatives"]]

# %%
brecha.presence.initiative_counts(places, level="state").query("initiatives > 0")

# %% [markdown]
# The interactive presence map draws what a layer says; `presence_by_area` gives those columns
# (initiatives, distinct agencies and offices, and the evidence: reported, state only, no report)
# for your initiatives with the embedded offices for context. Maps never count for themselves.

# %%
sources = brecha.load_sources()
by_area = brecha.presence.presence_by_area(places, sources["offices"], level="municipality",
                                           boundaries=municipalities)
layer = municipalities.merge(by_area.drop(columns=["cve_ent", "name", "state_name"], errors="ignore"), on="cvegeo")
brecha.show(brecha.presence_map(layer, sources["offices"], places, lang="en"))

# %% [markdown]
# ## The gap, with your work added
#
# To see your initiatives in the gap ranking, add them to the embedded ones. Initiative ids come
# from file lines, so two files share ids: prefix yours first, otherwise an initiative of each
# file on the same line would count once. Here for Chiapas, ranked among its own municipalities.

# %%
mine = initiatives.assign(initiative_id="mine-" + initiatives["initiative_id"])
combined = {**sources, "initiatives": pd.concat([sources["initiatives"], mine], ignore_index=True)}

before = brecha.municipal_layer(sources, state="Chiapas").set_index("cvegeo")
after = brecha.municipal_layer(combined, state="Chiapas").set_index("cvegeo")
changed = after.index[after["initiatives"] != before["initiatives"]]
pd.DataFrame({"name": after.loc[changed, "name"],
              "initiatives, embedded": before.loc[changed, "initiatives"],
              "initiatives, with mine": after.loc[changed, "initiatives"],
              "gap rank, embedded": before.loc[changed, "gap_rank"],
              "gap rank, with mine": after.loc[changed, "gap_rank"]})

# %%
shapes = after.to_crs(brecha.settings.ANALYSIS_CRS)
fig, ax = plt.subplots(figsize=(8, 6))
shapes.plot(column="gap_score", cmap="RdPu", linewidth=0.2, edgecolor="white", ax=ax, legend=True,
            legend_kwds={"label": "gap score, with my initiatives", "shrink": 0.6},
            missing_kwds={"color": "lightgrey"})  # no CONEVAL estimate: not ranked
shapes.loc[changed].boundary.plot(ax=ax, color="#08519c", linewidth=1.5)
ax.set_title("Chiapas: the gap, and the municipalities of the table above (outlined)")
ax.set_axis_off()
plt.show()

# %% [markdown]
# Presence is scored by rank (`normalisation="rank"`, the default): a municipality's first
# initiative moves it past every municipality with none, so it changes the ranking most; a
# second or third adds less.
#
# To replace the embedded initiatives instead of adding to them, load your file directly:
# `brecha.load_sources(initiatives=path)` (and `offices=` for an offices file).
