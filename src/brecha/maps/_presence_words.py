"""The words of the presence (3W) map that the shared labels do not have, in Spanish and English.

>>> words("en")["note_unnamed"]
'Sub-national, place not named (not mapped): {n} initiatives'
"""

from __future__ import annotations

__all__ = ["words", "EVIDENCE", "OFFICE_EVIDENCE"]

_W: dict[str, tuple[str, str]] = {
    "filter": ("Filtros", "Filters"), "agency": ("Agencia", "Agency"), "theme": ("Tema", "Theme"),
    "year": ("Año", "Year"), "all": ("Todos", "All"), "all_agencies": ("Todas", "All"),
    "initiatives": ("iniciativas", "initiatives"), "initiative": ("iniciativa", "initiative"),
    "offices": ("oficinas", "offices"), "office": ("oficina", "office"),
    "hint": ("Clic en un lugar: qué se reporta ahí. El tema no filtra oficinas (no tienen tema).",
             "Click a place: what is reported there. Theme does not filter offices (they have none)."),
    "note_national": ("Nacionales, sin lugar (no cartografiadas): {n} iniciativas",
                      "Nationwide, no place (not mapped): {n} initiatives"),
    "note_unnamed": ("Sub-nacionales, lugar no nombrado (no cartografiadas): {n} iniciativas",
                     "Sub-national, place not named (not mapped): {n} initiatives"),
    "note_state_offices": ("Oficinas que nombran solo el estado: {n} sitios",
                           "Offices naming only the state: {n} sites"),
    "note_unplaced_offices": ("Oficinas sin lugar: {n} sitios", "Offices with no place: {n} sites"),
    "in_place": ("Reportado en {place}", "Reported in {place}"),
    "none": ("Ninguna iniciativa nombra este lugar con estos filtros.",
             "No initiative names this place with these filters."),
    "offices_here": ("Oficinas (sitios)", "Offices (sites)"),
    "scope_note": ("Además, {n} iniciativas reportadas para el estado sin nombrar el lugar (no cuentan aquí).",
                   "Also {n} initiatives reported for the state without naming the place (not counted here)."),
    "evidence": ("Evidencia", "Evidence"),
    "profile_hint": ("Perfil imprimible de este lugar:", "Printable profile of this place:"),
    "table_title": ("Quién hace qué dónde", "Who does what where"),
    "show_table": ("Tabla 3W y descarga ▸", "3W table and download ▸"),
    "hide_table": ("Ocultar tabla", "Hide table"),
    "level_m": ("municipios", "municipalities"), "level_s": ("estados", "states"),
    "table_count_m": ("{n} municipios con algo reportado (filtros aplicados)",
                      "{n} municipalities with something reported (filters applied)"),
    "table_count_s": ("{n} estados con algo reportado (filtros aplicados)",
                      "{n} states with something reported (filters applied)"),
    "table_note": ("Cifras de los informes de las agencias: lo que nombran, no una medida de ausencia. Oficinas = "
                   "sitios distintos existentes; planeadas aparte. Clic en una fila para ir al lugar.",
                   "Figures from the agencies' reports: what they name, not a measure of absence. Offices = "
                   "distinct existing sites; planned apart. Click a row to go to the place."),
    "col_key": ("clave", "code"), "col_place": ("Lugar", "Place"), "col_state": ("Estado", "State"),
    "col_name": ("Municipio", "Municipality"),
    "col_agencies": ("Agencias", "Agencies"), "col_list": ("Cuáles", "Which"),
    "col_initiatives": ("Iniciativas", "Initiatives"), "col_themes": ("Temas (iniciativas)", "Themes (initiatives)"),
    "col_offices": ("Oficinas", "Offices"), "col_planned": ("Planeadas", "Planned"),
    "col_evidence": ("Evidencia", "Evidence"),
    "short_initiatives": ("Inic.", "Init."), "short_offices": ("Ofic.", "Off."), "short_planned": ("Plan.", "Plan."),
    "evidence_reported": ("reportada", "reported"), "evidence_state_only": ("solo el estado", "state only"),
    "evidence_no_report": ("sin reporte", "no report"),
    "status_planned": ("planeada", "planned"), "status_expanding": ("en expansión", "expanding"),
    "status_closed": ("cerrada", "closed"),
    "precision_point": ("punto o localidad", "point or locality"),
    "precision_municipality": ("municipio", "municipality"),
    "precision_state": ("solo el estado", "state only"),
    "layer_agencies_muni": ("Agencias distintas por municipio", "Distinct agencies per municipality"),
    "layer_agencies_state": ("Agencias distintas por estado", "Distinct agencies per state"),
    "offices_planned": ("Oficinas planeadas", "Planned offices"),
    "office_evidence": ("Evidencia de oficinas", "Office evidence"),
}

#: presence_evidence codes -> tooltip words (es, en).
EVIDENCE = {"reported": ("reportada: un informe u oficina nombra el lugar",
                         "reported: a report or office names the place"),
            "state_only": ("solo el estado: se nombra su estado, no el municipio",
                           "state only: its state is named, the municipality is not"),
            "no_report": ("sin reporte: nada nombra el lugar ni su estado",
                          "no report: nothing names the place or its state")}
#: office_evidence codes -> tooltip words (es, en).
OFFICE_EVIDENCE = {"reported": ("reportada", "reported"),
                   "confirmed_absent": ("ausencia confirmada (lista completa)", "confirmed absent (complete list)"),
                   "no_report": ("sin reporte", "no report")}


def words(lang: str) -> dict[str, str]:
    """Every word of the 3W view in ``lang``."""
    i = 0 if lang == "es" else 1
    return {k: v[i] for k, v in _W.items()}
