"""The HTML page of a place profile (:class:`brecha.profile.Profile`), made to print on one or two A4 pages.

Every value from a layer or a report reaches the page through
:func:`html.escape`; the page loads nothing (no script, no font, no image).
"""

from __future__ import annotations

import datetime as _dt
from html import escape
from typing import Any

from ._care_groups import HEADLINE_GROUPS, SUPPLY_GROUPS
from ._profile_words import figure_label, matched_word, word
from .gap import describe_drivers, describe_gap_class

__all__ = ["render_profile", "fmt"]

_QUOTE_CHARS = 220  # a longer quote is shortened (and says so) to keep the page to two sheets

_CSS = """
@page { size: A4; margin: 11mm 12mm; }
* { box-sizing: border-box; }
body { font: 8.8pt/1.28 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; margin: 0 auto;
       max-width: 190mm; padding: 6mm 4mm; }
h1 { font-size: 15pt; margin: 0; }
h2 { font-size: 10pt; margin: 2.2mm 0 1mm; padding-bottom: .6mm; border-bottom: 1.2px solid #2c7fb8;
     color: #1d4f7a; break-after: avoid; }
h3 { font-size: 9.6pt; margin: 2.5mm 0 1mm; break-after: avoid; }
.sub { color: #444; }
.note { color: #555; font-size: 8.4pt; margin: .8mm 0; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 6mm; }
.card { break-inside: avoid; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: .3mm .8mm; vertical-align: top; text-align: left; }
table.kv td:first-child { color: #333; width: 60%; }
table.kv { font-size: 8.3pt; line-height: 1.18; }
table.kv td:last-child { font-weight: 600; text-align: right; }
table.kv td.txt { font-weight: 400; text-align: left; font-size: 8.2pt; }
table.kv tr + tr td { border-top: .4px solid #ddd; }
.em td { background: #eef5fb; }
ul.items { margin: 0; padding-left: 4mm; }
ul.items li { margin: 0 0 1.1mm; break-inside: avoid; }
ul.cols { columns: 2; column-gap: 6mm; }
ul.cols .meta { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
ul.compact { font-size: 7.6pt; }
ul.compact li { margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.meta { color: #555; font-size: 7.9pt; }
q { display: block; font-size: 7.9pt; color: #333; font-style: italic; margin-top: .3mm; quotes: "“" "”"; }
ul.src { columns: 2; column-gap: 6mm; font-size: 7.2pt; line-height: 1.15; margin: 0; padding-left: 3.5mm; }
ul.src li { break-inside: avoid; margin-bottom: .4mm; }
table.src th { border-bottom: .6px solid #999; }
table.src td { border-top: .3px solid #ddd; }
.rank { font-size: 13pt; font-weight: 700; color: #9e1b1b; }
footer { margin-top: 3mm; font-size: 7.8pt; color: #666; }
@media screen { body { padding: 10mm; } }
@media print { body { padding: 0; max-width: none; } }
.gapline { margin: .5mm 0; }
"""


def fmt(value: Any, decimals: int = 0, unit: str = "", lang: str = "es") -> str:
    """A figure as text: thousands separated by commas (as in Mexico), ``decimals`` places, then the unit.

    ``decimals == -1`` shows a share (0..1) as a percentage with one decimal.

    >>> fmt(209226.0, 0, "personas"), fmt(92.5, 1, "%"), fmt(0.0412, -1, "%"), fmt(None, lang="en")
    ('209,226 personas', '92.5 %', '4.1 %', 'no data')
    """
    if value is None or (isinstance(value, float) and value != value):
        return word(lang, "missing")
    if isinstance(value, bool):
        return word(lang, "yes" if value else "no")
    if isinstance(value, (int, float)):
        v, d = (value * 100, 1) if decimals == -1 else (value, decimals)
        text = f"{v:,.{max(d, 0)}f}"
        return f"{text} {unit}".rstrip() if unit else text
    return str(value)


