"""The words of a place profile (:mod:`brecha.profile`), in Spanish and English.

Labels, units and the plain-language meaning of the layer's codes
(``presence_evidence``, ``office_evidence``, location precision, agency kind).
Text is made here, at the edge; the layers store codes only.

>>> word("es", "evidence_state_only")
'solo el estado: se nombra su estado, no el municipio'
>>> word("en", "precision_unnamed")
'sub-national, place not named'
"""

from __future__ import annotations

from ._care_groups import care_fields

__all__ = ["word", "matched_word", "FIGURES", "figure_label", "LANGS"]

LANGS = ("es", "en")

_WORDS: dict[str, tuple[str, str]] = {
    "profile_muni": ("Perfil municipal", "Municipal profile"),
    "profile_state": ("Perfil estatal", "State profile"),
    "code": ("Clave INEGI", "INEGI code"),
    "resolved": ("Lugar pedido: «{query}» ({how})", "Place asked: “{query}” ({how})"),
    "also_names": ("también nombra {name} ({code}): pídalo como «{name}»",
                   "also names {name} ({code}): ask for “{name}”"),
    "locality": ("localidad {name}, en el municipio", "locality {name}, in the municipality"),
    # How the resolver matched the words asked (brecha.places.Place.matched_by), said to a reader.
    "how_code": ("por su clave INEGI", "by its INEGI code"),
    "how_state_name": ("por el nombre del estado", "by the state's name"),
    "how_state_short_name": ("por el nombre corto del estado", "by the state's short name"),
    "how_municipality_name": ("por el nombre del municipio", "by the municipality's name"),
    "how_municipality_short_name": ("por el nombre corto del municipio", "by the municipality's short name"),
    "how_city_alias": ("por el nombre de la ciudad", "by the city's name"),
    "how_locality": ("por el nombre de una localidad", "by a locality's name"),
    "how_urban_locality": ("por el nombre de una localidad urbana", "by an urban locality's name"),
    "need": ("Necesidad", "Need"),
    "presence": ("Presencia reportada", "Reported presence"),
    "care": ("Acceso a cuidados", "Care access"),
    "reach": ("Alcance de las oficinas", "Office reach"),
    "gap": ("Brecha: lugar y razones", "Gap: rank and reasons"),
    "fair": ("Participación justa (estado en el total nacional)", "Fair share (state in the national total)"),
    "rank_of": ("{rank} de {n} lugares con índice", "{rank} of {n} ranked places"),
    "not_ranked": ("sin lugar en el índice", "not ranked"),
    "reasons": ("Razones", "Reasons"),
    "no_reasons": ("ninguna razón registrada", "no reason recorded"),
    "class": ("Clase", "Class"),
    "init_here": ("Iniciativas nombradas aquí ({n})", "Initiatives named here ({n})"),
    "init_state": ("Reportadas para el estado, lugar no nombrado ({n})",
                   "Reported for the state, place not named ({n})"),
    "init_state_note": ("Ningún informe dice que trabajen en este municipio; se listan aparte y no cuentan "
                        "como presencia en él.", "No report says they work in this municipality; listed apart, "
                        "not counted as presence here."),
    "offices_here": ("Oficinas nombradas aquí ({n} sitios)", "Offices named here ({n} sites)"),
    "none": ("Ninguna.", "None."),
    "quote": ("Cita", "Quote"),
    "report": ("Informe", "Report"),
    "precision": ("Precisión", "Precision"),
    "years": ("Años", "Years"),
    "status": ("Estatus", "Status"),
    "agency": ("Agencia", "Agency"),
    "theme": ("Tema", "Theme"),
    "figure": ("Cifra del informe", "Report figure"),
    "quotes_left_out": ("Citas omitidas para que el perfil quepa en dos páginas; están en los perfiles de sus "
                        "municipios y en la tabla de la fuente (initiatives.csv / offices.csv).",
                        "Quotes left out so the profile fits on two pages; they are in its municipalities' "
                        "profiles and in the source table (initiatives.csv / offices.csv)."),
    "clipped": ("Las citas largas se abrevian (…); el texto completo está en la tabla de la fuente.",
                "Long quotes are shortened (…); the full text is in the source table."),
    "list_mismatch": ("Nota: la lista tiene {listed} iniciativas y la capa cuenta {counted}: la capa se construyó "
                      "con otros datos de iniciativas.", "Note: the list has {listed} initiatives and the layer "
                      "counts {counted}: the layer was built from other initiative data."),
    "sources": ("Fuentes y vigencia de los datos", "Sources and vintages"),
    "source": ("Fuente", "Source"),
    "publisher": ("Publica", "Publisher"),
    "vintage": ("Vigencia", "Vintage"),
    "file": ("Archivo", "File"),
    "built_from": ("Cifras de la construcción en {path} ({when}).", "Figures from the build in {path} ({when})."),
    "built_memory": ("Cifras calculadas en memoria con los datos incluidos en brecha (sin construcción previa).",
                     "Figures computed in memory from the data embedded in brecha (no build given)."),
    "generated": ("Generado por brecha {version} el {when}.", "Made by brecha {version} on {when}."),
    "how_to": ("Otro lugar: brecha profile \"LUGAR\" --out archivo.html", "Another place: brecha profile \"PLACE\" "
               "--out file.html"),
    "top_in_state": ("Municipios del estado con mayor puntaje de brecha",
                     "The state's municipalities with the highest gap score"),
    "coneval_base": ("La población base de CONEVAL ({coneval}) difiere del Censo 2020 ({census}); el porcentaje de "
                     "pobreza se calcula sobre la de CONEVAL.", "CONEVAL's population base ({coneval}) differs "
                     "from the Census 2020 count ({census}); the poverty share is over CONEVAL's base."),
    "radius": ("Radio de alcance: {km}", "Reach radius: {km}"),
    "missing": ("sin dato", "no data"),
    "yes": ("sí", "yes"),
    "no": ("no", "no"),
    "evidence_reported": ("reportada: un informe u oficina nombra el lugar", "reported: a report or office names "
                          "the place"),
    "evidence_state_only": ("solo el estado: se nombra su estado, no el municipio",
                            "state only: its state is named, the municipality is not"),
    "evidence_no_report": ("sin reporte: nada nombra el lugar ni su estado",
                           "no report: nothing names the place or its state"),
    "office_reported": ("reportada: una oficina nombra el lugar", "reported: an office names the place"),
    "office_confirmed_absent": ("ausencia confirmada: una lista completa de oficinas no incluye el lugar",
                                "confirmed absent: a complete office list leaves the place out"),
    "office_no_report": ("sin reporte", "no report"),
    "presence_no_report": ("sin reporte", "no report"),
    "presence_state_only": ("solo el estado", "state only"),
    "precision_point": ("punto o localidad", "point or locality"),
    "precision_municipality": ("municipio", "municipality"),
    "precision_state": ("solo el estado", "state only"),
    "precision_unnamed": ("sub-nacional, lugar no nombrado", "sub-national, place not named"),
    "precision_national": ("nacional", "national"),
    "status_existing": ("existente", "existing"),
    "status_renovated": ("renovada", "renovated"),
    "status_planned": ("planeada (no cuenta como presencia)", "planned (not counted as presence)"),
    "status_expanding": ("en expansión (no cuenta como presencia)", "expanding (not counted as presence)"),
    "status_closed": ("cerrada", "closed"),
    "class_1": ("baja", "low"),
    "class_2": ("media", "medium"),
    "class_3": ("alta", "high"),
    "source_official": ("cifra oficial estatal", "official state figure"),
    "source_agg_from_municipal": ("agregada de las estimaciones municipales", "aggregated from municipal estimates"),
}

