"""Reader for INEGI's DENUE establishments, kept to direct-care services.

Care types follow SCIAN 2018: 6244xx day cares (guarderías), 6233xx homes
for the elderly (asilos), 6232xx residences for people with disabilities.
SCIAN puts residences for mental disorders and addictions (623221/623222)
in the same group; :func:`care_type_of` types them ``mental_health``
instead, because they do not serve the Census disability population (in
the 2021/22 DENUE they are 722 of the 886 establishments under 6232).
"""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd

from ._common import CODE_COLUMNS, cvegeo_from, first_present, open_table

__all__ = ["read_denue", "care_type_of", "CARE_TYPES", "CLASS_TYPES", "CARE_CLASSES", "STAFF_BANDS",
           "DENUE_COLUMNS"]

#: SCIAN prefix -> care type.
CARE_TYPES: dict[str, str] = {"6244": "day_care", "6233": "elderly", "6232": "disability"}
#: SCIAN classes whose care type is not their prefix's (mental-health and addiction residences).
CLASS_TYPES: dict[str, str] = {"623221": "mental_health", "623222": "mental_health"}

#: The SCIAN 2018 classes under those prefixes -> sector (INEGI splits each into private and public).
CARE_CLASSES: dict[str, str] = {
    "624411": "private", "624412": "public",  # guarderías
    "623311": "private", "623312": "public",  # asilos
    "623211": "private", "623212": "public",  # intellectual disability
    "623221": "private", "623222": "public",  # mental disorder and addiction
}

#: DENUE ``per_ocu`` band -> staff midpoint (people). 251+ is taken as 300.
STAFF_BANDS: dict[str, float] = {
    "0 a 5 personas": 3.0,
    "6 a 10 personas": 8.0,
    "11 a 30 personas": 20.5,
    "31 a 50 personas": 40.5,
    "51 a 100 personas": 75.5,
    "101 a 250 personas": 175.5,
    "251 y más personas": 300.0,
}


#: The columns of INEGI's DENUE CSV download (``denue_inegi_<sector>_.csv``, lower-cased), read or not.
DENUE_COLUMNS: tuple[str, ...] = (
    "id", "clee", "nom_estab", "raz_social", "codigo_act", "nombre_act", "per_ocu", "tipo_vial", "nom_vial",
    "tipo_v_e_1", "nom_v_e_1", "tipo_v_e_2", "nom_v_e_2", "tipo_v_e_3", "nom_v_e_3", "numero_ext", "letra_ext",
    "edificio", "edificio_e", "numero_int", "letra_int", "tipo_asent", "nomb_asent", "tipocencom", "nom_cencom",
    "num_local", "cod_postal", "cve_ent", "entidad", "cve_mun", "municipio", "cve_loc", "localidad", "ageb",
    "manzana", "telefono", "correoelec", "www", "tipounieco", "latitud", "longitud", "fecha_alta",
)
#: The extra columns of Data Cívica's copy (datacivica/huella-de-cuidados), which brecha embeds.
_DATA_CIVICA = ("inegi", "guarderia", "asilo", "discapacidad", "cuidar_toodlers", "cuidar_viejitos",
                "cuidar_discapacidad", "municipio_raw_encoding_ok", "nom_mun_catalogo")
#: What the reader reads: coordinates, the class, ids, the staff band, names, the stated sector.
_USED = ("latitud", "longitud", "codigo_act", "id", "clee", "per_ocu", "nom_estab", "nombre_act", "tipo")


def care_type_of(scian: pd.Series) -> pd.Series:
    """Care type of each SCIAN code: :data:`CLASS_TYPES`, else by prefix (:data:`CARE_TYPES`); NaN if none.

    >>> care_type_of(pd.Series(["624411", "623211", "623221", "531113"])).tolist()
    ['day_care', 'disability', 'mental_health', nan]
    """
    codes = scian.astype(str)
    return codes.map(CLASS_TYPES).fillna(codes.str[:4].map(CARE_TYPES))


