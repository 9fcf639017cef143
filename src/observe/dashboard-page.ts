// The dashboard: one static page (HTML, inline CSS, vanilla JS; no build step) served by the
// traffic hub. It opens ws /ws/view with the token from its own URL, keeps a model of the
// cluster from the FullMessage and the TickMessages (web-model-script.ts), and redraws at most
// once per animation frame, touching only the rows whose text changed (keyed rows; bars move by
// transform, which needs no layout), so 1,000 pods and their traffic redraw within a frame
// (npm run bench:dashboard measures it).
//
// Endpoint bars show requests/s (the pods' own counts: under keep-alive load connections/s stay
// at 0 while requests flow), linear, against the busiest endpoint shown; connections/s and
// bytes/s stand beside them, labelled. Services are sorted by traffic; namespace, service and
// node filters apply to every panel.
//
// The script below avoids backticks and "${" so it can live in this template string as is.
import { WEB_MODEL_JS } from './web-model-script.js';

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>loopkube dashboard</title>
<link rel="icon" href="data:,">
<style>
  :root { --bg:#f4f6f9; --panel:#fff; --ink:#1d2430; --muted:#6b7686; --line:#e3e7ee; --blue:#2f6fdf; --green:#1f9d55;
          --amber:#c98a00; --red:#d64545; --bar:#2f6fdf; --bar2:#9cc0ff; }
  * { box-sizing: border-box; }
  body { margin:0; font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; align-items:center; gap:18px; padding:10px 18px; background:#17202e; color:#fff; position:sticky; top:0; z-index:2; }
  header h1 { font-size:16px; margin:0; font-weight:600; letter-spacing:.2px; }
  header .cluster { color:#9fb3d1; }
  #conn { display:flex; align-items:center; gap:6px; color:#c7d2e3; font-size:12px; }
  #conn i { width:9px; height:9px; border-radius:50%; background:var(--red); display:inline-block; }
  body[data-connected="true"] #conn i { background:#3ecf7a; }
  #totals { margin-left:auto; display:flex; gap:18px; }
  #totals div { text-align:right; }
  #totals b { display:block; font-size:16px; font-variant-numeric:tabular-nums; }
  #totals span { font-size:11px; color:#9fb3d1; text-transform:uppercase; letter-spacing:.5px; }
  main { display:grid; grid-template-columns:minmax(0,1fr) minmax(0,1fr); gap:14px; padding:14px 18px; }
  section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:10px 12px; min-width:0; }
  section h2 { font-size:12px; text-transform:uppercase; letter-spacing:.6px; color:var(--muted); margin:0 0 8px; display:flex; gap:8px; align-items:baseline; }
  section h2 small { text-transform:none; letter-spacing:0; font-weight:400; }
  #chart-panel { grid-column:1 / -1; }
  #chart { width:100%; height:170px; display:block; }
  .legend { display:flex; gap:14px; font-size:12px; color:var(--muted); }
  .legend i { display:inline-block; width:14px; height:3px; vertical-align:middle; margin-right:4px; }
  .scroll { max-height:440px; overflow:auto; }
  .node { border:1px solid var(--line); border-radius:6px; margin-bottom:8px; content-visibility:auto; contain-intrinsic-size:auto 200px; }
  .node-head { display:flex; gap:10px; align-items:center; padding:6px 8px; background:#f8fafc; border-bottom:1px solid var(--line); border-radius:6px 6px 0 0; }
  .node-head b { font-size:13px; }
  .node-head .ip, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; color:var(--muted); }
  .node-head .count { margin-left:auto; color:var(--muted); font-size:12px; }
  .pods { display:grid; grid-template-columns:minmax(0,1.6fr) minmax(0,1fr) auto auto; column-gap:10px; padding:4px 8px; }
  .pods > div { display:contents; }
  .pods > div > span { padding:2px 0; border-bottom:1px dotted #eef1f5; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  .pods .rps { text-align:right; font-variant-numeric:tabular-nums; color:var(--muted); min-width:52px; }
  .badge { display:inline-block; padding:0 6px; border-radius:9px; font-size:11px; line-height:17px; background:#e8edf4; color:#46505e; }
  .badge.ok { background:#dff5e8; color:#16703d; }
  .badge.warn { background:#fff1cc; color:#7a5600; }
  .badge.bad { background:#fde2e2; color:#a32323; }
  table { width:100%; border-collapse:collapse; }
  th { text-align:left; font-size:11px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.4px; padding:4px 6px; border-bottom:1px solid var(--line); }
  td { padding:4px 6px; border-bottom:1px solid #eef1f5; white-space:nowrap; }
  td.mono { color:var(--ink); }
  .svc-traffic { margin-bottom:10px; content-visibility:auto; contain-intrinsic-size:auto 90px; }
  .svc-traffic h3 { font-size:13px; margin:4px 0; display:flex; gap:8px; align-items:baseline; }
  .svc-traffic h3 small { color:var(--muted); font-weight:400; }
  .ep { display:grid; grid-template-columns:minmax(0,2.4fr) minmax(0,2.4fr) 72px 52px 64px 48px minmax(0,1fr) 78px 110px; gap:8px; align-items:center; padding:2px 0; }
  .ep.hdr { padding-bottom:4px; border-bottom:1px solid var(--line); margin-bottom:4px; }
  .ep .who { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  .ep .who small { color:var(--muted); }
  .bar { height:12px; background:#eef2f8; border-radius:3px; overflow:hidden; position:relative; }
  .bar i { position:absolute; left:0; top:0; bottom:0; background:var(--bar); border-radius:3px; }
  .num { text-align:right; font-variant-numeric:tabular-nums; }
  .hdr { color:var(--muted); font-size:11px; text-transform:uppercase; letter-spacing:.4px; }
  #events { font-size:12px; }
  .ev { display:grid; grid-template-columns:58px 128px minmax(0,1fr); gap:8px; padding:3px 0; border-bottom:1px solid #eef1f5; }
  .ev .t { color:var(--muted); font-variant-numeric:tabular-nums; }
  .ev .r { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  .ev.new { animation:flash 1.6s ease-out; }
  .ev .msg { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  .ev .msg b { font-weight:600; }
  .ev.Warning .r { color:var(--red); }
  @keyframes flash { from { background:#fff6c2; } to { background:transparent; } }
  .empty { color:var(--muted); font-style:italic; padding:6px 0; }
  header nav a { color:#c7d2e3; text-decoration:none; font-size:13px; padding:3px 8px; border-radius:4px; }
  header nav a:hover, header nav a.here { background:#2a3547; color:#fff; }
  #toolbar { display:flex; gap:12px; align-items:center; padding:8px 18px; background:#fff; border-bottom:1px solid var(--line); flex-wrap:wrap; }
  #toolbar label { font-size:12px; color:var(--muted); display:flex; gap:6px; align-items:center; }
  #toolbar select, #toolbar input { font:inherit; font-size:12px; padding:3px 6px; border:1px solid #cfd6e1; border-radius:4px; background:#fff; }
  #toolbar input { width:180px; }
  #toolbar .count { margin-left:auto; font-size:12px; color:var(--muted); }
  #failures { grid-column:1 / -1; background:#fff4f4; border-color:#f1c0c0; }
  #failures h2 { color:#a32323; }
  #failures .f { font-size:12px; padding:3px 0; border-bottom:1px solid #f6dada; }
  #failures .f b { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-weight:600; }
  #traffic-panel { grid-column:1 / -1; }
  .bar.thin { height:6px; }
  .bar.thin i { background:#9aa9c0; }
  .bar i { width:100%; transform:scaleX(0); transform-origin:left; transition:transform .35s ease-out; }
  .bar i.err { background:var(--red); z-index:1; }
  @media (max-width: 1000px) { main { grid-template-columns:minmax(0,1fr); } }
</style>
</head>
<body data-connected="false">
<header>
  <h1>loopkube <span class="cluster" id="cluster"></span></h1>
  <div id="conn"><i></i><span id="conn-text">connecting</span></div>
  <nav><a class="here" id="nav-dashboard">Dashboard</a><a id="nav-map">Service map</a></nav>
  <div id="totals">
    <div><b data-total="requestsPerSec">0</b><span>req/s</span></div>
    <div><b data-total="errorsPerSec">0</b><span>5xx/s</span></div>
    <div><b data-total="connPerSec">0</b><span>conn/s</span></div>
    <div><b data-total="active">0</b><span>active</span></div>
    <div><b data-total="bytesPerSec">0 B/s</b><span>bytes/s</span></div>
  </div>
</header>
<div id="toolbar">
  <label>Namespace <select id="f-namespace"><option value="">all</option></select></label>
  <label>Service <input id="f-service" type="search" placeholder="name contains…" autocomplete="off"></label>
  <label>Node <select id="f-node"><option value="">all</option></select></label>
  <label>Sort <select id="f-sort">
    <option value="requests">by traffic (requests/s)</option>
    <option value="connections">by connections/s</option>
    <option value="bytes">by bytes/s</option>
    <option value="name">by name</option>
  </select></label>
  <span class="count" id="filter-summary"></span>
</div>
<main>
  <section id="failures" hidden>
    <h2>Listeners that failed to open <small id="failures-summary"></small></h2>
    <div id="failure-list"></div>
  </section>
  <section id="chart-panel">
    <h2>Traffic rate <small>last 5 minutes</small>
      <span class="legend"><span><i style="background:#1f9d55"></i>requests/s</span><span><i style="background:#d64545"></i>5xx/s</span><span><i style="background:#2f6fdf"></i>connections/s</span></span></h2>
    <canvas id="chart"></canvas>
  </section>
  <section id="traffic-panel">
    <h2>Traffic per endpoint <small id="traffic-summary"></small></h2>
    <div class="ep hdr"><span>endpoint</span><span>requests/s (bar: of the busiest endpoint shown)</span><span class="num">req/s</span><span class="num">5xx/s</span><span class="num">conn/s</span><span class="num">active</span><span>bytes/s</span><span class="num">bytes/s</span><span>state</span></div>
    <div class="scroll" id="traffic"></div>
  </section>
  <section>
    <h2>Nodes and pods <small id="nodes-summary"></small></h2>
    <div class="scroll" id="nodes"></div>
  </section>
  <section>
    <h2>Services <small id="services-summary"></small></h2>
    <div class="scroll"><table>
      <thead><tr><th>Name</th><th>Type</th><th>Cluster-IP</th><th>External-IP</th><th>Ports</th><th>Endpoints</th><th>Req/s</th></tr></thead>
      <tbody id="services"></tbody>
    </table></div>
  </section>
  <section>
    <h2>Events <small id="events-summary"></small></h2>
    <div class="scroll" id="events"></div>
  </section>
</main>
<script>${WEB_MODEL_JS}</script>
<script>
(function () {
  'use strict';
  var token = new URLSearchParams(location.search).get('token') || '';
  var model = LK.createModel();
  var rate = LK.rate, bytes = LK.bytes, shortName = LK.shortName;
  var dirty = { nodes: true, services: true, traffic: true, events: true, chart: true, totals: true, filters: true, failures: true };
  var stats = window.loopkubeDashboard = { firstRenderAt: 0, renders: [] };
  var filters = { namespace: '', service: '', node: '', sort: 'requests' };

  document.getElementById('nav-map').href = '/map?token=' + encodeURIComponent(token);
  document.getElementById('nav-dashboard').href = location.pathname + location.search;

  function onFilter() {
    filters.namespace = document.getElementById('f-namespace').value;
    filters.service = document.getElementById('f-service').value.trim().toLowerCase();
    filters.node = document.getElementById('f-node').value;
    filters.sort = document.getElementById('f-sort').value;
    dirty.nodes = dirty.services = dirty.traffic = true;
    schedule();
  }
  ['f-namespace', 'f-node', 'f-sort'].forEach(function (id) { document.getElementById(id).addEventListener('change', onFilter); });
  document.getElementById('f-service').addEventListener('input', onFilter);

  function serviceShown(s) {
    if (filters.namespace && s.namespace !== filters.namespace) return false;
    if (filters.service && s.key.toLowerCase().indexOf(filters.service) < 0) return false;
    return true;
  }
  function podShown(p) {
    if (filters.namespace && p.namespace !== filters.namespace) return false;
    if (filters.node && p.node !== filters.node) return false;
    return true;
  }

  function onMessage(msg) {
    var c = LK.applyMessage(model, msg);
    if (c.nodes || c.pods) dirty.nodes = true;
    if (c.nodes || c.services || c.full) dirty.filters = true;
    if (c.services || c.endpoints) dirty.services = true;
    if (c.events) dirty.events = true;
    dirty.traffic = dirty.totals = dirty.chart = dirty.failures = true;
    dirty.nodes = true; // pods' req/s
    schedule();
  }

  // ---- rendering: at most once per frame ----
  var frame = 0;
  function schedule() { if (!frame) frame = requestAnimationFrame(render); }
  function render() {
    frame = 0;
    var started = performance.now();
    if (dirty.filters) renderFilterChoices();
    if (dirty.failures) renderFailures();
    if (dirty.chart) renderChart();
    if (dirty.totals) renderTotals();
    if (dirty.nodes) renderNodes();
    if (dirty.services) renderServices();
    if (dirty.traffic) renderTraffic();
    if (dirty.events) renderEvents();
    var ms = performance.now() - started;
    document.body.setAttribute('data-render-ms', ms.toFixed(1));
    document.body.setAttribute('data-renders', String(Number(document.body.getAttribute('data-renders') || 0) + 1));
    // for npm run bench:dashboard: when the first state was on screen, and each render's cost
    if (!stats.firstRenderAt && model.pods.size > 0) stats.firstRenderAt = performance.now();
    stats.renders.push(ms);
    if (stats.renders.length > 1000) stats.renders.shift();
    dirty = { nodes: false, services: false, traffic: false, events: false, chart: false, totals: false, filters: false, failures: false };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function setText(e, s) { if (e.textContent !== s) e.textContent = s; }
  function setClass(e, s) { if (e.className !== s) e.className = s; }
  function setAttr(e, k, v) { if (e.getAttribute(k) !== v) e.setAttribute(k, v); }
  function setBar(i, fraction) {
    var t = 'scaleX(' + Math.max(0, Math.min(1, fraction)).toFixed(3) + ')';
    if (i.style.transform !== t) i.style.transform = t;
  }

  /** Keeps container's children as one element per item, in order, reusing them by key. */
  function syncChildren(container, items, keyOf, create, update) {
    var cache = container._rows || (container._rows = new Map());
    var seen = new Set();
    for (var i = 0; i < items.length; i++) {
      var key = keyOf(items[i]);
      seen.add(key);
      var row = cache.get(key);
      if (!row) { row = create(items[i], key); cache.set(key, row); }
      update(row, items[i]);
      var at = container.children[i];
      if (at !== row) container.insertBefore(row, at || null);
    }
    cache.forEach(function (row, key) { if (!seen.has(key)) { row.remove(); cache.delete(key); } });
  }
  function setEmpty(container, show, text) {
    var note = container._empty;
    if (show && !note) { note = container._empty = el('div', 'empty', text); container.appendChild(note); }
    if (show && note) setText(note, text);
    if (!show && note) { note.remove(); container._empty = null; }
  }
  function sortByKey(list, f) { return list.sort(function (a, b) { var x = f(a), y = f(b); return x < y ? -1 : x > y ? 1 : 0; }); }
  // Services are ordered by their rates smoothed over a few ticks, so two equally busy ones do
  // not swap places at every tick.
  var smooth = new Map();
  function smoothed(key, t) {
    var prev = smooth.get(key);
    var next = prev ? {
      requestsPerSec: prev.requestsPerSec * 0.7 + t.requestsPerSec * 0.3,
      connPerSec: prev.connPerSec * 0.7 + t.connPerSec * 0.3,
      bytesPerSec: prev.bytesPerSec * 0.7 + t.bytesPerSec * 0.3,
      active: t.active
    } : t;
    smooth.set(key, next);
    return next;
  }
  function measure(t) {
    return filters.sort === 'connections' ? t.connPerSec + t.active / 1000 : filters.sort === 'bytes' ? t.bytesPerSec : filters.sort === 'name' ? 0 : t.requestsPerSec;
  }
  /** Busiest first by the chosen measure, then by name. */
  function byTraffic(list, traffic, name) {
    return list.sort(function (a, b) { var d = measure(traffic(b)) - measure(traffic(a)); if (d) return d; var x = name(a), y = name(b); return x < y ? -1 : x > y ? 1 : 0; });
  }


  function renderFilterChoices() {
    var ns = new Set();
    model.services.forEach(function (s) { ns.add(s.namespace); });
    model.pods.forEach(function (p) { ns.add(p.namespace); });
    LK.syncOptions(document.getElementById('f-namespace'), Array.from(ns).sort());
    LK.syncOptions(document.getElementById('f-node'), Array.from(model.nodes.keys()).sort());
  }

  function renderFailures() {
    var panel = document.getElementById('failures');
    var list = model.failures.slice().sort(function (a, b) { return a.address < b.address ? -1 : 1; });
    panel.hidden = list.length === 0;
    syncChildren(document.getElementById('failure-list'), list, function (f) { return f.service + '|' + f.address; }, function () {
      var row = el('div', 'f');
      row._what = row.appendChild(el('b'));
      row.appendChild(document.createTextNode(' '));
      row._msg = row.appendChild(el('span'));
      return row;
    }, function (row, f) {
      setAttr(row, 'data-failed-listener', f.address);
      setText(row._what, f.service + ' ' + f.kind + ' ' + f.address + ' (' + f.code + ')');
      setText(row._msg, f.message);
    });
    setText(document.getElementById('failures-summary'), list.length + (list.length === 1 ? ' listener' : ' listeners') + ' not serving; the proxy retries');
  }

  function renderTotals() {
    var t = model.totals;
    setText(document.getElementById('cluster'), model.cluster ? '· ' + model.cluster : '');
    var q = document.querySelectorAll('[data-total]');
    for (var i = 0; i < q.length; i++) {
      var k = q[i].getAttribute('data-total');
      setText(q[i], k === 'bytesPerSec' ? bytes(t[k] || 0) : k === 'active' ? String(t[k] || 0) : rate(t[k] || 0));
    }
  }

  function podBadge(p) {
    if (p.deleting) return ['Terminating', 'badge warn'];
    if (p.phase === 'Running') return p.ready ? ['Running', 'badge ok'] : ['Running · not ready', 'badge warn'];
    if (p.phase === 'Failed') return ['Failed', 'badge bad'];
    if (p.phase === 'Succeeded') return ['Succeeded', 'badge'];
    return [p.phase || 'Pending', 'badge warn'];
  }
  function nodeBadge(n) {
    if (n.ready === 'True') return [n.unschedulable ? 'Ready · cordoned' : 'Ready', n.unschedulable ? 'badge warn' : 'badge ok'];
    if (n.ready === 'False') return ['NotReady', 'badge bad'];
    return ['Unknown', 'badge bad'];
  }


  function renderNodes() {
    var container = document.getElementById('nodes');
    var groups = new Map();
    model.nodes.forEach(function (n) { if (!filters.node || n.name === filters.node) groups.set(n.name, { key: n.name, node: n, pods: [] }); });
    var shown = 0;
    model.pods.forEach(function (p) {
      if (!podShown(p)) return;
      shown++;
      var g = groups.get(p.node);
      if (!g) { var k = p.node || ''; g = groups.get(k) || { key: k, node: null, pods: [] }; groups.set(k, g); }
      g.pods.push(p);
    });
    var list = sortByKey(Array.from(groups.values()), function (g) { return (g.node ? '0' : '1') + g.key; });
    syncChildren(container, list, function (g) { return g.key; }, function () {
      var card = el('div', 'node');
      var head = el('div', 'node-head');
      card._name = head.appendChild(el('b'));
      card._ip = head.appendChild(el('span', 'ip'));
      card._status = head.appendChild(el('span', 'status badge'));
      card._count = head.appendChild(el('span', 'count'));
      card.appendChild(head);
      card._pods = card.appendChild(el('div', 'pods'));
      return card;
    }, function (card, g) {
      setAttr(card, 'data-node', g.key);
      setText(card._name, g.node ? g.node.name : (g.key ? g.key + ' (no Node object)' : 'not scheduled'));
      setText(card._ip, g.node ? g.node.ip : '');
      if (g.node) { var b = nodeBadge(g.node); setText(card._status, b[0]); setClass(card._status, 'status ' + b[1]); }
      else { setText(card._status, ''); setClass(card._status, 'status'); }
      var rps = 0;
      g.pods.forEach(function (p) { var r = model.podRates.get(p.key); if (r) rps += r.requestsPerSec; });
      setText(card._count, g.pods.length + (g.pods.length === 1 ? ' pod' : ' pods') + (rps > 0 ? ' · ' + rate(rps) + ' req/s' : ''));
      sortByKey(g.pods, function (p) { return p.key; });
      syncChildren(card._pods, g.pods, function (p) { return p.key; }, function () {
        var row = el('div', 'pod');
        row._name = row.appendChild(el('span'));
        row._ip = row.appendChild(el('span', 'mono'));
        row._phase = row.appendChild(el('span')).appendChild(el('span'));
        row._rps = row.appendChild(el('span', 'rps'));
        return row;
      }, function (row, p) {
        setAttr(row, 'data-pod', p.key);
        setText(row._name, shortName(p.namespace, p.name));
        row._name.title = p.key + (p.restarts ? ' · ' + p.restarts + ' restarts' : '');
        setText(row._ip, p.ip || '-');
        var b = podBadge(p);
        setText(row._phase, b[0]);
        setClass(row._phase, b[1]);
        var r = model.podRates.get(p.key);
        setText(row._rps, r ? rate(r.requestsPerSec) + ' req/s' : '');
      });
    });
    var ready = 0;
    model.nodes.forEach(function (n) { if (n.ready === 'True') ready++; });
    setText(document.getElementById('nodes-summary'), ready + '/' + model.nodes.size + ' nodes ready · ' + shown + (shown === model.pods.size ? '' : ' of ' + model.pods.size) + ' pods');
    setEmpty(container, groups.size === 0, model.nodes.size ? 'no node matches the filters' : 'no nodes yet');
  }

  function serviceTraffic(s) {
    var t = { requestsPerSec: 0, errorsPerSec: 0, connPerSec: 0, active: 0, bytesPerSec: 0 };
    var eps = model.endpoints.get(s.key);
    if (!eps) return t;
    for (var a = 0; a < eps.addresses.length; a++) {
      for (var p = 0; p < eps.ports.length; p++) {
        var x = LK.endpointTraffic(model, s.key, eps.ports[p].name, eps.addresses[a].ip + ':' + eps.ports[p].port);
        t.requestsPerSec += x.requestsPerSec; t.errorsPerSec += x.errorsPerSec; t.connPerSec += x.connPerSec; t.active += x.active; t.bytesPerSec += x.bytesPerSec;
      }
    }
    return t;
  }

  function renderServices() {
    var body = document.getElementById('services');
    var all = Array.from(model.services.values());
    var traffic = new Map();
    all.forEach(function (s) { traffic.set(s.key, serviceTraffic(s)); });
    var list = byTraffic(all.filter(serviceShown), function (s) { return smoothed('table|' + s.key, traffic.get(s.key)); }, function (s) { return s.key; });
    syncChildren(body, list, function (s) { return s.key; }, function () {
      var tr = el('tr');
      tr._name = tr.appendChild(el('td'));
      tr._type = tr.appendChild(el('td'));
      tr._ip = tr.appendChild(el('td', 'mono'));
      tr._ext = tr.appendChild(el('td', 'mono'));
      tr._ports = tr.appendChild(el('td', 'mono'));
      tr._eps = tr.appendChild(el('td', 'num'));
      tr._rps = tr.appendChild(el('td', 'num'));
      return tr;
    }, function (tr, s) {
      setAttr(tr, 'data-service', s.key);
      setText(tr._name, shortName(s.namespace, s.name));
      setText(tr._type, s.type);
      setText(tr._ip, s.clusterIP || '-');
      setText(tr._ext, s.externalIPs.length ? s.externalIPs.join(',') : s.pending ? '<pending>' : '<none>');
      setText(tr._ports, s.ports.map(function (p) { return p.port + (p.nodePort ? ':' + p.nodePort : '') + '/' + p.protocol; }).join(',') || '<none>');
      var e = model.endpoints.get(s.key);
      var ready = e ? e.addresses.filter(function (a) { return a.ready; }).length : 0;
      setText(tr._eps, String(ready));
      setText(tr._rps, rate(traffic.get(s.key).requestsPerSec));
    });
    setText(document.getElementById('services-summary'), list.length + (list.length === model.services.size ? '' : ' of ' + model.services.size) + ' services');
  }

  function renderTraffic() {
    var container = document.getElementById('traffic');
    var groups = [];
    var maxReq = 0, maxBytes = 0;
    var rowsShown = 0;
    model.services.forEach(function (svc) {
      if (!serviceShown(svc)) return;
      var eps = model.endpoints.get(svc.key);
      if (!eps || eps.addresses.length === 0) return;
      var rows = [];
      var total = { requestsPerSec: 0, errorsPerSec: 0, connPerSec: 0, active: 0, bytesPerSec: 0 };
      for (var a = 0; a < eps.addresses.length; a++) {
        var addr = eps.addresses[a];
        if (filters.node && addr.node !== filters.node) continue;
        for (var p = 0; p < eps.ports.length; p++) {
          var port = eps.ports[p];
          var endpoint = addr.ip + ':' + port.port;
          var t = LK.endpointTraffic(model, svc.key, port.name, endpoint);
          if (t.requestsPerSec > maxReq) maxReq = t.requestsPerSec;
          if (t.bytesPerSec > maxBytes) maxBytes = t.bytesPerSec;
          total.requestsPerSec += t.requestsPerSec; total.errorsPerSec += t.errorsPerSec; total.connPerSec += t.connPerSec; total.active += t.active; total.bytesPerSec += t.bytesPerSec;
          rows.push({ key: LK.epKey(svc.key, port.name, endpoint), addr: addr, port: port, endpoint: endpoint, t: t });
        }
      }
      if (rows.length === 0) return;
      // grouped by node, then by address: rows stay put while their rates move
      sortByKey(rows, function (r) { return r.addr.node + ' ' + r.endpoint; });
      rowsShown += rows.length;
      groups.push({ key: svc.key, svc: svc, rows: rows, total: total });
    });
    byTraffic(groups, function (g) { return smoothed(g.key, g.total); }, function (g) { return g.key; });
    syncChildren(container, groups, function (g) { return g.key; }, function () {
      var box = el('div', 'svc-traffic');
      var h = box.appendChild(el('h3'));
      box._name = h.appendChild(el('span'));
      box._sub = h.appendChild(el('small'));
      box._rows = box.appendChild(el('div'));
      return box;
    }, function (box, g) {
      setAttr(box, 'data-traffic-service', g.key);
      setAttr(box, 'data-rps', String(Math.round(g.total.requestsPerSec * 100) / 100));
      setText(box._name, shortName(g.svc.namespace, g.svc.name));
      setText(box._sub, g.svc.type + ' · ' + g.rows.length + ' endpoints · ' + rate(g.total.requestsPerSec) + ' req/s · ' + rate(g.total.connPerSec) + ' conn/s · ' + bytes(g.total.bytesPerSec));
      syncChildren(box._rows, g.rows, function (r) { return r.key; }, function () {
        var row = el('div', 'ep');
        var who = row.appendChild(el('span', 'who'));
        row._pod = who.appendChild(el('span'));
        who.appendChild(document.createTextNode(' '));
        row._where = who.appendChild(el('small'));
        var bar = row.appendChild(el('span', 'bar'));
        row._bar = bar.appendChild(el('i'));
        row._errBar = bar.appendChild(el('i', 'err'));
        row._rps = row.appendChild(el('span', 'num'));
        row._eps = row.appendChild(el('span', 'num'));
        row._cps = row.appendChild(el('span', 'num'));
        row._active = row.appendChild(el('span', 'num'));
        var bbar = row.appendChild(el('span', 'bar thin'));
        row._bytesBar = bbar.appendChild(el('i'));
        row._bps = row.appendChild(el('span', 'num'));
        row._state = row.appendChild(el('span')).appendChild(el('span'));
        return row;
      }, function (row, r) {
        var x = r.t;
        setAttr(row, 'data-endpoint', r.key);
        setAttr(row, 'data-rps', String(x.requestsPerSec));
        setAttr(row, 'data-cps', String(x.connPerSec));
        setAttr(row, 'data-active', String(x.active));
        setText(row._pod, r.addr.pod || r.addr.ip);
        setText(row._where, r.endpoint + (r.port.name ? ' (' + r.port.name + ')' : '') + (r.addr.node ? ' · ' + r.addr.node : ''));
        setBar(row._bar, maxReq > 0 ? x.requestsPerSec / maxReq : 0);
        setBar(row._errBar, maxReq > 0 ? x.errorsPerSec / maxReq : 0);
        setBar(row._bytesBar, maxBytes > 0 ? x.bytesPerSec / maxBytes : 0);
        setText(row._rps, rate(x.requestsPerSec));
        setText(row._eps, rate(x.errorsPerSec));
        setText(row._cps, rate(x.connPerSec));
        setText(row._active, String(x.active));
        setText(row._bps, bytes(x.bytesPerSec));
        var b = LK.endpointBadge(r.addr);
        setText(row._state, b[0]);
        setClass(row._state, 'badge ' + b[1]);
      });
    });
    var proxies = model.proxies > 0 ? (model.proxies === 1 ? 'proxy connected' : model.proxies + ' proxies connected') : 'no proxy is reporting';
    setText(document.getElementById('traffic-summary'), proxies + ' · ' + rowsShown + ' endpoints shown · rates over ' + (model.intervalMs / 1000) + ' s');
    var filtered = filters.namespace || filters.service || filters.node;
    setText(document.getElementById('filter-summary'), filtered ? 'filtered: ' + groups.length + ' services, ' + rowsShown + ' endpoints' : '');
    setEmpty(container, groups.length === 0, filtered ? 'no endpoint matches the filters' : 'no service has endpoints yet');
  }

  function clock(t) {
    var d = new Date(t);
    if (isNaN(d.getTime())) return '';
    return d.toTimeString().slice(0, 8);
  }
  function renderEvents() {
    var container = document.getElementById('events');
    var list = Array.from(model.events.values()).sort(function (a, b) { return a.time < b.time ? 1 : a.time > b.time ? -1 : 0; });
    syncChildren(container, list, function (e) { return e.key; }, function (e) {
      var row = el('div', 'ev ' + e.type + (model.freshEvents.has(e.key) ? ' new' : ''));
      row._t = row.appendChild(el('span', 't'));
      row._r = row.appendChild(el('span', 'r'));
      var msg = row.appendChild(el('span', 'msg'));
      row._obj = msg.appendChild(el('b'));
      msg.appendChild(document.createTextNode(' '));
      row._m = msg.appendChild(el('span'));
      return row;
    }, function (row, e) {
      setText(row._t, clock(e.time));
      setText(row._r, e.reason);
      setText(row._obj, e.object);
      setText(row._m, e.message + (e.count > 1 ? ' (x' + e.count + ')' : ''));
      row.title = e.namespace + ' · ' + e.source + ' · ' + e.time;
    });
    model.freshEvents.clear();
    setText(document.getElementById('events-summary'), model.events.size + ' recent');
    setEmpty(container, list.length === 0, 'no events yet');
  }

  function niceMax(v) {
    if (v <= 1) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }
  // The canvas's size is read when it changes (not each frame: reading it after the rows were
  // updated would force a layout of the whole page).
  var chartSize = { w: 0, h: 0 };
  function measureChart() {
    var c = document.getElementById('chart');
    chartSize = { w: c.clientWidth, h: c.clientHeight };
    dirty.chart = true;
    schedule();
  }
  if (window.ResizeObserver) new ResizeObserver(measureChart).observe(document.getElementById('chart'));
  else window.addEventListener('resize', measureChart);
  function renderChart() {
    var canvas = document.getElementById('chart');
    var dpr = window.devicePixelRatio || 1;
    var w = chartSize.w, h = chartSize.h;
    if (!w || !h) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    var left = 44, right = 8, top = 8, bottom = 20;
    var pw = w - left - right, ph = h - top - bottom;
    var pts = model.history;
    var now = pts.length ? pts[pts.length - 1].at : Date.now();
    var span = 300 * 1000;
    var max = 0;
    for (var i = 0; i < pts.length; i++) max = Math.max(max, pts[i].connPerSec, pts[i].requestsPerSec);
    max = niceMax(max);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#6b7686';
    ctx.strokeStyle = '#e3e7ee';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (var g = 0; g <= 4; g++) {
      var y = top + ph - (ph * g) / 4;
      ctx.beginPath(); ctx.moveTo(left, Math.round(y) + 0.5); ctx.lineTo(left + pw, Math.round(y) + 0.5); ctx.stroke();
      var v = (max * g) / 4;
      ctx.fillText(v >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10), left - 6, y);
    }
    ctx.textBaseline = 'top';
    for (var m = 0; m <= 5; m++) {
      var x = left + pw - (pw * m) / 5;
      ctx.textAlign = m === 0 ? 'right' : m === 5 ? 'left' : 'center';
      ctx.fillText(m === 0 ? 'now' : '-' + m + 'm', x, top + ph + 5);
    }
    function line(field, color) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      var started = false;
      for (var i = 0; i < pts.length; i++) {
        var x = left + pw - ((now - pts[i].at) / span) * pw;
        if (x < left) continue;
        var y = top + ph - ((pts[i][field] || 0) / max) * ph;
        if (!started) { ctx.moveTo(x, y); started = true; } else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }
    line('connPerSec', '#2f6fdf');
    line('requestsPerSec', '#1f9d55');
    line('errorsPerSec', '#d64545');
  }

  LK.connect(token, onMessage, function (up) {
    document.body.setAttribute('data-connected', up ? 'true' : 'false');
    document.getElementById('conn-text').textContent = up ? 'live' : 'reconnecting';
  });
  measureChart();
})();
</script>
</body>
</html>
`;
