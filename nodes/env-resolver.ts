// A container's environment as kubelet makes it (makeEnvironmentVariables): envFrom first, then
// env, each value either `$(VAR)`-expanded or taken from its source (a field of the pod, a
// resource of a container, a key of a ConfigMap or Secret), then the Service links. A source
// that is missing fails the container with kubelet's words (`configmap "x" not found`,
// `couldn't find key k in ConfigMap ns/x`) unless it is optional.
import type { EnvVarSource } from '../src/api/config.js';
import { parseQuantity } from '../src/api/quantity.js';
import type { Container, Pod, Service } from '../src/api/types.js';
import { splitSubscriptedPath } from '../src/admission/env.js';
import type { ConfigSources } from './config-sources.js';

export interface EnvContext {
  pod: Pod;
  podIP: string;
  nodeIP: string;
  /** The node's capacity (a resourceFieldRef of a container without a limit reads it). */
  capacity: { cpu: string; memory: string };
  sources: ConfigSources;
  /** Where the `kubernetes` Service lives (its env vars go to every pod). */
  masterNamespace?: string;
}

export type EnvResult = { env: Array<[string, string]> } | { error: string };

class EnvError extends Error {}

/** expansion.Expand: `$(VAR)` from the mapping (left as is when undefined), `$$` for a `$`. */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = name === '' ? undefined : lookup(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += c + next;
      i++;
    }
  }
  return out;
}

/** podFieldSelectorRuntimeValue: the pod fields an env var may read. */
export function podFieldValue(fieldPath: string, ctx: Pick<EnvContext, 'pod' | 'podIP' | 'nodeIP'>): string {
  const { pod } = ctx;
  const sub = splitSubscriptedPath(fieldPath);
  if (sub?.[0] === 'metadata.labels') return pod.metadata.labels?.[sub[1]] ?? '';
  if (sub?.[0] === 'metadata.annotations') return pod.metadata.annotations?.[sub[1]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.nodeIP;
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    default:
      throw new EnvError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** ExtractContainerResourceValue: the container's limit (else the node's capacity) or request, over the divisor, rounded up. */
function resourceValue(pod: Pod, container: Container, ref: { containerName?: string; resource: string; divisor?: string | number }, capacity: EnvContext['capacity']): string {
  const target = ref.containerName ? pod.spec.containers.find((c) => c.name === ref.containerName) : container;
  if (!target) throw new EnvError(`failed to find container "${ref.containerName}" in pod ${pod.metadata.namespace}/${pod.metadata.name}`);
  const [kind, resource] = ref.resource.split('.') as ['limits' | 'requests', string];
  const fromNode = resource === 'cpu' ? capacity.cpu : resource === 'memory' ? capacity.memory : '0';
  // kubelet fills missing limits from the node's allocatable; a missing request is 0
  const raw = target.resources?.[kind]?.[resource] ?? (kind === 'limits' ? fromNode : '0');
  const divisor = parseQuantity(ref.divisor ?? '1');
  return String(Math.ceil(parseQuantity(raw) / (divisor || 1)));
}

const envName = (s: string): string => s.replace(/-/g, '_').toUpperCase();

/** envvars.FromServices: `<NAME>_SERVICE_HOST`, `_SERVICE_PORT`, and the Docker-style links. */
export function serviceEnv(services: readonly Service[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    const ports = s.spec?.ports ?? [];
    if (!ip || ip === 'None' || ports.length === 0) continue;
    const prefix = envName(s.metadata.name ?? '');
    out.push([`${prefix}_SERVICE_HOST`, ip], [`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]);
    for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${ip}:${p.port}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push([pp, url], [`${pp}_PROTO`, proto], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
    });
  }
  return out;
}

/** A configMapKeyRef's or secretKeyRef's value; undefined when missing and optional, kubelet's error when missing. */
function keyValue(from: EnvVarSource, ns: string, sources: ConfigSources): string | undefined {
  const isSecret = !from.configMapKeyRef;
  const sel = (from.configMapKeyRef ?? from.secretKeyRef)!;
  const name = sel.name ?? '';
  const optional = sel.optional === true;
  const obj = isSecret ? sources.secret(ns, name) : sources.configMap(ns, name);
  if (!obj) {
    if (optional) return undefined;
    throw new EnvError(`${isSecret ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const v = obj.data?.[sel.key];
  if (v === undefined) {
    if (optional) return undefined;
    throw new EnvError(`couldn't find key ${sel.key} in ${isSecret ? 'Secret' : 'ConfigMap'} ${ns}/${name}`);
  }
  return isSecret ? Buffer.from(v, 'base64').toString('utf8') : v;
}

export function resolveEnv(container: Container, ctx: EnvContext): EnvResult {
  const { pod, sources } = ctx;
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  try {
    for (const from of container.envFrom ?? []) {
      const prefix = from.prefix ?? '';
      if (from.configMapRef) {
        const name = from.configMapRef.name ?? '';
        const cm = sources.configMap(ns, name);
        if (!cm) {
          if (from.configMapRef.optional === true) continue;
          throw new EnvError(`configmap "${name}" not found`);
        }
        for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
      } else if (from.secretRef) {
        const name = from.secretRef.name ?? '';
        const secret = sources.secret(ns, name);
        if (!secret) {
          if (from.secretRef.optional === true) continue;
          throw new EnvError(`secret "${name}" not found`);
        }
        for (const [k, v] of Object.entries(secret.data ?? {})) env.set(prefix + k, Buffer.from(v, 'base64').toString('utf8'));
      }
    }
    // the Service links: the `kubernetes` one always, those of the pod's namespace with enableServiceLinks
    const master = ctx.masterNamespace ?? 'default';
    const kubernetes = sources.services(master).filter((s) => s.metadata.name === 'kubernetes');
    const linked = pod.spec.enableServiceLinks === false ? kubernetes : ns === master ? sources.services(ns) : [...kubernetes, ...sources.services(ns)];
    const links = new Map(serviceEnv(linked));
    const lookup = (name: string): string | undefined => env.get(name) ?? links.get(name);
    for (const e of container.env ?? []) {
      let value = e.value ?? '';
      if (value !== '') value = expand(value, lookup);
      else if (e.valueFrom?.fieldRef) value = podFieldValue(e.valueFrom.fieldRef.fieldPath, ctx);
      else if (e.valueFrom?.resourceFieldRef) value = resourceValue(pod, container, e.valueFrom.resourceFieldRef, ctx.capacity);
      else if (e.valueFrom?.configMapKeyRef || e.valueFrom?.secretKeyRef) {
        const v = keyValue(e.valueFrom, ns, sources);
        if (v === undefined) continue; // optional, and missing
        value = v;
      }
      links.delete(e.name);
      env.set(e.name, value);
    }
    const all = new Map([...links, ...env]);
    return { env: [...all].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
  } catch (err) {
    if (err instanceof EnvError) return { error: err.message };
    throw err;
  }
}
