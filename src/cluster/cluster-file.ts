// The cluster file given to `loopkube up --config FILE`, in the spirit of kind's:
//
//   kind: Cluster
//   apiVersion: loopkube.dev/v1alpha1
//   name: demo
//   networking: { apiServerPort: 6443, serviceSubnet: 127.96.0.0/12, podSubnet: 127.244.0.0/16,
//                 nodeSubnet: 127.10.0.0/24, loadBalancerPool: 127.200.0.0/24,
//                 nodePortRange: "30000-32767" }
//   proxy: { mode: round-robin, dataPlane: splice }
//   nodeLifecycle: { nodeMonitorGracePeriodSeconds: 4, podEvictionTimeoutSeconds: 6 }
//   propagation: { preset: instant, endpointUpdatesBatchPeriod: 0s, minSyncPeriod: 0s,
//                  syncPeriod: 30s, syncDelay: 0s }
//   controlPlane: { replicas: 3, leaderElection: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 } }
//   nodes: [ { name: node-1, capacity: { cpu: "4", memory: 8Gi, pods: 110 }, labels: {}, taints: [] } ]
//
// Every field is optional except kind and apiVersion. Unknown fields are rejected, and every
// error names the field, worded as Kubernetes' field errors are.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fieldErr, fieldErrorMessage, type FieldError } from '../api/errors.js';
import type { Taint } from '../api/types.js';
import { cidrSize, isLoopback, parseCidr } from './cidr.js';
import { DATA_PLANES, type BalancingMode, type DataPlaneName } from './config.js';
import { PROPAGATION_PRESETS, TIMING_FIELDS, parseDuration, type PropagationPreset, type PropagationTimings } from './propagation.js';

export const CLUSTER_FILE_KIND = 'Cluster';
export const CLUSTER_FILE_API_VERSION = 'loopkube.dev/v1alpha1';
export const BALANCING_MODES: readonly BalancingMode[] = ['round-robin', 'random', 'least-connections'];
const TAINT_EFFECTS: readonly Taint['effect'][] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export interface ClusterFileNode {
  name?: string;
  capacity?: { cpu?: string; memory?: string; pods?: string };
  labels?: Record<string, string>;
  taints?: Taint[];
}

export interface ClusterFile {
  name?: string;
  networking?: {
    apiServerPort?: number;
    serviceSubnet?: string;
    podSubnet?: string;
    nodeSubnet?: string;
    loadBalancerPool?: string;
    nodePortRange?: { min: number; max: number };
  };
  proxy?: { mode?: BalancingMode; dataPlane?: DataPlaneName };
  nodeLifecycle?: { nodeMonitorGracePeriodSeconds?: number; podEvictionTimeoutSeconds?: number };
  propagation?: { preset?: PropagationPreset } & Partial<PropagationTimings>;
  /** Several API servers (replicas > 1 needs a shared store: etcd or Redis). */
  controlPlane?: {
    replicas?: number;
    leaderElection?: { leaseDurationSeconds?: number; renewDeadlineSeconds?: number; retryPeriodSeconds?: number };
  };
  nodes?: ClusterFileNode[];
  /** Run containers' commands as real processes of their node (see ClusterConfig.hostProcesses). */
  hostProcesses?: boolean;
}

/** A cluster file (or flag set) that breaks a rule; `errors` are Kubernetes-style field errors. */
export class ClusterConfigError extends Error {
  readonly errors: string[];
  constructor(subject: string, errors: string[]) {
    super(`${subject} is invalid:\n${errors.map((e) => `  * ${e}`).join('\n')}`);
    this.errors = errors;
  }
}

export function readClusterFile(file: string): ClusterFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClusterConfigError(`cluster file ${file}`, [`cannot be read: ${(err as Error).message}`]);
  }
  return parseClusterFile(text, `cluster file ${file}`);
}

export function parseClusterFile(text: string, subject = 'cluster file'): ClusterFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // the yaml parser's message names the line and column, then shows the line with a caret under the spot
    const [first, ...snippet] = (err as Error).message.trimEnd().split('\n');
    const shown = snippet.filter((l, i) => l.trim() !== '' || i > 0).map((l) => `      ${l}`);
    throw new ClusterConfigError(subject, [`error converting YAML to JSON: ${first}${shown.length ? `\n${shown.join('\n')}` : ''}`]);
  }
  const errs: FieldError[] = [];
  const out = validateClusterFile(doc, errs);
  if (errs.length) throw new ClusterConfigError(subject, errs.map(problemMessage));
  return out;
}

