// The browser side of viewer-model.ts, shared by the dashboard and the service map pages (inlined
// into both): the model kept from the hub's FullMessage and TickMessages, the websocket with its
// reconnect, and the number formats. Plain ES5-style script (no build step); it defines `LK`.
//
// The script avoids backticks and "${" so it can live in a template string as is.

export const WEB_MODEL_JS = String.raw`
var LK = (function () {
  'use strict';
  var HISTORY = 600, EVENTS_KEPT = 200;

  function epKey(service, port, endpoint) { return service + '|' + port + '|' + endpoint; }
  function feKey(f) { return f.service + '|' + f.port + '|' + f.kind + '|' + f.address; }

  function createModel() {
    return {
      cluster: '', at: 0,
      nodes: new Map(), pods: new Map(), services: new Map(), endpoints: new Map(),
      epRates: new Map(), feRates: new Map(), podRates: new Map(), addressRates: new Map(), podByIP: new Map(),
      flows: [], failures: [],
      totals: { connPerSec: 0, active: 0, bytesPerSec: 0, requestsPerSec: 0, errorsPerSec: 0 },
      proxies: 0, intervalMs: 500, history: [], events: new Map(), freshEvents: new Set()
    };
  }

  function applyDelta(map, delta, keyOf) {
    if (!delta) return false;
    for (var i = 0; i < delta.del.length; i++) map.delete(delta.del[i]);
    for (var j = 0; j < delta.set.length; j++) map.set(keyOf(delta.set[j]), delta.set[j]);
    return true;
  }
  function byName(o) { return o.name; }
  function byKey(o) { return o.key; }

  function setTraffic(m, t) {
    m.epRates = new Map();
    for (var i = 0; i < t.endpoints.length; i++) { var e = t.endpoints[i]; m.epRates.set(epKey(e.service, e.port, e.endpoint), e); }
    m.feRates = new Map();
    for (var f = 0; f < (t.frontends || []).length; f++) m.feRates.set(feKey(t.frontends[f]), t.frontends[f]);
    m.podRates = new Map();
    for (var j = 0; j < t.pods.length; j++) m.podRates.set(t.pods[j].pod, t.pods[j]);
    m.addressRates = new Map();
    for (var a = 0; a < (t.addresses || []).length; a++) m.addressRates.set(t.addresses[a].endpoint, t.addresses[a]);
    m.flows = t.flows || [];
    m.failures = t.listenerFailures || [];
    m.totals = t.totals;
    m.proxies = t.proxies;
    m.intervalMs = t.intervalMs || 500;
  }
  function addEvents(m, list, fresh) {
    for (var i = 0; i < list.length; i++) {
      var e = list[i];
      m.events.delete(e.key);
      m.events.set(e.key, e);
      if (fresh) m.freshEvents.add(e.key);
    }
    while (m.events.size > EVENTS_KEPT) m.events.delete(m.events.keys().next().value);
    return list.length > 0;
  }
  function rebuildPodIndex(m) {
    m.podByIP = new Map();
    m.pods.forEach(function (p) { if (p.ip) m.podByIP.set(p.ip, p); });
  }

  /** Applies a message; returns what changed: { full, nodes, pods, services, endpoints, events }. */
  function applyMessage(m, msg) {
    var changed = { full: false, nodes: false, pods: false, services: false, endpoints: false, events: false };
    m.at = msg.at;
    if (msg.kind === 'full') {
      m.cluster = msg.cluster;
      m.nodes = new Map(msg.state.nodes.map(function (n) { return [n.name, n]; }));
      m.pods = new Map(msg.state.pods.map(function (p) { return [p.key, p]; }));
      m.services = new Map(msg.state.services.map(function (s) { return [s.key, s]; }));
      m.endpoints = new Map(msg.state.endpoints.map(function (e) { return [e.key, e]; }));
      m.history = msg.history.slice(-HISTORY);
      m.events = new Map();
      addEvents(m, msg.events, false);
      setTraffic(m, msg.traffic);
      rebuildPodIndex(m);
      changed.full = changed.nodes = changed.pods = changed.services = changed.endpoints = changed.events = true;
      return changed;
    }
    var c = msg.changes || {};
    changed.nodes = applyDelta(m.nodes, c.nodes, byName);
    changed.pods = applyDelta(m.pods, c.pods, byKey);
    if (changed.pods) rebuildPodIndex(m);
    changed.services = applyDelta(m.services, c.services, byKey);
    changed.endpoints = applyDelta(m.endpoints, c.endpoints, byKey);
    setTraffic(m, msg.traffic);
    m.history.push(msg.point);
    if (m.history.length > HISTORY) m.history.splice(0, m.history.length - HISTORY);
    changed.events = addEvents(m, msg.events || [], true);
    return changed;
  }

  /**
   * An endpoint's traffic: the proxy's row, with requests/s from the pod at that address when
   * no proxy row carried any (requests that reached the pod directly).
   */
  function endpointTraffic(m, service, port, endpoint) {
    var r = m.epRates.get(epKey(service, port, endpoint));
    var a = m.addressRates.get(endpoint);
    var viaProxy = r && r.requestsPerSec > 0;
    return {
      connPerSec: r ? r.connPerSec : 0,
      active: r ? r.active : 0,
      bytesPerSec: r ? r.bytesPerSec : 0,
      requestsPerSec: viaProxy ? r.requestsPerSec : (a ? a.requestsPerSec : 0),
      errorsPerSec: viaProxy ? r.errorsPerSec : (a ? a.errorsPerSec : 0)
    };
  }

  function connect(token, onMessage, onState) {
    var backoff = 500;
    function open() {
      var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/view?token=' + encodeURIComponent(token));
      ws.onopen = function () { backoff = 500; onState(true); };
      ws.onmessage = function (ev) {
        var msg;
        try { msg = JSON.parse(ev.data); } catch (e) { return; }
        onMessage(msg);
      };
      ws.onclose = function () {
        onState(false);
        setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, 5000);
      };
    }
    open();
  }

  function rate(n) { return n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(0) : n > 0 ? n.toFixed(1) : '0'; }
  function bytes(n) {
    if (n < 1024) return Math.round(n) + ' B/s';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB/s';
    return (n / 1048576).toFixed(1) + ' MiB/s';
  }
  function shortName(namespace, name) { return namespace === 'default' ? name : namespace + '/' + name; }

  /** An endpoint's EndpointSlice conditions in words, and the badge class for them. */
  function endpointBadge(a) {
    if (a.terminating) return a.serving ? ['terminating · serving', 'warn'] : ['terminating', 'bad'];
    if (a.ready) return ['ready', 'ok'];
    return a.serving ? ['serving · not ready', 'warn'] : ['not ready', 'bad'];
  }

  /** Keeps a select's options at '' (all) and then the values, keeping the choice when it is still there. */
  function syncOptions(select, values) {
    var want = [''].concat(values);
    var have = Array.from(select.options).map(function (o) { return o.value; });
    if (want.join('|') === have.join('|')) return;
    var current = select.value;
    while (select.options.length > 1) select.remove(1);
    values.forEach(function (v) { var o = document.createElement('option'); o.value = v; o.textContent = v; select.appendChild(o); });
    select.value = want.indexOf(current) >= 0 ? current : '';
  }

  return {
    createModel: createModel, applyMessage: applyMessage, endpointTraffic: endpointTraffic, connect: connect,
    epKey: epKey, feKey: feKey, rate: rate, bytes: bytes, shortName: shortName, endpointBadge: endpointBadge, syncOptions: syncOptions
  };
})();
`;
