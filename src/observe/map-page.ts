// The live service map (GET /map?token=T), the picture Hubble UI and Kiali draw: clients (node
// addresses, pods, outside addresses) on the left, each Service's frontends (ClusterIP, NodePort
// on each node, load-balancer IP) in the middle, pods grouped by node on the right. Edges carry
// the proxy's flows: width by requests/s (linear, against the busiest edge), colour by the share
// of 5xx answers and failed dials; updated at every tick. Clicking a Service (or one of its
// frontends) opens a panel with its rules (traffic policies, session affinity) and its
// endpoints: state (ready / serving / terminating) and share of the requests.
//
// Drawn with cytoscape.js and laid out by ELK's layered algorithm (elkjs in a web worker, so a
// large map never freezes the page), both served from node_modules by the hub. The layout runs
// again only when the set of nodes changes (a new client, pod or Service), never for a rate
// change, so the picture holds still under load.
//
// The script below avoids backticks and "${" so it can live in this template string as is.
import { WEB_MODEL_JS } from './web-model-script.js';

/** The libraries the page loads, as the hub serves them: /vendor/<name> -> a file in node_modules. */
export const MAP_VENDOR_FILES: Readonly<Record<string, string>> = {
  'cytoscape.min.js': 'cytoscape/dist/cytoscape.min.js',
  'elk-api.js': 'elkjs/lib/elk-api.js',
  'elk-worker.min.js': 'elkjs/lib/elk-worker.min.js',
};

/** Loaded as page scripts; the ELK worker is started by the page. */
const PAGE_SCRIPTS = ['cytoscape.min.js', 'elk-api.js'];

/** The page, with the vendor scripts' addresses carrying `token`. */
export function mapHtml(token: string): string {
  const q = `?token=${encodeURIComponent(token)}`.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const vendor = PAGE_SCRIPTS.map((name) => `<script src="/vendor/${name}${q}"></script>`).join('\n');
  return MAP_HTML.replace('<!--VENDOR-->', vendor);
}