def _display(column: str, value: Any, lang: str, row: dict | None = None) -> str:
    """A layer cell in words: evidence and class codes through the profile's words, numbers through :func:`fmt`.

    ``row`` lets ``presence_class`` say what is missing ("sin reporte", "solo el estado") where no report
    names the place: its class 1 there is not a measured low presence.
    """
    evidence = (row or {}).get("presence_evidence")
    if column == "presence_class" and evidence in ("no_report", "state_only"):
        return word(lang, f"presence_{evidence}")
    if column == "presence_evidence" and value is not None:
        return word(lang, f"evidence_{value}")
    if column == "office_evidence" and value is not None:
        return word(lang, f"office_{value}")
    if column in ("presence_class", "need_class") and value is not None:
        return word(lang, f"class_{int(value)}")
    if column == "gap_class":
        return str(describe_gap_class(value, lang) or word(lang, "missing"))
    if column == "poverty_source" and value is not None:
        return word(lang, f"source_{value}")
    if column == "nearest_office_agency" and value is not None:
        return _agency(value, lang)
    _, unit, decimals = figure_label(lang, column)
    return fmt(value, decimals, unit, lang)


def _kv(row: dict, columns: list[str], lang: str, em: tuple[str, ...] = ()) -> str:
    out = []
    for c in columns:
        if c not in row:
            continue
        label, unit, decimals = figure_label(lang, c)
        cls = ' class="em"' if c in em else ""
        value = _display(c, row[c], lang, row)
        if len(unit) > 10 and row[c] is not None:  # a long unit reads better with the label than after the number
            label, value = f"{label} ({unit})", fmt(row[c], decimals, "", lang)
        txt = ' class="txt"' if len(value) > 24 else ""  # a sentence (evidence words), not a figure
        out.append(f"<tr{cls}><td>{escape(label)}</td><td{txt}>{escape(value)}</td></tr>")
    return f'<table class="kv">{"".join(out)}</table>' if out else ""


def _agency(name: Any, lang: str) -> str:
    from .maps._terms import agency_name  # Spanish acronyms (ACNUR, PNUD...) the maps use too

    return str(agency_name(lang, name))


def _report(source_file: Any, lang: str) -> str:
    from .maps._terms import report_name

    name = report_name(lang, source_file)
    return str(name if name is not None else source_file or "")


def _budget(n: int) -> int:
    """Characters of quote per item when ``n`` items share the page (0: no quote), so it prints on two sheets."""
    return _QUOTE_CHARS if n <= 6 else 90 if n <= 14 else 0


def _quote_note(n: int, lang: str) -> str:
    """Says when the quotes of a list are shortened or left out (to print on two sheets)."""
    key = "quotes_left_out" if _budget(n) == 0 else "clipped" if n else None
    return f'<p class="note">{escape(word(lang, key))}</p>' if key else ""


def _quote(text: Any, lang: str, limit: int = _QUOTE_CHARS) -> str:
    if not text or limit <= 0:
        return ""
    text = " · ".join(c.strip() for c in str(text).split("\t") if c.strip())  # a table row quoted cell by cell
    clipped = len(text) > limit
    body = text[:limit].rsplit(" ", 1)[0] + "…" if clipped else text
    return f"<q>{escape(body)}</q>"


def _initiative(it: dict, lang: str, *, quote: bool, limit: int = _QUOTE_CHARS) -> str:
    from .maps._terms import term

    if not quote or not limit:  # a long list: one short line each, to keep the page to two sheets
        who = ", ".join(_agency(a, lang) for a in it["agencies"])
        title = str(it["title"])
        title = title if len(title) <= 95 else title[:95].rsplit(" ", 1)[0] + "…"
        return f'<li>{escape(title)} <span class="meta">({escape(who)} {escape(str(it["year"] or ""))})</span></li>'

    # Themes last: on a long list the line is cut at the page's edge, never the precision or the report.
    meta = [", ".join(_agency(a, lang) for a in it["agencies"]), str(it["year"] or ""),
            f'{word(lang, "precision")}: {word(lang, "precision_" + str(it["precision"]))}',
            _report(it["source_file"], lang), ", ".join(str(term(lang, t)) for t in it["themes"])]
    # The figure is in the quote when the quote is shown in full; said apart only when the quote is cut or left out.
    full = bool(it.get("quote")) and limit >= len(str(it["quote"]))
    fig = f'<div class="meta">{escape(word(lang, "figure"))}: {escape(str(it["figure"]))}</div>' \
        if quote and it.get("figure") and not full else ""
    return (f'<li><b>{escape(str(it["title"]))}</b><div class="meta">{escape(" · ".join(m for m in meta if m))}'
            f'</div>{fig}{_quote(it["quote"], lang, limit) if quote else ""}</li>')


