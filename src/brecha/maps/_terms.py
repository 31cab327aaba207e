"""Spanish words for the English terms the agency data use, and the reports they come from.

The agencies' reports are in English, so themes and office types in
``initiatives.csv`` and ``offices.csv`` are English. Spanish maps show them
through these small dictionaries; a term not listed (a user's own file) is
shown as written. Source files are named after the report they were
extracted from (``source_file``), so maps can cite the report itself.

>>> term("es", "gender violence"), term("es", "a term nobody listed"), term("en", "care")
('violencia de género', 'a term nobody listed', 'care')
>>> report_list("es", ["000_9cab7a6f19bd4af1.txt", "003_ca3134edc0f5b435.txt", "001_80f0bb2e607cb1b5.txt"])
'UNICEF 2023, ONU México 2020 y 2022'
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["term", "agency_name", "report_list", "report_name", "REPORTS", "EMBEDDED_REPORTS"]

#: Themes of the embedded initiatives (``initiatives.csv``), English -> Spanish.
_THEMES = {
    "agrobiodiversity": "agrobiodiversidad", "care": "cuidados", "child protection": "protección de la infancia",
    "child rights": "derechos de la infancia", "climate": "clima", "communication": "comunicación",
    "community": "comunidad", "culture": "cultura", "disability": "discapacidad",
    "economic development": "desarrollo económico", "education": "educación", "emergency": "emergencias",
    "employment": "empleo", "environment": "medio ambiente", "financing": "financiamiento",
    "food security": "seguridad alimentaria", "gender": "género", "gender violence": "violencia de género",
    "geospatial": "información geoespacial", "governance": "gobernanza", "health": "salud", "housing": "vivienda",
    "human rights": "derechos humanos", "idps": "personas desplazadas internas", "justice": "justicia",
    "local development": "desarrollo local", "migration": "migración", "nutrition": "nutrición",
    "partnerships": "alianzas", "peace": "paz", "private sector": "sector privado", "protection": "protección",
    "resilience": "resiliencia", "rural development": "desarrollo rural", "social protection": "protección social",
    "statistics": "estadística", "sustainability": "sostenibilidad", "territorial planning": "ordenamiento territorial",
    "trafficking": "trata de personas", "urban development": "desarrollo urbano", "urban planning": "planeación urbana",
    "violence prevention": "prevención de la violencia", "wash": "agua, saneamiento e higiene", "youth": "juventudes",
}

#: Office types of the embedded offices (``offices.csv``), English -> Spanish.
_OFFICE_TYPES = {
    "field office / personnel (deployment table)": "oficina de campo / personal (tabla de despliegue)",
    "key location (UNHCR with specialized GBV partners)":
        "ubicación clave (ACNUR con socios especializados en violencia de género)",
    "COMAR office supported (new COMAR office, opened)": "oficina de la COMAR apoyada (nueva oficina, abierta)",
    "COMAR office supported (renovation)": "oficina de la COMAR apoyada (renovación)",
    "COMAR office supported (COMAR Registration Center, opened)":
        "oficina de la COMAR apoyada (Centro de Registro de la COMAR, abierto)",
    "field office (city not stated)": "oficina de campo (ciudad no indicada)",
    "technical staff and UNV presence": "personal técnico y Voluntarios ONU",
    "centre of excellence (UNODC-INEGI Center of Excellence; city not stated)":
        "centro de excelencia (Centro de Excelencia UNODC-INEGI; ciudad no indicada)",
    "team (internal displacement, prioritized region for 2024)":
        "equipo (desplazamiento interno, región priorizada para 2024)",
    "country office (Resident Coordinator's Office)": "oficina de país (Oficina de la Coordinadora Residente)",
    "country office (Resident Coordination Office)": "oficina de país (Oficina de Coordinación Residente)",
    "shelter for refugees and asylum seekers (UNHCR-funded, with Hospitalidad y Solidaridad A.C.)":
        "albergue para personas refugiadas y solicitantes de asilo (financiado por ACNUR, con Hospitalidad y "
        "Solidaridad A.C.)",
    "subregional headquarters (city not stated)": "sede subregional (ciudad no indicada)",
    "information centre for Mexico, Cuba and Dominican Republic (city not stated)":
        "centro de información para México, Cuba y República Dominicana (ciudad no indicada)",
    "country office for Mexico and Cuba (city not stated)": "oficina de país para México y Cuba (ciudad no indicada)",
    "regional office for Mexico and Central America (city not stated)":
        "oficina regional para México y Centroamérica (ciudad no indicada)",
    "centre of excellence (Global Center of Excellence in Gender Statistics, CEEG; city not stated)":
        "centro de excelencia (Centro Global de Excelencia en Estadísticas de Género, CEEG; ciudad no indicada)",
    "centre of excellence (Global Centre of Excellence on Gender Statistics, CEGS; city not stated)":
        "centro de excelencia (Centro Global de Excelencia en Estadísticas de Género, CEEG; ciudad no indicada)",
    "country office (Mexico City Office, central/federal level)":
        "oficina de país (oficina de la Ciudad de México, nivel central/federal)",
    "field office expansion (from Baja California field office)":
        "ampliación de oficina de campo (desde la oficina de Baja California)",
    "field office expansion (from Chihuahua field office)":
        "ampliación de oficina de campo (desde la oficina de Chihuahua)",
    "emergency team (Hurricane Otis response)": "equipo de emergencia (respuesta al huracán Otis)",
    "field office(s) (additional, north of the country; state not stated)":
        "oficina(s) de campo (adicionales, norte del país; estado no indicado)",
    "duty stations (capital cities of priority states; not named)":
        "lugares de destino (capitales de estados prioritarios; sin nombre)",
    "country office (city not stated)": "oficina de país (ciudad no indicada)",
    "attention modules at Community Development Center (CEDECO)":
        "módulos de atención en el Centro de Desarrollo Comunitario (CEDECO)",
    "multiservice centre (first phase under construction; with COMAR and SRE)":
        "centro multiservicios (primera fase en construcción; con la COMAR y la SRE)",
    "multiservice centre (CMS; hosts National Employment Service office)":
        "centro multiservicios (CMS; alberga una oficina del Servicio Nacional de Empleo)",
    "multiservice centre (to be established, 2024 priority)": "centro multiservicios (por establecer, prioridad 2024)",
    "field unit (within COMEX), as of 2024": "unidad de campo (dentro de COMEX), desde 2024",
}

_ES = {**_THEMES, **_OFFICE_TYPES}

#: Agency names as the reports write them (English) -> the names Spanish readers know.
_AGENCIES = {"UNHCR": "ACNUR", "IOM": "OIM", "UN Women": "ONU Mujeres", "UNDP": "PNUD", "PAHO/WHO": "OPS/OMS",
             "UN-HABITAT": "ONU-Hábitat", "UN-Habitat": "ONU-Hábitat", "RCO": "OCR", "WFP": "PMA", "ILO": "OIT",
             # the Spanish acronyms of the catalogue's names (data/agencies_catalog.csv name_es)
             "ECLAC": "CEPAL", "UNIC": "CINU", "OHCHR": "ONU-DH", "UNEP": "PNUMA", "UNIDO": "ONUDI", "IFAD": "FIDA",
             "UN System": "Sistema ONU", "UN Global Compact": "Pacto Mundial", "EU": "UE"}


def agency_name(lang: str, name):
    """An agency's display name in ``lang`` (ACNUR for UNHCR in Spanish); unknown names unchanged.

    >>> agency_name("es", "UNHCR"), agency_name("en", "UNHCR"), agency_name("es", "UNICEF")
    ('ACNUR', 'UNHCR', 'UNICEF')
    """
    if lang != "es" or not isinstance(name, str):
        return name
    return _AGENCIES.get(name.strip(), name)


def term(lang: str, text):
    """``text`` in ``lang``: the Spanish word for a listed English term, otherwise ``text`` itself."""
    if lang != "es" or not isinstance(text, str):
        return text
    return _ES.get(text, text)


#: source_file -> (publisher es, publisher en, year): the reports the embedded agency data come from
#: (see src/brecha/data/DATA.md).
REPORTS = {
    "000_9cab7a6f19bd4af1.txt": ("UNICEF", "UNICEF", 2023),
    "001_80f0bb2e607cb1b5.txt": ("ONU México", "UN Mexico", 2022),
    "002_09399b8b1f137ae9.txt": ("ONU Mujeres", "UN Women", 2023),
    "003_ca3134edc0f5b435.txt": ("ONU México", "UN Mexico", 2020),
    "004_ec6142c0054ad662.txt": ("ACNUR", "UNHCR", 2023),
}
#: Every embedded report, for maps whose presence figures come from them without the tables at hand.
EMBEDDED_REPORTS = tuple(REPORTS)


def report_name(lang: str, source_file) -> str | None:
    """``"UNICEF 2023"`` for a known source file; None for any other."""
    rep = REPORTS.get(source_file) if isinstance(source_file, str) else None
    return None if rep is None else f"{rep[0 if lang == 'es' else 1]} {rep[2]}"


def report_list(lang: str, source_files: Iterable) -> str:
    """The known reports among ``source_files`` as one phrase, years grouped by publisher.

    Publishers come in the order of :data:`REPORTS`; unknown files are left
    out (their rows still carry the file name in the popups).
    """
    years: dict[str, list[int]] = {}
    used = {f for f in source_files if isinstance(f, str)}
    for f, (es, en, year) in REPORTS.items():
        if f in used:
            years.setdefault(es if lang == "es" else en, []).append(year)
    join = " y " if lang == "es" else " and "
    parts = []
    for publisher, ys in years.items():
        named = [str(y) for y in sorted(set(ys))]
        parts.append(f"{publisher} {', '.join(named[:-1]) + join + named[-1] if len(named) > 1 else named[0]}")
    return ", ".join(parts)
