// Joining what the proxy measures (connections and bytes per frontend, endpoint and flow) with
// what the pods count (HTTP requests and 5xx answers per ip:port), into the rates the views show.
//
// Only a pod knows how many requests it answered: the proxy is L4 and sees bytes. So requests/s
// of an endpoint are its pod's at that address; where several rows share a count (two service
// ports targeting one pod port, or many clients reaching one endpoint), it is shared among them
// by their bytes in the interval (by open connections when no bytes moved, evenly when neither).
// A frontend's requests are the sum over its flows; a data plane that reports no flows gets its
// service port's requests shared among the frontends by bytes.
import type { ClientKind, EndpointRate, FlowRate, FrontendRate, ListenerFailureView, PodRequestRate, TrafficTotals } from './protocol.js';
import type { EndpointRequestRate } from './pod-requests.js';
import { listenerFailuresFrom } from './listener-failures.js';
import type { FlowSample, MergedTraffic } from './traffic-rates.js';

export interface ClientDirectory {
  /** Node InternalIP -> node name. */
  nodes: ReadonlyMap<string, string>;
  /** Pod IP -> `namespace/name`. */
  pods: ReadonlyMap<string, string>;
}

export interface JoinedTraffic {
  endpoints: EndpointRate[];
  frontends: FrontendRate[];
  flows: FlowRate[];
  /** Busy pod addresses (ip:port) that no proxy row carried: requests that came straight to the pod. */
  addresses: Array<{ endpoint: string } & EndpointRequestRate>;
  listenerFailures: ListenerFailureView[];
  totals: TrafficTotals;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Shares `total` among `rows` by `weight` (bytes), then active connections, then evenly. */
export function shareBy<T extends { bytesPerSec: number; active: number }>(rows: readonly T[], total: number): number[] {
  if (rows.length === 0) return [];
  if (rows.length === 1) return [total];
  const pick = (f: (r: T) => number): number[] | null => {
    const sum = rows.reduce((n, r) => n + f(r), 0);
    return sum > 0 ? rows.map((r) => (total * f(r)) / sum) : null;
  };
  return pick((r) => r.bytesPerSec) ?? pick((r) => r.active) ?? rows.map(() => total / rows.length);
}

export function classifyClient(dir: ClientDirectory, ip: string): { kind: ClientKind; name: string } {
  const node = dir.nodes.get(ip);
  if (node !== undefined) return { kind: 'node', name: node };
  const pod = dir.pods.get(ip);
  if (pod !== undefined) return { kind: 'pod', name: pod };
  return { kind: 'outside', name: '' };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

export function joinTraffic(
  merged: MergedTraffic,
  pods: { endpoints: ReadonlyMap<string, EndpointRequestRate>; busy: readonly PodRequestRate[]; requestsPerSec: number; errorsPerSec: number },
  dir: ClientDirectory,
): JoinedTraffic {
  // endpoints: the pod's count at the address, shared among the service ports that reached it
  const endpoints = merged.endpoints.map((e) => ({ ...e }));
  for (const [address, rows] of groupBy(endpoints, (e) => e.endpoint)) {
    const r = pods.endpoints.get(address);
    if (!r) continue;
    const req = shareBy(rows, r.requestsPerSec);
    const err = shareBy(rows, r.errorsPerSec);
    rows.forEach((row, i) => {
      row.requestsPerSec = round2(req[i]!);
      row.errorsPerSec = round2(err[i]!);
    });
  }

  // flows: each endpoint row's requests shared among the flows into it
  const endpointRow = new Map(endpoints.map((e) => [`${e.service}|${e.port}|${e.endpoint}`, e]));
  const flows: FlowRate[] = [];
  for (const [key, list] of groupBy(merged.flows, (f: FlowSample) => `${f.service}|${f.port}|${f.endpoint}`)) {
    const e = endpointRow.get(key);
    const req = shareBy(list, e?.requestsPerSec ?? 0);
    const err = shareBy(list, e?.errorsPerSec ?? 0);
    list.forEach((f, i) => {
      const who = f.client === 'other' ? { kind: 'outside' as const, name: 'other' } : classifyClient(dir, f.client);
      flows.push({ ...f, clientKind: who.kind, clientName: who.name, requestsPerSec: round2(req[i]!), errorsPerSec: round2(err[i]!) });
    });
  }

  // frontends: the sum of their flows; without flows, the service port's share by bytes
  const frontends = merged.frontends.map((f) => ({ ...f }));
  const flowsByFrontend = groupBy(flows, (f) => f.frontend);
  const withoutFlows: FrontendRate[] = [];
  for (const f of frontends) {
    const list = flowsByFrontend.get(`${f.service}|${f.port}|${f.kind}|${f.address}`);
    if (!list) {
      withoutFlows.push(f);
      continue;
    }
    f.requestsPerSec = round2(list.reduce((n, x) => n + x.requestsPerSec, 0));
    f.errorsPerSec = round2(list.reduce((n, x) => n + x.errorsPerSec, 0));
  }
  const portTotals = new Map<string, { req: number; err: number }>();
  for (const e of endpoints) {
    const k = `${e.service}|${e.port}`;
    const t = portTotals.get(k) ?? { req: 0, err: 0 };
    t.req += e.requestsPerSec;
    t.err += e.errorsPerSec;
    portTotals.set(k, t);
  }
  for (const [k, list] of groupBy(withoutFlows, (f) => `${f.service}|${f.port}`)) {
    const t = portTotals.get(k);
    if (!t) continue;
    const req = shareBy(list, t.req);
    const err = shareBy(list, t.err);
    list.forEach((f, i) => {
      f.requestsPerSec = round2(req[i]!);
      f.errorsPerSec = round2(err[i]!);
    });
  }

  const addresses: JoinedTraffic['addresses'] = [];
  // requests no proxy row carried: traffic that reached the pod directly, not through a Service
  const carried = new Set(endpoints.map((e) => e.endpoint));
  for (const [endpoint, r] of pods.endpoints) if ((r.requestsPerSec > 0 || r.errorsPerSec > 0) && !carried.has(endpoint)) addresses.push({ endpoint, ...r });

  return {
    endpoints,
    frontends,
    flows,
    addresses,
    listenerFailures: listenerFailuresFrom(merged),
    totals: {
      connPerSec: merged.connPerSec,
      active: merged.active,
      bytesPerSec: merged.bytesPerSec,
      requestsPerSec: pods.requestsPerSec,
      errorsPerSec: pods.errorsPerSec,
    },
  };
}