def _office(o: dict, lang: str, limit: int = _QUOTE_CHARS) -> str:
    from .maps._terms import term

    if not limit:  # a long list: agency, city, status and years on one line
        status = word(lang, f"status_{o['status']}").split(" (")[0] if o.get("status") else ""
        bits = [str(o.get("city") or ""), status, ", ".join(str(y) for y in o["years"])]
        return (f'<li><b>{escape(_agency(o["agency"], lang))}</b> <span class="meta">'
                f'{escape(" · ".join(b for b in bits if b))}</span></li>')

    status = word(lang, f"status_{o['status']}") if o.get("status") else ""
    meta = [str(o.get("city") or ""), status,
            f'{word(lang, "years")}: {", ".join(str(y) for y in o["years"])}' if o["years"] else "",
            (f'{word(lang, "precision")}: {word(lang, "precision_" + str(o["precision"]))}'
             if o.get("precision") else ""),
            ", ".join(_report(f, lang) for f in o["source_files"]), str(term(lang, o.get("office_type")) or "")]
    quotes = "".join(_quote(q, lang, limit) for q in o["quotes"])
    return (f'<li><b>{escape(_agency(o["agency"], lang))}</b><div class="meta">'
            f'{escape(" · ".join(m for m in meta if m))}</div>{quotes}</li>')


def _items(items: list[str], lang: str, cls: str = "items") -> str:
    return f'<ul class="{cls}">{"".join(items)}</ul>' if items else f'<p class="note">{escape(word(lang, "none"))}</p>'


def _gap(p, lang: str) -> str:
    row = p.row
    rank = row.get("gap_rank")
    head = (f'<span class="rank">#{int(rank)}</span> {escape(word(lang, "rank_of", rank=int(rank), n=p.ranked))}'
            if rank is not None else escape(word(lang, "not_ranked")))
    drivers = describe_drivers(row.get("gap_drivers"), lang) if row.get("gap_drivers") else None
    reasons = drivers or word(lang, "no_reasons")
    parts = [f"{escape(figure_label(lang, c)[0])}: <b>{escape(_display(c, row[c], lang, row))}</b>"
             for c in ("gap_class", "need_class", "presence_class", "gap_score") if c in row]
    return (f'<h2>{escape(word(lang, "gap"))}</h2><div class="gapline">{head} · {" · ".join(parts)}</div>'
            f'<div class="gapline"><b>{escape(word(lang, "reasons"))}:</b> {escape(str(reasons))}</div>')


def _sources(p, lang: str) -> str:
    items = "".join(f"<li>{escape(s['title'])} — {escape(s['publisher'])}, <b>{escape(str(s['vintage']))}</b> "
                    f"<span class=\"meta\">({escape(str(s['file'] or ''))}"
                    f"{' · ' + escape(s['sha256']) if s.get('sha256') else ''})</span></li>" for s in p.sources)
    return f'<h2>{escape(word(lang, "sources"))}</h2><ul class="src">{items}</ul>'


def _top(p, lang: str) -> str:
    if not p.top:
        return ""
    items = [f'<li><b>#{int(t["gap_rank"])} {escape(str(t["name"]))}</b> <span class="meta">'
             f'{escape(str(describe_drivers(t.get("gap_drivers"), lang) or ""))}</span></li>' for t in p.top]
    return f'<h3>{escape(word(lang, "top_in_state"))}</h3>{_items(items, lang)}'