#: Layer column -> (label es, label en, unit es, unit en, decimals; -1 = a share 0..1 shown as %).
FIGURES: dict[str, tuple[str, str, str, str, int]] = {
    "pop_total": ("Población (Censo 2020)", "Population (Census 2020)", "personas", "people", 0),
    "pop_coneval": ("Población base de CONEVAL", "CONEVAL's population base", "personas", "people", 0),
    "poverty_pct": ("Población en pobreza", "Share of people in poverty", "%", "%", 1),
    "poverty_people": ("Personas en pobreza", "People in poverty", "personas", "people", 0),
    "poverty_source": ("Origen de la cifra de pobreza", "Origin of the poverty figure", "", "", 0),
    "extreme_poverty_pct": ("Pobreza extrema", "Extreme poverty", "%", "%", 1),
    "extreme_poverty_people": ("Personas en pobreza extrema", "People in extreme poverty", "personas", "people", 0),
    "pop_0_5": ("Niñas y niños de 0 a 5 años", "Children aged 0–5", "personas", "people", 0),
    "pop_60_plus": ("Personas de 60 años y más", "People aged 60+", "personas", "people", 0),
    "pop_disability": ("Personas con discapacidad", "People with disability", "personas", "people", 0),
    "initiatives": ("Iniciativas nombradas aquí", "Initiatives named here", "", "", 0),
    "initiatives_municipal_scope": ("…de ellas, nombrando un municipio", "…of which naming a municipality", "", "",
                                    0),
    "initiatives_state_scope": ("Iniciativas del estado, lugar no nombrado", "State initiatives, place not named",
                                "", "", 0),
    "agencies": ("Agencias distintas", "Distinct agencies", "", "", 0),
    "offices": ("Oficinas existentes (sitios distintos)", "Existing offices (distinct sites)", "", "", 0),
    "offices_planned": ("Oficinas planeadas", "Planned offices", "", "", 0),
    "people_reached": ("Personas alcanzadas (según los informes)", "People reached (as reported)", "personas",
                       "people", 0),
    "presence_evidence": ("Evidencia de presencia", "Presence evidence", "", "", 0),
    "office_evidence": ("Evidencia de oficinas", "Office evidence", "", "", 0),
    "presence_class": ("Clase de presencia", "Presence class", "", "", 0),
    # Care columns (supply, access, demand): from the one table of care groups, brecha.care.CARE_GROUPS.
    **{k: (les, len_, ues.strip(), uen.strip(), d) for k, (les, len_, ues, uen, d) in care_fields().items()},
    "care_unmet": ("Demanda de cuidado no cubierta (estimada)", "Unmet care demand (estimated)", "personas",
                   "people", 0),
    "nearest_office_km": ("Distancia a la oficina más cercana", "Distance to the nearest office", "km", "km", 1),
    "nearest_office_agency": ("Oficina más cercana: agencia", "Nearest office: agency", "", "", 0),
    "nearest_office_city": ("Oficina más cercana: ciudad", "Nearest office: city", "", "", 0),
    "pop_within_reach_pct": ("Población a menos del radio de una oficina", "Population within an office's radius",
                             "%", "%", 1),
    "poor_within_reach_pct": ("Personas pobres a menos del radio", "Poor people within the radius", "%", "%", 1),
    "people_out_of_reach": ("Personas fuera de alcance", "People out of reach", "personas", "people", 0),
    "gap_class": ("Clase de brecha", "Gap class", "", "", 0),
    "need_class": ("Clase de necesidad", "Need class", "", "", 0),
    "gap_score": ("Puntaje de brecha (0–1, más alto = más brecha)", "Gap score (0–1, higher = larger gap)", "", "",
                  2),
    "share_poor": ("Parte de las personas pobres del país", "Share of the country's poor", "%", "%", -1),
    "share_care_unmet": ("Parte de la demanda de cuidado no cubierta", "Share of unmet care demand", "%", "%", -1),
    "share_initiatives": ("Parte de las iniciativas", "Share of initiatives", "%", "%", -1),
    "share_agencies": ("Parte de las agencias", "Share of agencies", "%", "%", -1),
    "fair_share_gap": ("Diferencia (pobres − iniciativas; positiva = menos atendido)",
                       "Difference (poor − initiatives; positive = under-served)", "puntos porcentuales",
                       "percentage points", -1),
    "fair_share_rank": ("Lugar por diferencia (1 = mayor)", "Rank by difference (1 = largest)", "", "", 0),
}


def _i(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {list(LANGS)}, got {lang!r}")
    return LANGS.index(lang)


def word(lang: str, key: str, **values) -> str:
    """The phrase ``key`` in ``lang`` with ``{placeholders}`` filled; an unknown key is returned as is."""
    pair = _WORDS.get(key)
    text = key if pair is None else pair[_i(lang)]
    return text.format(**values) if values else text


def matched_word(lang: str, how: str) -> str:
    """How a place was matched (``"municipality_name"``) in words; an unknown code as is."""
    key = f"how_{how}"
    return word(lang, key) if key in _WORDS else how


def figure_label(lang: str, column: str) -> tuple[str, str, int]:
    """(label, unit, decimals) of a layer column; unknown columns by their own name."""
    row = FIGURES.get(column)
    if row is None:
        return column, "", 2
    i = _i(lang)
    return str(row[i]), str(row[2 + i]), int(row[4])
