// The dashboard: one static page (HTML, inline CSS, vanilla JS; no build step) served by the
// traffic hub. It opens ws /ws/view with the token from its own URL, keeps a model of the
// cluster from the FullMessage and the TickMessages (protocol.ts), and redraws at most once per
// animation frame, touching only the rows whose text changed (keyed rows), so 100 pods and their
// traffic redraw in well under a frame.
//
// The script below avoids backticks and "${" so it can live in this template string as is.

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
  .node { border:1px solid var(--line); border-radius:6px; margin-bottom:8px; }
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
  .svc-traffic { margin-bottom:10px; }
  .svc-traffic h3 { font-size:13px; margin:4px 0; display:flex; gap:8px; align-items:baseline; }
  .svc-traffic h3 small { color:var(--muted); font-weight:400; }
  .ep { display:grid; grid-template-columns:minmax(0,2.2fr) minmax(0,1.6fr) 56px 48px 78px; gap:8px; align-items:center; padding:2px 0; }
  .ep .who { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  .ep .who small { color:var(--muted); }
  .bar { height:12px; background:#eef2f8; border-radius:3px; overflow:hidden; position:relative; }
  .bar i { position:absolute; left:0; top:0; bottom:0; width:0; background:var(--bar); border-radius:3px; transition:width .35s ease-out; }
  .bar u { position:absolute; left:0; bottom:0; height:3px; width:0; background:var(--bar2); transition:width .35s ease-out; text-decoration:none; }
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
  @media (max-width: 1000px) { main { grid-template-columns:minmax(0,1fr); } }
</style>
</head>
<body data-connected="false">
<header>
  <h1>loopkube <span class="cluster" id="cluster"></span></h1>
  <div id="conn"><i></i><span id="conn-text">connecting</span></div>
  <div id="totals">
    <div><b data-total="connPerSec">0</b><span>conn/s</span></div>
    <div><b data-total="active">0</b><span>active</span></div>
    <div><b data-total="bytesPerSec">0 B/s</b><span>bytes/s</span></div>
    <div><b data-total="requestsPerSec">0</b><span>req/s</span></div>
  </div>
</header>
<main>
  <section id="chart-panel">
    <h2>Traffic rate <small>last 5 minutes</small>
      <span class="legend"><span><i style="background:#2f6fdf"></i>connections/s</span><span><i style="background:#1f9d55"></i>requests/s</span></span></h2>
    <canvas id="chart"></canvas>
  </section>
  <section>
    <h2>Nodes and pods <small id="nodes-summary"></small></h2>
    <div class="scroll" id="nodes"></div>
  </section>
  <section>
    <h2>Traffic per endpoint <small id="traffic-summary"></small></h2>
    <div class="ep hdr"><span>endpoint</span><span>connections/s</span><span class="num">conn/s</span><span class="num">active</span><span class="num">bytes/s</span></div>
    <div class="scroll" id="traffic"></div>
  </section>
  <section>
    <h2>Services <small id="services-summary"></small></h2>
    <div class="scroll"><table>
      <thead><tr><th>Name</th><th>Type</th><th>Cluster-IP</th><th>External-IP</th><th>Ports</th><th>Endpoints</th></tr></thead>
      <tbody id="services"></tbody>
    </table></div>
  </section>
  <section>
    <h2>Events <small id="events-summary"></small></h2>
    <div class="scroll" id="events"></div>
  </section>
</main>
<script>
(function () {
  'use strict';
  var token = new URLSearchParams(location.search).get('token') || '';
  var HISTORY = 300, EVENTS_KEPT = 200;

  // ---- the model ----
  var model = {
    cluster: '',
    nodes: new Map(), pods: new Map(), services: new Map(), endpoints: new Map(),
    epRates: new Map(), podRates: new Map(), podByIP: new Map(),
    totals: { connPerSec: 0, active: 0, bytesPerSec: 0, requestsPerSec: 0 },
    proxies: 0, history: [], events: new Map(), freshEvents: new Set()
  };
  var dirty = { nodes: true, services: true, traffic: true, events: true, chart: true, totals: true };

  function applyDelta(map, delta, keyOf) {
    if (!delta) return false;
    for (var i = 0; i < delta.del.length; i++) map.delete(delta.del[i]);
    for (var j = 0; j < delta.set.length; j++) map.set(keyOf(delta.set[j]), delta.set[j]);
    return true;
  }
  function byName(o) { return o.name; }
  function byKey(o) { return o.key; }
  function epKey(service, port, endpoint) { return service + '|' + port + '|' + endpoint; }

  function setTraffic(t) {
    model.epRates = new Map();
    for (var i = 0; i < t.endpoints.length; i++) { var e = t.endpoints[i]; model.epRates.set(epKey(e.service, e.port, e.endpoint), e); }
    model.podRates = new Map();
    for (var j = 0; j < t.pods.length; j++) model.podRates.set(t.pods[j].pod, t.pods[j]);
    model.totals = t.totals;
    model.proxies = t.proxies;
    dirty.traffic = dirty.totals = dirty.nodes = true;
  }
  function addEvents(list, fresh) {
    for (var i = 0; i < list.length; i++) {
      var e = list[i];
      model.events.delete(e.key);
      model.events.set(e.key, e);
      if (fresh) model.freshEvents.add(e.key);
    }
    while (model.events.size > EVENTS_KEPT) model.events.delete(model.events.keys().next().value);
    if (list.length) dirty.events = true;
  }
  function rebuildPodIndex() {
    model.podByIP = new Map();
    model.pods.forEach(function (p) { if (p.ip) model.podByIP.set(p.ip, p); });
  }

  function onMessage(msg) {
    if (msg.kind === 'full') {
      model.cluster = msg.cluster;
      model.nodes = new Map(msg.state.nodes.map(function (n) { return [n.name, n]; }));
      model.pods = new Map(msg.state.pods.map(function (p) { return [p.key, p]; }));
      model.services = new Map(msg.state.services.map(function (s) { return [s.key, s]; }));
      model.endpoints = new Map(msg.state.endpoints.map(function (e) { return [e.key, e]; }));
      model.history = msg.history.slice(-HISTORY);
      model.events = new Map();
      addEvents(msg.events, false);
      setTraffic(msg.traffic);
      rebuildPodIndex();
      dirty.nodes = dirty.services = dirty.chart = dirty.events = true;
    } else if (msg.kind === 'tick') {
      var c = msg.changes || {};
      if (applyDelta(model.nodes, c.nodes, byName)) dirty.nodes = true;
      if (applyDelta(model.pods, c.pods, byKey)) { dirty.nodes = dirty.traffic = true; rebuildPodIndex(); }
      if (applyDelta(model.services, c.services, byKey)) dirty.services = dirty.traffic = true;
      if (applyDelta(model.endpoints, c.endpoints, byKey)) dirty.services = dirty.traffic = true;
      setTraffic(msg.traffic);
      model.history.push(msg.point);
      if (model.history.length > HISTORY) model.history.splice(0, model.history.length - HISTORY);
      dirty.chart = true;
      addEvents(msg.events || [], true);
    }
    schedule();
  }

  // ---- rendering: at most once per frame ----
  var frame = 0;
  function schedule() { if (!frame) frame = requestAnimationFrame(render); }
  function render() {
    frame = 0;
    var started = performance.now();
    if (dirty.chart) renderChart();
    if (dirty.totals) renderTotals();
    if (dirty.nodes) renderNodes();
    if (dirty.services) renderServices();
    if (dirty.traffic) renderTraffic();
    if (dirty.events) renderEvents();
    document.body.setAttribute('data-render-ms', (performance.now() - started).toFixed(1));
    dirty = { nodes: false, services: false, traffic: false, events: false, chart: false, totals: false };
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
    if (!show && note) { note.remove(); container._empty = null; }
  }

  function rate(n) { return n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(0) : n > 0 ? n.toFixed(1) : '0'; }
  function bytes(n) {
    if (n < 1024) return Math.round(n) + ' B/s';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB/s';
    return (n / 1048576).toFixed(1) + ' MiB/s';
  }
  function sortByKey(list, f) { return list.sort(function (a, b) { var x = f(a), y = f(b); return x < y ? -1 : x > y ? 1 : 0; }); }

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
    model.nodes.forEach(function (n) { groups.set(n.name, { key: n.name, node: n, pods: [] }); });
    model.pods.forEach(function (p) {
      var g = groups.get(p.node);
      if (!g) { var k = p.node || ''; g = groups.get(k) || { key: k, node: null, pods: [] }; groups.set(k, g); }
      g.pods.push(p);
    });
    var list = sortByKey(Array.from(groups.values()), function (g) { return (g.node ? '0' : '1') + g.key; });
    syncChildren(container, list, function (g) { return g.key; }, function (g) {
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
      setText(card._count, g.pods.length + (g.pods.length === 1 ? ' pod' : ' pods'));
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
        setText(row._name, p.namespace === 'default' ? p.name : p.namespace + '/' + p.name);
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
    setText(document.getElementById('nodes-summary'), ready + '/' + model.nodes.size + ' nodes ready · ' + model.pods.size + ' pods');
    setEmpty(container, groups.size === 0, 'no nodes yet');
  }

  function renderServices() {
    var body = document.getElementById('services');
    var list = sortByKey(Array.from(model.services.values()), function (s) { return s.key; });
    syncChildren(body, list, byKey, function () {
      var tr = el('tr');
      tr._name = tr.appendChild(el('td'));
      tr._type = tr.appendChild(el('td'));
      tr._ip = tr.appendChild(el('td', 'mono'));
      tr._ext = tr.appendChild(el('td', 'mono'));
      tr._ports = tr.appendChild(el('td', 'mono'));
      tr._eps = tr.appendChild(el('td', 'num'));
      return tr;
    }, function (tr, s) {
      setAttr(tr, 'data-service', s.key);
      setText(tr._name, s.namespace === 'default' ? s.name : s.namespace + '/' + s.name);
      setText(tr._type, s.type);
      setText(tr._ip, s.clusterIP || '-');
      setText(tr._ext, s.externalIPs.length ? s.externalIPs.join(',') : s.pending ? '<pending>' : '<none>');
      setText(tr._ports, s.ports.map(function (p) { return p.port + (p.nodePort ? ':' + p.nodePort : '') + '/' + p.protocol; }).join(',') || '<none>');
      var e = model.endpoints.get(s.key);
      var ready = e ? e.addresses.filter(function (a) { return a.ready; }).length : 0;
      setText(tr._eps, String(ready));
    });
    setText(document.getElementById('services-summary'), model.services.size + ' services');
  }

  function renderTraffic() {
    var container = document.getElementById('traffic');
    var groups = [];
    var max = 1;
    model.epRates.forEach(function (r) { if (r.connPerSec > max) max = r.connPerSec; });
    var services = sortByKey(Array.from(model.endpoints.values()), function (e) { return e.key; });
    for (var i = 0; i < services.length; i++) {
      var eps = services[i];
      var svc = model.services.get(eps.key);
      if (!svc || eps.addresses.length === 0) continue;
      var rows = [];
      for (var a = 0; a < eps.addresses.length; a++) {
        var addr = eps.addresses[a];
        for (var p = 0; p < eps.ports.length; p++) {
          var port = eps.ports[p];
          var endpoint = addr.ip + ':' + port.port;
          rows.push({ key: epKey(eps.key, port.name, endpoint), addr: addr, port: port, endpoint: endpoint, rate: model.epRates.get(epKey(eps.key, port.name, endpoint)) });
        }
      }
      sortByKey(rows, function (r) { return r.addr.node + ' ' + r.key; });
      groups.push({ key: eps.key, svc: svc, rows: rows });
    }
    syncChildren(container, groups, function (g) { return g.key; }, function () {
      var box = el('div', 'svc-traffic');
      var h = box.appendChild(el('h3'));
      box._name = h.appendChild(el('span'));
      box._sub = h.appendChild(el('small'));
      box._rows = box.appendChild(el('div'));
      return box;
    }, function (box, g) {
      setAttr(box, 'data-traffic-service', g.key);
      setText(box._name, g.svc.namespace === 'default' ? g.svc.name : g.svc.namespace + '/' + g.svc.name);
      var sum = 0;
      for (var i = 0; i < g.rows.length; i++) sum += g.rows[i].rate ? g.rows[i].rate.connPerSec : 0;
      setText(box._sub, g.svc.type + ' · ' + g.rows.length + ' endpoints · ' + rate(sum) + ' conn/s');
      syncChildren(box._rows, g.rows, function (r) { return r.key; }, function () {
        var row = el('div', 'ep');
        var who = row.appendChild(el('span', 'who'));
        row._pod = who.appendChild(el('span'));
        who.appendChild(document.createTextNode(' '));
        row._where = who.appendChild(el('small'));
        var bar = row.appendChild(el('span', 'bar'));
        row._bar = bar.appendChild(el('i'));
        row._bytesBar = bar.appendChild(el('u'));
        row._cps = row.appendChild(el('span', 'num'));
        row._active = row.appendChild(el('span', 'num'));
        row._bps = row.appendChild(el('span', 'num'));
        return row;
      }, function (row, r) {
        var x = r.rate || { connPerSec: 0, active: 0, bytesPerSec: 0 };
        setAttr(row, 'data-endpoint', r.key);
        setAttr(row, 'data-cps', String(x.connPerSec));
        setAttr(row, 'data-active', String(x.active));
        setText(row._pod, r.addr.pod || r.addr.ip);
        setText(row._where, r.endpoint + (r.addr.node ? ' · ' + r.addr.node : '') + (r.addr.ready ? '' : ' · not ready'));
        var w = Math.min(100, (x.connPerSec / max) * 100).toFixed(1) + '%';
        if (row._bar.style.width !== w) row._bar.style.width = w;
        var bw = Math.min(100, x.bytesPerSec > 0 ? 8 + Math.log10(1 + x.bytesPerSec) * 12 : 0).toFixed(1) + '%';
        if (row._bytesBar.style.width !== bw) row._bytesBar.style.width = bw;
        setText(row._cps, rate(x.connPerSec));
        setText(row._active, String(x.active));
        setText(row._bps, bytes(x.bytesPerSec));
      });
    });
    setText(document.getElementById('traffic-summary'), model.proxies > 0 ? (model.proxies === 1 ? 'proxy connected' : model.proxies + ' proxies connected') : 'no proxy is reporting');
    setEmpty(container, groups.length === 0, 'no service has endpoints yet');
  }

  function clock(t) {
    var d = new Date(t);
    if (isNaN(d.getTime())) return '';
    return d.toTimeString().slice(0, 8);
  }
  function renderEvents() {
    var container = document.getElementById('events');
    var list = Array.from(model.events.values()).sort(function (a, b) { return a.time < b.time ? 1 : a.time > b.time ? -1 : 0; });
    syncChildren(container, list, byKey, function (e) {
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
    var span = HISTORY * 1000;
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
    ctx.textAlign = 'center';
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
        var y = top + ph - (pts[i][field] / max) * ph;
        if (!started) { ctx.moveTo(x, y); started = true; } else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }
    line('requestsPerSec', '#1f9d55');
    line('connPerSec', '#2f6fdf');
  }

  // ---- the connection ----
  var backoff = 500;
  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/view?token=' + encodeURIComponent(token));
    var status = document.getElementById('conn-text');
    ws.onopen = function () { backoff = 500; document.body.setAttribute('data-connected', 'true'); status.textContent = 'live'; };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      onMessage(msg);
    };
    ws.onclose = function () {
      document.body.setAttribute('data-connected', 'false');
      status.textContent = 'reconnecting';
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  }
  connect();
  measureChart();
})();
</script>
</body>
</html>
`;
