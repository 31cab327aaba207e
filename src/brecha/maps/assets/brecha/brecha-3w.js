/*
 * brecha who-does-what-where (3W) view of the presence map. Part of brecha (BSD-3-Clause).
 * Loaded after brecha-maps.js. Plain ES2017, no library beyond Leaflet.
 *
 * The filters (agency, theme, year) recount from the embedded rows (initiative places, office rows)
 * with the counting rules of brecha.presence.presence_by_area, so tooltips, legend notes and the table
 * follow the filters. With no filter on, the map shows the layer's own columns (the recount of the same
 * data equals them: tests/test_maps_presence_browser.py checks it).
 *
 * Safety rule: every string from an input file reaches the page through textContent (el()).
 */
(function () {
  'use strict';
  var B = window.brecha;
  /* Wider than this (px), the table sits beside the map (CSS: brecha-3w.css). The class is set before the
     map is made, so Leaflet sizes and frames the map once, beside the table, instead of drawing it twice. */
  B.DOCK = 900;
  var root = document.documentElement;
  if (window.innerWidth > B.DOCK) root.classList.add('brecha-3w-docked');
  var PLACED = { point: 1, municipality: 1 };
  var EXISTING = { existing: 1, renovated: 1 };
  var PLANNED = { planned: 1, expanding: 1 };
  var COUNTS = ['initiatives', 'initiatives_state_scope', 'agencies', 'offices', 'offices_planned',
                'presence_evidence', 'office_evidence'];

  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  function put(map, k, v) { var s = map.get(k); if (!s) { s = new Set(); map.set(k, s); } s.add(v); }
  function n(map, k) { var s = map.get(k); return s ? s.size : 0; }
  function fmt(v) { return typeof v === 'number' ? v.toLocaleString(B.config.locale) : v; }

  /* Recount as brecha.presence.presence_by_area does, after the filters sel = {agency, theme, year}.
     Offices have no theme: the theme filter leaves them; the year filter keeps sites reported that year. */
  function recount(rows, offices, sel, ents) {
    // ents: the states of a one-state view (its status line counts what is placed there), or null.
    var inView = function (e) { return !ents || (e && ents.has(e)); };
    var R = rows.filter(function (r) {
      return (!sel.agency || r.agency === sel.agency) && (!sel.theme || r.theme === sel.theme) &&
             (!sel.year || String(r.year) === sel.year);
    });
    var O = offices.filter(function (o) {
      return (!sel.agency || o.agency === sel.agency) && (!sel.year || String(o.year) === sel.year);
    });
    var c = { level: { m: {}, s: {} }, ids: new Set(), named: new Set(), unnamed: new Set(), national: new Set() };
    ['m', 's'].forEach(function (l) {
      c.level[l] = { ini: new Map(), scope: new Map(), ag: new Map(), off: new Map(), plan: new Map(),
                     themes: new Map(), agIni: new Map(), names: new Set(), namesEnt: new Set(),
                     hasOffice: new Set(), blind: [] };
    });
    var M = c.level.m, S = c.level.s;
    R.forEach(function (r) {
      var p = r.precision;
      if (inView(r.cve_ent)) c.ids.add(r.i);
      if (PLACED[p] && r.cvegeo) {
        put(M.ini, r.cvegeo, r.i); put(M.themes, r.cvegeo, r.theme + '\u0001' + r.i);
        if (r.agency) { put(M.ag, r.cvegeo, r.agency); put(M.agIni, r.cvegeo, r.agency + '\u0001' + r.i); }
      }
      if ((PLACED[p] || p === 'state') && r.cve_ent) {
        c.named.add(r.i);
        put(S.ini, r.cve_ent, r.i); put(S.themes, r.cve_ent, r.theme + '\u0001' + r.i);
        if (r.agency) { put(S.ag, r.cve_ent, r.agency); put(S.agIni, r.cve_ent, r.agency + '\u0001' + r.i); }
        if (r.cvegeo) M.names.add(r.cvegeo);
        S.names.add(r.cve_ent); M.namesEnt.add(r.cve_ent);
      }
      if (p === 'state' && r.cve_ent) { put(M.scope, r.cve_ent, r.i); put(S.scope, r.cve_ent, r.i); }
      if (p === 'unnamed') c.unnamed.add(r.i);
      if (p === 'national') c.national.add(r.i);
    });
    c.unnamed.forEach(function (i) { if (c.named.has(i)) c.unnamed.delete(i); });
    c.national.forEach(function (i) { if (c.named.has(i) || c.unnamed.has(i)) c.national.delete(i); });
    var live = new Set(), stateOnly = new Set(), unplaced = new Set();
    [['m', 'cvegeo'], ['s', 'cve_ent']].forEach(function (lk) {
      var L_ = c.level[lk[0]], key = lk[1], existing = new Set();
      O.forEach(function (o) {
        if (!o[key]) return;
        L_.hasOffice.add(o[key]); L_.names.add(o[key]);
        if (o.cve_ent) M.namesEnt.add(o.cve_ent);
        if (EXISTING[o.status]) {
          existing.add(o.site); put(L_.off, o[key], o.site);
          if (o.agency) put(L_.ag, o[key], o.agency);
        }
      });
      O.forEach(function (o) {
        if (o[key] && PLANNED[o.status] && !existing.has(o.site)) put(L_.plan, o[key], o.site);
      });
      // Complete lists (deployment tables): absence confirmed outside the states a list cannot see.
      var groups = new Map();
      O.forEach(function (o) { if (o.complete) put(groups, o.agency + '\u0001' + o.year, o); });
      groups.forEach(function (set) {
        var list = Array.from(set), blind = new Set();
        if (list.some(function (o) { return !o.cve_ent; })) return;
        list.forEach(function (o) {
          String(o.excludes || '').split(';').forEach(function (e) { if (e.trim()) blind.add(e.trim()); });
          if (lk[0] === 'm' && !o.cvegeo) blind.add(o.cve_ent);
        });
        L_.blind.push(blind);
      });
    });
    O.forEach(function (o) {
      if (!EXISTING[o.status]) return;
      if (!o.cve_ent) unplaced.add(o.site);
      if (!inView(o.cve_ent)) return;
      live.add(o.site);
      if (!o.cvegeo) stateOnly.add(o.site);
    });
    c.offices = live.size; c.unplacedOffices = unplaced.size; c.stateOnlyOffices = stateOnly.size;
    return c;
  }

  /* The contract columns of one area (k: cvegeo or cve_ent) from a recount. */
  function area(c, level, k, ent) {
    var L_ = c.level[level], isM = level === 'm';
    var covered = L_.blind.some(function (b) { return !b.has(ent); });
    return {
      initiatives: n(L_.ini, k), initiatives_state_scope: n(L_.scope, ent), agencies: n(L_.ag, k),
      offices: n(L_.off, k), offices_planned: n(L_.plan, k),
      presence_evidence: L_.names.has(k) ? 'reported' : (isM && L_.namesEnt.has(ent) ? 'state_only' : 'no_report'),
      office_evidence: L_.hasOffice.has(k) ? 'reported' : (covered ? 'confirmed_absent' : 'no_report')
    };
  }

  /* Per area: theme -> initiatives, agency -> initiatives (for the table and popups). */
  function breakdown(map, k) {
    var out = new Map();
    (map.get(k) || new Set()).forEach(function (pair) {
      var t = pair.split('\u0001')[0];
      out.set(t, (out.get(t) || 0) + 1);
    });
    return Array.from(out.entries()).sort(function (a, b) { return b[1] - a[1] || String(a[0]).localeCompare(b[0]); });
  }

  B.threeW = function (map, o, chorolayers, officeLayer) {
    var rows = B.load(o.rows).rows, offices = B.load(o.offices).rows, ents = o.ents ? new Set(o.ents) : null;
    var W = o.words, agencies = {};
    o.agencies.forEach(function (a) { agencies[a.key] = a; });
    var label = function (k) { return agencies[k] ? agencies[k].label : k; };
    var sel = { agency: '', theme: '', year: '' }, state = { c: null }, ui = {};
    var levels = [['m', o.muni, 'cvegeo']].concat(o.state ? [['s', o.state, 'cve_ent']] : []);

    function entOf(p, key) { return p.cve_ent || String(p[key]).slice(0, 2); }
    function apply() {
      var any = sel.agency || sel.theme || sel.year, c = recount(rows, offices, sel, ents);
      state.c = c;
      levels.forEach(function (lv) {
        var d = B.load(lv[1]);
        d.features.forEach(function (f) {
          var p = f.properties, k = p[lv[2]];
          if (!p._layer) { p._layer = {}; COUNTS.forEach(function (x) { p._layer[x] = p[x]; }); }
          var got = area(c, lv[0], k, entOf(p, lv[2]));
          COUNTS.forEach(function (x) { if (x in p._layer) p[x] = any ? got[x] : p._layer[x]; });
        });
      });
      chorolayers.forEach(function (l) { l.refresh(); });
      var nOff = null;
      if (officeLayer) {
        officeLayer.filterMarkers(function (p) {
          return (!sel.agency || p.agency_key === sel.agency) &&
                 (!sel.year || String(p.years || '').split(';').indexOf(sel.year) >= 0);
        });
      }
      nOff = c.offices;
      ui.status.textContent = c.ids.size + ' ' + (c.ids.size === 1 ? W.initiative : W.initiatives) + ' · ' +
        nOff + ' ' + (nOff === 1 ? W.office : W.offices);
      var notes = [];
      if (c.national.size) notes.push(W.note_national.replace('{n}', c.national.size));
      if (c.unnamed.size) notes.push(W.note_unnamed.replace('{n}', c.unnamed.size));
      if (c.stateOnlyOffices) notes.push(W.note_state_offices.replace('{n}', c.stateOnlyOffices));
      if (c.unplacedOffices) notes.push(W.note_unplaced_offices.replace('{n}', c.unplacedOffices));
      document.querySelectorAll('.brecha-3w-live').forEach(function (e) {
        e.textContent = '';
        notes.forEach(function (t) { el('div', null, t, e); });
      });
      table();
    }
    B.threeW.count = function (s) {  // for tests and notebooks: the recount as plain objects
      var c = recount(rows, offices, Object.assign({ agency: '', theme: '', year: '' }, s || {}), ents);
      var out = { notes: { national: c.national.size, unnamed: c.unnamed.size, offices: c.offices,
                           unplaced_offices: c.unplacedOffices, state_only_offices: c.stateOnlyOffices } };
      levels.forEach(function (lv) {
        var res = {};
        B.load(lv[1]).features.forEach(function (f) {
          var p = f.properties;
          res[p[lv[2]]] = area(c, lv[0], p[lv[2]], entOf(p, lv[2]));
        });
        out[lv[0] === 'm' ? 'municipalities' : 'states'] = res;
      });
      return out;
    };

    /* ---- the table beside the map ------------------------------------------------------------- */
    var tableLevel = 'm';
    function tableRows() {
      var c = state.c, lv = levels.filter(function (x) { return x[0] === tableLevel; })[0], L_ = c.level[tableLevel];
      var out = [];
      B.load(lv[1]).features.forEach(function (f) {
        var p = f.properties, k = p[lv[2]];
        if (!(p.initiatives > 0 || p.offices > 0 || p.offices_planned > 0)) return;
        var ags = new Set(L_.ag.get(k) || []);
        (L_.agIni.get(k) || new Set()).forEach(function (x) { ags.add(x.split('\u0001')[0]); });
        out.push({ key: k, name: p.name, state: p.state_name || '', agencies: p.agencies,
                   list: Array.from(ags).map(label).sort().join(', '), initiatives: p.initiatives,
                   themes: breakdown(L_.themes, k).map(function (t) { return t[0] + ' (' + t[1] + ')'; }).join(', '),
                   offices: p.offices, planned: p.offices_planned || 0,
                   evidence: W['evidence_' + p.presence_evidence] || p.presence_evidence || '' });
      });
      return out.sort(function (a, b) {
        return (b.agencies || 0) - (a.agencies || 0) || b.initiatives - a.initiatives || String(a.name).localeCompare(b.name);
      });
    }
    var COLS = ['state', 'name', 'agencies', 'list', 'initiatives', 'themes', 'offices', 'planned', 'evidence'];
    function matrix() {
      var cols = tableLevel === 's' ? COLS.filter(function (k) { return k !== 'state'; }) : COLS;
      var head = ['key'].concat(cols).map(function (k) { return k === 'name' && tableLevel === 's' ? W.col_state : W['col_' + k]; });
      return [head].concat(tableRows().map(function (r) { return [r.key].concat(cols.map(function (k) { return r[k]; })); }));
    }
    /* On screen: place, then the counts; a second line says which agencies and themes (the export has
       every column apart). */
    var SHOWN = ['name', 'agencies', 'initiatives', 'offices', 'planned'];
    function table() {
      if (!ui.body) return;
      var rowsNow = tableRows();
      ui.thead.textContent = ''; ui.body.textContent = '';
      var tr = el('tr', null, null, ui.thead);
      SHOWN.forEach(function (k) {
        var th = el('th', 'c-' + k, k === 'name' ? W.col_place : W['short_' + k] || W['col_' + k], tr);
        th.title = k === 'name' ? W.col_place : W['col_' + k];
      });
      rowsNow.forEach(function (r) {
        var row = el('tr', 'main', null, ui.body), sub = el('tr', 'sub', null, ui.body);
        SHOWN.forEach(function (k) {
          var td = el('td', 'c-' + k, k === 'name' ? r.name : fmt(r[k]), row);
          if (k === 'name' && tableLevel === 'm') el('div', 'st', r.state, td);
        });
        var td = el('td', null, null, sub);
        td.colSpan = SHOWN.length;
        if (r.list) el('div', null, r.list, td);
        if (r.themes) el('div', 'th', W.col_themes + ': ' + r.themes, td);
        [row, sub].forEach(function (x) {
          x.addEventListener('click', function () {
            if (tableLevel === 'm') B.zoomTo(map, o.muni, r.key, chorolayers);
            else if (o.state) B.zoomTo(map, o.state, r.key, chorolayers); else B.zoomToState(map, r.key);
          });
        });
        row.tabIndex = 0;
      });
      ui.count.textContent = W[tableLevel === 'm' ? 'table_count_m' : 'table_count_s'].replace('{n}', rowsNow.length);
    }
    function fileName(ext) {
      var parts = ['brecha_3w', tableLevel === 'm' ? W.level_m : W.level_s];
      [sel.agency, sel.theme, sel.year].forEach(function (v) { if (v) parts.push(v); });
      return parts.join('_').replace(/[^\w.-]+/g, '-') + '.' + ext;
    }
    function download(blob, name) {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob); a.download = name;
      document.body.appendChild(a); a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }
    B.threeW.matrix = matrix;
    B.threeW.csv = function () { return B.csvText(matrix()); };
    B.threeW.setLevel = function (lv) { tableLevel = lv; if (ui.level) ui.level.value = lv; table(); };

    function buildPanel() {
      var aside = el('aside', 'brecha-3w');
      aside.setAttribute('aria-label', W.table_title);
      var head = el('div', 'brecha-3w-head', null, aside);
      el('b', null, W.table_title, head);
      var close = el('button', 'brecha-3w-close', '×', head);
      close.type = 'button'; close.title = W.hide_table; close.setAttribute('aria-label', W.hide_table);
      close.addEventListener('click', function () { show(false); });
      var bar = el('div', 'brecha-3w-bar', null, aside);
      if (o.state) {
        ui.level = el('select', null, null, bar);
        ui.level.setAttribute('data-3w', 'level');
        ui.level.appendChild(new Option(W.level_m, 'm')); ui.level.appendChild(new Option(W.level_s, 's'));
        ui.level.addEventListener('change', function () { tableLevel = ui.level.value; table(); });
      }
      var csv = el('button', null, 'CSV', bar); csv.type = 'button'; csv.setAttribute('data-3w', 'csv');
      csv.addEventListener('click', function () {
        download(new Blob(['\ufeff' + B.csvText(matrix())], { type: 'text/csv;charset=utf-8' }), fileName('csv'));
      });
      var xl = el('button', null, 'XLSX', bar); xl.type = 'button'; xl.setAttribute('data-3w', 'xlsx');
      xl.addEventListener('click', function () {
        download(new Blob([B.xlsx(matrix(), '3W')], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
                 fileName('xlsx'));
      });
      ui.count = el('div', 'brecha-3w-count', '', aside);
      var scroll = el('div', 'brecha-3w-scroll', null, aside);
      var tbl = el('table', null, null, scroll);
      ui.thead = el('thead', null, null, tbl); ui.body = el('tbody', null, null, tbl);
      el('div', 'brecha-3w-live', '', aside);
      el('div', 'brecha-3w-note', W.table_note, aside);
      document.body.appendChild(aside);
      return aside;
    }
    var aside = buildPanel();
    // The legends' notes (initiatives with no place, offices with no point) follow the filter too.
    document.querySelectorAll('[data-legend^="' + o.muni + ':"]' + (o.state ? ', [data-legend^="' + o.state + ':"]' : ''))
      .forEach(function (lg) { el('div', 'brecha-note brecha-3w-live', '', lg); });
    function show(on) {
      var wide = window.innerWidth > B.DOCK, centre = map.getCenter(), was = root.classList.contains('brecha-3w-docked');
      aside.classList.toggle('open', on);
      root.classList.toggle('brecha-3w-docked', on && wide);
      ui.open.textContent = on ? W.hide_table : W.show_table;
      ui.open.setAttribute('aria-expanded', String(on));
      if (!wide || was === on) return;  // already laid out so (the page opens docked)
      map.invalidateSize({ pan: false });
      map.setView(centre, map.getZoom(), { animate: false });  // keep the reader's view
    }

    /* ---- the filter control --------------------------------------------------------------------- */
    var ctl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: function () {
        var div = L.DomUtil.create('div', 'leaflet-bar brecha-box brecha-filter');
        L.DomEvent.disableClickPropagation(div); L.DomEvent.disableScrollPropagation(div);
        el('div', 'brecha-filter-title', W.filter, div);
        [['agency', o.agencies.map(function (a) { return [a.key, a.label]; })],
         ['theme', o.themes.map(function (t) { return [t, t]; })],
         ['year', o.years.map(function (y) { return [y, y]; })]].forEach(function (pair) {
          var lab = el('label', null, W[pair[0]], div), s = el('select', null, null, lab);
          s.setAttribute('data-filter', pair[0]);
          s.appendChild(new Option(pair[0] === 'agency' ? W.all_agencies : W.all, ''));
          var groups = {};
          pair[1].forEach(function (v) {
            var opt = new Option(String(v[1]), String(v[0])), a = pair[0] === 'agency' ? agencies[v[0]] : null;
            if (!a) { s.appendChild(opt); return; }
            // Agencies grouped by kind (UN agency, government, other), full name on hover.
            opt.title = a.name;
            if (!groups[a.group]) {
              groups[a.group] = document.createElement('optgroup');
              groups[a.group].label = a.group;
              s.appendChild(groups[a.group]);
            }
            groups[a.group].appendChild(opt);
          });
          s.addEventListener('change', function () { sel[pair[0]] = s.value; apply(); });
        });
        ui.status = el('div', 'brecha-filter-status', '', div);
        el('div', 'brecha-filter-hint', W.hint, div);
        ui.open = el('button', 'brecha-3w-open', W.show_table, div);
        ui.open.type = 'button';
        ui.open.addEventListener('click', function (ev) { L.DomEvent.stop(ev); show(!aside.classList.contains('open')); });
        return div;
      }
    });
    new ctl().addTo(map);
    apply();
    show(window.innerWidth > B.DOCK);

    /* ---- click popup: what is reported here, under the filters --------------------------------- */
    B.popups.threeW = function (p, lo) {
      var isM = lo.key === 'cvegeo', k = p[lo.key], c = state.c, L_ = c.level[isM ? 'm' : 's'];
      // The list scrolls (.brecha-inits); offices, evidence and the profile command stay in view below it.
      var div = el('div', 'brecha-3w-pop');
      el('b', null, W.in_place.replace('{place}', p.name), div);
      var list = el('div', 'brecha-inits', null, div);
      var byId = new Map();
      rows.forEach(function (r) {
        var here = isM ? PLACED[r.precision] && r.cvegeo === k : (PLACED[r.precision] || r.precision === 'state') && r.cve_ent === k;
        if (!here || (sel.agency && r.agency !== sel.agency) || (sel.theme && r.theme !== sel.theme) ||
            (sel.year && String(r.year) !== sel.year)) return;
        if (!byId.has(r.i)) byId.set(r.i, { title: r.title, year: r.year, precision: r.precision, ag: new Set(), th: new Set() });
        var it = byId.get(r.i);
        if (r.agency) it.ag.add(label(r.agency));
        if (r.theme) it.th.add(r.theme);
      });
      if (!byId.size) el('div', 'brecha-empty', W.none, list);
      else {
        var ul = el('ul', null, null, list);
        byId.forEach(function (it) {
          var li = el('li', null, null, ul);
          el('div', null, it.title, li);
          el('div', 'meta', [Array.from(it.ag).join(', '), it.year, Array.from(it.th).join(', '),
                             W['precision_' + it.precision] || it.precision].filter(Boolean).join(' · '), li);
        });
      }
      var offs = new Map();
      offices.forEach(function (of) {
        if (of[lo.key] !== k || (sel.agency && of.agency !== sel.agency) || (sel.year && String(of.year) !== sel.year)) return;
        var key = label(of.agency) + (EXISTING[of.status] ? '' : ' (' + (W['status_' + of.status] || of.status) + ')');
        put(offs, key, of.site);
      });
      if (offs.size) {
        el('b', null, W.offices_here, div);
        el('div', 'meta', Array.from(offs.entries()).map(function (e) { return e[0] + ': ' + e[1].size; }).join(' · '), div);
      }
      var scope = isM ? n(L_.scope, entOf(p, lo.key)) : 0;
      if (scope) el('div', 'meta', W.scope_note.replace('{n}', scope), div);
      el('div', 'meta', W.evidence + ': ' + (W['evidence_' + p.presence_evidence] || p.presence_evidence || ''), div);
      var cmd = 'brecha profile "' + p.name + (isM && p.state_name ? ', ' + p.state_name : '') + '" --out perfil.html';
      el('div', 'brecha-3w-profile', W.profile_hint, div);
      el('code', null, cmd, div);
      return div;
    };
  };

})();