// ---- validation ---------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Checks the mapping's keys; returns it, or undefined (with an error) when not a mapping. */
function mapping(v: unknown, field: string, allowed: readonly string[], errs: FieldError[]): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    errs.push(fieldErr.invalid(field, v, `must be an object, not ${typeName(v)}`));
    return undefined;
  }
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) errs.push(unknownField(field ? `${field}.${key}` : key));
  }
  return v;
}

const UNKNOWN_FIELD = 'unknown field';

function unknownField(field: string): FieldError {
  return { type: 'FieldValueNotFound', field, detail: UNKNOWN_FIELD };
}

/** `networking.podSubnet: Invalid value: ...`, or strict decoding's `unknown field "networking.foo"`. */
export function problemMessage(e: FieldError): string {
  if (e.type === 'FieldValueNotFound' && e.detail === UNKNOWN_FIELD) return `unknown field "${e.field}"`;
  if (e.field === '') return e.detail ?? fieldErrorMessage(e);
  return fieldErrorMessage(e);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** A cluster name: an RFC 1123 label (it names a folder and a kubeconfig context). */
export function validateClusterName(name: unknown, field: string): FieldError[] {
  if (typeof name !== 'string' || name === '') return [fieldErr.required(field)];
  if (name.length > 63) return [fieldErr.invalid(field, name, 'must be no more than 63 characters')];
  if (!DNS1123_LABEL.test(name)) return [fieldErr.invalid(field, name, LABEL_MSG)];
  return [];
}

function nodeName(v: unknown, field: string, errs: FieldError[]): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') {
    errs.push(fieldErr.invalid(field, v, 'must be a non-empty string'));
    return undefined;
  }
  if (v.length > 253) errs.push(fieldErr.invalid(field, v, 'must be no more than 253 characters'));
  else if (!DNS1123_SUBDOMAIN.test(v)) errs.push(fieldErr.invalid(field, v, SUBDOMAIN_MSG));
  return v;
}

function integer(v: unknown, field: string, min: number, max: number, errs: FieldError[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    errs.push(fieldErr.invalid(field, v, 'must be an integer'));
    return undefined;
  }
  if (v < min || v > max) {
    errs.push(fieldErr.invalid(field, v, `must be between ${min} and ${max}, inclusive`));
    return undefined;
  }
  return v;
}

/** A loopback CIDR block, with room for `minPrefix` or wider. */
function loopbackCidr(v: unknown, field: string, maxPrefix: number, errs: FieldError[]): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    errs.push(fieldErr.invalid(field, v, 'must be a CIDR block such as "127.10.0.0/24"'));
    return undefined;
  }
  const c = parseCidr(v);
  if (!c) {
    errs.push(fieldErr.invalid(field, v, 'must be a valid CIDR block (network address, e.g. "127.10.0.0/24")'));
    return undefined;
  }
  if (!isLoopback(c)) {
    errs.push(fieldErr.invalid(field, v, 'must be inside 127.0.0.0/8 (loopback): loopkube runs every address on this machine'));
    return undefined;
  }
  if (c.prefix > maxPrefix) {
    errs.push(fieldErr.invalid(field, v, `must be /${maxPrefix} or larger`));
    return undefined;
  }
  return v;
}

export function parsePortRange(v: string): { min: number; max: number } | null {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(v.trim());
  if (!m) return null;
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1 || max > 65535 || min > max) return null;
  return { min, max };
}

function portRange(v: unknown, field: string, errs: FieldError[]): { min: number; max: number } | undefined {
  if (v === undefined || v === null) return undefined;
  const range = typeof v === 'string' ? parsePortRange(v) : null;
  if (!range) {
    errs.push(fieldErr.invalid(field, v, 'must be a port range "MIN-MAX" within 1-65535, e.g. "30000-32767"'));
    return undefined;
  }
  return range;
}

