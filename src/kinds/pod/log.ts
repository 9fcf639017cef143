// pods/log (upstream's LogREST, pkg/registry/core/pod/rest/log.go): PodLogOptions from the query,
// validated as ValidatePodLogOptions does, the container resolved as LogLocation does (the only
// one, or the one named; several and none named is the 400 kubectl users know), then the log
// streamed from the pod's kubelet. A pod not scheduled yet has no log: an empty answer, as upstream.
import { badRequest, fieldErr, invalid, methodNotSupported, type FieldError } from '../../api/errors.js';
import type { Container, Pod } from '../../api/types.js';
import { kubeletLocationOf, proxyKubeletGet } from '../../apiserver/kubelet-proxy.js';
import type { SubresourceDefinition } from '../kind.js';

export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  tailLines?: number;
  limitBytes?: number;
}

function boolParam(q: URLSearchParams, key: string): boolean {
  const raw = q.get(key);
  if (raw === null) return false;
  if (raw === '' || raw === 'true' || raw === '1' || raw === 'True' || raw === 'TRUE' || raw === 't' || raw === 'T') return true;
  if (raw === 'false' || raw === '0' || raw === 'False' || raw === 'FALSE' || raw === 'f' || raw === 'F') return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
}

function intParam(q: URLSearchParams, key: string): number | undefined {
  const raw = q.get(key);
  if (raw === null || raw === '') return undefined;
  if (!/^[+-]?\d+$/.test(raw)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

/** The query of GET pods/NAME/log, as the conversion of PodLogOptions reads it. */
export function parsePodLogOptions(q: URLSearchParams): PodLogOptions {
  const opts: PodLogOptions = { follow: boolParam(q, 'follow'), previous: boolParam(q, 'previous'), timestamps: boolParam(q, 'timestamps') };
  const container = q.get('container');
  if (container) opts.container = container;
  const sinceSeconds = intParam(q, 'sinceSeconds');
  if (sinceSeconds !== undefined) opts.sinceSeconds = sinceSeconds;
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    if (!Number.isFinite(Date.parse(sinceTime)) || !/^\d{4}-\d\d-\d\dT/.test(sinceTime)) {
      throw badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as "2006"`);
    }
    opts.sinceTime = sinceTime;
  }
  const tailLines = intParam(q, 'tailLines');
  if (tailLines !== undefined) opts.tailLines = tailLines;
  const limitBytes = intParam(q, 'limitBytes');
  if (limitBytes !== undefined) opts.limitBytes = limitBytes;
  return opts;
}

/** ValidatePodLogOptions. */
export function validatePodLogOptions(o: PodLogOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(fieldErr.invalid('tailLines', o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(fieldErr.invalid('limitBytes', o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) errs.push(fieldErr.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) errs.push(fieldErr.invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0'));
  return errs;
}

const names = (cs: readonly Container[] | undefined): string => (cs ?? []).map((c) => c.name).join(' ');

/** Upstream's validateContainer: the container a request means, or the 400 saying which to pick. */
export function resolveContainer(pod: Pod, container: string | undefined): string {
  const podName = pod.metadata.name ?? '';
  const containers = pod.spec.containers ?? [];
  const init = (pod.spec as { initContainers?: Container[] }).initContainers ?? [];
  if (!container) {
    if (containers.length === 1) return containers[0]!.name;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
    let message = `a container name must be specified for pod ${podName}, choose one of: [${names(containers)}]`;
    if (init.length) message += ` or one of the init containers: [${names(init)}]`;
    throw badRequest(message);
  }
  if (!containers.some((c) => c.name === container) && !init.some((c) => c.name === container)) {
    throw badRequest(`container ${container} is not valid for pod ${podName}`);
  }
  return container;
}

/** The kubelet's query for these options. */
function kubeletQuery(o: PodLogOptions): string {
  const q = new URLSearchParams();
  if (o.follow) q.set('follow', 'true');
  if (o.previous) q.set('previous', 'true');
  if (o.timestamps) q.set('timestamps', 'true');
  if (o.sinceSeconds !== undefined) q.set('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined) q.set('sinceTime', o.sinceTime);
  if (o.tailLines !== undefined) q.set('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) q.set('limitBytes', String(o.limitBytes));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const logSubresource: SubresourceDefinition = {
  verbs: ['get'],
  kind: { group: '', version: 'v1', kind: 'Pod' },
  async serve(r) {
    if (r.verb !== 'get') throw methodNotSupported('pods/log', r.verb);
    const opts = parsePodLogOptions(r.url.searchParams);
    const errs = validatePodLogOptions(opts);
    if (errs.length) throw invalid('PodLogOptions', '', r.name, errs);
    const pod = (await r.registry.get(r.info, r.namespace, r.name)) as Pod;
    const container = resolveContainer(pod, opts.container);
    const loc = await kubeletLocationOf(r.registry, pod);
    if (!loc) {
      r.res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '0' });
      r.res.end();
      return;
    }
    const path = `/containerLogs/${encodeURIComponent(r.namespace ?? 'default')}/${encodeURIComponent(r.name)}/${encodeURIComponent(container)}${kubeletQuery(opts)}`;
    await proxyKubeletGet(r.req, r.res, loc, path, r.kubeletToken);
  },
};
