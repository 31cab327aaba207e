"""Map labels in Spanish (default) and English, and how each value is shown.

>>> t("es", "nodata"), t("en", "nodata")
('Sin datos', 'No data')
>>> field("en", "nearest_office_km")
Field(key='nearest_office_km', label='Distance to nearest office', unit=' km', decimals=1)
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field

from .._care_groups import SUPPLY_GROUPS, care_fields
from ..errors import InputError, Problem

__all__ = ["LANGS", "t", "field", "Field", "check_lang", "scheme_name"]

LANGS = ("es", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # general
    "nodata": ("Sin datos", "No data"),
    "search": ("Buscar municipio…", "Search municipality…"),
    "search_state": ("Buscar estado…", "Search state…"),
    "search_empty": ("Sin coincidencias", "No matches"),
    "basemap": ("Mapa base (CARTO Positron)", "Basemap (CARTO Positron)"),
    "basemap_labels": ("Nombres del mapa base", "Basemap labels"),
    "fullscreen": ("Pantalla completa", "Full screen"),
    "fullscreen_exit": ("Salir de pantalla completa", "Exit full screen"),
    "zoom_in": ("Acercar", "Zoom in"),
    "zoom_out": ("Alejar", "Zoom out"),
    "layers": ("Capas", "Layers"),
    "show_more": ("Leyenda y listas ▾", "Legend and lists ▾"),
    "show_less": ("Ocultar leyenda ▴", "Hide legend ▴"),
    "mexico": ("México", "Mexico"),
    "state": ("Estado", "State"),
    "source": ("Fuente:", "Source:"),
    "reports": ("informes anuales de las agencias ({reports})", "agencies' annual reports ({reports})"),
    "reports_any": ("informes anuales de las agencias", "agencies' annual reports"),
    "classes": ("Colores: {k} grupos ({scheme})", "Colours: {k} groups ({scheme})"),
    "classes_quantiles": ("Colores: {k} grupos con el mismo número de {units}",
                          "Colours: {k} groups with the same number of {units}"),
    "units_cvegeo": ("municipios", "municipalities"),
    "units_cve_ent": ("estados", "states"),
    "low": ("baja", "low"),
    "high": ("alta", "high"),
    "unplaced": ("Oficinas sin ubicación precisa, no mostradas: {n}",
                 "Offices without a precise location, not shown: {n}"),
    "index_title": ("Mapas de cobertura y brecha", "Coverage and gap maps"),
    "index_note": ("Cada mapa es un archivo HTML independiente que funciona sin internet.",
                   "Each map is a standalone HTML file that works offline."),
    # presence
    "title_presence": ("Presencia de las agencias", "Agency presence"),
    "summary_presence": ("Iniciativas por estado y municipio; oficinas por agencia, con filtros por agencia, tema y "
                         "año.", "Initiatives per state and municipality; offices by agency, filterable by agency, "
                         "theme and year."),
    "layer_init_muni": ("Iniciativas por municipio", "Initiatives per municipality"),
    "layer_init_state": ("Iniciativas por estado", "Initiatives per state"),
    "layer_offices": ("Oficinas de las agencias", "Agency offices"),
    "filter": ("Filtros", "Filters"),
    "agency": ("Agencia", "Agency"),
    "theme": ("Tema", "Theme"),
    "year": ("Año", "Year"),
    "all": ("Todos", "All"),
    "n_offices": ("oficinas", "offices"),
    "office_type": ("Tipo", "Type"),
    "status": ("Estatus", "Status"),
    "year_reported": ("Año del informe", "Report year"),
    "city": ("Ciudad", "City"),
    "source_quote": ("Cita de la fuente", "Source quote"),
    "source_file": ("Informe fuente", "Source report"),
    "status_existing": ("existente", "existing"),
    "status_planned": ("planeada", "planned"),
    "status_expanding": ("en expansión", "expanding"),
    "status_renovated": ("renovada", "renovated"),
    "status_closed": ("cerrada", "closed"),
    "other_agencies": ("Otras agencias", "Other agencies"),
    "planned_office": ("Oficina planeada (símbolo hueco; no cuenta como presencia)",
                       "Planned office (hollow symbol; not counted as presence)"),
    # reach
    "title_reach": ("Alcance de las oficinas ({radius} km)", "Office reach ({radius} km)"),
    "summary_reach": ("Anillos de {radius} km alrededor de cada oficina, distancia a la oficina más cercana y pobreza.",
                      "{radius} km rings around each office, distance to the nearest office and poverty."),
    "layer_places": ("Estados y ciudades (nombres)", "States and cities (names)"),
    "layer_rings": ("Radio de alcance de {radius} km", "{radius} km reach rings"),
    "ring": ("Radio de {radius} km", "{radius} km radius"),
    "outside": ("Fuera de alcance (más de {radius} km de una oficina): {people} personas, {pct} de la población "
                "{method}",
                "Out of reach (more than {radius} km from an office): {people} people, {pct} of the population "
                "{method}"),
    "method_loc": ("(localidades del Censo 2020)", "(Census 2020 localities)"),
    "method_muni": ("(aprox. por municipio)", "(approx. by municipality)"),
    # care
    "title_care": ("Oferta y acceso a servicios de cuidado", "Care supply and access"),
    "summary_care": ("Establecimientos de cuidado del DENUE; demanda y acceso a lugares de cuidado por grupo.",
                     "DENUE care establishments; demand and access to care places by group."),
    "layer_access": ("Acceso a lugares de cuidado en {km} km: {group}",
                     "Access to care places within {km} km: {group}"),
    "access_method": ("Método: E2SFCA (Luo y Qi 2009): lugares de cuidado estimados a menos de {km} km en línea "
                      "recta, con menos peso cuanto más lejos y repartidos entre toda la población que los "
                      "alcanza, por 1,000 personas del grupo.",
                      "Method: E2SFCA (Luo & Qi 2009): estimated care places within {km} km in a straight line, "
                      "weighted down with distance and shared among everyone who can reach them, per 1,000 "
                      "people of the group."),
    "layer_demand": ("Demanda: {group}", "Demand: {group}"),
    "care_type": ("Tipo", "Type"),
    "staff": ("Personal ocupado", "Staff"),
    "sector": ("Sector", "Sector"),
    "sector_public": ("público", "public"),
    "sector_private": ("privado", "private"),
    "denue_points": ("DENUE: {type}", "DENUE: {type}"),
    "denue_legend": ("Lugares de cuidado (DENUE)", "Care places (DENUE)"),
    "denue_mixed": ("Grupo con varios tipos", "Cluster of several types"),
    # gap
    "title_gap": ("Brecha: necesidad frente a presencia", "Gap: need versus presence"),
    "summary_gap": ("Mapa bivariado 3×3 de necesidad y presencia reportada; los {n} municipios con mayor "
                    "puntaje de brecha.",
                    "Bivariate 3×3 map of need and reported presence; the {n} municipalities with the "
                    "highest gap score."),
    "layer_bivar": ("Necesidad × presencia", "Need × presence"),
    "layer_gap_score": ("Puntaje de brecha", "Gap score"),
    "layer_top": ("Los {n} municipios con mayor puntaje de brecha", "Top {n} municipalities by gap score"),
    "layer_top_state": ("Los {n} municipios de {state} con mayor puntaje de brecha (lugar nacional)",
                        "Top {n} municipalities in {state} by gap score (national rank)"),
    "panel": ("Lugar por puntaje de brecha (#1 = mayor); la clase dice si el lugar fue reportado",
              "Rank by gap score (#1 = highest); the class says whether the place was reported"),
    "rank_group": ("Varios lugares juntos (acerque para separarlos)", "Several ranks close together (zoom in)"),
    # Short: they sit in tooltip rows; the legends say what they mean.
    "evidence_reported": ("reportada", "reported"),
    "evidence_state_only": ("solo su estado", "its state only"),
    "evidence_no_report": ("sin reporte", "no report"),
    "no_report_note": ("Sin reporte: {n} municipios de necesidad alta que ningún informe nombra (ni su estado); "
                       "es falta de información, no una brecha confirmada.",
                       "No report: {n} high-need municipalities that no report names (nor their state); "
                       "missing information, not a confirmed gap."),
    "state_only_note": ("Solo el estado: {n} municipios de necesidad alta cuyo estado nombran los informes, "
                        "nunca el municipio; su presencia no está medida, no es una brecha confirmada.",
                        "State only: {n} high-need municipalities whose state the reports name, never the "
                        "municipality; their presence is not measured, not a confirmed gap."),
    "presence_no_report": ("sin reporte", "no report"),
    "presence_state_only": ("solo el estado", "state only"),
    "need": ("Necesidad", "Need"),
    "presence": ("Presencia", "Presence"),
    "class_1": ("baja", "low"),
    "class_2": ("media", "medium"),
    "class_3": ("alta", "high"),
    # years and change (brecha.maps.years, brecha.maps.change)
    "title_years": ("{label} por año del informe", "{label} by report year"),
    "summary_years": ("{label} de cada año del informe ({years}), un año a la vez, y el cambio entre dos años.",
                      "{label} of each report year ({years}), one year at a time, and the change between two years."),
    "layer_year": ("{year}: {label}", "{year}: {label}"),
    "layer_year_change": ("Cambio {before} → {after}: lugar en la brecha", "Change {before} → {after}: gap rank"),
    "years_note": ("Cada año cuenta solo lo que dice el informe de ese año: lo que un informe no nombra no "
                   "está ausente, solo no reportado.",
                   "Each year counts only what that year's report says: what a report does not name is not "
                   "absent, only not reported."),
    "years_reported": ("{year}: {n} municipios con presencia reportada", "{year}: {n} municipalities with "
                       "reported presence"),
    "title_change": ("Qué cambió: {n} municipios", "What changed: {n} municipalities"),
    "summary_change": ("Lugares que cada municipio subió o bajó en la brecha, y qué cifras cambiaron.",
                       "Places each municipality moved up or down the gap ranking, and which figures changed."),
    "layer_change": ("Lugares que subió en la brecha", "Places moved up the gap ranking"),
    "move_down_many": ("bajó {n} lugares o más (menos urgente)", "down {n}+ places (less urgent)"),
    "move_down": ("bajó {a}–{b} lugares", "down {a}–{b} places"),
    "move_down_one": ("bajó 1 lugar", "down 1 place"),
    "move_none": ("sin cambio de lugar", "no move"),
    "move_up_one": ("subió 1 lugar", "up 1 place"),
    "move_up": ("subió {a}–{b} lugares", "up {a}–{b} places"),
    "move_up_many": ("subió {n} lugares o más (más urgente)", "up {n}+ places (more urgent)"),
    "move_note": ("Rojo: subió en la brecha (hacia el #1, más urgente); azul: bajó; blanco: mismo lugar. "
                  "Sin dato: sin lugar en uno de los dos.",
                  "Red: moved up the gap ranking (towards #1, more urgent); blue: moved down; white: same "
                  "place. No data: no rank in one of the two."),
    "changed_n": ("{n} municipios con alguna cifra distinta; {moved} cambiaron de lugar.",
                  "{n} municipalities with some figure different; {moved} changed place."),
    "why_same": ("Mismas entradas y parámetros.", "Same inputs and settings."),
    "why_input": ("Datos distintos: {name} ({before} → {after})", "Different data: {name} ({before} → {after})"),
    "why_setting": ("Parámetro distinto: {name} ({before} → {after})",
                    "Different setting: {name} ({before} → {after})"),
    "why_code": ("Versión de brecha distinta ({before} → {after})", "Different brecha version ({before} → {after})"),
    "why_other": ("{name}: {before} → {after}", "{name}: {before} → {after}"),
    "why_other_new": ("{name}: {after}", "{name}: {after}"),
    "layer_changed": ("Alguna cifra distinta, mismo lugar ({n})", "Some figure changed, same rank ({n})"),
    "why_more": ("… y {n} diferencias más", "… and {n} more differences"),
    "nothing_changed": ("ninguna", "none"),
    "side_before": ("antes", "before"),
    "side_after": ("después", "after"),
    # choropleth
    "title_choropleth": ("{label} por {level}", "{label} by {level}"),
    "summary_choropleth": ("{label} por {level}; clases {scheme}, k = {k}.",
                           "{label} by {level}; {scheme} classes, k = {k}."),
    "level_state": ("estado", "state"),
    "source_official": ("cifra oficial estatal", "official state figure"),
    "source_agg_from_municipal": ("agregada de las estimaciones municipales", "aggregated from municipal estimates"),
    "source_row": ("Origen de la cifra", "Figure's origin"),
    "source_all_agg": ("Cifras agregadas de las estimaciones municipales de CONEVAL (los {n} estados); "
                       "no son las cifras oficiales estatales.",
                       "Figures aggregated from CONEVAL's municipal estimates (all {n} states); "
                       "not the official state figures."),
    "source_all_official": ("Cifras oficiales estatales de CONEVAL (los {n} estados).",
                            "CONEVAL's official state figures (all {n} states)."),
    "source_mixed": ("Cifras oficiales estatales en {official} estados; agregadas de las estimaciones municipales "
                     "en {agg}.", "Official state figures in {official} states; aggregated from municipal "
                     "estimates in {agg}."),
    "sub_agg": ("cifras agregadas de municipios", "aggregated from municipalities"),
    "sub_official": ("cifras oficiales estatales", "official state figures"),
    "sub_mixed": ("cifras oficiales y agregadas", "official and aggregated figures"),
    "coneval_base": ("Personas en pobreza: CONEVAL, sobre su propia población base, que puede diferir de la "
                     "población del Censo 2020 (la ficha muestra ambas).",
                     "People in poverty: CONEVAL, on its own population base, which can differ from the "
                     "Census 2020 count (the tooltip shows both)."),
    "level_municipality": ("municipio", "municipality"),
    # Reach is its own axis, not part of presence (brecha.presence): the note must not say otherwise.
    "bivar_note": ("Recuadro marcado: alta necesidad y baja presencia (brecha). Presencia = iniciativas y "
                   "oficinas reportadas; la distancia a una oficina se muestra aparte.",
                   "Outlined square: high need and low presence (the gap). Presence = reported initiatives "
                   "and offices; the distance to an office is shown apart."),
}

#: key -> (label es, label en, unit es, unit en, decimals)
_FIELDS: dict[str, tuple[str, str, str, str, int]] = {
    "pop_total": ("Población", "Population", " personas", " people", 0),
    "poverty_pct": ("Población en pobreza (%)", "Share of people in poverty (%)", " %", "%", 1),
    "poverty_people": ("Personas en pobreza (número)", "People in poverty (count)", " personas", " people", 0),
    "pop_coneval": ("Población base de CONEVAL", "CONEVAL's population base", " personas", " people", 0),
    "extreme_poverty_pct": ("Pobreza extrema", "Extreme poverty", " %", "%", 1),
    "initiatives": ("Iniciativas", "Initiatives", "", "", 0),
    "offices": ("Oficinas", "Offices", "", "", 0),
    "nearest_office_agency": ("Oficina más cercana: agencia", "Nearest office: agency", "", "", 0),
    "nearest_office_city": ("Oficina más cercana: ciudad", "Nearest office: city", "", "", 0),
    "people_out_of_reach": ("Personas fuera de alcance", "People out of reach", " personas", " people", 0),
    "presence_evidence": ("Evidencia de presencia", "Presence evidence", "", "", 0),
    "gap_class": ("Clase de brecha", "Gap class", "", "", 0),
    "nearest_office_km": ("Distancia a la oficina más cercana", "Distance to nearest office", " km", " km", 1),
    "gap_score": ("Puntaje de brecha", "Gap score", "", "", 2),
    "agencies": ("Agencias", "Agencies", "", "", 0),
    "initiatives_state_scope": ("Iniciativas del estado, lugar no nombrado", "State initiatives, place not named",
                                "", "", 0),
    "gap_rank": ("Lugar en la brecha", "Gap rank", "", "", 0),
    "need_class": ("Necesidad", "Need", "", "", 0),
    "presence_class": ("Presencia", "Presence", "", "", 0),
    "presence_text": ("Presencia", "Presence", "", "", 0),
    "gap_drivers": ("Qué impulsa el lugar", "What drives the rank", "", "", 0),
    # Headline columns a change table compares (brecha.change.HEADLINE) and its own columns.
    "need_score": ("Puntaje de necesidad", "Need score", "", "", 2),
    "offices_planned": ("Oficinas planeadas", "Planned offices", "", "", 0),
    "people_reached": ("Personas alcanzadas (según los informes)", "People reached (as reported)", " personas",
                       " people", 0),
    "presence_score": ("Puntaje de presencia", "Presence score", "", "", 2),
    "office_evidence": ("Evidencia de oficinas", "Office evidence", "", "", 0),
    "pop_within_reach_pct": ("Población al alcance de una oficina", "Population within an office's reach", " %",
                             "%", 1),
    "poor_within_reach_pct": ("Personas pobres al alcance de una oficina", "Poor people within an office's reach",
                              " %", "%", 1),
    "care_unmet": ("Demanda de cuidado no cubierta (estimada)", "Unmet care demand (estimated)", " personas",
                   " people", 0),
    "bivariate_class": ("Clase bivariada", "Bivariate class", "", "", 0),
    "rank_move": ("Lugares que subió en la brecha", "Places moved up the gap ranking", "", "", 0),
    "gap_rank_before": ("Lugar en la brecha, antes", "Gap rank, before", "", "", 0),
    "gap_rank_after": ("Lugar en la brecha, después", "Gap rank, after", "", "", 0),
    "changed_columns": ("Qué cambió", "What changed", "", "", 0),
    # State fair share (brecha.fairshare): fractions 0..1 of the national total, so three decimals (0.135).
    "fair_share_gap": ("Parte de la pobreza menos parte de las iniciativas",
                       "Share of the poor minus share of initiatives", "", "", 3),
    "share_poor": ("Parte de las personas en pobreza del país", "Share of the country's poor", "", "", 3),
    "share_initiatives": ("Parte de las iniciativas del país", "Share of the country's initiatives", "", "", 3),
    "fair_share_rank": ("Lugar en la participación justa", "Fair-share rank", "", "", 0),
}

# The care columns' labels come from the one table of care groups (brecha.care.CARE_GROUPS).
_FIELDS.update(care_fields())

#: What a legend counts when the values carry no unit of their own (key -> (es, en)).
_LEGEND_UNITS: dict[str, tuple[str, str]] = {
    "initiatives": ("número de iniciativas distintas", "number of distinct initiatives"),
    "offices": ("número de oficinas", "number of offices"),
    "agencies": ("número de agencias distintas", "number of distinct agencies"),
    "gap_score": ("puntaje sin unidad: más alto, más brecha", "unitless score: higher, larger gap"),
    "fair_share_gap": ("fracción del total del país (0.10 = 10 puntos); positivo: menos atendido que su pobreza",
                       "fraction of the national total (0.10 = 10 points); positive: less served than its poverty"),
    **{f"care_supply_{g.name}": ("lugares", "places") for g in SUPPLY_GROUPS},
}

#: mapclassify scheme (lower case, no underscores) -> (Spanish, English) name for legends.
_SCHEMES = {
    "quantiles": ("cuantiles", "quantiles"), "equalinterval": ("intervalos iguales", "equal interval"),
    "fisherjenks": ("Fisher-Jenks", "Fisher-Jenks"),
    "fisherjenkssampled": ("Fisher-Jenks (muestra)", "Fisher-Jenks (sampled)"),
    "naturalbreaks": ("cortes naturales", "natural breaks"), "jenkscaspall": ("Jenks-Caspall", "Jenks-Caspall"),
    "headtailbreaks": ("cabeza-cola", "head/tail breaks"), "maximumbreaks": ("saltos máximos", "maximum breaks"),
    "prettybreaks": ("cortes redondeados", "pretty breaks"), "boxplot": ("diagrama de caja", "box plot"),
    "stdmean": ("media y desviación estándar", "standard deviation"), "percentiles": ("percentiles", "percentiles"),
}


def scheme_name(lang: str, scheme: str) -> str:
    """A mapclassify scheme as a legend names it (``"quantiles"`` -> ``"cuantiles"``)."""
    names = _SCHEMES.get(scheme.replace("_", "").lower())
    return names[check_lang(lang)] if names else scheme


@dataclass(frozen=True)
class Field:
    """How one column is labelled and formatted on a map."""

    key: str
    label: str
    unit: str
    decimals: int
    #: What the legend says the values count, when ``unit`` is empty (``"número de iniciativas distintas"``).
    legend_unit: str = dc_field(default="", repr=False)

    def spec(self, **extra) -> dict:
        """The tooltip row the page's runtime expects: key, label, unit, decimals."""
        return {"k": self.key, "l": self.label, "u": self.unit, "d": self.decimals, **extra}


def check_lang(lang: str) -> int:
    """Index of ``lang`` in :data:`LANGS`; raises InputError for any other language."""
    if lang not in LANGS:
        raise InputError([Problem("<lang>", None, "lang", lang, f"one of {list(LANGS)}")])
    return LANGS.index(lang)


def t(lang: str, key: str, **values) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = _LABELS[key][check_lang(lang)]
    return text.format(**values) if values else text


def field(lang: str, key: str, label: str | None = None) -> Field:
    """Label, unit and decimals of column ``key`` in ``lang``.

    A column brecha does not know (a planner's own) is labelled ``label``
    (or its name) with two decimals and no unit.
    """
    i = check_lang(lang)
    row = _FIELDS.get(key)
    if row is None:
        return Field(key, label or key, "", 2)
    unit = _LEGEND_UNITS.get(key, ("", ""))[i]
    label_es, label_en, unit_es, unit_en, decimals = row
    return Field(key, label or (label_es, label_en)[i], (unit_es, unit_en)[i], decimals, unit)