def render_profile(p, lang: str = "es", *, version: str = "", now: _dt.datetime | None = None) -> str:
    """The standalone HTML page of profile ``p`` in ``lang`` (``"es"`` or ``"en"``)."""
    row, muni = p.row, p.level == "municipality"
    code = row.get("cvegeo") if muni else row.get("cve_ent")
    kind = word(lang, "profile_muni" if muni else "profile_state")
    how = matched_word(lang, p.place.matched_by)
    if p.place.locality:
        how += f"; {word(lang, 'locality', name=p.place.locality)}"
    for alt in p.place.alternatives:  # the same words name another place: say which, and how to ask for it
        how += "; " + word(lang, "also_names", name=f"{alt.get('name')}, {alt.get('state_name')}",
                           code=alt.get("cvegeo") or alt.get("cve_ent"))
    need_cols = ["pop_total", "poverty_pct", "poverty_people", "extreme_poverty_pct", "extreme_poverty_people",
                 "pop_coneval", "poverty_source", *(g.demand_col for g in HEADLINE_GROUPS)]
    pres_cols = ["initiatives", "initiatives_municipal_scope", "initiatives_state_scope", "agencies", "offices",
                 "offices_planned", "people_reached", "presence_evidence", "office_evidence"]
    care_cols = [*(f"care_supply_{g.name}" for g in SUPPLY_GROUPS if g.headline),
                 *(f"care_access_{g.name}" for g in HEADLINE_GROUPS), "care_unmet"]  # brecha.care.CARE_GROUPS
    reach_cols = ["nearest_office_km", "nearest_office_agency", "nearest_office_city", "pop_within_reach_pct",
                  "poor_within_reach_pct", "people_out_of_reach"]
    base = ""
    pc, pt = row.get("pop_coneval"), row.get("pop_total")
    if muni and pc and pt and abs(pc - pt) / pt > 0.02:
        base = f'<p class="note">{escape(word(lang, "coneval_base", coneval=fmt(pc), census=fmt(pt)))}</p>'
        need_cols.remove("pop_coneval")  # the note gives both populations
    params = p.origin.get("params") or {}
    reach_note = ""
    if params.get("radius_km"):
        reach_note = f'<p class="note">{escape(word(lang, "radius", km=fmt(params["radius_km"], 0, "km")))}</p>'
    cards = [(word(lang, "need"), _kv(row, need_cols, lang, em=("poverty_people",)) + base),
             (word(lang, "presence"), _kv(row, pres_cols, lang, em=("initiatives", "presence_evidence"))),
             (word(lang, "care"), _kv(row, care_cols, lang)),
             (word(lang, "reach"), _kv(row, reach_cols, lang) + reach_note)]
    if not muni and "fair_share_gap" in row:
        cards.append((word(lang, "fair"), _kv(row, ["share_poor", "share_care_unmet", "share_initiatives",
                                                    "share_agencies", "fair_share_gap", "fair_share_rank"], lang)))
    grid = "".join(f'<div class="card"><h2>{escape(t)}</h2>{body}</div>' for t, body in cards)
    mismatch = ""
    if row.get("initiatives") is not None and len(p.placed) != int(row["initiatives"]):
        text = word(lang, "list_mismatch", listed=len(p.placed), counted=int(row["initiatives"]))
        mismatch = f'<p class="note">{escape(text)}</p>'
    inits = (f'<h2>{escape(word(lang, "init_here", n=len(p.placed)))}</h2>{mismatch}'
             + _items([_initiative(i, lang, quote=True, limit=_budget(len(p.placed))) for i in p.placed], lang,
                      "items cols" if _budget(len(p.placed)) else "items compact")
             + _quote_note(len(p.placed), lang))
    if muni:
        inits += (f'<h3>{escape(word(lang, "init_state", n=len(p.state_scope)))}</h3>'
                  f'<p class="note">{escape(word(lang, "init_state_note"))}</p>'
                  + _items([_initiative(i, lang, quote=False) for i in p.state_scope], lang, "items compact"))
    offices = (f'<h2>{escape(word(lang, "offices_here", n=len(p.offices)))}</h2>'
               + _items([_office(o, lang, _budget(len(p.offices))) for o in p.offices], lang,
                        "items cols" if _budget(len(p.offices)) else "items compact")
               + _quote_note(len(p.offices), lang))
    origin = (word(lang, "built_from", path=p.origin["path"], when=p.origin.get("built_at") or "?")
              if p.origin.get("path") else word(lang, "built_memory"))
    now = now or _dt.datetime.now(_dt.UTC)
    footer = " ".join([origin, word(lang, "generated", version=version, when=now.strftime("%Y-%m-%d %H:%M UTC")),
                       word(lang, "how_to")])
    sub = f'{kind} · {word(lang, "code")} {code}' + (f' · {row.get("state_name")}' if muni else "")
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(p.title)} — {escape(kind)}</title><style>{_CSS}</style></head><body>'
            f'<header><h1>{escape(p.title)}</h1><div class="sub">{escape(sub)}</div>'
            f'<div class="note">{escape(word(lang, "resolved", query=p.place.query or p.place.name, how=how))}'
            f'</div></header><div class="grid">{grid}</div>{_gap(p, lang)}{_top(p, lang)}{inits}{offices}'
            f'{_sources(p, lang)}<footer>{escape(footer)}</footer></body></html>\n')