def read_denue(path: str | os.PathLike, *, care_only: bool = True, strict: bool = False,
               sheet: str | None = None) -> gpd.GeoDataFrame:
    """Read DENUE establishments (official CSV layout) as points keyed by ``cvegeo``.

    Parameters
    ----------
    path
        A DENUE CSV with ``latitud, longitud, codigo_act, cve_ent, cve_mun``
        (INEGI ships these in Latin-1; both encodings are read).
    care_only
        Keep only the care classes of :data:`CARE_TYPES` (typed by
        :func:`care_type_of`); other SCIAN codes
        are dropped silently (DENUE files cover every activity). With
        ``False``, every valid 6-digit code is kept and ``care_type`` is empty
        for non-care rows. A code under a care prefix that is not one of
        :data:`CARE_CLASSES` is reported.
    sheet
        The sheet of a workbook to read (see :func:`brecha._io.read_table`).

    Returns
    -------
    GeoDataFrame
        ``denue_id, cvegeo, cve_ent, scian, care_type, name, staff_band,
        staff_mid, sector`` (``public``/``private``, from ``tipo`` when the
        file has it, else from the SCIAN class) and geometry in EPSG:4326.
        Rows without coordinates are reported as problems.
    """
    df, chk = open_table(path, ("latitud", "longitud", "codigo_act"), strict=strict, sheet=sheet)
    chk.extra_columns(_USED + CODE_COLUMNS, DENUE_COLUMNS + _DATA_CIVICA)
    scian = df["codigo_act"].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    bad_code = ~scian.str.fullmatch(r"\d{6}")
    chk._flag(bad_code, "codigo_act", scian, "a 6-digit SCIAN code")
    care = care_type_of(scian)
    unknown = care.notna() & ~bad_code & ~scian.isin(list(CARE_CLASSES))
    chk._flag(unknown, "codigo_act", scian, f"a SCIAN 2018 care class (one of {sorted(CARE_CLASSES)})")
    if care_only:
        keep = care.notna() | bad_code
        df, scian, care = df[keep].copy(), scian[keep], care[keep]
        chk.df, chk.lines = df, df["_line"]
    cvegeo = cvegeo_from(df, chk)
    lat = chk.number("latitud", lo=14.4, hi=32.8, what="a latitude inside Mexico (decimal degrees)")
    lon = chk.number("longitud", lo=-118.5, hi=-86.5, what="a longitude inside Mexico (decimal degrees)")
    id_col = first_present(df, "id", "clee")
    ids = df[id_col].astype(str) if id_col else pd.Series(df["_line"].astype(str), index=df.index)
    chk.unique(ids, id_col or "_line")
    band_col = first_present(df, "per_ocu")
    band = df[band_col].astype(str).str.strip() if band_col else pd.Series("", index=df.index)
    unknown_band = ~band.isin(list(STAFF_BANDS)) & (band != "")
    chk._flag(unknown_band, "per_ocu", band, f"one of DENUE's staff bands {list(STAFF_BANDS)}")
    chk.raise_if_any()
    name = first_present(df, "nom_estab", "nombre_act")
    tipo = first_present(df, "tipo")
    # Data Cívica's copy states the sector in 'tipo'; INEGI's layout has it in the class.
    sector = scian.map(CARE_CLASSES)
    if tipo:
        stated = df[tipo].str.strip().str.lower().map({"público": "public", "publico": "public", "privado": "private"})
        sector = stated.where(stated.notna(), sector)
    out = gpd.GeoDataFrame(
        {
            "denue_id": ids.values,
            "cvegeo": cvegeo.values,
            "cve_ent": cvegeo.str[:2].values,
            "scian": scian.values,
            "care_type": care.values,
            "name": df[name].values if name else None,
            "staff_band": band.values,
            "staff_mid": band.map(STAFF_BANDS).astype(float).values,
            "sector": sector.values,
        },
        geometry=gpd.points_from_xy(lon.values, lat.values),
        crs="EPSG:4326",
    )
    return out.sort_values(["cvegeo", "denue_id"], ignore_index=True)
