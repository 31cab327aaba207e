/*
 * brecha map runtime: the behaviour shared by every map brecha writes.
 * Plain ES2017 on top of Leaflet 1.9 (and Leaflet.markercluster where points
 * cluster). Part of brecha (BSD-3-Clause); not a vendored file.
 *
 * Safety rule: every string that came from an input file (names, agencies,
 * quotes) reaches the page through textContent or through brecha.esc().
 */
(function () {
  'use strict';
  var B = (window.brecha = window.brecha || {});
  B.data = {};
  B.config = { locale: 'es-MX', nodata: 'Sin datos' };

  var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  B.esc = function (s) {
    return s === null || s === undefined ? '' : String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  };
  B.init = function (map, cfg) {
    B.map = map;
    Object.assign(B.config, cfg);
    B.watchSize(map);
    // A tooltip a search or the side panel opened would stay under the popup a click opens.
    map.on('popupopen', function () {
      opened = null;
      map.eachLayer(function (l) { if (l._tooltip && l.isTooltipOpen()) l.closeTooltip(); });
    });
  };
  /* The opening view: o = {bounds, topLeft, bottomRight} (pixels kept free for controls and legends). */
  B.frame = function (map, o) {
    var size = map.getSize();
    // A map in a hidden notebook tab has no size yet: framing now would zoom to 18. Frame once it shows.
    if (!size.x || !size.y) { B.pendingFrame = o; return; }
    map.fitBounds(o.bounds, framePadding(size, o));
  };
  /* The padding scaled to the viewport: on a narrow screen (phone) the controls fold away, so
     only a few pixels are kept; elsewhere left + right never exceed 40 % of the width. */
  function framePadding(size, o) {
    var l = o.topLeft[0], r = o.bottomRight[0], t = o.topLeft[1], b = o.bottomRight[1];
    if (size.x <= B.NARROW) { l = r = 8; } else if (l + r > 0.4 * size.x) {
      var f = 0.4 * size.x / (l + r); l *= f; r *= f;
    }
    return { paddingTopLeft: [l, t], paddingBottomRight: [r, b], animate: false };
  }
  B.NARROW = 600;
  B.framePadding = framePadding;
  B.scale = function (map) { L.control.scale({ imperial: false, maxWidth: 140 }).addTo(map); };
  /* html is escaped by brecha in Python (brecha/maps/_base.py: attribution_html). */
  B.attribution = function (map, html) { map.attributionControl.addAttribution(html); };

  function isNum(v) { return typeof v === 'number' && isFinite(v); }
  /* Own-property lookup: an input value such as "constructor" must not reach Object.prototype. */
  function own(obj, k) { return obj && Object.prototype.hasOwnProperty.call(obj, k) ? obj[k] : undefined; }
  B.own = own;

  /* A value formatted for display with its unit, already escaped. f: {d: decimals, u: unit}. */
  B.fmt = function (v, f) {
    f = f || {};
    if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) return B.esc(B.config.nodata);
    if (!isNum(v)) return B.esc(v);
    var d = f.d || 0;
    var s = v.toLocaleString(B.config.locale, { minimumFractionDigits: d, maximumFractionDigits: d });
    return B.esc(s + (f.u || ''));
  };

  /* ---- data blocks ------------------------------------------------------ */

  /* Geometry arrives as integer deltas of 1e-5 degrees (see brecha/maps/_payload.py). */
  function decodeRing(flat) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < flat.length; i += 2) {
      x += flat[i]; y += flat[i + 1];
      out.push([x / 1e5, y / 1e5]);
    }
    if (out.length) out.push(out[0].slice());
    return out;
  }
  function decodeGeom(g) {
    if (!g) return null;
    if (g.t === 'P') return { type: 'Polygon', coordinates: g.c.map(decodeRing) };
    return { type: 'MultiPolygon', coordinates: g.c.map(function (p) { return p.map(decodeRing); }) };
  }
  function rowObjects(raw) {
    var dicts = raw.dicts || {};
    return raw.rows.map(function (r) {
      var o = {};
      raw.fields.forEach(function (k, i) {
        var v = r[i];
        o[k] = dicts[k] && v !== null ? dicts[k][v] : v;
      });
      return o;
    });
  }
  /* Parse the JSON block with this id once; index features by the key field. */
  B.load = function (id) {
    if (B.data[id]) return B.data[id];
    var raw = JSON.parse(document.getElementById(id).textContent);
    var props = rowObjects(raw), d = { id: id, key: raw.key, rows: props, index: {} };
    if (raw.geoms) {
      d.features = props.map(function (p, i) {
        return { type: 'Feature', properties: p, geometry: decodeGeom(raw.geoms[i]) };
      });
      d.features.forEach(function (f) { if (raw.key) d.index[f.properties[raw.key]] = f; });
    } else if (raw.key) {
      props.forEach(function (p) { d.index[p[raw.key]] = p; });
    }
    B.data[id] = d;
    return d;
  };

  /* ---- layers ------------------------------------------------------------- */

  /* A layer built on first display: switchable layers cost nothing until shown. */
  var Lazy = L.Layer.extend({
    initialize: function (build) { this._build = build; this._inner = null; },
    inner: function () { if (!this._inner) this._inner = this._build(); return this._inner; },
    onAdd: function (map) { map.addLayer(this.inner()); },
    onRemove: function (map) { if (this._inner) map.removeLayer(this._inner); },
    getBounds: function () { return this.inner().getBounds(); }
  });
  B.Lazy = Lazy;

  function tooltipHtml(p, spec) {
    var h = '<div class="brecha-tt"><b>' + B.esc(p[spec.title]) + '</b>';
    if (spec.sub && p[spec.sub] !== undefined) h += '<div class="brecha-tt-sub">' + B.esc(p[spec.sub]) + '</div>';
    h += '<table>';
    spec.rows.forEach(function (r) {
      var v = r.map && own(r.map, p[r.k]) !== undefined ? own(r.map, p[r.k]) : p[r.k];
      var cls = r.em ? ' class="brecha-em"' : '';
      if (typeof v === 'string' && v.length > WIDE) {
        // Long text (what drives a gap): label above, text across the whole tooltip.
        h += '<tr' + cls + '><td class="brecha-wide" colspan="2"><span>' + B.esc(r.l) + '</span><div>' + B.esc(v) +
             '</div></td></tr>';
      } else {
        h += '<tr' + cls + '><th>' + B.esc(r.l) + '</th><td>' + B.fmt(v, r) + '</td></tr>';
      }
    });
    return h + '</table></div>';
  }
  var WIDE = 24;
  B.tooltipHtml = tooltipHtml;

  function classOf(v, o) {
    if (!isNum(v)) return -1;
    var off = o.zero ? 1 : 0;
    if (o.zero && v === 0) return 0;
    for (var i = 0; i < o.bins.length; i++) if (v <= o.bins[i]) return i + off;
    return o.bins.length - 1 + off;
  }
  B.classOf = classOf;

  function fillOf(p, o) {
    if (o.bivar) {
      // A class the grid cannot show (high need with nothing reported is missing information, not a gap).
      // special: one {field, value, color} or a list ("solo el estado", "sin reporte").
      var sps = [].concat(o.bivar.special || []);
      for (var i = 0; i < sps.length; i++) if (p[sps[i].field] === sps[i].value) return sps[i].color;
      var y = p[o.bivar.y], x = p[o.bivar.x];
      if (!isNum(x) || !isNum(y)) return o.nodata;
      return o.bivar.colors[y - 1][x - 1];
    }
    var c = classOf(p[o.field], o);
    return c < 0 ? o.nodata : o.colors[c];
  }

  /* Click popups of choropleths, by name (o.popup): fn(properties, o) -> DOM node or escaped HTML. */
  B.popups = {};

  /* Choropleth: o = {data, field | bivar, bins, colors, zero, nodata, tooltip, popup}. */
  B.choropleth = function (map, o) {
    var style = function (f) {
      return { fillColor: fillOf(f.properties, o), fillOpacity: o.opacity || 0.82, color: o.line || '#ffffff',
               weight: o.weight || 0.5, opacity: 0.9 };
    };
    var lazy = new Lazy(function () {
      var d = B.load(o.data);
      // Tooltips per feature (not on the group) so search and the side panel can open one.
      var tip = function (l) { return tooltipHtml(l.feature.properties, o.tooltip); };
      var gj = L.geoJSON(d.features, { style: style,
                                       onEachFeature: function (f, l) { l.bindTooltip(tip, { sticky: true }); } });
      if (o.popup) {
        gj.on('click', function (e) {
          var make = own(B.popups, o.popup);
          if (make) L.popup({ maxWidth: 360 }).setLatLng(e.latlng).setContent(make(e.layer.feature.properties, o)).openOn(map);
        });
      }
      gj.on('mouseover', function (e) { e.layer.setStyle({ weight: 2.5, color: '#222222' }); e.layer.bringToFront(); });
      gj.on('mouseout', function (e) { gj.resetStyle(e.layer); });
      return gj;
    });
    lazy.options.brecha = o;
    lazy.refresh = function () { if (lazy._inner) lazy._inner.setStyle(style); };
    lazy.featureLayer = function (key) {
      var hit = null;
      if (lazy._inner) lazy._inner.eachLayer(function (l) { if (l.feature.properties[o.key] === key) hit = l; });
      return hit;
    };
    return lazy;
  };

  /* Plain styled polygons (reach rings): o = {data, style, interactive, tooltip}. */
  B.shapes = function (map, o) {
    return new Lazy(function () {
      var gj = L.geoJSON(B.load(o.data).features, { style: function () { return o.style; },
                                                     interactive: o.interactive !== false });
      if (o.tooltip) gj.bindTooltip(function (l) { return tooltipHtml(l.feature.properties, o.tooltip); }, { sticky: true });
      return gj;
    });
  };

  function popupHtml(p, spec) {
    var h = '<div class="brecha-pop"><b>' + B.esc(p[spec.title]) + '</b><table>';
    spec.rows.forEach(function (r) {
      var v = p[r.k];
      if (v === null || v === undefined || v === '') return;
      h += '<tr><th>' + B.esc(r.l) + '</th><td>' + (r.q ? '<q>' + B.esc(v) + '</q>' : B.fmt(v, r)) + '</td></tr>';
    });
    return h + '</table></div>';
  }
  B.popupHtml = popupHtml;

  function clusterIcon(color) {
    return function (c) {
      var n = c.getChildCount(), s = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 38 : 44;
      return L.divIcon({ html: '<div style="background:' + color + '"><span>' + n + '</span></div>',
                         className: 'brecha-cluster', iconSize: L.point(s, s) });
    };
  }

  /* A cluster's colour: its category's when every marker in it shares one, else o.clusterColor. */
  function mixedClusterIcon(o) {
    return function (c) {
      var kids = c.getAllChildMarkers(), cat = kids[0].feature.properties[o.cat];
      for (var i = 1; i < kids.length && cat !== null; i++) if (kids[i].feature.properties[o.cat] !== cat) cat = null;
      var st = cat === null ? null : own(o.styles, cat);
      return clusterIcon(st && st.color ? st.color : o.clusterColor)(c);
    };
  }

  /* Points: o = {data, cat, styles: {cat: {html | color}}, popup, tooltip, cluster, clusterColor, clusterRadius,
     byCategory}. With byCategory the group starts empty and pointToggle layers fill it, one category each. */
  B.points = function (map, o) {
    var icon = o.byCategory ? mixedClusterIcon(o) : o.clusterColor ? clusterIcon(o.clusterColor) : undefined;
    var group = o.cluster
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: o.clusterRadius || 40, chunkedLoading: true,
                               spiderfyDistanceMultiplier: 1.4, iconCreateFunction: icon })
      : L.featureGroup();
    var d = B.load(o.data);
    var markers = d.rows.map(function (p) {
      var st = own(o.styles, p[o.cat]) || own(o.styles, '') || {};
      var m = st.html
        ? L.marker([p.lat, p.lon], { icon: L.divIcon({ html: st.html, className: 'brecha-icon', iconSize: [18, 18] }) })
        : L.circleMarker([p.lat, p.lon], { radius: 5, color: '#ffffff', weight: 1, fillColor: st.color, fillOpacity: 0.95 });
      m.feature = { properties: p };
      return m;
    });
    // One popup and one tooltip on the group, filled for the marker under the mouse:
    // binding 12,000 DENUE markers one by one costs a second at load.
    if (o.popup) group.bindPopup(function (l) { return popupHtml(l.feature.properties, o.popup); }, { maxWidth: 320 });
    if (o.tooltip) group.bindTooltip(function (l) { return B.esc(l.feature.properties[o.tooltip]); });
    if (!o.byCategory) group.addLayers ? group.addLayers(markers) : markers.forEach(function (m) { group.addLayer(m); });
    group.allMarkers = markers;
    group.brechaCat = o.cat;
    B.groups[o.data] = group;
    /* Show only the markers a filter keeps (presence map). */
    group.filterMarkers = function (keep) {
      group.clearLayers();
      var shown = markers.filter(function (m) { return keep(m.feature.properties); });
      group.addLayers ? group.addLayers(shown) : shown.forEach(function (m) { group.addLayer(m); });
      group.shownMarkers = shown;
      return shown.length;
    };
    return group;
  };

  /* One category of a shared point group (o = {group: its data id, value}) as a layer of its own:
     adding it puts its markers into the group (one clustering for every category), removing takes them out. */
  B.groups = {};
  B.pointToggle = function (map, o) {
    var Toggle = L.Layer.extend({
      mine: function (g) {
        if (!this._mine) {
          var cat = g.brechaCat;
          this._mine = g.allMarkers.filter(function (m) { return m.feature.properties[cat] === o.value; });
        }
        return this._mine;
      },
      onAdd: function (m) {
        var g = B.groups[o.group];
        g.brechaOn = (g.brechaOn || 0) + 1;
        g.addLayers(this.mine(g));
        if (!m.hasLayer(g)) m.addLayer(g);
      },
      onRemove: function (m) {
        var g = B.groups[o.group];
        g.brechaOn -= 1;
        g.removeLayers(this.mine(g));
        if (!g.brechaOn) m.removeLayer(g);
      }
    });
    return new Toggle();
  };

  /* Numbered markers for the top-N list: o = {data, items: [{key, rank, lat, lon}], tooltip}.
     Neighbouring ranks cluster into one dark disc showing how many it holds; its tooltip lists them. */
  B.rankMarkers = function (map, o) {
    var d = B.load(o.data);
    var g = L.markerClusterGroup({
      maxClusterRadius: 40, showCoverageOnHover: false, spiderfyDistanceMultiplier: 1.6,
      iconCreateFunction: function (c) {
        return L.divIcon({ html: '<span>' + Number(c.getChildCount()) + '</span>',
                           className: 'brecha-rank brecha-rank-cluster', iconSize: [30, 30] });
      }
    });
    o.items.forEach(function (it) {
      var p = d.index[it.key].properties;
      var mk = L.marker([it.lat, it.lon], { icon: L.divIcon({ html: '<span>#' + Number(it.rank) + '</span>',
                                                              className: 'brecha-rank', iconSize: [30, 20] }) });
      mk.brechaRank = Number(it.rank);
      mk.brechaLabel = p.name + (p.state_name ? ', ' + p.state_name : '');
      g.addLayer(mk.bindTooltip(tooltipHtml(p, o.tooltip)));
    });
    g.on('clustermouseover', function (e) {
      var kids = e.layer.getAllChildMarkers().sort(function (a, b) { return a.brechaRank - b.brechaRank; });
      var html = kids.map(function (k) { return k.brechaRank + '. ' + B.esc(k.brechaLabel); }).join('<br>');
      e.layer.bindTooltip(html).openTooltip();
    });
    return g;
  };

  /* ---- legends: one box; each legend follows its layer's add/remove ------- */

  function legendBox(map) {
    if (map._brechaLegend) return map._brechaLegend;
    var C = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd: function () {
        var div = L.DomUtil.create('div', 'brecha-legends');
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    var c = new C().addTo(map);
    map._brechaLegend = c.getContainer();
    return map._brechaLegend;
  }
  /* html was built and escaped by brecha in Python (brecha/maps/_legend.py). */
  B.legend = function (map, layer, html, id) {
    var div = L.DomUtil.create('div', 'brecha-legend', legendBox(map));
    div.innerHTML = html;
    if (id) div.setAttribute('data-legend', id);
    var sync = function () { div.style.display = map.hasLayer(layer) ? '' : 'none'; };
    layer.on('add remove', sync);
    map.on('overlayadd overlayremove baselayerchange', sync);
    sync();
    return div;
  };
  B.setLegendNote = function (map, id, text) {
    var el = document.querySelector('[data-legend="' + id + '"] .brecha-note-live');
    if (el) el.textContent = text;
  };

  /* ---- controls ------------------------------------------------------------ */

  function control(map, position, cls, build) {
    var C = L.Control.extend({
      options: { position: position },
      onAdd: function () {
        var div = L.DomUtil.create('div', 'leaflet-bar brecha-box ' + cls);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        build(div);
        return div;
      }
    });
    return new C().addTo(map);
  }
  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  B.el = el;
  B.control = control;

  B.title = function (map, o) {
    return control(map, 'topright', 'brecha-title', function (div) {
      el('div', 'brecha-title-main', o.title, div);
      if (o.subtitle) el('div', 'brecha-title-sub', o.subtitle, div);
    });
  };

  var outline = null, opened = null;
  /* Zoom to one feature of a data block, outline it and open its tooltip. */
  B.zoomTo = function (map, dataId, key, layers) {
    var f = B.load(dataId).index[key];
    if (!f) return;
    var shape = L.geoJSON(f, { style: { color: '#111111', weight: 3, fill: false }, interactive: false });
    if (outline) map.removeLayer(outline);
    outline = shape.addTo(map);
    map.fitBounds(shape.getBounds(), { maxZoom: 12, padding: [30, 30] });
    (layers || []).forEach(function (lz) {
      if (!map.hasLayer(lz) || !lz.featureLayer) return;
      var fl = lz.featureLayer(key);
      if (!fl) return;
      if (opened && opened !== fl) opened.closeTooltip();
      fl.openTooltip(shape.getBounds().getCenter());
      opened = fl;
      var tip = fl.getTooltip();
      map.once('moveend', function () { B.keepInView(map, tip); });
      setTimeout(function () { B.keepInView(map, tip); }, 450);
    });
  };
  /* As brecha.places.normalize: no accents, no case, punctuation as spaces, the same abbreviations
     expanded ("Cd. Juárez" -> "ciudad juarez"), so typed text matches the gazetteer's keys. */
  var ABBR = { cd: 'ciudad', sta: 'santa', sto: 'santo', sn: 'san', gral: 'general', h: 'heroica', edo: 'estado',
               mpio: 'municipio', nvo: 'nuevo', dr: 'doctor' };
  function norm(s) {
    return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .replace(/(\b\w)\.(?=\w\.)/g, '$1').replace(/[^a-z0-9\s]/g, ' ').split(/\s+/)
      .filter(Boolean).map(function (w) { return own(ABBR, w) || w; }).join(' ');
  }
  B.norm = norm;

  /* Frame a state of the context block (a search for "CDMX" on a municipal map) and outline it. */
  B.zoomToState = function (map, ent) {
    var f = B.data['brecha-ctx-states'] && B.load('brecha-ctx-states').index[ent];
    if (!f) return;
    var shape = L.geoJSON(f, { style: { color: '#111111', weight: 3, fill: false }, interactive: false });
    if (outline) map.removeLayer(outline);
    outline = shape.addTo(map);
    map.fitBounds(shape.getBounds(), { padding: [30, 30] });
  };

  /* Side panel listing the top municipalities: o = {data, title, items: [{key, rank, label, value}]}. */
  B.panel = function (map, o, layers) {
    return control(map, 'topleft', 'brecha-panel', function (div) {
      el('div', 'brecha-panel-title', o.title, div);
      var ol = el('ol', null, null, div);
      o.items.forEach(function (it) {
        var li = el('li', null, null, ol);
        li.value = it.rank;
        var btn = el('button', null, null, li);
        btn.type = 'button';
        el('span', 'brecha-panel-name', it.label, btn);
        el('span', 'brecha-panel-value', it.value, btn);
        btn.addEventListener('click', function (ev) { L.DomEvent.stop(ev); B.zoomTo(map, o.data, it.key, layers); });
      });
    });
  };

  /* The basemap, only if one probe tile loads: offline that is the single failed request,
     instead of dozens of failed tiles per view. o = {url, labels, attr, names: [base, labels]}
     (names escaped in Python). The layers join the layer control once they exist. */
  B.basemap = function (map, o, control) {
    var z = Math.max(0, Math.round(map.getZoom()));
    var xy = map.project(map.getCenter(), z).divideBy(256).floor();
    var probe = new Image();
    probe.onload = function () {
      var pane = map.createPane('brecha-labels');
      pane.style.zIndex = 450;
      pane.style.pointerEvents = 'none';
      var opts = { attribution: o.attr, subdomains: 'abcd', maxZoom: 20 };
      var base = L.tileLayer(o.url, opts).addTo(map);
      var labels = L.tileLayer(o.labels, Object.assign({ pane: 'brecha-labels' }, opts)).addTo(map);
      if (control) { control.addOverlay(base, o.names[0]); control.addOverlay(labels, o.names[1]); }
    };
    probe.onerror = function () {
      if (window.console) console.info('brecha: basemap unavailable (offline?); data layers are unaffected');
    };
    probe.src = L.Util.template(o.url, { s: 'a', z: z, x: xy.x, y: xy.y, r: '' });
  };

  /* Control texts in the map's language and the phone layout: o = {zoomIn, zoomOut, layers, more, less}.
     On a narrow screen the layer control folds into Leaflet's collapsed button and the side panels
     and legends hide behind one toggle (CSS: .brecha-narrow, .brecha-open). */
  B.controls = function (map, o, layerControl) {
    var c = map.getContainer();
    var zi = c.querySelector('.leaflet-control-zoom-in'), zo = c.querySelector('.leaflet-control-zoom-out');
    [[zi, o.zoomIn], [zo, o.zoomOut]].forEach(function (p) {
      if (p[0]) { p[0].title = p[1]; p[0].setAttribute('aria-label', p[1]); }
    });
    if (layerControl && layerControl._layersLink) {
      layerControl._layersLink.title = o.layers;
      layerControl._layersLink.setAttribute('aria-label', o.layers);
    }
    if (map.getSize().x > B.NARROW) return null;
    L.DomUtil.addClass(c, 'brecha-narrow');
    if (layerControl) {
      layerControl.collapse();
      map.on('click', layerControl.collapse, layerControl);
    }
    return control(map, 'topleft', 'brecha-toggle', function (div) {
      var btn = el('button', null, o.more, div);
      btn.type = 'button';
      btn.setAttribute('aria-expanded', 'false');
      btn.addEventListener('click', function (ev) {
        L.DomEvent.stop(ev);
        var open = !L.DomUtil.hasClass(c, 'brecha-open');
        (open ? L.DomUtil.addClass : L.DomUtil.removeClass)(c, 'brecha-open');
        btn.textContent = open ? o.less : o.more;
        btn.setAttribute('aria-expanded', String(open));
        B.fitLegends(map);
        B.popupPadding(map);
      });
    });
  };

  B.ready = function (map) {
    B.popupPadding(map);
    B.fitLegends(map);
    map.on('resize', function () { B.popupPadding(map); B.fitLegends(map); });
    requestAnimationFrame(function () {
      requestAnimationFrame(function () { window.__brechaReady = performance.now(); });
    });
  };
})();