/** A duration written as Go writes them (`1s`, `500ms`, `1m30s`), up to `maxMs`; as milliseconds. */
function duration(v: unknown, field: string, maxMs: number, errs: FieldError[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? parseDuration(v) : v === 0 ? 0 : null;
  if (ms === null) {
    errs.push(fieldErr.invalid(field, v, 'must be a duration such as 1s, 500ms or 1m30s'));
    return undefined;
  }
  if (ms > maxMs) {
    errs.push(fieldErr.invalid(field, v, `must be at most ${maxMs >= 3_600_000 ? `${maxMs / 3_600_000}h` : `${maxMs / 60_000}m`}`));
    return undefined;
  }
  return ms;
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const QUANTITY_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function quantity(v: unknown, field: string, errs: FieldError[]): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !QUANTITY.test(s)) {
    errs.push(fieldErr.invalid(field, v, QUANTITY_MSG));
    return undefined;
  }
  return s;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Label keys as `prefix/name` (prefix an RFC 1123 subdomain), values up to 63 characters. */
function labelKeyErrors(key: string, field: string): FieldError[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0 && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return [fieldErr.invalid(field, key, 'prefix part ' + SUBDOMAIN_MSG)];
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return [
      fieldErr.invalid(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') and must be no more than 63 characters",
      ),
    ];
  }
  return [];
}

function labelValueErrors(value: string, field: string): FieldError[] {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return [
      fieldErr.invalid(
        field,
        value,
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?') and must be no more than 63 characters",
      ),
    ];
  }
  return [];
}

function labels(v: unknown, field: string, errs: FieldError[]): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    errs.push(fieldErr.invalid(field, v, `must be an object of string values, not ${typeName(v)}`));
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    errs.push(...labelKeyErrors(key, field));
    if (typeof value !== 'string') {
      errs.push(fieldErr.invalid(`${field}[${key}]`, value, 'must be a string (quote it in YAML)'));
      continue;
    }
    errs.push(...labelValueErrors(value, `${field}[${key}]`));
    out[key] = value;
  }
  return out;
}

