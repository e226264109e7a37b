/* ai-race-kg explorer. Every string from the data is inserted with textContent (the
   el() helper below); only http(s) URLs become links. Dates are ISO strings, compared
   as text. The date rule is not re-derived here: every statement and link carries
   the window (st..en) the semantic layer computed, and current() applies exactly
   Timeline.current: the statements whose window holds the day, preferred beating normal. */
(function () {
  "use strict";
  var DOC = JSON.parse(document.getElementById("kg-data").textContent);
  DOC.kindOrder = DOC.kinds; DOC.blocOrder = DOC.blocs;
  DOC.kinds = {}; DOC.kindOrder.forEach(function (k) { DOC.kinds[k[0]] = k[1]; });
  DOC.blocs = {}; DOC.blocOrder.forEach(function (b) { DOC.blocs[b[0]] = b[1]; });
  var META = DOC.meta, VIS = DOC.vis;

  // -- lookups ------------------------------------------------------------------------
  function index(list) { var m = new Map(); list.forEach(function (x) { m.set(x.id, x); }); return m; }
  var NODES = index(DOC.nodes), EDGES = index(DOC.edges), SOURCES = index(DOC.sources);
  var OUTSIDE = new Map((DOC.index || []).map(function (row) { return [row[0], row]; }));
  var CLAIMS = index(DOC.claims), QUOTES = index(DOC.quotes);
  var VNODES = index(VIS.nodes), VEDGES = index(VIS.edges);
  var ADJ = new Map();
  DOC.nodes.forEach(function (n) { ADJ.set(n.id, []); });
  DOC.edges.forEach(function (e) { ADJ.get(e.from).push(e); if (e.to !== e.from) ADJ.get(e.to).push(e); });
  var CLAIMS_ABOUT = new Map(), QUOTES_OF = new Map();
  // a figure is listed on the panel of what it is about and of each entity it involves
  // (claim field `involves`: the H20's charge figures, about NVIDIA, on the H20's panel),
  // each list in date order, oldest first, as the facts' statements are (the figure's
  // period, else the day its source published it; NVIDIA's read 2022-10, 2025-01, 2025-04,
  // 2025-07, 2025-04)
  function figureDay(c) { return c.as_of || c.rep || "9999"; }
  DOC.claims.slice().sort(function (a, b) {
    var da = figureDay(a), db = figureDay(b);
    return da < db ? -1 : da > db ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }).forEach(function (c) {
    push(CLAIMS_ABOUT, c.about, c);
    (c.inv || []).forEach(function (i) { push(CLAIMS_ABOUT, i, c); });
  });
  DOC.quotes.forEach(function (q) {
    var ids = new Set([q.speaker].concat(q.about));
    ids.forEach(function (i) { push(QUOTES_OF, i, q); });
  });
  function push(m, k, v) { if (!m.has(k)) m.set(k, []); m.get(k).push(v); }

  // -- safe DOM -----------------------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (ev) { node.addEventListener(ev, attrs.on[ev]); });
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }
  function isWebUrl(u) { return typeof u === "string" && /^https?:\/\//i.test(u.trim()); }
  function link(url, text) {
    if (!isWebUrl(url)) return el("span", { text: text });
    return el("a", { href: url.trim(), target: "_blank", rel: "noopener noreferrer", text: text });
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function badge(cls, text, title) { var b = el("span", { cls: "badge " + cls, text: text }); if (title) b.title = title; return b; }
  // a hedged fact or link says how sure its source is ("likely", "speculative"); a
  // confident one (or one that says nothing) carries no badge
  function confBadge(conf) {
    if (!conf || conf === "confident") return null;
    return badge("conf", "confidence: " + conf, (META.confidence || {})[conf] || "");
  }
  // every fact says which of the data contract's three check statuses it has (a fact from
  // an article had no badge, so its status had to be guessed); the badge's title is the
  // status's meaning in ontology/schema.yaml (check-status)
  var STATUS_WORDS = { "from-article": "from article", checked: "checked", unchecked: "unchecked" };
  // words: the badge's words where they say more ("article + 1 other source": a value that
  // cites a bundled article and a 10-K; kg.semantics.wording.status_words)
  function statusBadge(ck, words) {
    if (!STATUS_WORDS[ck]) return null;
    return badge("status " + ck, words || STATUS_WORDS[ck], (META.status || {})[ck] || "");
  }

  // -- the date rule (precomputed windows) ------------------------------------------------
  function holds(s, day) { return !s.nv && (!s.st || s.st <= day) && (!s.en || day <= s.en); }
  function current(list, day) {
    var holding = list.filter(function (s) { return holds(s, day); });
    var pref = holding.filter(function (s) { return s.rk === "preferred"; });
    return pref.length ? pref : holding;
  }
  // what one statement is on a day: Timeline.state_on (kg/semantics/time.py), the same rule
  function stateOn(s, list, day) {
    if (s.nv) return s.ns && day < s.ns ? (s.ao ? "not yet reported" : "not yet") : "ranked down";
    if (s.st && day < s.st) return s.ao ? "not yet reported" : "not yet";
    if (s.rp && day < s.rp) return "not yet reported";  // no date at all: before its sources
    if (s.en && s.en < day) return s.sup ? "superseded" : s.hz ? "not reported since" : "ended";
    return current(list, day).indexOf(s) >= 0 ? "holds" : "outranked";
  }
  // who first reported a fact with no date of its own (s.rp, an edge's e.known): the
  // publisher (else the title) of its source of that date, kg.semantics.time.first_reported
  function firstReporter(ids, day) {
    for (var i = 0; i < ids.length; i++) {
      var src = SOURCES.get(ids[i]);
      if (src && src.date && (src.date + "-01-01").slice(0, 10) === day) return src.publisher || src.title;
    }
    return "";
  }
  function reportedFrom(ids, day) {
    var who = firstReporter(ids, day);
    return "reported from " + day + (who ? " (" + who + ")" : "");
  }
  var STATE_BADGES = {
    "not yet": ["not yet in force on ", "It begins after the chosen day."],
    "not yet reported": ["not yet reported on ", "A source reported it as of a later date, and says nothing of before."],
    "superseded": ["superseded on ", "Another value began before the chosen day."],
    "ended": ["ended before ", "Its own end date is before the chosen day."],
    "not reported since": ["no recent report on ", "Last reported (as of its date) longer before the chosen day than the data set's horizon: no source says it still held then, nor that it ended."],
    "outranked": ["outranked on ", "It holds on the chosen day, but a maintainer preferred another value."],
    "ranked down": ["ranked down", "Ranked down by a maintainer; it never holds."]
  };
  // "month" or "year": the precision of the start or end (a `from: 2024` is the whole year)
  // in which the day falls, the narrower if both do; "" when it falls in neither
  function changedOn(s, day) {
    var hit = "";
    (s.cs || []).forEach(function (sp) {
      if (sp[0] <= day && day <= sp[1]) {
        hit = (sp[0].slice(5) === "01-01" && sp[1].slice(5) === "12-31" && hit !== "month") ? "year" : "month";
      }
    });
    return hit;
  }
  function edgeHolds(e, day) {
    // the link's window, its quote or figure already said, and both ends already existing
    return (!e.st || e.st <= day) && (!e.en || day <= e.en) && (!e.known || e.known <= day) &&
      exists(NODES.get(e.from), day) && exists(NODES.get(e.to), day);
  }
  function exists(n, day) { return !n.begins || n.begins <= day; }
  // a node's bloc on a day: the window (computed by kg.semantics) holding it, else its one bloc
  function blocOn(n, day) {
    if (!n.bw) return n.bloc;
    for (var i = 0; i < n.bw.length; i++) {
      var w = n.bw[i];
      if ((!w[0] || w[0] <= day) && (!w[1] || day <= w[1])) return w[2];
    }
    return n.bloc;
  }
  function blocOf(n) { return blocOn(n, state.date); }
  // an index row of an overview page (an entity it does not draw), as a node: its bloc
  // windows (row[5]) when its bloc changes with the date, as a drawn node's
  function outsideNode(row) {
    return { id: row[0], label: row[1], kind: row[2], bloc: row[3], bw: row[5], size: -1, outside: true };
  }

  // -- state --------------------------------------------------------------------------
  var BLOCS = DOC.blocOrder.map(function (b) { return b[0]; }), KINDS = DOC.kindOrder.map(function (k) { return k[0]; });
  var state = {
    date: META.start, node: null, edge: null, all: false, low: false, unchecked: false,
    hideKinds: new Set(), hideBlocs: new Set(), open: new Set(), extra: new Set(), path: null
  };
  var SEED = new Set(DOC.seed);

  function edgePasses(e) {
    if (!edgeHolds(e, state.date)) return false;
    if (state.low && e.rely === "low") return false;
    if (state.unchecked && e.ck === "unchecked") return false;
    return true;
  }
  function nodePasses(n) { return n && exists(n, state.date) && !state.hideKinds.has(n.kind) && !state.hideBlocs.has(blocOf(n)); }

  // how many entities exist and how many links hold on a day, whatever the view shows
  function onDay(day) {
    return { nodes: DOC.nodes.filter(function (n) { return exists(n, day); }).length,
      edges: DOC.edges.filter(function (e) { return edgeHolds(e, day); }).length };
  }
  function visible() {
    var ids = new Set();
    if (state.all) DOC.nodes.forEach(function (n) { ids.add(n.id); });
    else {
      SEED.forEach(function (i) { ids.add(i); });
      state.extra.forEach(function (i) { ids.add(i); });
      if (state.node) ids.add(state.node);
      if (state.path) state.path.nodes.forEach(function (i) { ids.add(i); });
      state.open.forEach(function (i) {
        ids.add(i);
        (ADJ.get(i) || []).forEach(function (e) { if (edgePasses(e)) { ids.add(e.from); ids.add(e.to); } });
      });
    }
    var nodes = new Set();
    ids.forEach(function (i) { if (nodePasses(NODES.get(i))) nodes.add(i); });
    var edges = new Set();
    DOC.edges.forEach(function (e) { if (nodes.has(e.from) && nodes.has(e.to) && edgePasses(e)) edges.add(e.id); });
    return { nodes: nodes, edges: edges };
  }

  // -- tooltips (DOM elements, never HTML strings) ---------------------------------------
  function nodeTip(n) {
    return el("div", null, el("div", { cls: "tip-title", text: n.label }),
      el("div", { cls: "tip-line", text: DOC.kinds[n.kind] + " · " + DOC.blocs[blocOf(n)] }),
      n.desc ? el("div", { cls: "tip-line", text: n.desc }) : null);
  }
  function edgeTip(e) {
    var box = el("div", null, el("div", { cls: "tip-title", text: NODES.get(e.from).label + " → " + e.label + " → " + NODES.get(e.to).label }));
    var w = edgeDates(e);
    if (w) box.appendChild(el("div", { cls: "tip-line", text: w }));
    box.appendChild(el("div", { cls: "tip-line", text: statusText(e.ck, e.ckw) + (e.rely ? " · best source reliability: " + e.rely : "") + (e.conf && e.conf !== "confident" ? " · confidence: " + e.conf : "") }));
    if (e.note) box.appendChild(el("div", { cls: "tip-line note", text: e.note }));
    e.src.forEach(function (sid) {
      var s = SOURCES.get(sid) || { title: sid };
      box.appendChild(el("div", { cls: "tip-line", text: "• " + s.title + (s.publisher ? " — " + s.publisher : "") + (s.date ? ", " + s.date : "") + (s.rely ? " (" + s.rely + " reliability)" : "") }));
    });
    box.appendChild(el("div", { cls: "tip-line muted", text: "Click for links to the sources." }));
    return box;
  }
  function statusText(ck, words) {
    if (ck === "from-article" && words) return "from a bundled article and other sources (" + words + ")";
    return ck === "unchecked" ? "unchecked (not yet verified by a maintainer)" : ck === "checked" ? "checked by a maintainer" : "from a bundled article";
  }
  // a link's dates in words: an end that is only the data set's horizon for a report
  // (as_of_horizon_days after a statement known "as of" a day) is said to be assumed, not
  // known ("holds until 2027-09-18" read as a known end)
  function edgeDates(e) {
    var parts = [];
    if (e.vfrom) parts.push("from " + e.vfrom);
    if (e.vto) parts.push("to " + e.vto);
    if (e.asof && (e.eb === "horizon" || e.st || e.en)) parts.push("reported as of " + e.asof);
    else if (e.asof) parts.push("as of " + e.asof);
    if (!e.vfrom && !e.asof && e.st) parts.push("holds from " + e.st);
    if (!e.vto && e.en) parts.push(untilText(e.eb, e.en));
    if (!e.via && e.known) parts.push(reportedFrom(e.src, e.known));  // no date of its own
    return parts.join(" · ");
  }
  function untilText(endBy, en) {
    if (endBy === "horizon") return "assumed to hold until " + en + " unless a source says otherwise (" + horizonText() + ")";
    return "holds until " + en + (endBy === "successor" ? ", the day before the next value begins" : "");
  }
  function horizonText() {
    return "the data set takes a report to hold for " + META.horizon + " days after its date";
  }

  // -- the network ----------------------------------------------------------------------
  var container = document.getElementById("graph");
  var dsNodes = new vis.DataSet([]), dsEdges = new vis.DataSet([]);
  var network = new vis.Network(container, { nodes: dsNodes, edges: dsEdges }, VIS.options);

  function visNode(id) {
    var v = VNODES.get(id), n = NODES.get(id), colour = VIS.colours[blocOf(n)];
    drawnBloc.set(id, blocOf(n));
    return { id: id, label: v.label, shape: v.shape, size: v.size, x: v.x, y: v.y, fixed: true,
      color: { background: colour, border: "#333333", highlight: { background: colour, border: "#000000" }, hover: { background: colour, border: "#000000" } },
      title: nodeTip(n) };
  }
  var drawnBloc = new Map(), CHANGING = DOC.nodes.filter(function (n) { return n.bw; });
  // a line's words are drawn by the page (drawEdgeLabels), not by vis-network: its labels
  // ran into each other ("givdesigner-on": two lines NVIDIA H100 -> NVIDIA) and shrank with
  // the zoom (5 px high on a path)
  function visEdge(id, smooth) {
    var v = VEDGES.get(id);
    return { id: id, from: v.from, to: v.to, dashes: v.dashes ? [6, 4] : false, title: edgeTip(EDGES.get(id)),
      smooth: smooth || STRAIGHT };
  }
  // the lines between one pair of entities, in the file's order; drawn apart when more
  // than one is on the view (curvedCW/curvedCCW, their roundness spread around 0), so that
  // neither the lines nor their words lie on each other
  var STRAIGHT = { enabled: false }, PAIRS = new Map(), curveOf = new Map();
  function pairKey(v) { return v.from < v.to ? v.from + "\u0000" + v.to : v.to + "\u0000" + v.from; }
  VIS.edges.forEach(function (v) { push(PAIRS, pairKey(v), v.id); });
  function bend(v, r) {  // roundness r (signed: one side or the other of the pair, whichever way the line runs)
    if (!r) return STRAIGHT;
    var cw = (r > 0) !== (v.from > v.to);
    return { enabled: true, type: cw ? "curvedCW" : "curvedCCW", roundness: Math.round(Math.abs(r) * 1000) / 1000 };
  }
  // A lone line that would pass under the shape of an entity it does not join is bent
  // round it (the least bend of BENDS, either side, that clears every drawn shape, else
  // the one that crosses fewest): Huawei Ascend 910C -> designer -> Huawei ran straight
  // through TSMC and read as a Huawei-TSMC link. The curve is vis-network's: its control
  // point is computed here as vis-network computes it (curvedCW/curvedCCW).
  // (on a view of more than AVOID_UP_TO lines they stay straight: 6,000 lines of a
  // 2,000-node network took 0.9 s to bend, 8 ms for the curated 573)
  var BENDS = [0.15, 0.25, 0.35, 0.5], AVOID_PAD = 6, GRID_CELL = 160, AVOID_UP_TO = 2000;
  function viaOf(f, t, sm) {
    var o = t.x - f.x, q = f.y - t.y, L = Math.sqrt(o * o + q * q), r = sm.roundness;
    var g = (Math.atan2(q, o) + ((sm.type === "curvedCW" ? r : -r) * 0.5 + 0.5) * Math.PI) % (2 * Math.PI);
    return { x: f.x + (0.5 * r + 0.5) * L * Math.sin(g), y: f.y + (0.5 * r + 0.5) * L * Math.cos(g) };
  }
  function linePoints(v, sm) {
    var f = VNODES.get(v.from), t = VNODES.get(v.to);
    if (!sm.enabled) return [f, t];
    var c = viaOf(f, t, sm), pts = [];
    for (var k = 0; k <= 16; k++) {
      var u = k / 16, a = (1 - u) * (1 - u), b = 2 * u * (1 - u), d = u * u;
      pts.push({ x: a * f.x + b * c.x + d * t.x, y: a * f.y + b * c.y + d * t.y });
    }
    return pts;
  }
  function cellKey(gx, gy) { return gx * 131072 + gy; }
  function shapeGrid(ids) {  // the drawn shapes (a circle round each), by cell
    var cells = new Map();
    ids.forEach(function (id) {
      var v = VNODES.get(id);
      if (!v) return;
      var r = v.size * 1.2 + AVOID_PAD;
      for (var gx = Math.floor((v.x - r) / GRID_CELL); gx <= Math.floor((v.x + r) / GRID_CELL); gx++) {
        for (var gy = Math.floor((v.y - r) / GRID_CELL); gy <= Math.floor((v.y + r) / GRID_CELL); gy++) push(cells, cellKey(gx, gy), v);
      }
    });
    return cells;
  }
  function segmentDist(p, a, b) {
    var dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
    var u = l2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2)) : 0;
    var x = a.x + u * dx - p.x, y = a.y + u * dy - p.y;
    return Math.sqrt(x * x + y * y);
  }
  // how many entities (other than its ends) the line passes under the shape of
  function crossed(v, pts, cells) {
    var hit = new Set();
    for (var k = 1; k < pts.length; k++) {
      var a = pts[k - 1], b = pts[k];
      var x0 = Math.floor(Math.min(a.x, b.x) / GRID_CELL), x1 = Math.floor(Math.max(a.x, b.x) / GRID_CELL);
      var y0 = Math.floor(Math.min(a.y, b.y) / GRID_CELL), y1 = Math.floor(Math.max(a.y, b.y) / GRID_CELL);
      for (var gx = x0; gx <= x1; gx++) {
        for (var gy = y0; gy <= y1; gy++) {
          var list = cells.get(cellKey(gx, gy));
          if (!list) continue;
          for (var i = 0; i < list.length; i++) {
            var n = list[i];
            if (n.id === v.from || n.id === v.to || hit.has(n.id)) continue;
            if (segmentDist(n, a, b) < n.size * 1.2 + AVOID_PAD) hit.add(n.id);
          }
        }
      }
    }
    return hit.size;
  }
  function around(v, cells) {
    var straight = crossed(v, linePoints(v, STRAIGHT), cells);
    if (!straight) return STRAIGHT;
    var best = STRAIGHT, fewest = straight;
    for (var i = 0; i < BENDS.length; i++) {
      for (var side = 1; side >= -1; side -= 2) {
        var sm = bend(v, side * BENDS[i]), n = crossed(v, linePoints(v, sm), cells);
        if (!n) return sm;
        if (n < fewest) { fewest = n; best = sm; }
      }
    }
    return best;
  }
  // a lone line's bend depends only on the shapes drawn: kept while they stay (a date
  // dragged across a month redraws the view on every step)
  var aroundKey = "", aroundOf = new Map(), cellsOf = null;
  function curves(want) {
    var out = new Map(), key = Array.from(want.nodes).sort().join(",");
    if (key !== aroundKey) { aroundKey = key; aroundOf = new Map(); cellsOf = shapeGrid(want.nodes); }
    want.edges.forEach(function (id) {
      if (out.has(id)) return;
      var group = PAIRS.get(pairKey(VEDGES.get(id))).filter(function (i) { return want.edges.has(i); });
      if (group.length === 1) {
        if (want.edges.size > AVOID_UP_TO) { out.set(id, STRAIGHT); return; }
        if (!aroundOf.has(id)) aroundOf.set(id, around(VEDGES.get(id), cellsOf));
        out.set(id, aroundOf.get(id));
        return;
      }
      // (many, as a person's eight quotes about a country: spread over 0.9 at most)
      var step = group.length > 1 ? Math.min(PARALLEL_BEND, 0.9 / (group.length - 1)) : 0;
      group.forEach(function (i, j) { out.set(i, bend(VEDGES.get(i), step * (j - (group.length - 1) / 2))); });
    });
    return out;
  }
  var PARALLEL_BEND = 0.3;
  var shown = { nodes: new Set(), edges: new Set() };
  function render() {
    var want = visible();
    var dropE = [], dropN = [], addN = [], addE = [];
    shown.edges.forEach(function (i) { if (!want.edges.has(i)) dropE.push(i); });
    shown.nodes.forEach(function (i) { if (!want.nodes.has(i)) dropN.push(i); });
    want.nodes.forEach(function (i) { if (!shown.nodes.has(i)) addN.push(visNode(i)); });
    var bends = curves(want), rebend = [];
    want.edges.forEach(function (i) {
      var sm = bends.get(i);
      if (!shown.edges.has(i)) addE.push(visEdge(i, sm));
      else if (JSON.stringify(sm) !== JSON.stringify(curveOf.get(i))) rebend.push({ id: i, smooth: sm });
      curveOf.set(i, sm);
    });
    // nodes kept on the view whose bloc on the new date differs: new colour and tooltip
    var recolour = [];
    CHANGING.forEach(function (n) { if (shown.nodes.has(n.id) && want.nodes.has(n.id) && drawnBloc.get(n.id) !== blocOf(n)) recolour.push(visNode(n.id)); });
    dsEdges.remove(dropE); dsNodes.remove(dropN); dsNodes.add(addN); dsNodes.update(recolour); dsEdges.add(addE); dsEdges.update(rebend);
    shown = want;
    var sel = [];
    if (state.node && want.nodes.has(state.node)) sel.push(state.node);
    if (state.path) state.path.nodes.forEach(function (i) { if (want.nodes.has(i)) sel.push(i); });
    var selE = [];
    if (state.edge && want.edges.has(state.edge)) selE.push(state.edge);
    if (state.path) state.path.edges.forEach(function (i) { if (want.edges.has(i)) selE.push(i); });
    network.setSelection({ nodes: sel, edges: selE }, { unselectAll: true, highlightEdges: false });
    // of what holds on the day, as the report counts its network (kg.analysis.network.as_it_stood),
    // and the file's links of every date (a journalist's trial: "of 587 links" here, "573
    // sourced links" in the report for the same day, neither saying why)
    var on = onDay(state.date);
    document.getElementById("count-line").textContent = "Showing " + want.nodes.size + " of " + on.nodes +
      " entities and " + want.edges.size + " of " + on.edges + " links on " + state.date + " (" + DOC.edges.length +
      " links in all, of every date).";
    writeFragment();
  }

  // -- panel ------------------------------------------------------------------------------
  var panel = document.getElementById("panel-body");
  function sourceList(ids) {
    var ul = el("ul", { cls: "sources" });
    ids.forEach(function (sid) {
      var s = SOURCES.get(sid) || { id: sid, title: sid };
      var li = el("li", { "data-source": sid }, link(s.url, s.title));
      var bits = [s.publisher, s.date].filter(Boolean).join(", ");
      if (bits) li.appendChild(el("span", { cls: "muted", text: " — " + bits }));
      if (s.rely) li.appendChild(badge("rely-" + s.rely, s.rely + " reliability", s.relynote || ""));
      if (s.url === null && s.urltext) li.appendChild(el("span", { cls: "muted", text: " (address not a web link: " + s.urltext + ")" }));
      (s.links || []).forEach(function (k) {
        li.appendChild(el("span", { cls: "muted", text: " · " }));
        li.appendChild(link(k.url, k.label + (k.derived ? " (link derived from the identifier)" : "")));
      });
      // its identifiers no link above names, as text ("SEC accession number 0001045810-25-000082")
      (s.ids || []).forEach(function (t) { li.appendChild(el("span", { cls: "muted source-id", text: " · " + t })); });
      // why that reliability, in words (it was only the badge's tooltip: nothing on a phone,
      // on paper, or for a reader who does not hover)
      if (s.relynote) li.appendChild(el("div", { cls: "muted relynote", text: s.relynote }));
      ul.appendChild(li);
    });
    return ul;
  }
  // In the entity panel, facts cite their sources as [1] [2], listed once at the end.
  var citeReg = null;
  function srcs(ids) {
    if (!citeReg) return sourceList(ids);
    var box = el("div", { cls: "cites" }, el("span", { cls: "muted", text: ids.length > 1 ? "sources " : "source " }));
    ids.forEach(function (sid) {
      if (!citeReg.has(sid)) citeReg.set(sid, citeReg.size + 1);
      var s = SOURCES.get(sid) || { title: sid }, k = citeReg.get(sid);
      // a low-reliability source's number carries the badge itself ("[3] low reliability"),
      // so a fact that also has reliable sources does not read as low as a whole
      var low = s.rely === "low";
      var b = el("button", { type: "button", cls: low ? "cite badge rely-low" : "cite",
        text: "[" + k + "]" + (low ? " low reliability" : ""), "data-cite": sid,
        // a screen reader reads the label, not the title: "[1]" alone said nothing
        "aria-label": "source " + k + ": " + s.title + (s.rely ? ", " + s.rely + " reliability" : ""),
        title: s.title + (s.publisher ? " — " + s.publisher : "") + (s.rely ? " (" + s.rely + " reliability)" : ""),
        on: { click: function () { var t = panel.querySelector("li[data-n='" + k + "']"); if (t) { t.scrollIntoView({ block: "center" }); t.classList.add("flash"); setTimeout(function () { t.classList.remove("flash"); }, 1200); } } } });
      box.appendChild(b);
    });
    return box;
  }
  function citedSources() {
    var ol = el("ol", { cls: "sources numbered" });
    citeReg.forEach(function (k, sid) {
      var li = sourceList([sid]).firstChild;
      li.setAttribute("data-n", String(k));
      ol.appendChild(li);
    });
    return ol;
  }
  function refButton(id, text) {
    if (!NODES.has(id) && OUTSIDE.has(id)) {  // an overview page: an entity it does not draw
      var o = OUTSIDE.get(id);
      return el("button", { type: "button", cls: "reflink outside", text: text + " (not drawn)", title: "Not drawn on this overview page",
        on: { click: function () { showOutside(outsideNode(o)); } } });
    }
    if (!NODES.has(id)) return el("span", { text: text });
    return el("button", { type: "button", cls: "reflink", text: text, on: { click: function () { select(id, true); } } });
  }
  function stmtWhen(s) {
    var parts = [];
    if (s.from) parts.push("from " + s.from);
    if (s.to) parts.push("to " + s.to);
    if (s.asof) parts.push((s.hz ? "reported as of " : "as of ") + s.asof);
    if (s.hz && s.en) parts.push(untilText("horizon", s.en));
    return parts.join(" · ");
  }
  // a month (or year) of change on a single-valued field (Timeline.change_on): of the
  // statements holding on the day, those whose `to` month holds it and those whose `from`
  // month holds it, when there are both; null otherwise
  function inSpan(s, which, day) {
    return (s.cs || []).some(function (sp) { return sp[2] === which && sp[0] <= day && day <= sp[1]; });
  }
  function changeOn(f, day) {
    if (!f.one) return null;
    var cur = current(f.s, day);
    var ended = cur.filter(function (s) { return inSpan(s, "e", day); });
    var began = cur.filter(function (s) { return inSpan(s, "b", day) && ended.indexOf(s) < 0; });
    return ended.length && began.length ? { ended: ended, began: began } : null;
  }
  // the change's month as the data gives it: the narrower of the ended value's `to` and the
  // began value's `from` that hold the day ("2025-12")
  function changeWhen(ch, day) {
    var best = null;
    ch.ended.map(function (s) { return [s, "e", s.to]; }).concat(ch.began.map(function (s) { return [s, "b", s.from]; })).forEach(function (x) {
      (x[0].cs || []).forEach(function (sp) {
        if (sp[2] === x[1] && sp[0] <= day && day <= sp[1] && (!best || sp[1] < best[1] || sp[0] > best[0])) best = [sp[0], sp[1], x[2]];
      });
    });
    return best ? best[2] : "";
  }
  // absent: the entity is not in the graph on the day (exists): none of its values is current
  function factBlock(f, day, absent) {
    var cur = new Set(absent ? [] : current(f.s, day)), ch = absent ? null : changeOn(f, day);
    var box = el("div", { cls: "fact", "data-field": f.f }, el("div", { cls: "fact-label", text: f.l }));
    var changeBox = null;
    f.s.forEach(function (s) {
      var side = !ch ? "" : ch.ended.indexOf(s) >= 0 ? "ended" : ch.began.indexOf(s) >= 0 ? "began" : "";
      if (side && !changeBox) {
        // both hold in the month of change (the source gives the month): one change, the
        // old value and the new, each with its sources, not two current values
        changeBox = el("div", { cls: "change", "data-change": changeWhen(ch, day) },
          el("div", { cls: "change-title", text: "changed in " + changeWhen(ch, day) + ": " +
            ch.ended.map(function (x) { return x.v; }).join(", ") + " → " + ch.began.map(function (x) { return x.v; }).join(", ") }),
          el("div", { cls: "when", text: "The sources give the " + (changedOn(s, day) || "month") + " of the change, not the day: on " + day + " either value may have stood." }));
        box.appendChild(changeBox);
      }
      var row = stmtRow(f, s, day, cur.has(s), side, absent);
      (side ? changeBox : box).appendChild(row);
    });
    return box;
  }
  // one statement of a fact: its value, meaning, qualifiers, state on the day, dates, sources;
  // side: "ended" or "began" for one of a month of change (changeOn)
  function stmtRow(f, s, day, isCur, side, absent) {
    var state = stateOn(s, f.s, day);
    if (state === "not yet reported") isCur = false;  // holds by the rule, but no source had said it
    var cls = "stmt " + (s.nv ? "never" : side ? "changing" : isCur ? "current" : "past");
    var row = el("div", { cls: cls, "data-current": isCur && !side ? "1" : "0", "data-state": state, "data-value": s.ref || s.v });
    if (side) {
      row.setAttribute("data-change", side);
      row.appendChild(el("span", { cls: "change-side", text: side === "ended" ? "until then: " : "from then: " }));
    }
    var valueEl = s.ref ? refButton(s.ref, s.v) : el("span", { cls: "value", text: s.v });
    if (s.x) valueEl.title = s.x;  // the exact number ("141,000,000,000 bytes")
    row.appendChild(valueEl);
    if (s.m) row.appendChild(el("span", { cls: "meaning", text: " — " + s.m }));
    if (s.q) Object.keys(s.q).forEach(function (k) {
      var q = s.q[k];
      row.appendChild(el("span", { cls: "when", text: " · " + k + ": " }));
      row.appendChild(q.ref ? refButton(q.ref, q.v) : el("span", { cls: "when", text: q.v }));
    });
    var changed = isCur && f.t && !side ? changedOn(s, day) : "";
    if (changed) row.appendChild(badge("changed", "changed this " + changed, "This value began or ended in the " + changed + " of the chosen date (the source gives that " + changed + ", not the day)."));
    if (s.rp && day < s.rp) {  // no date of its own, its sources all later than the day
      var why = "It gives no date: it holds since before its sources say, but the earliest of them was published on " + s.rp + ", after the chosen day.";
      row.appendChild(badge("deprecated", "not yet reported on " + day, why));
      row.appendChild(badge("deprecated", reportedFrom(s.src, s.rp), why));
    } else if (state !== "holds" && (s.nv || f.t)) {
      var sb = STATE_BADGES[state];
      row.appendChild(badge("deprecated", sb[0] + (state === "ranked down" ? "" : day), sb[1]));
      if (s.nv && state.indexOf("not yet") === 0) row.appendChild(badge("deprecated", "ranked down", STATE_BADGES["ranked down"][1]));
    } else if (absent && (state === "holds" || state === "outranked")) {
      row.appendChild(badge("deprecated", "not yet in the graph on " + day, "The entity begins after the chosen day: none of its values is current then."));
    }
    var cb = confBadge(s.conf);
    if (cb) row.appendChild(cb);
    var stb = statusBadge(s.ck, s.ckw);
    if (stb) row.appendChild(stb);
    var when = stmtWhen(s);
    if (when) row.appendChild(el("div", { cls: "when", text: when }));
    if (s.aw) row.appendChild(el("div", { cls: "note", text: "as written in the source: " + s.aw }));
    if (s.note) row.appendChild(el("div", { cls: "note", text: s.note }));
    row.appendChild(srcs(s.src));
    // the sources that report its end (Timeline.end_sources): not one published before
    // the change (the H20's April 8-K for its August end); else the next value's
    if (s.es) row.appendChild(el("div", { cls: "end-cites", "data-end": s.to },
      el("span", { cls: "muted", text: "end (" + s.to + ") reported by " }), srcs(s.es)));
    if (s.eb) row.appendChild(el("div", { cls: "when end-cites", "data-end": s.to,
      text: "end (" + s.to + "): every source was published before the change" }));
    return row;
  }
  // How a figure is known, as the data says: "estimated · confidence: speculative"
  // (a reported figure says nothing more; confidence only when the data gives one)
  function howKnown(c) {
    var bits = [];
    if (c.method && c.method !== "reported") bits.push(c.method);
    if (c.confidence) bits.push("confidence: " + c.confidence);
    return bits.join(" · ");
  }
  // who stands behind a figure no one is credited with: its sources' publishers, as the
  // report says it ("the source (BitBiased)")
  function credited(ids) {
    var pubs = [];
    ids.forEach(function (sid) { var s = SOURCES.get(sid); if (s && s.publisher && pubs.indexOf(s.publisher) < 0) pubs.push(s.publisher); });
    return pubs.length ? "the source" + (ids.length > 1 ? "s" : "") + " (" + pubs.join(", ") + ")" : "(the sources)";
  }
  // what a figure measures; a relative one names what it is compared with (it read
  // "performance relative to another chip"): the entity takes the place of the measure's
  // general other term ("performance relative to NVIDIA H100"), else follows ", compared
  // with" (measure_head: the report's rule, kg.semantics.disputes.relative_head), and
  // opens on a click as every entity named in the panel
  function figureLabel(c) {
    var box = el("div", { cls: "fact-label" });
    if (!c.compared_with) box.appendChild(document.createTextNode(c.measure));
    else {
      var other = c.compared_ref ? refButton(c.compared_ref, c.compared_with) : el("span", { text: c.compared_with });
      box.appendChild(document.createTextNode(c.measure_head));
      box.appendChild(other);
    }
    // its period, or for a figure with no period when its source published it ("reported
    // 2026-01-24 by DW"): c.when, in the report's scorecard's words (kg.semantics.wording.figure_when)
    if (c.as_of) box.appendChild(document.createTextNode(" (" + c.when + ")"));
    else if (c.when) box.appendChild(el("span", { cls: "reported", text: ", " + c.when }));
    return box;
  }
  function figureBlock(c) {
    // a disputed figure shows once, with every competing value side by side
    var box = el("div", { cls: "figure", "data-claim": c.id });
    box.appendChild(figureLabel(c));
    // a figure about a period that begins after the chosen day is not yet known on it
    if (c.as_of && (c.as_of + "-01-01").slice(0, 10) > state.date) {
      box.firstChild.appendChild(badge("deprecated", "not yet on " + state.date, "This figure is about " + c.as_of + ", after the chosen day."));
    } else if (!c.as_of && c.rep && (c.rep + "-01-01").slice(0, 10) > state.date) {
      box.firstChild.appendChild(badge("deprecated", "not yet reported on " + state.date, "Its source published it on " + c.rep + ", after the chosen day."));
    }
    if (!c.disputed.length) {
      var v = el("div", null, el("span", { cls: "value", text: c.value }), statusBadge(c.ck, c.ckw));  // with its unit
      box.appendChild(v);
      if (howKnown(c)) box.appendChild(el("div", { cls: "muted small how-known", text: howKnown(c) }));
      if (c.by) box.appendChild(el("div", { cls: "muted small" }, "according to ", c.byref ? refButton(c.byref, c.by) : el("span", { text: c.by })));
      if (c.context) {  // the first clause (kg.semantics.disputes.figure_context); the whole on hover
        var ctx = el("div", { cls: "muted small context", text: c.context });
        if (c.context_full) ctx.title = c.context_full;
        box.appendChild(ctx);
      }
      box.appendChild(srcs(c.src));
      return box;
    }
    // "the sources disagree" was untrue where one source reports both (BitBiased gives US
    // officials' 200,000 Ascend 910C and its own 450,000): the estimates disagree
    box.firstChild.appendChild(badge("disputed", "disputed", "Estimates of the same measure of the same thing for the same period that do not agree."));
    box.appendChild(el("div", { cls: "small muted", text: "The estimates disagree. Each, with who makes it and the source that reports it:" }));
    var table = el("table", { cls: "dispute" }, el("tr", null, el("th", { text: "value" }), el("th", { text: "who says so" }), el("th", { text: "source" })));
    [c.id].concat(c.disputed).map(function (i) { return CLAIMS.get(i); }).filter(Boolean).forEach(function (o) {
      var who = el("td", null, o.byref ? refButton(o.byref, o.by) : el("span", { text: o.by || credited(o.src) }), statusBadge(o.ck, o.ckw));
      var value = el("td", { text: o.value });
      if (howKnown(o)) value.appendChild(el("div", { cls: "muted small how-known", text: howKnown(o) }));
      table.appendChild(el("tr", { "data-claim": o.id }, value, who, el("td", null, srcs(o.src))));
    });
    box.appendChild(table);
    return box;
  }
  function quoteBlock(q) {
    var box = el("div", { cls: "quote", "data-quote": q.id });
    box.appendChild(el("blockquote", { text: q.text }));
    if (q.desc) box.appendChild(el("div", { cls: "small muted quote-desc", text: q.desc }));
    var who = el("div", { cls: "small" }, "— ", refButton(q.speaker, q.speakername));
    if (q.date) who.appendChild(el("span", { cls: "muted", text: ", " + q.date }));
    if (q.occasion) who.appendChild(el("span", { cls: "muted", text: ", " + q.occasion }));
    if (q.lang === "en-translated") who.appendChild(el("span", { cls: "muted", text: " (translated)" }));
    var qb = statusBadge(q.ck, q.ckw);
    if (qb) who.appendChild(qb);
    // words said (or, undated, first reported by a source) after the chosen day
    if (q.known && q.known > state.date) who.appendChild(q.date ?
      badge("deprecated", "not yet said on " + state.date, "Said on " + q.date + ", after the chosen day.") :
      badge("deprecated", "not yet reported on " + state.date, "Undated; its earliest source is of " + q.known + ", after the chosen day."));
    box.appendChild(who);
    box.appendChild(srcs(q.src));
    return box;
  }
  // the first words of a quote, cut at a word near `max` characters and ended with "…"
  function excerpt(text, max) {
    text = text.replace(/\s+/g, " ").trim();
    if (text.length <= max) return text;
    var cut = text.slice(0, max), sp = cut.lastIndexOf(" ");
    return (sp > max / 2 ? cut.slice(0, sp) : cut).replace(/[\s,;:.\-–—]+$/, "") + "…";
  }
  // what tells one link apart from another of the same entity with the same relation (China
  // listed "Scott Singer — quoted about — sources" seven times): a quote's first words and
  // date; else the statement's qualifiers and dates as its Facts row gives them, or its note
  function linkDetail(e) {
    var q = e.via && QUOTES.get(e.via);
    if (q) return "\u201c" + excerpt(q.text, 60) + "\u201d" + (q.date ? ", " + q.date : "");
    var parts = Object.keys(e.q || {}).map(function (k) { return k + ": " + e.q[k]; });
    var when = stmtWhen({ from: e.vfrom, to: e.vto, asof: e.asof }) || edgeDates(e);
    if (when) parts.push(when);
    if (!parts.length && e.note) parts.push(e.note);
    return parts.join(" · ");
  }
  // the panel's "Linked from" list: one row per entity and relation ("DeepSeek-R1 —
  // developer — sources"); where that entity has several such links, or a link is a quote,
  // the row names the relation (with how many) and lists each link under it by what tells
  // it apart, each with its own "sources" that selects that link
  function linkedFrom(links) {
    var groups = new Map();
    links.forEach(function (e) { push(groups, e.from + "\u0000" + e.label, e); });
    var ul = el("ul", { cls: "sources linked-from" });
    groups.forEach(function (es) {
      var e0 = es[0], name = refButton(e0.from, NODES.get(e0.from).label);
      function sources(e) {
        return el("button", { type: "button", cls: "reflink", text: "sources", "data-edge": e.id, on: { click: function () { selectEdge(e.id, true); } } });
      }
      if (es.length === 1 && !(e0.via && QUOTES.has(e0.via))) {
        ul.appendChild(el("li", null, name, el("span", { text: " — " + e0.label + " — " }), sources(e0), statusBadge(e0.ck, e0.ckw)));
        return;
      }
      var sub = el("ul", { cls: "link-details" });
      es.forEach(function (e) {
        var detail = linkDetail(e);
        sub.appendChild(el("li", { "data-edge": e.id }, el("span", { cls: "link-detail", text: detail ? detail + " — " : "" }), sources(e), statusBadge(e.ck, e.ckw)));
      });
      ul.appendChild(el("li", null, name, el("span", { text: " — " + e0.label + (es.length > 1 ? " (" + es.length + ")" : "") }), sub));
    });
    return ul;
  }
  var outsideShown = null;  // the entity not drawn whose panel is open: kept when the date moves
  function showOutside(n) {  // an entity an overview page does not draw
    outsideShown = n;
    clear(panel);
    panel.appendChild(el("h2", { id: "panel-title", text: n.label }));
    panel.appendChild(el("p", { cls: "sub" }, el("span", { cls: "bloc", "data-bloc": blocOf(n), text: DOC.kinds[n.kind] + " · " + DOC.blocs[blocOf(n)] })));
    panel.appendChild(el("p", { cls: "note-box", text: "Not drawn on this overview page, which shows only the most central entities of each bloc. To see it with its links and sources, make its own page:" }));
    panel.appendChild(el("pre", { cls: "small command", text: "kg viz" + (DOC.vizargs || "") + " --focus " + n.id + " --depth 1 --out " + n.id + ".html" }));
    panel.appendChild(el("p", { cls: "small muted", text: "Run it in the folder where this page was made." }));
  }
  function showNode(id) {
    outsideShown = null;
    var n = NODES.get(id), day = state.date;
    clear(panel);
    citeReg = new Map();
    panel.appendChild(el("h2", { id: "panel-title", text: n.label }));
    var sub = el("div", { cls: "sub" });
    sub.appendChild(legendIcon(n.kind, VIS.colours[blocOn(n, day)]));
    sub.appendChild(el("span", { cls: "bloc", "data-bloc": blocOn(n, day), text: " " + DOC.kinds[n.kind] + " · " + DOC.blocs[blocOn(n, day)] }));
    var nb = statusBadge(n.ck, n.ckw);
    if (nb) sub.appendChild(nb);
    panel.appendChild(sub);
    if (!exists(n, day)) panel.appendChild(el("p", { cls: "note-box", text: "Not in the graph on " + day + ": it begins on " + n.begins + " (released, dated, announced or founded then). Move the date to see it." }));
    if (n.names) panel.appendChild(el("p", { cls: "names" }, el("span", { cls: "muted", text: "Other names: " }),
      el("span", { text: Object.keys(n.names).map(function (k) { return n.names[k] + " (" + k + ")"; }).join(", ") })));
    if (n.aliases) panel.appendChild(el("p", { cls: "aliases" }, el("span", { cls: "muted", text: "Also called: " }), el("span", { text: n.aliases.join(", ") })));
    if (n.desc) panel.appendChild(el("p", { cls: "desc", text: n.desc }));
    if (n.url !== undefined) panel.appendChild(el("p", { cls: "small" }, link(n.url, n.urltext)));
    var actions = el("div", { cls: "date-row" },
      el("button", { type: "button", text: state.open.has(id) ? "Hide its neighbours" : "Show its neighbours", on: { click: function () { toggleOpen(id); } } }),
      el("button", { type: "button", text: "Path from here", on: { click: function () { setPathEnd("from", id); } } }),
      el("button", { type: "button", text: "Path to here", on: { click: function () { setPathEnd("to", id); } } }));
    panel.appendChild(actions);
    panel.appendChild(linksDrawn(id, day));
    var hidden = (DOC.hidden || {})[id];
    if (hidden) panel.appendChild(el("p", { cls: "note-box hidden-neighbours", text: hidden + (hidden === 1 ? " of its neighbours is" : " of its neighbours are") +
      " not drawn on this overview page, so \u201cShow its neighbours\u201d does not show " + (hidden === 1 ? "it" : "them") +
      " (those named below are marked \u201cnot drawn\u201d). To see them all: kg viz" + (DOC.vizargs || "") + " --focus " + id + " --depth 1 --out " + id + ".html" }));
    panel.appendChild(el("h3", { text: "Facts on " + day }));
    if (!n.facts.length) panel.appendChild(el("p", { cls: "empty", text: "No facts recorded." }));
    n.facts.filter(function (f) { return f.t; }).concat(n.facts.filter(function (f) { return !f.t; }))
      .forEach(function (f) { panel.appendChild(factBlock(f, day, !exists(n, day))); });
    var links = (ADJ.get(id) || []).filter(function (e) { return e.rel !== "estimated" && edgeHolds(e, day) && e.to === id; });
    if (links.length) {
      panel.appendChild(el("h3", { text: "Linked from (on " + day + ")" }));
      panel.appendChild(linkedFrom(links));
    }
    var figs = CLAIMS_ABOUT.get(id) || [];
    if (figs.length) {
      panel.appendChild(el("h3", { text: "Figures" }));
      var done = new Set();
      figs.forEach(function (c) {
        if (done.has(c.id)) return;
        done.add(c.id); c.disputed.forEach(function (i) { done.add(i); });
        var block = figureBlock(c);
        if (c.about !== id) {  // a figure it is involved in: what the figure is about
          block.insertBefore(el("div", { cls: "muted small figure-about" }, "about ", refButton(c.about, NODES.has(c.about) ? NODES.get(c.about).label : c.about)), block.children[1] || null);
        }
        panel.appendChild(block);
      });
    }
    var qs = QUOTES_OF.get(id) || [];
    if (qs.length) {
      panel.appendChild(el("h3", { text: "Quotes" }));
      qs.forEach(function (q) { panel.appendChild(quoteBlock(q)); });
    }
    srcs(n.src);
    panel.appendChild(el("h3", { text: "Sources" }));
    panel.appendChild(citedSources());
    citeReg = null;
  }
  // how many of the entity's links on the day the graph draws, and how to draw the rest
  function linksDrawn(id, day) {
    var all = (ADJ.get(id) || []).filter(function (e) { return edgeHolds(e, day); });
    var passing = all.filter(edgePasses), drawn = passing.filter(function (e) { return shown.edges.has(e.id); });
    var text = !all.length ? "No links on " + day + "." :
      drawn.length === passing.length ? (passing.length === 1 ? "Its one link on " + day + " is drawn." : "All " + passing.length + " of its links on " + day + " are drawn.") :
      drawn.length + " of its " + passing.length + " links on " + day + " " + (drawn.length === 1 ? "is" : "are") + " drawn: “Show its neighbours” (or a double-click on it) draws the rest.";
    if (passing.length < all.length) text += " " + (all.length - passing.length) + " more hidden by the filters.";
    return el("p", { cls: "small muted links-drawn", "data-drawn": String(drawn.length), "data-links": String(passing.length), text: text });
  }
  function showEdge(id) {
    outsideShown = null;
    var e = EDGES.get(id);
    clear(panel);
    panel.appendChild(el("h2", { id: "panel-title", text: e.label }));
    panel.appendChild(el("p", null, refButton(e.from, NODES.get(e.from).label), el("span", { text: " → " + e.label + " → " }), refButton(e.to, NODES.get(e.to).label)));
    var w = edgeDates(e);
    panel.appendChild(el("p", { cls: "when", text: !e.via && e.known ?
      "No dates given: the sources do not say when it began or ended. It is " + reportedFrom(e.src, e.known) + ", and drawn from that day" + (e.en ? "; " + untilText(e.eb, e.en) : "") + "." :
      w || "No dates given: the sources do not say when it began or ended, so it is drawn on every date." }));
    var st = el("p", null, el("span", { text: statusText(e.ck, e.ckw) }));  // (in words: no badge)
    var cb = confBadge(e.conf);
    if (cb) st.appendChild(cb);
    panel.appendChild(st);
    if (e.q) Object.keys(e.q).forEach(function (k) { panel.appendChild(el("p", { cls: "small", text: k + ": " + e.q[k] })); });
    if (e.aw) panel.appendChild(el("p", { cls: "note", text: "as written in the source: " + e.aw }));
    if (e.note) panel.appendChild(el("p", { cls: "note", text: e.note }));
    if (e.via && QUOTES.has(e.via)) { panel.appendChild(el("h3", { text: "The quote" })); panel.appendChild(quoteBlock(QUOTES.get(e.via))); }
    if (e.via && CLAIMS.has(e.via)) { panel.appendChild(el("h3", { text: "The figure" })); panel.appendChild(figureBlock(CLAIMS.get(e.via))); }
    panel.appendChild(el("h3", { text: "Sources" }));
    panel.appendChild(sourceList(e.src));
  }
  function showIntro() {
    outsideShown = null;
    clear(panel);
    panel.appendChild(el("h2", { id: "panel-title", text: "The US–China AI race" }));
    panel.appendChild(el("p", { text: "Each dot is an organisation, person, country, AI model, chip, policy or event; each line a sourced fact that links two of them." }));
    panel.appendChild(el("p", { text: "Click a node or a line to see what it is, its facts with their dates, and the sources that state them. Search by any name, in any language. Move the date to see the graph as it stood on that day." }));
    panel.appendChild(el("p", { cls: "muted small", text: "The view opens on the most central actors of each bloc; double-click a node to show its neighbours, or tick “show everything”." }));
    if (META.note) panel.appendChild(el("p", { cls: "muted small", text: META.note }));
  }
  function refreshPanel() {
    if (outsideShown) showOutside(outsideShown);
    else if (state.path) showPath();
    else if (state.node) showNode(state.node);
    else if (state.edge) showEdge(state.edge);
    else showIntro();
  }

  // -- selection --------------------------------------------------------------------------
  function select(id, focus) {
    if (!NODES.has(id)) return;
    state.node = id; state.edge = null; state.path = null;
    if (!state.all) state.extra.add(id);
    var n = NODES.get(id);
    state.hideKinds.delete(n.kind); state.hideBlocs.delete(blocOf(n));
    syncControls();
    render();
    showNode(id);
    if (focus && shown.nodes.has(id)) focusWith(id);
  }
  // the labels' font size on the screen is it times the scale: below READABLE_PX a label
  // is hard to read, so a selection zooms out no further than READABLE_SCALE
  var READABLE_PX = 12, READABLE_SCALE = READABLE_PX / (((VIS.options.nodes || {}).font || {}).size || 16);
  // labels readable on a zoomed-out view (the opening overview drew them 6 px high): while a
  // label of the base font would be under READABLE_PX on the screen, a drawn node's label
  // grows to OVERVIEW_PX (else 10 px, else 8 px, where a phone leaves no more room) on the
  // screen, its wrap width with it so it wraps as before, the most central nodes first,
  // each only where its grown box meets no other label or shape; "show everything" keeps
  // the layout's labels (that layout leaves them no room), as does a view zoomed in.
  // Returns nothing.
  var BASE_FONT = (((VIS.options.nodes || {}).font || {}).size || 16);
  var BASE_WRAP = (((VIS.options.nodes || {}).widthConstraint || {}).maximum || 180);
  // With an entity selected on a view zoomed out that far (a phone's fit of Huawei reached
  // 0.30: its neighbours' labels 4-5 px), its and its drawn neighbours' labels come first,
  // at least FOCUS_MIN_PX each (11 or 10 px where there is room); then the other nodes',
  // each only where it reads at FOCUS_MIN_PX or more and meets nothing, else hidden (their
  // names on hover).
  var OVERVIEW_PX = 11, FOCUS_MIN_PX = 9, labelsKey = "", labelsFrozen = false;
  var BASE_FONT_COLOUR = (((VIS.options.nodes || {}).font || {}).color) || "#1a1a1a";
  var BASE_STROKE = (((VIS.options.nodes || {}).font || {}).strokeWidth);
  var HIDDEN_LABEL = "rgba(0,0,0,0)", hiddenLabels = new Set();
  function focusIds(id) {  // the entity and every entity a drawn line joins it to
    var ids = new Set([id]);
    (ADJ.get(id) || []).forEach(function (e) {
      if (shown.edges.has(e.id)) { ids.add(e.from); ids.add(e.to); }
    });
    return ids;
  }
  var labelPlan = [], cutKey = "", cutHidden = new Set();
  function readableLabels() {
    if (labelsFrozen) return;
    var scale = network.getScale(), ids = Array.from(shown.nodes);
    var small = !state.all && BASE_FONT * scale < READABLE_PX;
    var focus = small && state.node && shown.nodes.has(state.node) ? focusIds(state.node) : null;
    var key = scale.toFixed(5) + (state.all ? "|all|" : "|") + (focus ? state.node : "") + "|" + ids.join(",");
    if (key !== labelsKey) { labelsKey = key; labelPlan = planLabels(scale, ids, small, focus); }
    labelsCut(scale);
  }
  // each drawn node's label: its size (a factor of the base font) and whether it is hidden
  function planLabels(scale, ids, small, focus) {
    var nodes = network.body.nodes, gap = 3 / scale;
    var boxes = ids.filter(function (id) { return nodes[id]; }).map(function (id) {
      var n = nodes[id], sz = n.labelModule.size, f = (n.options.font.size || BASE_FONT) / BASE_FONT;
      return { id: id, f: f, x: n.x, top: sz.top, w: sz.width / f, h: sz.height / f, size: n.options.size,
        hide: !!focus && !focus.has(id), first: !!focus && focus.has(id),
        shape: [n.x - n.shape.width / 2, n.y - n.shape.height / 2, n.x + n.shape.width / 2, n.y + n.shape.height / 2] };
    });
    var placed = boxes.map(function (b) { return b.hide ? null : [b.x - b.w / 2, b.top, b.x + b.w / 2, b.top + b.h]; });
    function meet(a, c) { return a[0] < c[2] && c[0] < a[2] && a[1] < c[3] && c[1] < a[3]; }
    var grow = new Map();
    // with an entity selected, a label may be drawn smaller than the base font, down to
    // FOCUS_MIN_PX, where that makes room for it: Huawei Ascend's label, 10.6 px at NVIDIA's
    // fit, met the Ascend 910C's hexagon by 2 px and was hidden, though at 10 px it fits
    var least = focus ? FOCUS_MIN_PX / (BASE_FONT * scale) - 1e-9 : 1;
    if (small) {
      var order = boxes.map(function (b, i) { return i; }).sort(function (i, j) {
        return (boxes[j].first ? 1 : 0) - (boxes[i].first ? 1 : 0) || (boxes[i].id === state.node ? -1 : boxes[j].id === state.node ? 1 : 0) ||
          boxes[j].size - boxes[i].size;
      });
      var pass = function (idx, steps) {  // each label, the biggest of steps that meets nothing
        var fs = steps.map(function (px) { return px / (BASE_FONT * scale); });
        if (focus && BASE_FONT * scale < steps[0] && BASE_FONT * scale > steps[steps.length - 1]) fs.push(1);  // the base font, between
        fs.sort(function (x, y) { return y - x; }).forEach(function (f) {
          idx.forEach(function (i) {
            var b = boxes[i];
            if (b.hide || grow.has(b.id) || !b.w || f < least || (f <= 1 && !focus)) return;
            var g = [b.x - b.w * f / 2 - gap, b.top, b.x + b.w * f / 2 + gap, b.top + b.h * f + gap];
            var clash = boxes.some(function (o, j) { return j !== i && ((placed[j] && meet(g, placed[j])) || meet(g, o.shape)); });
            if (!clash) { placed[i] = g; grow.set(b.id, f); }
          });
        });
      };
      if (!focus) pass(order, [OVERVIEW_PX, READABLE_PX - 2, READABLE_PX - 4]);
      else {
        var mine = order.filter(function (i) { return boxes[i].first; }), rest = order.filter(function (i) { return !boxes[i].first; });
        // the entity's own label first, drawn whatever shape it meets: its neighbours' labels,
        // placed at a size it could not take before it tried the next, hid it (NVIDIA H200's
        // on a phone's fit on 2025-12-10)
        var fm = FOCUS_MIN_PX / (BASE_FONT * scale), own = mine.filter(function (i) { return boxes[i].id === state.node; });
        pass(own, [OVERVIEW_PX, READABLE_PX - 2, FOCUS_MIN_PX]);
        own.forEach(function (i) {
          var b = boxes[i];
          if (!grow.has(b.id)) { placed[i] = [b.x - b.w * fm / 2 - gap, b.top, b.x + b.w * fm / 2 + gap, b.top + b.h * fm + gap]; grow.set(b.id, fm); }
        });
        pass(mine, [OVERVIEW_PX, READABLE_PX - 2, FOCUS_MIN_PX]);
        // a neighbour with no room free of shapes still reads at FOCUS_MIN_PX where its label
        // meets no other label; one that would (NVIDIA's 28 on a phone) is hidden, its name
        // on hover, rather than drawn over another
        mine.forEach(function (i) {
          var b = boxes[i];
          if (grow.has(b.id)) return;
          var g = [b.x - b.w * fm / 2 - gap, b.top, b.x + b.w * fm / 2 + gap, b.top + b.h * fm + gap];
          if (boxes.some(function (o, j) { return j !== i && placed[j] && grow.has(o.id) && meet(g, placed[j]); })) { b.hide = true; placed[i] = null; }
          else { placed[i] = g; grow.set(b.id, fm); }
        });
        // then the other nodes' labels, each where it reads at FOCUS_MIN_PX or more and meets
        // nothing; hidden elsewhere (their names on hover)
        rest.forEach(function (i) { boxes[i].hide = false; });
        pass(rest, [OVERVIEW_PX, READABLE_PX - 2, FOCUS_MIN_PX]);
        rest.forEach(function (i) { if (!grow.has(boxes[i].id)) boxes[i].hide = true; });
      }
    }
    return boxes.map(function (b) {
      var f = grow.get(b.id) || 1;
      return { id: b.id, f: f, hide: b.hide, box: [b.x - b.w * f / 2, b.top, b.x + b.w * f / 2, b.top + b.h * f] };
    });
  }
  // A label the canvas's edge would cut is not drawn (its name on hover), whatever the view:
  // a fit of a selection holds the entity's and its neighbours' labels whole, but the other
  // nodes at its edges were drawn cut ("s to the Entity (May 2019)" at the top of NVIDIA's,
  // "Scott Sin" at the right of the H200's); one that comes whole into view is drawn again.
  // Then each label's planned size and whether it shows, applied where they changed.
  function labelsCut(scale) {
    var area = openArea(), view = network.getViewPosition();
    var key = labelsKey + "|" + Math.round(view.x * scale) + "," + Math.round(view.y * scale) + "|" +
      [area.left, area.top, area.right, area.bottom].join(",");
    if (key === cutKey) return;
    cutKey = key;
    var a = network.DOMtoCanvas({ x: area.left, y: area.top }), c = network.DOMtoCanvas({ x: area.right, y: area.bottom });
    var nodes = network.body.nodes, changes = [];
    cutHidden = new Set();
    labelPlan.forEach(function (p) {
      var n = nodes[p.id];
      if (!n) return;
      var bx = p.box, on = bx[0] < c.x && a.x < bx[2] && bx[1] < c.y && a.y < bx[3];
      var whole = bx[0] >= a.x && bx[2] <= c.x && bx[1] >= a.y && bx[3] <= c.y;
      if (!p.hide && on && !whole && n.options.label) cutHidden.add(p.id);
      var hide = p.hide || cutHidden.has(p.id), change = null;
      if (Math.abs(p.f - (n.options.font.size || BASE_FONT) / BASE_FONT) > 0.005) change = { id: p.id, font: { size: BASE_FONT * p.f }, widthConstraint: { maximum: BASE_WRAP * p.f } };
      if (hide !== hiddenLabels.has(p.id)) {
        change = change || { id: p.id, font: {} };
        change.font.color = hide ? HIDDEN_LABEL : BASE_FONT_COLOUR;
        change.font.strokeWidth = hide ? 0 : BASE_STROKE;
        if (hide) hiddenLabels.add(p.id); else hiddenLabels.delete(p.id);
      }
      if (change) changes.push(change);
    });
    hiddenLabels.forEach(function (id) { if (!shown.nodes.has(id)) hiddenLabels.delete(id); });
    if (changes.length) dsNodes.update(changes);
  }
  network.on("afterDrawing", readableLabels);  // a zoom, a fit, a focus: the next frame
  // A line's words, drawn at EDGE_LABEL_PX on the screen whatever the zoom (10 px at the
  // layout's size, 2 px on the overview), along the line and upright, at the middle of the
  // line as drawn (curved or straight), each only where it fits between the two shapes
  // and meets no other line's words and no shape or label: the line hovered, the one
  // picked, a path's and the picked entity's first, then the longest on the screen. The
  // others' words show on hover (and in every line's tooltip and panel).
  var EDGE_LABEL_PX = 11, EDGE_FONT = "arial", hoverEdge = null, drawnEdgeLabels = [], textWidth = new Map();
  network.on("hoverEdge", function (p) { hoverEdge = p.edge; network.redraw(); });
  network.on("blurEdge", function () { hoverEdge = null; network.redraw(); });
  // (the pointer leaving the canvas over a line sends no blurEdge: its words stayed drawn
  // first, over whatever they met)
  container.addEventListener("mouseleave", function () { if (hoverEdge) { hoverEdge = null; network.redraw(); } });
  function widthOf(ctx, text) {  // at 100 px; widths scale with the size
    if (!textWidth.has(text)) { ctx.font = "100px " + EDGE_FONT; textWidth.set(text, ctx.measureText(text).width); }
    return textWidth.get(text);
  }
  function corners(b) {  // a label's box: centre, half sizes, angle -> its four corners
    var c = Math.cos(b.a), s = Math.sin(b.a), out = [];
    [[-1, -1], [1, -1], [1, 1], [-1, 1]].forEach(function (k) {
      out.push([b.x + k[0] * b.hw * c - k[1] * b.hh * s, b.y + k[0] * b.hw * s + k[1] * b.hh * c]);
    });
    return out;
  }
  function apart(p, q) {  // two convex polygons do not overlap (a separating axis exists)
    var polys = [p, q];
    for (var n = 0; n < 2; n++) {
      var P = polys[n];
      for (var i = 0; i < P.length; i++) {
        var a = P[i], b = P[(i + 1) % P.length], ax = b[1] - a[1], ay = a[0] - b[0];
        var min1 = Infinity, max1 = -Infinity, min2 = Infinity, max2 = -Infinity;
        p.forEach(function (v) { var d = v[0] * ax + v[1] * ay; if (d < min1) min1 = d; if (d > max1) max1 = d; });
        q.forEach(function (v) { var d = v[0] * ax + v[1] * ay; if (d < min2) min2 = d; if (d > max2) max2 = d; });
        if (max1 <= min2 || max2 <= min1) return true;
      }
    }
    return false;
  }
  function drawEdgeLabels(ctx) {
    var scale = network.getScale(), px = Math.max(EDGE_LABEL_PX, Math.min(14, 10 * scale)), fs = px / scale;
    var w = container.clientWidth, h = container.clientHeight;
    var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: w, y: h });
    var bodyNodes = network.body.nodes, bodyEdges = network.body.edges;
    // the drawn nodes' boxes (shape and label) in the view and the words placed, by cell
    // of 120 px on the screen: a words' box is tested against those of its cells only
    var cellSize = 120 / scale, boxCells = new Map();
    function cellsOfPoly(poly, add) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, out = [];
      poly.forEach(function (q) { x0 = Math.min(x0, q[0]); x1 = Math.max(x1, q[0]); y0 = Math.min(y0, q[1]); y1 = Math.max(y1, q[1]); });
      for (var gx = Math.floor(x0 / cellSize); gx <= Math.floor(x1 / cellSize); gx++) {
        for (var gy = Math.floor(y0 / cellSize); gy <= Math.floor(y1 / cellSize); gy++) {
          var k = cellKey(gx, gy);
          if (add) push(boxCells, k, poly); else if (boxCells.has(k)) out.push(boxCells.get(k));
        }
      }
      return out;
    }
    shown.nodes.forEach(function (id) {
      var bb = bodyNodes[id] && network.getBoundingBox(id);
      if (bb && bb.right >= a.x && bb.left <= b.x && bb.bottom >= a.y && bb.top <= b.y) {
        cellsOfPoly([[bb.left, bb.top], [bb.right, bb.top], [bb.right, bb.bottom], [bb.left, bb.bottom]], true);
      }
    });
    var first = new Set();
    if (hoverEdge) first.add(hoverEdge);
    if (state.edge) first.add(state.edge);
    if (state.path) state.path.edges.forEach(function (i) { first.add(i); });
    var picked = new Set();
    if (state.node) (ADJ.get(state.node) || []).forEach(function (e) { picked.add(e.id); });
    var cands = [];
    shown.edges.forEach(function (id) {
      var e = bodyEdges[id], v = VEDGES.get(id);
      if (!e || !e.from || !e.to || !v.label) return;
      var fx = e.from.x, fy = e.from.y, tx = e.to.x, ty = e.to.y;
      var len = Math.sqrt((tx - fx) * (tx - fx) + (ty - fy) * (ty - fy));
      var room = len - (e.from.options.size || 0) - (e.to.options.size || 0) - 8 / scale;
      var tw = widthOf(ctx, v.label) * fs / 100;
      var must = first.has(id);
      if (!must && tw > room) return;  // the words do not fit between the two shapes
      var mid = e.edgeType.getPoint(0.5);
      if (mid.x < a.x || mid.x > b.x || mid.y < a.y || mid.y > b.y) return;
      cands.push({ id: id, e: e, text: v.label, hw: tw / 2 + 2 / scale, hh: fs * 0.6, len: len, room: room, tw: tw,
        rank: must ? 0 : picked.has(id) ? 1 : 2 });
    });
    cands.sort(function (c, d) { return c.rank - d.rank || d.len - c.len || (c.id < d.id ? -1 : 1); });
    drawnEdgeLabels = [];
    function at(c, t) {  // the words at t along the line, along it and upright
      var p = c.e.edgeType.getPoint(t), p0 = c.e.edgeType.getPoint(t - 0.05), p1 = c.e.edgeType.getPoint(t + 0.05);
      var ang = Math.atan2(p1.y - p0.y, p1.x - p0.x);
      if (ang > Math.PI / 2) ang -= Math.PI; else if (ang < -Math.PI / 2) ang += Math.PI;
      c.x = p.x; c.y = p.y; c.a = ang;
      return corners(c);
    }
    function free(poly) {  // whole on the canvas, over no other words, shape or label
      if (poly.some(function (q) { return q[0] < a.x || q[0] > b.x || q[1] < a.y || q[1] > b.y; })) return false;
      return !cellsOfPoly(poly, false).some(function (list) { return list.some(function (q) { return !apart(poly, q); }); });
    }
    cands.forEach(function (c) {
      // the middle of the line, else a little to either side where the words still fit
      var slide = (c.room - c.tw) / 2 / Math.max(c.len, 1), poly = null;
      [0.5, 0.4, 0.6, 0.3, 0.7].some(function (t) {
        if (Math.abs(t - 0.5) > slide && t !== 0.5 && c.rank > 0) return false;
        var q = at(c, t);
        if (free(q)) { poly = q; return true; }
        return false;
      });
      if (!poly && c.rank > 0) return;
      if (!poly) poly = at(c, 0.5);  // the line hovered or picked: its words, whatever they meet
      cellsOfPoly(poly, true);
      ctx.save();
      ctx.translate(c.x, c.y); ctx.rotate(c.a);
      ctx.font = fs + "px " + EDGE_FONT; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.lineWidth = 3 / scale; ctx.strokeStyle = "#ffffff"; ctx.lineJoin = "round";
      ctx.strokeText(c.text, 0, 0);
      ctx.fillStyle = c.rank === 0 ? "#111111" : "#444444"; ctx.fillText(c.text, 0, 0);
      ctx.restore();
      var dom = poly.map(function (q) { var d = network.canvasToDOM({ x: q[0], y: q[1] }); return [d.x, d.y]; });
      drawnEdgeLabels.push({ id: c.id, text: c.text, px: px, corners: dom });
    });
  }
  network.on("afterDrawing", drawEdgeLabels);
  // the part of the canvas no panel covers, in the canvas's own pixels: all of it beside
  // the side panel; a panel laid over the graph (a sheet on a phone) takes its part away
  function openArea() {
    var g = container.getBoundingClientRect(), p = document.getElementById("panel").getBoundingClientRect();
    var area = { left: 0, top: 0, right: container.clientWidth, bottom: container.clientHeight };
    var over = p.width && p.height && p.left < g.right && p.right > g.left && p.top < g.bottom && p.bottom > g.top;
    if (over && p.top > g.top + g.height / 3) area.bottom = Math.min(area.bottom, p.top - g.top);
    else if (over && p.left > g.left + g.width / 3) area.right = Math.min(area.right, p.left - g.left);
    return area;
  }
  // a selected entity (search, click, share link) with every entity its drawn lines join it
  // to, shapes and labels whole on the canvas: the view moves and zooms out as far as that
  // takes (labels grown by readableLabels where there is room), never in beyond 1.1 or the
  // zoom it had. On "NVIDIA H20" the view zoomed out no further than a 12 px label: the H20
  // sat at the top with 3 of its 7 neighbours off the canvas while the panel said all 7
  // were drawn. onlyIfOut (a click): the view is left as it is if they are all on it.
  var FOCUS_PAD = 16;
  function focusWith(id, onlyIfOut) {
    var ids = [id];
    (ADJ.get(id) || []).forEach(function (e) {
      var other = e.from === id ? e.to : e.from;
      if (shown.edges.has(e.id) && shown.nodes.has(other) && ids.indexOf(other) < 0) ids.push(other);
    });
    fitNodes(ids, onlyIfOut);
  }
  // the fit of focusWith, for any drawn nodes (a line's two ends: a share link with edge=)
  function fitNodes(ids, onlyIfOut) {
    var cap = Math.max(network.getScale(), 1.1), area = openArea(), pad = FOCUS_PAD;
    var w = area.right - area.left - 2 * pad, h = area.bottom - area.top - 2 * pad;
    network.redraw();  // the boxes (shape and label) of nodes just added
    for (var round = 0; round < 6; round++) {
      var box = null;
      ids.forEach(function (i) {
        var bb = network.getBoundingBox(i);
        if (bb) box = box ? { left: Math.min(box.left, bb.left), right: Math.max(box.right, bb.right), top: Math.min(box.top, bb.top), bottom: Math.max(box.bottom, bb.bottom) } : bb;
      });
      if (!box) return;
      var a = network.DOMtoCanvas({ x: area.left + pad, y: area.top + pad }), b = network.DOMtoCanvas({ x: area.right - pad, y: area.bottom - pad });
      var inside = box.left >= a.x && box.right <= b.x && box.top >= a.y && box.bottom <= b.y;
      if (inside && (round || onlyIfOut)) return;
      var scale = Math.min(cap, w / (box.right - box.left), h / (box.bottom - box.top));
      // the box's centre at the open area's centre
      var sx = (area.left + area.right) / 2 - container.clientWidth / 2, sy = (area.top + area.bottom) / 2 - container.clientHeight / 2;
      network.moveTo({ position: { x: (box.left + box.right) / 2 - sx / scale, y: (box.top + box.bottom) / 2 - sy / scale }, scale: scale, animation: false });
      network.redraw(); readableLabels(); network.redraw();  // labels grown for the new zoom: their boxes
      cap = scale;
    }
  }
  function selectEdge(id, reveal) {
    var e = EDGES.get(id);
    if (!e) return;
    state.edge = id; state.node = null; state.path = null;
    if (!state.all) { state.extra.add(e.from); state.extra.add(e.to); }
    render();
    showEdge(id);
    if (reveal) inView([e.from, e.to]);
  }
  // the view moved (same zoom if they fit, else zoomed out to them) so that these nodes are
  // on it: a line picked in the panel ("sources") could lie off the screen, its end not drawn
  function inView(ids) {
    ids = ids.filter(function (i) { return shown.nodes.has(i); });
    if (!ids.length) return;
    var w = container.clientWidth, h = container.clientHeight, pad = 40, pos = network.getPositions(ids);
    var dom = ids.map(function (i) { return network.canvasToDOM(pos[i]); });
    if (dom.every(function (p) { return p.x >= pad && p.x <= w - pad && p.y >= pad && p.y <= h - pad; })) return;
    var xs = dom.map(function (p) { return p.x; }), ys = dom.map(function (p) { return p.y; });
    if (Math.max.apply(null, xs) - Math.min.apply(null, xs) <= w - 2 * pad &&
        Math.max.apply(null, ys) - Math.min.apply(null, ys) <= h - 2 * pad) {
      var cx = 0, cy = 0;
      ids.forEach(function (i) { cx += pos[i].x / ids.length; cy += pos[i].y / ids.length; });
      network.moveTo({ position: { x: cx, y: cy }, scale: network.getScale(), animation: false });
    } else network.fit({ nodes: ids, animation: false });
  }
  // "Show its neighbours" (or a double-click) fits the view to the entity and all of them as
  // a selection does: NVIDIA's 28 stayed at zoom 1.1, 18 of them off the canvas
  function toggleOpen(id) {
    if (state.open.has(id)) state.open.delete(id); else state.open.add(id);
    state.node = id;
    render();
    showNode(id);
    if (state.open.has(id) && shown.nodes.has(id)) focusWith(id);
  }
  network.on("click", function (p) {
    if (p.nodes.length) { state.node = p.nodes[0]; state.edge = null; state.path = null; render(); showNode(state.node); focusWith(state.node, true); }
    else if (p.edges.length) { selectEdge(p.edges[0], true); }  // keeps both ends on the view
  });
  network.on("doubleClick", function (p) { if (p.nodes.length) toggleOpen(p.nodes[0]); });

  // -- search ------------------------------------------------------------------------------
  function norm(text) {
    return String(text).normalize("NFKD").replace(/\p{M}/gu, "").normalize("NFKC").toLowerCase().replace(/ß/g, "ss").trim();
  }
  // Second chance, ranked after a name or its start matched as typed: without spaces and punctuation
  // ("NVIDIA H-200" finds "NVIDIA H200") and without a corporate suffix ("ByteDance Ltd",
  // "华为技术有限公司" find ByteDance and 华为), as `kg find` compares names.
  var SUFFIXES = DOC.meta.suffixes || [[], []];
  var SUFFIX_WORDS = new RegExp("(\\s+(" + SUFFIXES[0].join("|") + ")\\.?,?)+$", "u");
  var CJK_SUFFIX = new RegExp("(" + SUFFIXES[1].join("|") + ")$", "u");
  function loose(text) { return text.replace(/[\s\p{P}\p{S}]+/gu, ""); }
  function looseQuery(q) {
    var l = loose(q.replace(SUFFIX_WORDS, "")) || loose(q), cut;
    // (a match of nothing would loop for ever: an empty suffix list makes the pattern "()$")
    while ((cut = l.match(CJK_SUFFIX)) && cut[0].length > 0 && l.length - cut[0].length >= 2) l = l.slice(0, l.length - cut[0].length);
    return l;
  }
  // 0 a name, 1 a name's start, 2 a name without its spaces and punctuation ("H-20" is
  // the H20's alias "H20"), 3 inside a name, 4 inside a name without them. (A name
  // matched without punctuation ranked after the query inside another name: "H-20" put
  // "Premier Li Qiang launches the AI Plus initiative...", whose id holds "launch-2024",
  // above NVIDIA H20.)
  function rank(keys, q, lq, cache) {
    var best = 9;
    keys.forEach(function (k) {
      var r = k === q ? 0 : k.indexOf(q) === 0 ? 1 : k.indexOf(q) > 0 ? 3 : 9;
      if (r < best) best = r;
    });
    if (best > 2 && lq) {
      if (!cache.lk) cache.lk = keys.map(loose);
      cache.lk.forEach(function (k) { var r = !k ? 9 : k === lq ? 2 : k.indexOf(lq) >= 0 ? 4 : 9; if (r < best) best = r; });
    }
    return best;
  }
  function search(q) {
    q = norm(q);
    if (!q) return [];
    var lq = looseQuery(q), out = [];
    if (lq.length < 2) lq = "";
    DOC.nodes.forEach(function (n) {
      var best = rank(n.keys, q, lq, n);
      if (best < 9) out.push({ n: n, r: best });
    });
    // an overview page: every other entity, by name only (not drawn here)
    var cache = search.rows || (search.rows = []);
    (DOC.index || []).forEach(function (row, i) {
      var best = rank(row[4], q, lq, cache[i] || (cache[i] = {}));
      if (best < 9) out.push({ n: outsideNode(row), r: best });
    });
    if (!out.length) fuzzy(q, lq, out);
    out.sort(function (a, b) { return a.r - b.r || b.n.size - a.n.size || (a.n.label < b.n.label ? -1 : 1); });
    return out.slice(0, 30);
  }
  // Last chance, when nothing matches: a typo ("Huawai", "hauwei", "DeepSek"). A name, or
  // one of its words, within one edit of the query (two from 8 characters on); an edit is
  // a letter added, dropped, changed, or two swapped.
  function fuzzy(q, lq, out) {
    var query = lq || q;
    if (query.length < 4) return;
    var max = query.length >= 8 ? 2 : 1;
    function close(keys) {
      return keys.some(function (k) {
        return [loose(k)].concat(k.split(/[\s\p{P}\p{S}]+/u)).some(function (w) { return near(query, w, max); });
      });
    }
    DOC.nodes.forEach(function (n) { if (close(n.keys)) out.push({ n: n, r: 5 }); });
    (DOC.index || []).forEach(function (row) { if (close(row[4])) out.push({ n: outsideNode(row), r: 5 }); });
  }
  function near(a, b, max) {  // optimal string alignment distance of a and b is at most max
    if (Math.abs(a.length - b.length) > max) return false;
    var prev2 = null, prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      var row = [i], best = i;
      for (j = 1; j <= b.length; j++) {
        var d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
        row.push(d); if (d < best) best = d;
      }
      if (best > max) return false;
      prev2 = prev; prev = row;
    }
    return prev[b.length] <= max;
  }
  function matchedName(n, q) {
    q = norm(q);
    var names = [n.label].concat(n.aliases || [], n.names ? Object.keys(n.names).map(function (k) { return n.names[k]; }) : [], n.also || []);
    for (var i = 0; i < names.length; i++) if (norm(names[i]).indexOf(q) >= 0 && names[i] !== n.label) return names[i];
    return null;
  }
  function picker(input, list, onPick, autoExact) {
    var items = [], active = -1, timer = null;
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
    function draw() {
      clear(list);
      items = search(input.value);
      active = items.length ? 0 : -1;
      if (!input.value.trim()) { close(); return; }
      if (!items.length) list.appendChild(el("li", { cls: "empty", text: "No match" }));
      items.forEach(function (it, i) {
        var other = matchedName(it.n, input.value);
        var li = el("li", { role: "option", id: list.id + "-" + i, "data-id": it.n.id, "aria-selected": i === active ? "true" : "false" },
          el("span", { cls: "label", text: it.n.label }),
          el("span", { cls: "kind", text: DOC.kinds[it.n.kind] + " · " + DOC.blocs[blocOf(it.n)] + (other ? " · " + other : "") }));
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = false; input.setAttribute("aria-expanded", "true");
      if (autoExact && items.length && items[0].r === 0 && !items[0].n.outside && (items.length === 1 || items[1].r > 0)) onPick(items[0].n.id, true);
    }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      if (active >= 0 && list.children[active]) { input.setAttribute("aria-activedescendant", list.children[active].id); list.children[active].scrollIntoView({ block: "nearest" }); }
    }
    function pick(i) {
      if (!items[i]) return;
      if (items[i].n.outside) showOutside(items[i].n); else onPick(items[i].n.id, false);
      input.value = items[i].n.label; close();
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(draw, 120); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { if (list.hidden) draw(); active = Math.min(active + 1, items.length - 1); mark(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { active = Math.max(active - 1, 0); mark(); ev.preventDefault(); }
      else if (ev.key === "Enter") { clearTimeout(timer); if (list.hidden || !items.length) draw(); pick(active < 0 ? 0 : active); ev.preventDefault(); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    return { draw: draw };
  }
  // on a phone (the stacked layout of page.css) the panel is far below the search box: a
  // pick changed nothing on the screen, so the panel is brought into view (not while typing)
  var STACKED = window.matchMedia ? window.matchMedia("(max-width: 760px)") : { matches: false };
  // there the date, view, legend and path controls start folded, so that the graph is on the
  // first screen (they put it 1,000 px down); side by side they are always open
  var moreControls = document.getElementById("more-controls");
  function foldControls() { moreControls.open = !STACKED.matches; }
  foldControls();
  if (STACKED.addEventListener) STACKED.addEventListener("change", foldControls);
  // a search pick draws the entity with its neighbours (Huawei, with 11 links, showed on
  // its own), unless it has more than PICK_OPENS_UP_TO (a hub: its panel says how)
  var PICK_OPENS_UP_TO = 24;
  function neighbourIds(id) {
    var out = new Set();
    (ADJ.get(id) || []).forEach(function (e) { if (edgePasses(e)) out.add(e.from === id ? e.to : e.from); });
    out.delete(id);
    return out;
  }
  // whether a pick of it (a search, a share link with node= alone) draws its neighbours
  function pickOpens(id) { return !state.all && neighbourIds(id).size <= PICK_OPENS_UP_TO; }
  picker(document.getElementById("search"), document.getElementById("search-results"), function (id, auto) {
    if (pickOpens(id)) state.open.add(id);
    select(id, true);
    if (!auto && STACKED.matches) document.getElementById("panel").scrollIntoView({ block: "start" });
  }, true);

  // -- path -----------------------------------------------------------------------------------
  var pathEnds = { from: null, to: null };
  picker(document.getElementById("path-from"), document.getElementById("path-from-results"), function (id, auto) { if (!auto) pathEnds.from = id; }, false);
  picker(document.getElementById("path-to"), document.getElementById("path-to-results"), function (id, auto) { if (!auto) pathEnds.to = id; }, false);
  function setPathEnd(which, id) {
    pathEnds[which] = id;
    document.getElementById("path-" + which).value = NODES.get(id).label;
    if (pathEnds.from && pathEnds.to) findPath();
    else toast("Now pick the other end of the path in the left column.");
  }
  function shortestPaths(a, b, limit) {
    // breadth-first over the links that pass the filters, both directions; every shortest path
    var dist = new Map([[a, 0]]), preds = new Map([[a, []]]), queue = [a];
    while (queue.length) {
      var u = queue.shift();
      if (u === b) break;
      (ADJ.get(u) || []).forEach(function (e) {
        if (!edgePasses(e)) return;
        var v = e.from === u ? e.to : e.from;
        if (!nodePasses(NODES.get(v))) return;
        if (!dist.has(v)) { dist.set(v, dist.get(u) + 1); preds.set(v, []); queue.push(v); }
        if (dist.get(v) === dist.get(u) + 1 && preds.get(v).indexOf(u) < 0) preds.get(v).push(u);
      });
    }
    if (!dist.has(b)) return [];
    var out = [];
    (function walk(v, tail) {
      if (out.length >= limit) return;
      if (v === a) { out.push([a].concat(tail)); return; }
      preds.get(v).slice().sort().forEach(function (p) { walk(p, [v].concat(tail)); });
    })(b, []);
    return out;
  }
  function hopEdges(u, v) {
    return (ADJ.get(u) || []).filter(function (e) { return edgePasses(e) && ((e.from === u && e.to === v) || (e.from === v && e.to === u)); });
  }
  function findPath() {
    var a = pathEnds.from, b = pathEnds.to;
    if (!a || !b) { toast("Pick both ends of the path first."); return; }
    var paths = shortestPaths(a, b, 5);
    var nodes = new Set(), edges = new Set();
    paths.forEach(function (p) { p.forEach(function (i) { nodes.add(i); }); for (var i = 1; i < p.length; i++) hopEdges(p[i - 1], p[i]).forEach(function (e) { edges.add(e.id); }); });
    nodes.add(a); nodes.add(b);
    state.path = { from: a, to: b, paths: paths, nodes: Array.from(nodes), edges: Array.from(edges) };
    state.node = null; state.edge = null;
    render();
    showPath();
    network.fit({ nodes: state.path.nodes, animation: false });
  }
  function showPath() {
    outsideShown = null;
    var P = state.path;
    clear(panel);
    panel.appendChild(el("h2", { id: "panel-title", text: "Paths" }));
    panel.appendChild(el("p", null, refButton(P.from, NODES.get(P.from).label), el("span", { text: " → " }), refButton(P.to, NODES.get(P.to).label)));
    if (!P.paths.length) { panel.appendChild(el("p", { cls: "empty", text: "No path between them on " + state.date + " with the current filters." })); return; }
    var steps = P.paths[0].length - 1;
    panel.appendChild(el("p", { cls: "muted small", text: "The shortest paths on " + state.date + " (" + steps + (steps === 1 ? " step" : " steps") + " each; at most five shown), over the links the filters keep, in either direction. Each step lists every link that joins its two entities, with its sources." }));
    P.paths.forEach(function (p, k) {
      var box = el("div", { cls: "path", "data-path": String(k) }, el("div", { cls: "fact-label", text: "Path " + (k + 1) }));
      for (var i = 1; i < p.length; i++) box.appendChild(hopBlock(p[i - 1], p[i]));
      panel.appendChild(box);
    });
  }
  // one step of a path: its two entities once, then each link joining them (parallel links:
  // a model's developer and three figures about it) with its relation, direction and sources
  function hopBlock(u, v) {
    var links = hopEdges(u, v);
    var hop = el("div", { cls: "hop", "data-from": u, "data-to": v },
      el("div", { cls: "hop-ends" }, refButton(u, NODES.get(u).label), el("span", { text: " — " }), refButton(v, NODES.get(v).label),
        links.length > 1 ? el("span", { cls: "muted", text: " · " + links.length + " links" }) : null));
    var ul = el("ul", { cls: "hop-links" });
    links.forEach(function (e) {
      var li = el("li", { cls: "hop-link", "data-edge": e.id, "data-rel": e.rel },
        el("span", { cls: "rel", text: e.label }),
        el("span", { cls: "muted", text: " (" + NODES.get(e.from).label + " → " + NODES.get(e.to).label + ")" }));
      var what = e.via && CLAIMS.get(e.via), said = e.via && QUOTES.get(e.via);
      if (what) li.appendChild(el("span", { cls: "small", text: ": " + what.measure + " — " + what.value }));
      else if (said) li.appendChild(el("span", { cls: "small", text: ": " + said.name }));
      var w = edgeDates(e);
      if (w) li.appendChild(el("span", { cls: "when", text: " · " + w }));
      var eb = statusBadge(e.ck, e.ckw);
      if (eb) li.appendChild(eb);
      li.appendChild(sourceList(e.src));
      ul.appendChild(li);
    });
    hop.appendChild(ul);
    return hop;
  }
  document.getElementById("path-go").addEventListener("click", findPath);
  document.getElementById("path-clear").addEventListener("click", function () {
    pathEnds = { from: null, to: null }; state.path = null;
    document.getElementById("path-from").value = ""; document.getElementById("path-to").value = "";
    render(); refreshPanel();
  });

  // -- date --------------------------------------------------------------------------------------
  var DAY = 86400000;
  function dayNum(iso) { return Math.round(Date.parse(iso + "T00:00:00Z") / DAY); }
  function isoOf(num) { return new Date(num * DAY).toISOString().slice(0, 10); }
  var slider = document.getElementById("date-slider"), dateInput = document.getElementById("date-input");
  var maxDay = META.date > META.start ? META.date : META.start;
  slider.min = String(dayNum(META.minDate)); slider.max = String(dayNum(maxDay)); slider.step = "1";
  dateInput.min = META.minDate; dateInput.max = maxDay;
  function setDate(iso) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || isNaN(Date.parse(iso))) return;
    state.date = iso;
    syncControls();
    render();
    refreshPanel();
  }
  slider.addEventListener("input", function () { setDate(isoOf(Number(slider.value))); });
  dateInput.addEventListener("change", function () { setDate(dateInput.value); });
  document.getElementById("date-reset").addEventListener("click", function () { setDate(META.date); });

  // -- filters and legend ----------------------------------------------------------------------------
  var SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) { var n = document.createElementNS(SVGNS, tag); Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); }); return n; }
  // each kind's shape (KIND_SHAPES: vis-network's) in a 16×16 box, for the legend and the
  // PNG's key; a dot (or any shape not here) is a circle of radius 6 at (8, 8)
  var SHAPE_POINTS = {
    square: [[2.5, 2.5], [13.5, 2.5], [13.5, 13.5], [2.5, 13.5]],
    triangle: [[8, 1.5], [14.5, 14], [1.5, 14]], triangleDown: [[1.5, 2], [14.5, 2], [8, 14.5]],
    diamond: [[8, 1], [15, 8], [8, 15], [1, 8]], hexagon: [[4.5, 2], [11.5, 2], [15, 8], [11.5, 14], [4.5, 14], [1, 8]],
    star: [[8, 1], [9.9, 6], [15, 6], [10.9, 9.2], [12.5, 14.5], [8, 11.3], [3.5, 14.5], [5.1, 9.2], [1, 6], [6.1, 6]]
  };
  function legendIcon(kind, colour) {
    var s = svg("svg", { width: "16", height: "16", viewBox: "0 0 16 16", "aria-hidden": "true" });
    var a = { fill: colour, stroke: "#333", "stroke-width": "1" }, shape = VIS.shapes[kind] || "dot", p;
    var pts = SHAPE_POINTS[shape];
    if (!pts) p = svg("circle", Object.assign({ cx: "8", cy: "8", r: "6" }, a));
    else p = svg("polygon", Object.assign({ points: pts.map(function (q) { return q.join(","); }).join(" ") }, a));
    s.appendChild(p);
    return s;
  }
  var legendBlocs = document.getElementById("legend-blocs"), legendKinds = document.getElementById("legend-kinds");
  function legendRow(kind, colour, label, which, key) {
    var box = el("input", { type: "checkbox", "data-filter": key });
    box.checked = true;
    box.addEventListener("change", function () {
      var set = state[which];  // looked up now: reading a fragment replaces the sets
      if (box.checked) set.delete(key); else set.add(key);
      render(); refreshPanel();
    });
    return el("label", { cls: "legend-row" }, box, legendIcon(kind, colour), el("span", { text: label }));
  }
  BLOCS.forEach(function (b) { legendBlocs.appendChild(legendRow("dot", VIS.colours[b], DOC.blocs[b], "hideBlocs", b)); });
  KINDS.forEach(function (k) { legendKinds.appendChild(legendRow(k, "#ffffff", DOC.kinds[k], "hideKinds", k)); });
  (function () {
    var lines = document.getElementById("legend-lines");
    function line(dash, text) {
      var s = svg("svg", { width: "28", height: "10", "aria-hidden": "true" });
      s.appendChild(svg("line", { x1: "1", y1: "5", x2: "27", y2: "5", stroke: "#8a8f98", "stroke-width": "2", "stroke-dasharray": dash }));
      return el("div", { cls: "legend-row" }, s, el("span", { text: text }));
    }
    lines.appendChild(line("", "from a bundled article, or checked by a maintainer"));
    lines.appendChild(line("5,3", "unchecked: added from public knowledge, not yet checked by a maintainer"));
  })();
  var showAll = document.getElementById("show-all"), hideLow = document.getElementById("hide-low"), hideUnchecked = document.getElementById("hide-unchecked");
  showAll.addEventListener("change", function () { state.all = showAll.checked; render(); if (state.all) network.fit({ animation: false }); });
  hideLow.addEventListener("change", function () { state.low = hideLow.checked; render(); refreshPanel(); });
  hideUnchecked.addEventListener("change", function () { state.unchecked = hideUnchecked.checked; render(); refreshPanel(); });
  function syncControls() {
    slider.value = String(dayNum(state.date)); dateInput.value = state.date;
    slider.setAttribute("aria-valuetext", state.date);  // a screen reader said "20557" (its day number)
    document.getElementById("summary-date").textContent = state.date;
    document.getElementById("date-note").textContent = state.date === META.date ? "The dataset's date: the graph as it stands." :
      state.date > META.date ? state.date + " is after the dataset's date (" + META.date + "): the graph shows what its data, as of that date, says would still hold then; it knows nothing later." :
      "The graph as it stood on " + state.date + " (dataset date " + META.date + ").";
    showAll.checked = state.all; hideLow.checked = state.low; hideUnchecked.checked = state.unchecked;
    document.querySelectorAll("#legend-blocs input").forEach(function (i) { i.checked = !state.hideBlocs.has(i.getAttribute("data-filter")); });
    document.querySelectorAll("#legend-kinds input").forEach(function (i) { i.checked = !state.hideKinds.has(i.getAttribute("data-filter")); });
  }

  // -- the URL fragment: a view you can send -------------------------------------------------------
  function fragment() {
    var p = [];
    if (state.node) p.push("node=" + encodeURIComponent(state.node));
    if (state.edge) p.push("edge=" + encodeURIComponent(state.edge));
    if (state.date !== META.start) p.push("date=" + state.date);
    if (state.all) p.push("all=1");
    if (state.low) p.push("low=hide");
    if (state.unchecked) p.push("unchecked=hide");
    if (state.hideKinds.size) p.push("hidekinds=" + Array.from(state.hideKinds).sort().join(","));
    if (state.hideBlocs.size) p.push("hideblocs=" + Array.from(state.hideBlocs).sort().join(","));
    if (state.open.size) p.push("open=" + Array.from(state.open).sort().map(encodeURIComponent).join(","));
    var extra = Array.from(state.extra).filter(function (i) { return i !== state.node && !SEED.has(i); });
    if (extra.length) p.push("add=" + extra.sort().map(encodeURIComponent).join(","));
    // a link with node= and neither open= nor add= draws what a search draws (readFragment):
    // an entity picked by a click, its neighbours not drawn, says so with an empty open=
    else if (state.node && !state.open.size && pickOpens(state.node)) p.push("open=");
    if (state.path) p.push("path=" + encodeURIComponent(state.path.from) + "," + encodeURIComponent(state.path.to));
    return p.join("&");
  }
  var applying = false;
  function writeFragment() {
    if (applying) return;
    var f = fragment();
    if (("#" + f) !== location.hash && !(f === "" && location.hash === "")) {
      try { history.replaceState(null, "", f ? "#" + f : location.pathname + location.search); } catch (e) { /* some viewers forbid it */ }
    }
  }
  function readFragment() {
    var h = location.hash.replace(/^#/, ""), p = {};
    h.split("&").forEach(function (kv) { if (!kv) return; var i = kv.indexOf("="); p[decodeURIComponent(kv.slice(0, i < 0 ? kv.length : i))] = i < 0 ? "" : kv.slice(i + 1); });
    function ids(v) { return (v || "").split(",").filter(Boolean).map(decodeURIComponent); }
    var problems = [], notices = [];  // each a list of texts and [id, name] buttons, said above the page
    // a month or a year is its first day ("date=2025-04": 2025-04-01; it fell back to the
    // dataset's date without a word)
    var date = p.date ? decodeURIComponent(p.date) : "";
    var day = /^\d{4}$/.test(date) ? date + "-01-01" : /^\d{4}-\d{2}$/.test(date) ? date + "-01" : date;
    state.date = isDay(day) ? day : META.start;
    if (date && !isDay(day)) problems.push(["Date '" + date + "' not understood: use YYYY-MM-DD (or YYYY-MM, YYYY); the graph shows " + META.start + "."]);
    state.all = p.all === "1"; state.low = p.low === "hide"; state.unchecked = p.unchecked === "hide";
    state.hideKinds = new Set(ids(p.hidekinds).filter(function (k) { return KINDS.indexOf(k) >= 0; }));
    state.hideBlocs = new Set(ids(p.hideblocs).filter(function (b) { return BLOCS.indexOf(b) >= 0; }));
    state.open = new Set(ids(p.open).filter(function (i) { return NODES.has(i); }));
    state.extra = new Set(ids(p.add).filter(function (i) { return NODES.has(i); }));
    var node = p.node ? decodeURIComponent(p.node) : null, edge = p.edge ? decodeURIComponent(p.edge) : null;
    state.node = node ? linked(node, notices, problems) : null;
    state.edge = !state.node && EDGES.has(edge) ? edge : null;
    // a link typed by hand (README's graph.html#node=huawei&date=2025-06-01) draws what a
    // search for it draws: the entity with its neighbours (a hub's not: its panel says
    // how); Share view's links say open= or add=, and are followed exactly
    if (state.node && !("open" in p) && !("add" in p) && pickOpens(state.node)) state.open.add(state.node);
    // a line: both its ends drawn (the panel opened on a line not drawn)
    if (state.edge && !state.all) { state.extra.add(EDGES.get(state.edge).from); state.extra.add(EDGES.get(state.edge).to); }
    if (edge && !EDGES.has(edge)) problems.push(["No link '" + edge + "' in this graph."]);
    state.path = null;
    var pe = ids(p.path).map(function (i) { return linked(i, notices, problems); });
    if (pe.length === 2 && pe[0] && pe[1]) { pathEnds = { from: pe[0], to: pe[1] }; }
    else pe = null;
    // the fresh legend/filter inputs are rebuilt from state
    syncControls();
    linkNote(problems, notices);
    return pe;
  }
  // an entity the link names: itself when drawn; else, for an id that is gone (a tombstone
  // in data/tombstone/), the entity it was merged into or renamed to, said in a notice; else
  // null, and why: withdrawn (with its reason, and no look-alike offered), or unknown
  var GONE = new Map(Object.entries(DOC.gone || {}));  // id -> [name, day, new id, its name, why]
  function linked(id, notices, problems) {
    if (NODES.has(id)) return id;
    var shownOn = listedOn(id);
    if (shownOn) { notices.push(shownOn[1]); return shownOn[0]; }
    var g = GONE.get(id);
    if (!g) { problems.push(unknownEntity(id)); return null; }
    var was = "'" + id + "' (" + g[0] + ")", on = g[1] ? " on " + g[1] : "";
    if (!g[2]) { problems.push([was + " was withdrawn" + on + (g[4] ? ": " + g[4].replace(/\.$/, "") : "") + "."]); return null; }
    var now = NODES.has(g[2]) ? null : listedOn(g[2]);  // a measure merged into another
    var said = [was + " was merged into or renamed to ", now ? g[3] : [g[2], g[3]], on + "."];
    if (NODES.has(g[2])) { notices.push(said); return g[2]; }
    if (now) { notices.push(said); notices.push(now[1]); return now[0]; }
    problems.push(said);  // (what it became is not drawn on this page)
    return null;
  }
  // a share link to an id that is not an entity but is in the page's data: a figure, a quote,
  // a source or a measure ("No entity 'h200-china-orders-units-2026-01' in this graph" of a
  // figure the panels list): [the entity whose panel lists it, what the bar says of it]
  function listedOn(id) {
    function named(ids) { return ids.filter(function (i) { return NODES.has(i); }); }
    function button(i) { return [i, NODES.get(i).label]; }
    function list(ids) {  // "A, B and 3 more"
      var out = [], max = 5;
      ids.slice(0, max).forEach(function (i, k) { if (k) out.push(", "); out.push(button(i)); });
      if (ids.length > max) out.push(" and " + (ids.length - max) + " more");
      return out;
    }
    var c = CLAIMS.get(id), q = QUOTES.get(id), ids, what;
    if (c) { ids = named([c.about].concat(c.inv || [])); what = "a figure (" + c.name + ")"; }
    else if (q) { ids = named([q.speaker].concat(q.about)); what = "a quote (" + q.name + ")"; }
    // "NVIDIA H200's panel", "United States' panel"
    function panelOf(i) { return [button(i), (/s$/.test(NODES.get(i).label) ? "'" : "'s") + " panel"]; }
    if (ids && ids.length) return [ids[0], ["'" + id + "' is " + what + ", listed on "].concat(panelOf(ids[0]), ["."])];
    var figs = DOC.claims.filter(function (x) { return x.mid === id; });
    if (figs.length) {
      ids = named(Array.from(new Set(figs.map(function (x) { return x.about; }))));
      var where = ids.length === 1 ? panelOf(ids[0]) : ["the panels of "].concat(list(ids));
      if (ids.length) return [ids[0], ["'" + id + "' is a measure (" + figs[0].measure + "); its figures are listed on "].concat(where, ["."])];
    }
    var s = SOURCES.get(id);
    if (s) {
      var citing = new Set();
      var cites = function (x) { return (x.src || []).indexOf(id) >= 0; };
      DOC.nodes.forEach(function (n) {
        if (cites(n) || n.facts.some(function (f) { return f.s.some(cites); })) citing.add(n.id);
      });
      DOC.edges.forEach(function (e) { if (cites(e)) citing.add(e.from); });
      DOC.claims.forEach(function (x) { if (cites(x)) citing.add(x.about); });
      DOC.quotes.forEach(function (x) { if (cites(x)) citing.add(x.speaker); });
      ids = named(Array.from(citing));
      if (ids.length) return [ids[0], ["'" + id + "' is a source (" + s.title + (s.publisher ? ", " + s.publisher : "") + (s.date ? ", " + s.date : "") + "); the entities citing it: "].concat(list(ids), [". It opens the first."])];
    }
    return null;
  }
  // "No entity 'nvidia-h2000' in this graph — did you mean NVIDIA H200?": of what the
  // search finds for the id read as words, the one whose id or name is fewest edits from it
  // (the search's typo rule finds the H20 too), a button that opens it
  function unknownEntity(id) {
    var q = loose(norm(id)), found = search(id.replace(/[-_]+/g, " ")).map(function (r) { return r.n; });
    function edits(n) {
      var keys = [loose(norm(n.id)), loose(norm(n.label))];
      for (var d = 0; d < 4; d++) if (keys.some(function (k) { return near(q, k, d); })) return d;
      return 9;
    }
    var best = found.map(function (n, i) { return { n: n, d: edits(n), i: i }; })
      .sort(function (a, b) { return a.d - b.d || a.i - b.i; })[0];
    return best ? ["No entity '" + id + "' in this graph — did you mean ", [best.n.id, best.n.label], "?"]
      : ["No entity '" + id + "' in this graph."];
  }
  function linkNote(problems, notices) {
    var note = document.getElementById("link-note"), text = document.getElementById("link-note-text");
    text.textContent = "";
    if (problems.length) text.appendChild(el("strong", { text: "This link could not be followed in full. " }));
    problems.concat(notices || []).forEach(function (parts, i) {
      if (i) text.appendChild(document.createTextNode(" "));
      parts.forEach(function (part) {
        if (typeof part === "string") { text.appendChild(document.createTextNode(part)); return; }
        var b = refButton(part[0], part[1]);
        b.addEventListener("click", function () { note.hidden = true; });
        text.appendChild(b);
      });
    });
    note.hidden = !problems.length && !(notices || []).length;
  }
  document.getElementById("link-note-close").addEventListener("click", function () { document.getElementById("link-note").hidden = true; });
  function isDay(v) {  // a real calendar day written YYYY-MM-DD (2099-13-45 is not)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v || "")) return false;
    var d = new Date(v + "T00:00:00Z");
    return !isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }
  function applyFragment() {
    applying = true;
    outsideShown = null;  // the link names what the panel shows
    var pe = readFragment();
    render();
    if (pe) {
      document.getElementById("path-from").value = NODES.get(pe[0]).label;
      document.getElementById("path-to").value = NODES.get(pe[1]).label;
      findPath();
    } else refreshPanel();
    applying = false;
    var ends = state.edge && !state.node && !state.path && shown.edges.has(state.edge) ? [EDGES.get(state.edge).from, EDGES.get(state.edge).to] : null;
    var fitted = !(state.node && shown.nodes.has(state.node)) && !state.path && !ends;
    if (ends) fitNodes(ends);
    else if (!fitted) { if (state.node) focusWith(state.node); }
    else network.fit({ animation: false });
    network.redraw(); readableLabels(); network.redraw();  // the page opens with its labels as they stay
    if (fitted) labelsInView();
    writeFragment();
  }
  // the fitted view holds the shapes and their labels at the layout's size: grown, a label
  // at the edge ran off the canvas ("eutsche Welle" on a phone). The view zooms out to the
  // drawn boxes, labels grown for the new scale, a few times until they are all in it
  function labelsInView() {
    var w = container.clientWidth, h = container.clientHeight, pad = 6;
    for (var round = 0; round < 4; round++) {
      var box = null;
      shown.nodes.forEach(function (id) {
        var bb = network.getBoundingBox(id);
        if (bb) box = box ? { left: Math.min(box.left, bb.left), right: Math.max(box.right, bb.right), top: Math.min(box.top, bb.top), bottom: Math.max(box.bottom, bb.bottom) } : bb;
      });
      var a = network.DOMtoCanvas({ x: pad, y: pad }), b = network.DOMtoCanvas({ x: w - pad, y: h - pad });
      if (!box || (box.left >= a.x && box.right <= b.x && box.top >= a.y && box.bottom <= b.y)) return;
      var scale = Math.min(network.getScale(), (w - 2 * pad) / (box.right - box.left), (h - 2 * pad) / (box.bottom - box.top));
      network.moveTo({ position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 }, scale: scale, animation: false });
      network.redraw(); readableLabels(); network.redraw();
    }
  }
  window.addEventListener("hashchange", function () { if (location.hash.replace(/^#/, "") !== fragment()) applyFragment(); });

  // -- header, citation, sharing, PNG ------------------------------------------------------------------
  document.getElementById("page-title").textContent = META.title;
  document.getElementById("page-subtitle").textContent = META.subtitle ? "– " + META.subtitle : "";
  document.title = META.title + (META.subtitle ? " – " + META.subtitle : "");
  var line = document.getElementById("dataset-line");
  line.appendChild(el("span", { text: "version " + META.version + " · data as of " + META.date + " · " }));
  line.appendChild(link(META.licenceUrl, "data licence " + META.licence));
  var citeBox = document.getElementById("cite-box"), citeBtn = document.getElementById("cite-button");
  citeBox.appendChild(el("p", { cls: "section-title", text: "How to cite" }));
  citeBox.appendChild(el("p", { id: "cite-text", text: META.cite }));
  citeBox.appendChild(el("p", { cls: "small muted", text: "The data is licensed under " + META.licence + ": you may share and adapt it with attribution. Each fact names its own sources; cite them too." }));
  citeBtn.addEventListener("click", function () { citeBox.hidden = !citeBox.hidden; citeBtn.setAttribute("aria-expanded", String(!citeBox.hidden)); });
  // Escape closes the citation (it stayed open over the panel until clicked again)
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || citeBox.hidden) return;
    citeBox.hidden = true; citeBtn.setAttribute("aria-expanded", "false"); citeBtn.focus();
  });
  var toastTimer = null;
  function toast(text) {
    var t = document.getElementById("toast");
    t.textContent = text; t.hidden = false;
    clearTimeout(toastTimer); toastTimer = setTimeout(function () { t.hidden = true; }, 2600);
  }
  document.getElementById("share-button").addEventListener("click", function () {
    writeFragment();
    var url = location.href;
    var done = function () { toast("Link to this view copied. It opens this same file on the same view."); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copy this link:", url); });
    else window.prompt("Copy this link:", url);
  });
  // the view moved (never zoomed in) so that every node it shows, even in part, is whole
  // with its label: a label at the edge was cut ("Interim Meas…"); returns how to go back.
  // A node's box is vis-network's (shape and label) grown by a part of its font size: the
  // drawn glyphs and their white stroke reach past it, so the label of a node whose box
  // ended 5 px above the view was drawn cut at the PNG's top ("United States")
  var lastPng = null;  // what the last PNG export drew (for a test to check it)
  function drawnBox(id) {
    var bb = network.getBoundingBox(id), nd = network.body.nodes[id];
    if (!bb || !nd) return null;
    var slack = 0.4 * ((nd.options.font || {}).size || BASE_FONT) + 2;
    return { left: bb.left - slack, right: bb.right + slack, top: bb.top - slack, bottom: bb.bottom + slack };
  }
  function viewWhole() {
    labelsFrozen = true;  // the labels as on the screen, not grown or shrunk half-way
    // but those hidden only for being cut by the canvas's edge drawn: the view below moves
    // to hold every node it shows even in part whole, with its label
    if (cutHidden.size) {
      dsNodes.update(Array.from(cutHidden).map(function (id) { hiddenLabels.delete(id); return { id: id, font: { color: BASE_FONT_COLOUR, strokeWidth: BASE_STROKE } }; }));
      cutHidden = new Set();
    }
    var saved = { position: network.getViewPosition(), scale: network.getScale(), animation: false };
    var w = container.clientWidth, h = container.clientHeight, pad = 12, eps = 0.5;
    network.redraw();
    function frame() { return [network.DOMtoCanvas({ x: 0, y: 0 }), network.DOMtoCanvas({ x: w, y: h })]; }
    function touches(bb, a, b) { return !(bb.right < a.x || bb.left > b.x || bb.bottom < a.y || bb.top > b.y); }
    // the nodes the view shows even in part, gathered round after round (zooming out can
    // bring more in part into it) until their box, with a margin, is inside the view
    var keep = new Set();
    for (var round = 0; round < 40; round++) {
      var f = frame(), box = null, grew = false;
      shown.nodes.forEach(function (id) {
        var bb = drawnBox(id);
        if (bb && (keep.has(id) || touches(bb, f[0], f[1]))) { if (!keep.has(id)) { keep.add(id); grew = true; } }
      });
      keep.forEach(function (id) {
        var bb = drawnBox(id);
        if (bb) box = box ? { left: Math.min(box.left, bb.left), right: Math.max(box.right, bb.right), top: Math.min(box.top, bb.top), bottom: Math.max(box.bottom, bb.bottom) } : bb;
      });
      if (!box) break;
      var sc = network.getScale(), m = pad / sc - eps / sc;
      var fits = box.left - m >= f[0].x && box.right + m <= f[1].x && box.top - m >= f[0].y && box.bottom + m <= f[1].y;
      if (fits && !grew) break;
      if (fits) continue;
      var scale = Math.min(sc, (w - 2 * pad) / (box.right - box.left), (h - 2 * pad) / (box.bottom - box.top));
      network.moveTo({ position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 }, scale: scale, animation: false });
      network.redraw();
    }
    var cut = [], boxes = {};  // the nodes in the view that are not whole in it (none)
    var f2 = frame();
    shown.nodes.forEach(function (id) {
      var bb = drawnBox(id);
      if (!bb || !touches(bb, f2[0], f2[1])) return;
      var a = network.canvasToDOM({ x: bb.left, y: bb.top }), b = network.canvasToDOM({ x: bb.right, y: bb.bottom });
      boxes[id] = [a.x, a.y, b.x, b.y];
      if (!(bb.left >= f2[0].x && bb.right <= f2[1].x && bb.top >= f2[0].y && bb.bottom <= f2[1].y)) cut.push(id);
    });
    return { cut: cut, boxes: boxes, restore: function () { network.moveTo(saved); labelsFrozen = false; cutKey = ""; network.redraw(); } };
  }
  // a kind's shape, as vis-network and the legend draw it, in a box of side 2·h at (x, y)
  function shapePath(ctx, shape, x, y, h) {
    var k = h / 8, pts = SHAPE_POINTS[shape];
    ctx.beginPath();
    if (!pts) { ctx.arc(x + h, y, 6 * k, 0, 2 * Math.PI); return; }
    pts.forEach(function (p, i) { ctx[i ? "lineTo" : "moveTo"](x + p[0] * k, y + (p[1] - 8) * k); });
    ctx.closePath();
  }
  document.getElementById("png-button").addEventListener("click", function () {
    // the view (every node in it whole), then a band with the stamp and the key: colours
    // (blocs), shapes (kinds) and dashes (a picture shown without the page must say what
    // they mean), wrapped onto as many lines as the width needs
    var whole = viewWhole();
    var src = container.querySelector("canvas");
    var r = src.width / (src.clientWidth || src.width) || 1, lineH = Math.round(22 * r), pad = 8 * r;
    var items = [{ t: "ai-race-kg " + META.version + " · as of " + state.date + " · " + META.licence, c: "#5f6368" }];
    BLOCS.forEach(function (b) { items.push({ t: DOC.blocs[b], icon: "dot", fill: VIS.colours[b] }); });
    KINDS.forEach(function (k) { items.push({ t: DOC.kinds[k], icon: VIS.shapes[k] || "dot", fill: "#ffffff" }); });
    items.push({ t: "unchecked link", icon: "dash" });
    var c = document.createElement("canvas"), ctx = c.getContext("2d"), font = (12 * r) + "px sans-serif";
    ctx.font = font;
    var x = pad, line = 0;
    items.forEach(function (it) {  // lay out: an item that does not fit starts a new line
      it.w = (it.icon ? (it.icon === "dash" ? 30 : 14) * r : 0) + ctx.measureText(it.t).width;
      if (x > pad && x + it.w > src.width - pad) { line++; x = pad; }
      it.x = x; it.line = line; x += it.w + 12 * r;
    });
    c.width = src.width; c.height = src.height + (line + 1) * lineH + r * 4;
    ctx = c.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(src, 0, 0);
    whole.restore();
    lastPng = { cut: whole.cut, boxes: whole.boxes, view: src.height, items: items.map(function (it) { return { t: it.t, icon: it.icon || null, x: it.x, line: it.line }; }), lineH: lineH, r: r };
    ctx.strokeStyle = "#dadce0"; ctx.lineWidth = r;
    ctx.beginPath(); ctx.moveTo(0, src.height + r / 2); ctx.lineTo(c.width, src.height + r / 2); ctx.stroke();
    ctx.font = font; ctx.textBaseline = "middle";
    items.forEach(function (it) {
      var y = src.height + r * 2 + (it.line + 0.5) * lineH, tx = it.x;
      if (it.icon === "dash") {
        ctx.strokeStyle = "#8a8f98"; ctx.lineWidth = 2 * r; ctx.setLineDash([5 * r, 3 * r]);
        ctx.beginPath(); ctx.moveTo(tx, y); ctx.lineTo(tx + 24 * r, y); ctx.stroke(); ctx.setLineDash([]);
        tx += 30 * r;
      } else if (it.icon) {
        shapePath(ctx, it.icon, tx, y, 5 * r);
        ctx.fillStyle = it.fill; ctx.fill(); ctx.strokeStyle = "#333333"; ctx.lineWidth = r * 0.8; ctx.stroke();
        tx += 14 * r;
      }
      ctx.fillStyle = it.c || "#3c4043"; ctx.fillText(it.t, tx, y);
    });
    var a = el("a", { href: c.toDataURL("image/png"), download: "ai-race-kg-" + state.date + ".png" });
    document.body.appendChild(a); a.click(); a.remove();
  });

  // -- start -------------------------------------------------------------------------------------------
  applyFragment();
  window.kgExplorer = {
    network: network, state: state, select: function (id) { select(id, true); }, selectEdge: selectEdge, setDate: setDate,
    fragment: fragment, findPath: function (a, b) { pathEnds = { from: a, to: b }; findPath(); },
    bloc: function (id, day) { var n = NODES.get(id); return n ? blocOn(n, day || state.date) : null; },
    onDay: onDay,
    visibleNodeIds: function () { return Array.from(shown.nodes).sort(); },
    visibleEdgeIds: function () { return Array.from(shown.edges).sort(); },
    current: function (id, field, day) {
      var n = NODES.get(id); if (!n) return null;
      var f = n.facts.filter(function (x) { return x.f === field; })[0];
      return f ? current(f.s, day).map(function (s) { return s.ref || s.v; }) : [];
    },
    // the month of change on the day (Timeline.change_on): [ended values, began values], or null
    change: function (id, field, day) {
      var n = NODES.get(id); if (!n) return null;
      var f = n.facts.filter(function (x) { return x.f === field; })[0], ch = f && changeOn(f, day);
      function vals(list) { return list.map(function (s) { return s.ref || s.v; }); }
      return ch ? [vals(ch.ended), vals(ch.began)] : null;
    },
    lastPng: function () { return lastPng; }, readableScale: READABLE_SCALE,
    // the lines' words drawn on the last frame: id, text, size on the screen, box corners (px)
    edgeLabels: function () { return drawnEdgeLabels; },
    states: function (id, field, day) {
      var n = NODES.get(id); if (!n) return null;
      var f = n.facts.filter(function (x) { return x.f === field; })[0];
      return f ? f.s.map(function (s) { return stateOn(s, f.s, day); }) : [];
    },
    ready: true
  };
  document.body.setAttribute("data-ready", "1");
})();
