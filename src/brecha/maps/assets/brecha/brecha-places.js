/*
 * brecha map runtime, part 2: place names and search (geographic context that works offline).
 * Loaded after brecha-maps.js (part 1), whose helpers it uses. Part of brecha (BSD-3-Clause).
 *
 * Safety rule, as in part 1: every name reaches the page through textContent.
 */
(function () {
  'use strict';
  var B = window.brecha;
  var el = B.el, control = B.control, norm = B.norm;

  /* ---- geographic context: land, state borders, state and city names (offline) ---- */

  function pane(map, name, z) {
    var p = map.getPane(name) || map.createPane(name);
    p.style.zIndex = z;
    p.style.pointerEvents = 'none';
    return p;
  }
  /* A text label that never takes the mouse: cls 'state' or 'city'; text goes in as textContent. */
  function placeLabel(text, cls, latlng) {
    var span = document.createElement('span');
    span.textContent = text;
    var icon = L.divIcon({ html: span, className: 'brecha-place brecha-place-' + cls, iconSize: null });
    return L.marker(latlng, { icon: icon, interactive: false, keyboard: false, pane: 'brecha-names' });
  }
  /* Land under the data (the sea is the page background) and state borders over it, always drawn;
     the names are the returned layer (one entry of the layer control). Names that would overlap a
     more important one (states first, then cities by population) are hidden; city names appear from
     their zoom (brecha/maps/_context.py: CITY_ZOOMS). o = {states, cities, borders, land, border, ...}. */
  B.context = function (map, o) {
    var st = B.load(o.states);
    pane(map, 'brecha-land', 150);
    pane(map, 'brecha-borders', 420);
    pane(map, 'brecha-names', 460);
    if (o.drawLand) {
      L.geoJSON(st.features, { pane: 'brecha-land', interactive: false, renderer: L.canvas({ pane: 'brecha-land' }),
                               style: { stroke: false, fillColor: o.land, fillOpacity: 1 } }).addTo(map);
    }
    if (o.borders) {
      L.geoJSON(st.features, { pane: 'brecha-borders', interactive: false, renderer: L.canvas({ pane: 'brecha-borders' }),
                               style: { fill: false, color: o.border, weight: o.borderWeight, opacity: o.borderOpacity } })
        .addTo(map);
    }
    var items = st.rows.map(function (p) {
      return { text: p.short_name || p.name, cls: 'state', z: 0, ll: [p.ly, p.lx], w: 7.2, h: 15 };
    });
    B.load(o.cities).rows.forEach(function (c) {
      items.push({ text: c.name, cls: 'city', z: c.z, ll: [c.lat, c.lon], w: 6.3, h: 14 });
    });
    var group = L.layerGroup();
    /* Show what fits: rectangles are estimated from the text length (no layout per label). */
    function declutter() {
      if (!map.hasLayer(group)) return;
      var z = map.getZoom(), size = map.getSize(), kept = [];
      items.forEach(function (it) {
        var show = z >= it.z && !(it.cls === 'state' && z >= 10), r = null;
        if (show) {
          var p = map.latLngToContainerPoint(it.ll), hw = it.text.length * it.w / 2 + 4, hh = it.h / 2 + 1;
          r = [p.x - hw, p.y - hh, p.x + hw, p.y + hh];
          show = r[0] >= 0 && r[2] <= size.x && r[1] >= 0 && r[3] <= size.y && !kept.some(function (k) {
            return r[0] < k[2] && r[2] > k[0] && r[1] < k[3] && r[3] > k[1];
          });
        }
        if (show) {
          kept.push(r);
          if (!it.mk) { it.mk = placeLabel(it.text, it.cls, it.ll); }
          if (!group.hasLayer(it.mk)) group.addLayer(it.mk);
        } else if (it.mk && group.hasLayer(it.mk)) {
          group.removeLayer(it.mk);
        }
      });
    }
    group.on('add', function () { map.on('zoomend moveend resize', declutter); declutter(); });
    group.on('remove', function () { map.off('zoomend moveend resize', declutter); group.clearLayers(); });
    group.declutter = declutter;
    B.places = group;
    return group;
  };

  /* Search: o = {data, name, sub, placeholder, empty, places}. The map's own features by name, and the
     resolver's gazetteer (o.places rows {k: normalised name, l: label, c: code, s: 0 state, 1 municipality,
     2 town}; brecha.places.search_index): states, short forms, aliases and towns, each pointing at a
     feature of o.data or at a state of the context. */
  B.search = function (map, o, layers) {
    return control(map, 'topleft', 'brecha-search', function (div) {
      var input = el('input', null, null, div);
      input.type = 'search';
      input.placeholder = o.placeholder;
      input.setAttribute('aria-label', o.placeholder);
      var list = el('ul', null, null, div);
      var hits = [], entries = null;
      /* Every searchable name once: [normalised name, shown text, target key, kind, 1 = a state to frame]. */
      function index() {
        if (entries) return entries;
        var d = B.load(o.data), key = d.key, st = B.data['brecha-ctx-states'] ? B.load('brecha-ctx-states') : null;
        var label = function (k) {
          var f = d.index[k];
          if (f) return f.properties[o.name] + (o.sub && f.properties[o.sub] ? ', ' + f.properties[o.sub] : '');
          var s = st && st.index[k];
          return s ? s.properties.name : null;
        };
        entries = d.features.map(function (f) {
          return [norm(f.properties[o.name]), label(f.properties[key]), f.properties[key], 1, 0];
        });
        if (o.places) {
          B.load(o.places).rows.forEach(function (r) {
            var shown = r.l || label(r.c);
            if (!shown || !(d.index[r.c] || (st && st.index[r.c]))) return;  // a place outside this map
            entries.push([r.k, shown, r.c, r.s, d.index[r.c] ? 0 : 1]);
          });
        }
        return entries;
      }
      var choose = function (e) {
        list.textContent = '';
        input.value = e[1];
        if (e[4]) B.zoomToState(map, e[2]);
        else B.zoomTo(map, o.data, e[2], layers);
      };
      input.addEventListener('input', function () {
        list.textContent = '';
        var q = norm(input.value);
        if (q.length < 2) return;
        var seen = {};
        hits = index().filter(function (e) { return e[0].indexOf(q) >= 0; });
        var rank = function (e) { return e[0] === q ? 0 : e[0].indexOf(q) === 0 ? 1 : 2; };
        hits.sort(function (a, b) {
          // Exact before prefix before inside; then states, the map's own places, towns (most people first).
          return rank(a) - rank(b) || a[3] - b[3] || (a[3] === 1 ? String(a[1]).localeCompare(String(b[1])) : 0);
        });
        hits = hits.filter(function (e) { var k = e[1] + e[2]; if (seen[k]) return false; seen[k] = 1; return true; });
        if (!hits.length) { el('li', 'brecha-empty', o.empty, list); return; }
        hits.slice(0, 8).forEach(function (e) {
          var li = el('li', null, null, list);
          var btn = el('button', null, e[1], li);
          btn.type = 'button';
          // Stop the click here: choose() empties the list, and a detached target would
          // reach the map as a map click (which closes the tooltip just opened).
          btn.addEventListener('click', function (ev) { L.DomEvent.stop(ev); choose(e); });
        });
      });
      input.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' && hits.length) choose(hits[0]);
      });
    });
  };
  /* ---- layout: notebooks, phones ---------------------------------------- */

  /* Follow the container's size (JupyterLab tabs, resized cells, rotated phones): Leaflet only
     listens to the window, so a map shown after it was drawn in a hidden tab would stay blank. */
  function watchSize(map) {
    var c = map.getContainer();
    var fit = function () {
      var before = map.getSize();
      map.invalidateSize({ pan: false });
      var size = map.getSize();
      if (B.pendingFrame && size.x && size.y) { var o = B.pendingFrame; B.pendingFrame = null; B.frame(map, o); }
      else if (!before.x && size.x) map.fire('moveend');
    };
    if (window.ResizeObserver) new ResizeObserver(fit).observe(c);
    if (window.IntersectionObserver) {
      new IntersectionObserver(function (es) { if (es.some(function (e) { return e.isIntersecting; })) fit(); })
        .observe(c);
    }
    document.addEventListener('visibilitychange', function () { if (!document.hidden) fit(); });
  }
  B.watchSize = watchSize;
  /* Pan the map so an open tooltip is not cut off at the side (a phone is narrower than a tooltip's
     natural place beside the point). */
  function keepInView(map, tip) {
    var e = tip && tip.getElement && tip.getElement();
    if (!e || !map.hasLayer(tip)) return;
    var r = e.getBoundingClientRect(), c = map.getContainer().getBoundingClientRect(), dx = 0;
    if (r.width > c.width - 12) return;
    if (r.left < c.left + 6) dx = r.left - c.left - 6;
    else if (r.right > c.right - 6) dx = r.right - c.right + 6;
    if (dx) map.panBy([dx, 0], { animate: false });
  }
  B.keepInView = keepInView;

  /* Popups pan clear of the controls above them: on a phone the search box and the title sit where
     a popup would open. Set on the prototype (every popup reads it when it opens) after each layout change. */
  function popupPadding(map) {
    var c = map.getContainer(), top = 10, left = 10;
    if (map.getSize().x <= B.NARROW) {
      var cr = c.getBoundingClientRect();
      ['.leaflet-top.leaflet-left', '.leaflet-top.leaflet-right'].forEach(function (sel) {
        var k = c.querySelector(sel);
        if (k) top = Math.max(top, k.getBoundingClientRect().bottom - cr.top + 8);
      });
    }
    L.Popup.prototype.options.autoPanPaddingTopLeft = L.point(left, top);
  }
  B.popupPadding = popupPadding;
  /* The legends (bottom right) take the room left below the controls above them, never more, and scroll:
     on a wide screen below the layer control, on a phone (legends open) below the lists on the left. */
  function fitLegends(map) {
    var c = map.getContainer(), box = map._brechaLegend;
    if (!box) return;
    var narrow = map.getSize().x <= B.NARROW;
    if (narrow && !L.DomUtil.hasClass(c, 'brecha-open')) { box.style.maxHeight = ''; return; }
    var cr = c.getBoundingClientRect(), above = c.querySelector(narrow ? '.leaflet-top.leaflet-left' : '.leaflet-top.leaflet-right');
    var bottom = c.querySelector('.leaflet-bottom.leaflet-right .leaflet-control-attribution');
    var used = above ? above.getBoundingClientRect().bottom - cr.top : 0;
    var below = bottom ? cr.bottom - bottom.getBoundingClientRect().top : 0;
    box.style.maxHeight = Math.max(120, cr.height - used - below - 24) + 'px';
  }
  B.fitLegends = fitLegends;

})();