function taints(v: unknown, field: string, errs: FieldError[]): Taint[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    errs.push(fieldErr.invalid(field, v, `must be a list, not ${typeName(v)}`));
    return undefined;
  }
  const out: Taint[] = [];
  v.forEach((item, i) => {
    const f = `${field}[${i}]`;
    const t = mapping(item, f, ['key', 'value', 'effect'], errs);
    if (!t) {
      if (item === null || item === undefined) errs.push(fieldErr.required(f));
      return;
    }
    if (typeof t.key !== 'string' || t.key === '') errs.push(fieldErr.required(`${f}.key`));
    else errs.push(...labelKeyErrors(t.key, `${f}.key`));
    if (t.value !== undefined && typeof t.value !== 'string') errs.push(fieldErr.invalid(`${f}.value`, t.value, 'must be a string'));
    else if (typeof t.value === 'string') errs.push(...labelValueErrors(t.value, `${f}.value`));
    if (t.effect === undefined) errs.push(fieldErr.required(`${f}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect as Taint['effect'])) errs.push(fieldErr.notSupported(`${f}.effect`, t.effect, [...TAINT_EFFECTS]));
    if (typeof t.key === 'string' && TAINT_EFFECTS.includes(t.effect as Taint['effect'])) {
      out.push({ key: t.key, ...(typeof t.value === 'string' ? { value: t.value } : {}), effect: t.effect as Taint['effect'] });
    }
  });
  return out;
}

function validateNode(v: unknown, field: string, errs: FieldError[]): ClusterFileNode {
  const n = mapping(v, field, ['name', 'capacity', 'labels', 'taints'], errs);
  if (!n) return {};
  const out: ClusterFileNode = {};
  const name = nodeName(n.name, `${field}.name`, errs);
  if (name !== undefined) out.name = name;
  const cap = mapping(n.capacity, `${field}.capacity`, ['cpu', 'memory', 'pods'], errs);
  if (cap) {
    const capacity: NonNullable<ClusterFileNode['capacity']> = {};
    const cpu = quantity(cap.cpu, `${field}.capacity.cpu`, errs);
    const memory = quantity(cap.memory, `${field}.capacity.memory`, errs);
    const pods = integer(typeof cap.pods === 'string' && /^\d+$/.test(cap.pods) ? Number(cap.pods) : cap.pods, `${field}.capacity.pods`, 1, 10000, errs);
    if (cpu !== undefined) capacity.cpu = cpu;
    if (memory !== undefined) capacity.memory = memory;
    if (pods !== undefined) capacity.pods = String(pods);
    out.capacity = capacity;
  }
  const l = labels(n.labels, `${field}.labels`, errs);
  if (l) out.labels = l;
  const t = taints(n.taints, `${field}.taints`, errs);
  if (t) out.taints = t;
  return out;
}

/** Validates a parsed document into a ClusterFile, pushing every problem onto `errs`. */
export function validateClusterFile(doc: unknown, errs: FieldError[]): ClusterFile {
  if (!isObj(doc)) {
    errs.push(fieldErr.invalid('', doc ?? null, `a cluster file must be a YAML mapping with kind: ${CLUSTER_FILE_KIND}, not ${typeName(doc ?? null)}`));
    return {};
  }
  const root = mapping(doc, '', ['kind', 'apiVersion', 'name', 'networking', 'proxy', 'nodeLifecycle', 'propagation', 'controlPlane', 'nodes', 'hostProcesses'], errs) ?? {};
  if (root.kind === undefined) errs.push(fieldErr.required('kind'));
  else if (root.kind !== CLUSTER_FILE_KIND) errs.push(fieldErr.notSupported('kind', root.kind, [CLUSTER_FILE_KIND]));
  if (root.apiVersion === undefined) errs.push(fieldErr.required('apiVersion'));
  else if (root.apiVersion !== CLUSTER_FILE_API_VERSION) errs.push(fieldErr.notSupported('apiVersion', root.apiVersion, [CLUSTER_FILE_API_VERSION]));

  const out: ClusterFile = {};
  if (root.name !== undefined) {
    const nameErrs = validateClusterName(root.name, 'name');
    errs.push(...nameErrs);
    if (!nameErrs.length) out.name = root.name as string;
  }

  const net = mapping(
    root.networking,
    'networking',
    ['apiServerPort', 'serviceSubnet', 'podSubnet', 'nodeSubnet', 'loadBalancerPool', 'nodePortRange'],
    errs,
  );
  if (net) {
    const n: NonNullable<ClusterFile['networking']> = {};
    const port = integer(net.apiServerPort, 'networking.apiServerPort', 1, 65535, errs);
    if (port !== undefined) n.apiServerPort = port;
    const serviceSubnet = loopbackCidr(net.serviceSubnet, 'networking.serviceSubnet', 28, errs);
    if (serviceSubnet !== undefined) n.serviceSubnet = serviceSubnet;
    const podSubnet = loopbackCidr(net.podSubnet, 'networking.podSubnet', 23, errs);
    if (podSubnet !== undefined) n.podSubnet = podSubnet;
    const nodeSubnet = loopbackCidr(net.nodeSubnet, 'networking.nodeSubnet', 30, errs);
    if (nodeSubnet !== undefined) n.nodeSubnet = nodeSubnet;
    const pool = loopbackCidr(net.loadBalancerPool, 'networking.loadBalancerPool', 32, errs);
    if (pool !== undefined) n.loadBalancerPool = pool;
    const range = portRange(net.nodePortRange, 'networking.nodePortRange', errs);
    if (range !== undefined) n.nodePortRange = range;
    out.networking = n;
  }

  if (root.hostProcesses !== undefined) {
    if (typeof root.hostProcesses === 'boolean') out.hostProcesses = root.hostProcesses;
    else errs.push(fieldErr.invalid('hostProcesses', root.hostProcesses, `must be a boolean (true or false), not ${typeName(root.hostProcesses)}`));
  }

  const proxy = mapping(root.proxy, 'proxy', ['mode', 'dataPlane'], errs);
  if (proxy) {
    out.proxy = {};
    if (proxy.mode !== undefined) {
      if (BALANCING_MODES.includes(proxy.mode as BalancingMode)) out.proxy.mode = proxy.mode as BalancingMode;
      else errs.push(fieldErr.notSupported('proxy.mode', proxy.mode, [...BALANCING_MODES]));
    }
    if (proxy.dataPlane !== undefined) {
      if (DATA_PLANES.includes(proxy.dataPlane as DataPlaneName)) out.proxy.dataPlane = proxy.dataPlane as DataPlaneName;
      else errs.push(fieldErr.notSupported('proxy.dataPlane', proxy.dataPlane, [...DATA_PLANES]));
    }
  }

  const life = mapping(root.nodeLifecycle, 'nodeLifecycle', ['nodeMonitorGracePeriodSeconds', 'podEvictionTimeoutSeconds'], errs);
  if (life) {
    out.nodeLifecycle = {};
    const grace = integer(life.nodeMonitorGracePeriodSeconds, 'nodeLifecycle.nodeMonitorGracePeriodSeconds', 1, 3600, errs);
    if (grace !== undefined) out.nodeLifecycle.nodeMonitorGracePeriodSeconds = grace;
    const evict = integer(life.podEvictionTimeoutSeconds, 'nodeLifecycle.podEvictionTimeoutSeconds', 0, 3600, errs);
    if (evict !== undefined) out.nodeLifecycle.podEvictionTimeoutSeconds = evict;
  }

  const prop = mapping(root.propagation, 'propagation', ['preset', ...TIMING_FIELDS.map((f) => f.field)], errs);
  if (prop) {
    out.propagation = {};
    if (prop.preset !== undefined) {
      if (PROPAGATION_PRESETS.includes(prop.preset as PropagationPreset)) out.propagation.preset = prop.preset as PropagationPreset;
      else errs.push(fieldErr.notSupported('propagation.preset', prop.preset, [...PROPAGATION_PRESETS]));
    }
    for (const t of TIMING_FIELDS) {
      const ms = duration(prop[t.field], `propagation.${t.field}`, t.maxMs, errs);
      if (ms !== undefined) out.propagation[t.key] = ms;
    }
  }

  const cp = mapping(root.controlPlane, 'controlPlane', ['replicas', 'leaderElection'], errs);
  if (cp) {
    out.controlPlane = {};
    const replicas = integer(cp.replicas, 'controlPlane.replicas', 1, 9, errs);
    if (replicas !== undefined) out.controlPlane.replicas = replicas;
    const le = mapping(cp.leaderElection, 'controlPlane.leaderElection', ['leaseDurationSeconds', 'renewDeadlineSeconds', 'retryPeriodSeconds'], errs);
    if (le) {
      const election: NonNullable<NonNullable<ClusterFile['controlPlane']>['leaderElection']> = {};
      for (const key of ['leaseDurationSeconds', 'renewDeadlineSeconds', 'retryPeriodSeconds'] as const) {
        const v = integer(le[key], `controlPlane.leaderElection.${key}`, 1, 3600, errs);
        if (v !== undefined) election[key] = v;
      }
      out.controlPlane.leaderElection = election;
    }
  }

  if (root.nodes !== undefined && root.nodes !== null) {
    if (!Array.isArray(root.nodes)) {
      errs.push(fieldErr.invalid('nodes', root.nodes, `must be a list, not ${typeName(root.nodes)}`));
    } else {
      out.nodes = root.nodes.map((n, i) => validateNode(n ?? {}, `nodes[${i}]`, errs));
      const seen = new Set<string>();
      out.nodes.forEach((n, i) => {
        if (n.name === undefined) return;
        if (seen.has(n.name)) errs.push(fieldErr.duplicate(`nodes[${i}].name`, n.name));
        seen.add(n.name);
      });
    }
  }
  return out;
}

/** How many nodes a node subnet holds (node N gets the block's N-th address, without broadcast). */
export function nodeSubnetCapacity(cidr: string): number {
  const c = parseCidr(cidr);
  return c ? Math.max(0, cidrSize(c) - 2) : 0;
}

/** How many nodes a pod subnet holds (node N gets its N-th /24). */
export function podSubnetCapacity(cidr: string): number {
  const c = parseCidr(cidr);
  return c && c.prefix <= 24 ? 2 ** (24 - c.prefix) - 1 : 0;
}