const MAP_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>loopkube service map</title>
<link rel="icon" href="data:,">
<style>
  * { box-sizing: border-box; }
  html, body { height:100%; }
  body { margin:0; font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:#f4f6f9; color:#1d2430; display:flex; flex-direction:column; }
  header { display:flex; align-items:center; gap:18px; padding:10px 18px; background:#17202e; color:#fff; }
  header h1 { font-size:16px; margin:0; font-weight:600; }
  header .cluster { color:#9fb3d1; }
  #conn { display:flex; align-items:center; gap:6px; color:#c7d2e3; font-size:12px; }
  #conn i { width:9px; height:9px; border-radius:50%; background:#d64545; display:inline-block; }
  body[data-connected="true"] #conn i { background:#3ecf7a; }
  header nav a { color:#c7d2e3; text-decoration:none; font-size:13px; padding:3px 8px; border-radius:4px; }
  header nav a:hover, header nav a.here { background:#2a3547; color:#fff; }
  #totals { margin-left:auto; display:flex; gap:18px; font-variant-numeric:tabular-nums; }
  #totals b { font-size:15px; } #totals span { font-size:11px; color:#9fb3d1; text-transform:uppercase; margin-left:4px; }
  #toolbar { display:flex; gap:12px; align-items:center; padding:8px 18px; background:#fff; border-bottom:1px solid #e3e7ee; flex-wrap:wrap; }
  #toolbar label { font-size:12px; color:#6b7686; display:flex; gap:6px; align-items:center; }
  #toolbar select, #toolbar input { font:inherit; font-size:12px; padding:3px 6px; border:1px solid #cfd6e1; border-radius:4px; background:#fff; }
  .legend { display:flex; gap:12px; font-size:12px; color:#6b7686; margin-left:auto; }
  .legend i { display:inline-block; width:18px; height:4px; vertical-align:middle; margin-right:4px; border-radius:2px; }
  #failures { background:#fff4f4; border-bottom:1px solid #f1c0c0; padding:6px 18px; font-size:12px; color:#7a1f1f; }
  #failures div { padding:2px 0; }
  #failures b { font-family:ui-monospace,Menlo,Consolas,monospace; }
  #stage { flex:1; display:flex; min-height:0; }
  #cy { flex:1; min-width:0; background:#fbfcfe; }
  #panel { width:380px; background:#fff; border-left:1px solid #e3e7ee; overflow:auto; padding:12px 14px; }
  #panel[hidden] { display:none; }
  #panel h2 { font-size:15px; margin:0 0 2px; }
  #panel h3 { font-size:11px; text-transform:uppercase; letter-spacing:.5px; color:#6b7686; margin:14px 0 4px; }
  #panel table { width:100%; border-collapse:collapse; font-size:12px; }
  #panel td, #panel th { text-align:left; padding:3px 4px; border-bottom:1px solid #eef1f5; white-space:nowrap; }
  #panel th { color:#6b7686; font-weight:600; font-size:11px; }
  #panel .num { text-align:right; font-variant-numeric:tabular-nums; }
  #panel .mono { font-family:ui-monospace,Menlo,Consolas,monospace; }
  #panel .close { float:right; border:0; background:none; font-size:18px; cursor:pointer; color:#6b7686; }
  .share { display:inline-block; height:8px; background:#1f9d55; border-radius:2px; vertical-align:middle; margin-right:4px; }
  .badge { display:inline-block; padding:0 6px; border-radius:9px; font-size:11px; line-height:17px; background:#e8edf4; color:#46505e; }
  .badge.ok { background:#dff5e8; color:#16703d; } .badge.warn { background:#fff1cc; color:#7a5600; } .badge.bad { background:#fde2e2; color:#a32323; }
  #status { font-size:12px; color:#6b7686; }
</style>
</head>
<body data-connected="false">
<header>
  <h1>loopkube <span class="cluster" id="cluster"></span></h1>
  <div id="conn"><i></i><span id="conn-text">connecting</span></div>
  <nav><a id="nav-dashboard">Dashboard</a><a class="here" id="nav-map">Service map</a></nav>
  <div id="totals"><span><b data-total="requestsPerSec">0</b><span>req/s</span></span><span><b data-total="errorsPerSec">0</b><span>5xx/s</span></span><span><b data-total="connPerSec">0</b><span>conn/s</span></span></div>
</header>
<div id="toolbar">
  <label>Namespace <select id="f-namespace"><option value="">all</option></select></label>
  <label>Service <input id="f-service" type="search" placeholder="name contains…" autocomplete="off"></label>
  <label>Node <select id="f-node"><option value="">all</option></select></label>
  <label><input id="f-idle" type="checkbox"> Services without traffic</label>
  <span id="status"></span>
  <span class="legend"><span><i style="background:#1f9d55"></i>requests, no errors</span><span><i style="background:#c98a00"></i>≥1% errors</span><span><i style="background:#d64545"></i>≥10% errors</span><span><i style="background:#c3cad6"></i>selects (idle)</span></span>
</div>
<div id="failures" hidden></div>
<div id="stage"><div id="cy"></div><aside id="panel" hidden></aside></div>
<!--VENDOR-->
<script>${WEB_MODEL_JS}</script>
<script>
(function () {
  'use strict';
  var token = new URLSearchParams(location.search).get('token') || '';
  document.getElementById('nav-dashboard').href = '/?token=' + encodeURIComponent(token);
  document.getElementById('nav-map').href = location.pathname + location.search;
  var model = LK.createModel();
  var rate = LK.rate, shortName = LK.shortName;
  var filters = { namespace: '', service: '', node: '', idle: false };
  var selected = null;
  /** Clients keep their place for a while after their traffic stops, so the map does not jump. */
  var CLIENT_LINGER_MS = 15000;
  var clientsSeen = new Map();

  if (typeof cytoscape === 'undefined' || typeof ELK === 'undefined') {
    document.getElementById('status').textContent = 'the graph libraries did not load';
    return;
  }
  var LAYOUT_TIMEOUT_MS = 30000;
  var elk = null;
  function newElk() { return new ELK({ workerUrl: '/vendor/elk-worker.min.js?token=' + encodeURIComponent(token) }); }
  var cy = cytoscape({
    container: document.getElementById('cy'),
    minZoom: 0.05,
    maxZoom: 3,
    style: [
      { selector: 'node', style: { 'label': 'data(label)', 'font-size': 10, 'text-valign': 'center', 'text-halign': 'center', 'text-wrap': 'wrap', 'color': '#1d2430',
        'width': 150, 'height': 30, 'shape': 'round-rectangle', 'background-color': '#ffffff', 'border-width': 1, 'border-color': '#c3cad6' } },
      { selector: 'node[kind = "client"]', style: { 'background-color': '#eef4ff', 'border-color': '#7aa2e8', 'width': 160 } },
      { selector: 'node[kind = "client"][clientKind = "outside"]', style: { 'background-color': '#f4f0ff', 'border-color': '#9b87d6' } },
      { selector: 'node[kind = "frontend"]', style: { 'width': 190, 'height': 26, 'background-color': '#f8fafc' } },
      { selector: 'node[kind = "frontend"][failed = "yes"]', style: { 'border-color': '#d64545', 'border-style': 'dashed', 'border-width': 2, 'background-color': '#fff4f4', 'color': '#a32323' } },
      { selector: 'node[kind = "pod"]', style: { 'width': 170, 'height': 28 } },
      { selector: 'node[kind = "pod"][state = "ok"]', style: { 'border-color': '#1f9d55' } },
      { selector: 'node[kind = "pod"][state = "warn"]', style: { 'border-color': '#c98a00', 'background-color': '#fffaf0' } },
      { selector: 'node[kind = "pod"][state = "bad"]', style: { 'border-color': '#d64545', 'background-color': '#fff4f4' } },
      { selector: ':parent', style: { 'text-valign': 'top', 'text-halign': 'center', 'font-size': 12, 'font-weight': 600, 'padding': 10, 'shape': 'round-rectangle', 'background-opacity': 0.6 } },
      { selector: 'node[kind = "service"]', style: { 'background-color': '#eaf1fb', 'border-color': '#2f6fdf', 'border-width': 1.5 } },
      { selector: 'node[kind = "node"]', style: { 'background-color': '#f1f4f8', 'border-color': '#8794a8', 'border-width': 1.5 } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#17202e' } },
      { selector: 'edge', style: { 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.55, 'width': 'data(width)', 'line-color': 'data(color)', 'target-arrow-color': 'data(color)',
        'label': 'data(label)', 'font-size': 9, 'color': '#46505e', 'text-background-color': '#fbfcfe', 'text-background-opacity': 0.85, 'text-background-padding': 1 } },
      { selector: 'edge[kind = "selects"]', style: { 'line-style': 'dashed', 'line-dash-pattern': [4, 4], 'target-arrow-shape': 'none', 'opacity': 0.7 } }
    ],
    elements: []
  });
  // for tests and npm run bench:dashboard: the graph, each update's cost, each layout's time
  window.loopkubeMap = { cy: cy, model: model, updates: [], layouts: [], lastLayoutGraph: null };

  function onFilter() {
    filters.namespace = document.getElementById('f-namespace').value;
    filters.service = document.getElementById('f-service').value.trim().toLowerCase();
    filters.node = document.getElementById('f-node').value;
    filters.idle = document.getElementById('f-idle').checked;
    update();
  }
  ['f-namespace', 'f-node', 'f-idle'].forEach(function (id) { document.getElementById(id).addEventListener('change', onFilter); });
  document.getElementById('f-service').addEventListener('input', onFilter);



  function podState(p, addr) {
    if (addr && addr.terminating) return addr.serving ? 'warn' : 'bad';
    if (p && p.deleting) return 'warn';
    if (addr && !addr.ready) return 'warn';
    if (p && p.phase !== 'Running') return 'bad';
    return 'ok';
  }
  function edgeColor(req, errors, failures) {
    if (req <= 0 && failures <= 0) return '#7aa2e8';
    var ratio = (errors + failures) / Math.max(req + failures, 1e-9);
    return ratio >= 0.1 ? '#d64545' : ratio >= 0.01 ? '#c98a00' : '#1f9d55';
  }

  /** Every frontend a Service has (as the proxy opens them), by frontend key. */
  function frontendsOf(s) {
    var out = [];
    s.ports.forEach(function (p) {
      var base = { service: s.key, port: p.name };
      if (s.clusterIP && s.clusterIP !== 'None') out.push(Object.assign({ kind: 'clusterIP', address: s.clusterIP + ':' + p.port, label: 'ClusterIP ' + s.clusterIP + ':' + p.port }, base));
      if (p.nodePort) model.nodes.forEach(function (n) {
        if (n.ip) out.push(Object.assign({ kind: 'nodePort', address: n.ip + ':' + p.nodePort, label: 'NodePort ' + n.name + ' ' + n.ip + ':' + p.nodePort }, base));
      });
      if (s.type === 'LoadBalancer') s.externalIPs.forEach(function (ip) {
        out.push(Object.assign({ kind: 'loadBalancer', address: ip + ':' + p.port, label: 'LoadBalancer ' + ip + ':' + p.port }, base));
      });
    });
    out.forEach(function (f) { f.key = LK.feKey(f); });
    return out;
  }

  /** What the map should show now: { nodes: Map(id -> data), edges: Map(id -> data) }. */
  function desired() {
    var nodes = new Map(), edges = new Map();
    var now = Date.now();
    var failed = new Set(model.failures.map(function (f) { return f.service + '|' + f.address; }));
    var flowsByService = new Map();
    model.flows.forEach(function (f) {
      var list = flowsByService.get(f.service);
      if (!list) flowsByService.set(f.service, list = []);
      list.push(f);
    });
    var podsShown = new Set();
    var maxReq = 0;
    model.flows.forEach(function (f) { if (f.requestsPerSec > maxReq) maxReq = f.requestsPerSec; });
    function width(req) { return maxReq > 0 ? 1.5 + 10 * (req / maxReq) : 1.5; }
    function addPod(key, addr) {
      var p = model.pods.get(key);
      var nodeName = (p && p.node) || (addr && addr.node) || '';
      if (filters.node && nodeName !== filters.node) return false;
      if (!nodes.has('node:' + nodeName)) {
        var n = model.nodes.get(nodeName);
        nodes.set('node:' + nodeName, { id: 'node:' + nodeName, kind: 'node', label: nodeName ? nodeName + (n ? '  ' + n.ip : '') : 'not scheduled', partition: 2 });
      }
      var id = 'pod:' + key;
      var prev = nodes.get(id);
      var ip = (p && p.ip) || (addr && addr.ip) || '';
      var state = podState(p, addr);
      if (!prev || (prev.state === 'ok' && state !== 'ok')) {
        nodes.set(id, { id: id, kind: 'pod', parent: 'node:' + nodeName, label: key.split('/')[1] + '\n' + ip, state: state, partition: 2 });
      }
      podsShown.add(key);
      return true;
    }
    model.services.forEach(function (s) {
      if (filters.namespace && s.namespace !== filters.namespace) return;
      if (filters.service && s.key.toLowerCase().indexOf(filters.service) < 0) return;
      var flows = flowsByService.get(s.key) || [];
      var eps = model.endpoints.get(s.key);
      var busy = flows.length > 0;
      if (!busy && !filters.idle && selected !== s.key && !filters.service) return;
      var sid = 'svc:' + s.key;
      nodes.set(sid, { id: sid, kind: 'service', service: s.key, label: shortName(s.namespace, s.name) + '  (' + s.type + ')', partition: 1 });
      var fronts = frontendsOf(s);
      var fe = new Map();
      fronts.forEach(function (f) {
        fe.set(f.key, f);
        var bad = failed.has(s.key + '|' + f.address);
        nodes.set('fe:' + f.key, { id: 'fe:' + f.key, kind: 'frontend', service: s.key, parent: sid, label: f.label + (bad ? '\nfailed to open' : ''), failed: bad ? 'yes' : 'no', partition: 1 });
      });
      // flows: client -> frontend, frontend -> pod
      var perClient = new Map(), perPod = new Map();
      flows.forEach(function (f) {
        if (!fe.has(f.frontend)) return;
        var ck = f.client + '>' + f.frontend;
        var c = perClient.get(ck) || { client: f.client, clientKind: f.clientKind, clientName: f.clientName, frontend: f.frontend, req: 0, err: 0, bytes: 0 };
        c.req += f.requestsPerSec; c.err += f.errorsPerSec; c.bytes += f.bytesPerSec;
        perClient.set(ck, c);
        var pod = model.podByIP.get(f.endpoint.split(':')[0]);
        var podKey = pod ? pod.key : '';
        if (!podKey) return;
        var pk = f.frontend + '>' + podKey;
        var e = perPod.get(pk) || { frontend: f.frontend, pod: podKey, endpoint: f.endpoint, req: 0, err: 0, bytes: 0 };
        e.req += f.requestsPerSec; e.err += f.errorsPerSec; e.bytes += f.bytesPerSec;
        perPod.set(pk, e);
      });
      perClient.forEach(function (c) { clientsSeen.set(c.client, { at: now, kind: c.clientKind, name: c.clientName }); });
      perClient.forEach(function (c) {
        var id = 'client:' + c.client;
        nodes.set(id, clientNode(c.client, c.clientKind, c.clientName));
        edges.set(id + '>' + c.frontend, { id: id + '>' + c.frontend, kind: 'flow', source: id, target: 'fe:' + c.frontend, req: c.req, err: c.err, width: width(c.req), color: edgeColor(c.req, c.err, 0), label: rate(c.req) + ' req/s' });
      });
      var endpointFailures = new Map();
      model.epRates.forEach(function (r) { if (r.service === s.key && r.failuresPerSec > 0) endpointFailures.set(r.endpoint, r.failuresPerSec); });
      perPod.forEach(function (e) {
        if (!addPod(e.pod, null)) return;
        var id = 'fe:' + e.frontend + '>pod:' + e.pod;
        edges.set(id, { id: id, kind: 'flow', source: 'fe:' + e.frontend, target: 'pod:' + e.pod, req: e.req, err: e.err, width: width(e.req), color: edgeColor(e.req, e.err, endpointFailures.get(e.endpoint) || 0), label: rate(e.req) + ' req/s' });
      });
      // the Service selects its endpoints: a thin dashed edge where no traffic flows now
      (eps ? eps.addresses : []).forEach(function (a) {
        if (!a.pod) return;
        var key = s.namespace + '/' + a.pod;
        var carried = false;
        perPod.forEach(function (e) { if (e.pod === key) carried = true; });
        if (carried || !addPod(key, a)) return;
        var id = sid + '>pod:' + key;
        edges.set(id, { id: id, kind: 'selects', source: sid, target: 'pod:' + key, width: 1, color: '#c3cad6', label: '' });
      });
    });
    // clients that went quiet keep their node a while (no edge), so the layout stays put
    clientsSeen.forEach(function (c, ip) {
      if (now - c.at > CLIENT_LINGER_MS) { clientsSeen.delete(ip); return; }
      if (!nodes.has('client:' + ip)) nodes.set('client:' + ip, clientNode(ip, c.kind, c.name));
    });
    return { nodes: nodes, edges: edges, pods: podsShown.size };
  }
  function clientNode(ip, kind, name) {
    var label = kind === 'node' ? name + '\n' + ip + ' (node)' : kind === 'pod' ? name.split('/')[1] + '\n' + ip + ' (pod)' : (name === 'other' ? 'other clients' : ip) + '\n(outside)';
    return { id: 'client:' + ip, kind: 'client', clientKind: kind, label: label, partition: 0 };
  }

  var LAYOUT_OPTIONS = {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
    'elk.partitioning.activate': 'true',
    'elk.layered.spacing.nodeNodeBetweenLayers': '90',
    'elk.spacing.nodeNode': '10',
    'elk.padding': '[top=28,left=10,bottom=10,right=10]'
  };
  /** The graph as ELK takes it: cytoscape's compound nodes as nested children, edges at the root. */
  function elkGraph() {
    var byId = {};
    var root = { id: 'root', layoutOptions: LAYOUT_OPTIONS, children: [], edges: [] };
    var nodes = cy.nodes();
    nodes.forEach(function (n) {
      var k = { id: n.id(), layoutOptions: { 'elk.partitioning.partition': String(n.data('partition') || 0) } };
      if (!n.isParent()) { k.width = n.width(); k.height = n.height(); }
      byId[n.id()] = k;
    });
    nodes.forEach(function (n) {
      var k = byId[n.id()];
      var p = n.parent();
      if (p.nonempty()) (byId[p.id()].children || (byId[p.id()].children = [])).push(k);
      else root.children.push(k);
    });
    cy.edges().forEach(function (e) { root.edges.push({ id: e.id(), sources: [e.source().id()], targets: [e.target().id()] }); });
    return root;
  }
  function applyPositions(g) {
    var pos = {};
    (function walk(k, x, y) {
      (k.children || []).forEach(function (c) {
        var cx = x + (c.x || 0), cy2 = y + (c.y || 0);
        if (!c.children || c.children.length === 0) pos[c.id] = { x: cx + (c.width || 0) / 2, y: cy2 + (c.height || 0) / 2 };
        walk(c, cx, cy2);
      });
    })(g, 0, 0);
    cy.nodes().filter(function (n) { return !n.isParent(); }).forEach(function (n) { if (pos[n.id()]) n.position(pos[n.id()]); });
    cy.fit(undefined, 24);
  }

  var layoutPending = false, layoutRunning = false, lastLayout = 0;
  function runLayout() {
    if (layoutRunning) { layoutPending = true; return; }
    var wait = Math.max(0, lastLayout + 1000 - Date.now());
    if (wait > 0) { if (!layoutPending) { layoutPending = true; setTimeout(function () { layoutPending = false; runLayout(); }, wait); } return; }
    layoutRunning = true;
    var started = performance.now();
    var graph = elkGraph();
    window.loopkubeMap.lastLayoutGraph = graph;
    if (!elk) elk = newElk();
    var timer = 0;
    var timedOut = new Promise(function (resolve, reject) { timer = setTimeout(function () { reject(new Error('timed out')); }, LAYOUT_TIMEOUT_MS); });
    Promise.race([elk.layout(graph), timedOut]).then(function (g) {
      applyPositions(g);
      window.loopkubeMap.layouts.push({ ms: performance.now() - started, nodes: cy.nodes().length, edges: cy.edges().length, at: performance.now() });
      document.body.setAttribute('data-layout-ms', (performance.now() - started).toFixed(0));
      document.body.setAttribute('data-layouts', String(Number(document.body.getAttribute('data-layouts') || 0) + 1));
    }, function (err) {
      // a layout that fails or takes too long: a plain grid, and a fresh worker next time
      try { elk.terminateWorker(); } catch (e) { /* gone */ }
      elk = null;
      cy.layout({ name: 'grid', fit: true, padding: 24 }).run();
      document.getElementById('status').textContent = 'layout failed (' + (err && err.message) + '): a plain grid instead';
    }).then(function () {
      clearTimeout(timer);
      layoutRunning = false;
      lastLayout = Date.now();
      if (layoutPending) { layoutPending = false; runLayout(); }
    });
  }

  /** Brings the graph to what desired() says: new or gone elements relayout; rates change in place. */
  function update() {
    var updateStarted = performance.now();
    var want = desired();
    var structural = false;
    cy.batch(function () {
      cy.elements().forEach(function (e) {
        var keep = e.isNode() ? want.nodes.get(e.id()) : want.edges.get(e.id());
        if (!keep) { if (e.isNode()) structural = true; e.remove(); }
        else if (e.isNode() && keep.parent !== e.data('parent')) { structural = true; e.remove(); }
      });
      var add = [];
      // parents before children
      want.nodes.forEach(function (d, id) { if (cy.getElementById(id).empty() && !d.parent) add.push({ group: 'nodes', data: d }); });
      want.nodes.forEach(function (d, id) { if (cy.getElementById(id).empty() && d.parent) add.push({ group: 'nodes', data: d }); });
      if (add.length) { structural = true; cy.add(add); }
      // only what changed: a data change restyles the element
      want.nodes.forEach(function (d, id) {
        var n = cy.getElementById(id);
        if (n.nonempty() && (n.data('label') !== d.label || n.data('state') !== d.state || n.data('failed') !== d.failed)) n.data({ label: d.label, state: d.state, failed: d.failed });
      });
      var addEdges = [];
      want.edges.forEach(function (d, id) {
        var e = cy.getElementById(id);
        if (e.empty()) addEdges.push({ group: 'edges', data: d });
        else if (e.data('label') !== d.label || e.data('color') !== d.color || Math.abs(e.data('width') - d.width) > 0.25) e.data({ label: d.label, color: d.color, width: d.width, req: d.req, err: d.err });
      });
      if (addEdges.length) cy.add(addEdges);
    });
    if (structural) runLayout();
    var flows = want.edges.size;
    document.getElementById('status').textContent = cy.nodes('[kind = "service"]').length + ' services · ' + want.pods + ' pods · ' + cy.edges('[kind = "flow"]').length + ' flows' + (flows ? '' : ' (no traffic now: tick "Services without traffic" to see them all)');
    renderFailures();
    renderTotals();
    if (selected) renderPanel();
    window.loopkubeMap.updates.push(performance.now() - updateStarted);
    if (window.loopkubeMap.updates.length > 1000) window.loopkubeMap.updates.shift();
  }

  function renderTotals() {
    setText(document.getElementById('cluster'), model.cluster ? '· ' + model.cluster : '');
    document.querySelectorAll('[data-total]').forEach(function (e) { setText(e, rate(model.totals[e.getAttribute('data-total')] || 0)); });
  }
  function setText(e, s) { if (e.textContent !== s) e.textContent = s; }
  function renderFailures() {
    var box = document.getElementById('failures');
    box.hidden = model.failures.length === 0;
    var html = model.failures.map(function (f) { return '<div data-failed-listener="' + esc(f.address) + '"><b>' + esc(f.service + ' ' + f.kind + ' ' + f.address) + '</b> ' + esc(f.message) + '</div>'; }).join('');
    if (box._html !== html) { box.innerHTML = html; box._html = html; }
  }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }


  function renderPanel() {
    var panel = document.getElementById('panel');
    var s = model.services.get(selected);
    if (!s) { panel.hidden = true; selected = null; return; }
    panel.hidden = false;
    var r = s.rules;
    var eps = model.endpoints.get(s.key) || { addresses: [], ports: [] };
    var rows = [], total = 0;
    eps.addresses.forEach(function (a) {
      eps.ports.forEach(function (p) {
        var endpoint = a.ip + ':' + p.port;
        var t = LK.endpointTraffic(model, s.key, p.name, endpoint);
        total += t.requestsPerSec;
        rows.push({ a: a, endpoint: endpoint, t: t });
      });
    });
    rows.sort(function (x, y) { return y.t.requestsPerSec - x.t.requestsPerSec || (x.endpoint < y.endpoint ? -1 : 1); });
    var h = '<button class="close" id="panel-close" title="close">×</button>';
    h += '<h2 data-panel-service="' + esc(s.key) + '">' + esc(shortName(s.namespace, s.name)) + '</h2><div class="mono">' + esc(s.type + ' · ' + (s.clusterIP || '-') + ' · ' + s.ports.map(function (p) { return p.port + (p.nodePort ? ':' + p.nodePort : '') + '/' + p.protocol; }).join(',')) + '</div>';
    h += '<h3>Rules</h3><table data-panel="rules">';
    if (r.externalTrafficPolicy) h += '<tr><th>externalTrafficPolicy</th><td data-rule="externalTrafficPolicy">' + esc(r.externalTrafficPolicy) + '</td></tr>';
    h += '<tr><th>internalTrafficPolicy</th><td data-rule="internalTrafficPolicy">' + esc(r.internalTrafficPolicy) + '</td></tr>';
    h += '<tr><th>sessionAffinity</th><td data-rule="sessionAffinity">' + esc(r.sessionAffinity + (r.affinityTimeoutSeconds !== null ? ' (timeout ' + r.affinityTimeoutSeconds + ' s)' : '')) + '</td></tr>';
    if (r.healthCheckNodePort) h += '<tr><th>healthCheckNodePort</th><td>' + r.healthCheckNodePort + '</td></tr>';
    if (r.publishNotReadyAddresses) h += '<tr><th>publishNotReadyAddresses</th><td>true</td></tr>';
    h += '</table>';
    h += '<h3>Endpoints <small>' + rate(total) + ' req/s</small></h3><table data-panel="endpoints"><tr><th>pod</th><th>node</th><th>state</th><th class="num">req/s</th><th>share</th></tr>';
    rows.forEach(function (x) {
      var b = LK.endpointBadge(x.a);
      var share = total > 0 ? x.t.requestsPerSec / total : 0;
      h += '<tr data-endpoint="' + esc(x.endpoint) + '" data-state="' + esc(b[0]) + '" data-share="' + share.toFixed(3) + '"><td title="' + esc(x.endpoint) + '">' + esc(x.a.pod || x.a.ip) + '</td><td>' + esc(x.a.node) + '</td><td><span class="badge ' + b[1] + '">' + esc(b[0]) + '</span></td>' +
        '<td class="num">' + rate(x.t.requestsPerSec) + '</td><td><span class="share" style="width:' + Math.round(share * 60) + 'px"></span>' + Math.round(share * 100) + '%</td></tr>';
    });
    h += '</table>';
    var fronts = frontendsOf(s);
    h += '<h3>Frontends</h3><table data-panel="frontends"><tr><th>frontend</th><th class="num">req/s</th><th class="num">conn/s</th></tr>';
    fronts.forEach(function (f) {
      var fr = model.feRates.get(f.key);
      var bad = model.failures.some(function (x) { return x.service === s.key && x.address === f.address; });
      h += '<tr' + (bad ? ' style="color:#a32323"' : '') + '><td class="mono">' + esc(f.label + (bad ? ' (failed to open)' : '')) + '</td><td class="num">' + rate(fr ? fr.requestsPerSec : 0) + '</td><td class="num">' + rate(fr ? fr.connPerSec : 0) + '</td></tr>';
    });
    h += '</table>';
    if (panel._html !== h) {
      panel.innerHTML = h;
      panel._html = h;
      document.getElementById('panel-close').onclick = function () { selected = null; panel.hidden = true; cy.elements().unselect(); update(); };
    }
  }
  cy.on('tap', 'node', function (ev) {
    var svc = ev.target.data('service');
    if (!svc) return;
    selected = svc;
    renderPanel();
  });

  var pending = false;
  LK.connect(token, function (msg) {
    var c = LK.applyMessage(model, msg);
    if (c.nodes || c.services || c.full) {
      var ns = new Set();
      model.services.forEach(function (s) { ns.add(s.namespace); });
      LK.syncOptions(document.getElementById('f-namespace'), Array.from(ns).sort());
      LK.syncOptions(document.getElementById('f-node'), Array.from(model.nodes.keys()).sort());
    }
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; update(); });
  }, function (up) {
    document.body.setAttribute('data-connected', up ? 'true' : 'false');
    document.getElementById('conn-text').textContent = up ? 'live' : 'reconnecting';
  });
})();
</script>
</body>
</html>
`;
