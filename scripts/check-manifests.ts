// `npm run check:manifests -- PATH...`: will these manifests run on loopkube? Each PATH is one
// application: a file, or a folder whose manifests (.yaml/.yml/.json, recursively) belong
// together. Each is applied unchanged with the real kubectl into a namespace of its own, then
// judged as a user would: did kubectl accept every object, are its pods
// Running and Ready (a Job's Succeeded), does every Service have ready endpoints, and does it
// answer through its ClusterIP (from a node's address, as a pod would reach it), its NodePort on
// every node and its LoadBalancer address. One row per file, and exit 1 when any file does not
// serve. Without --name it starts a throwaway 3-node cluster and removes it at the end.
// A corpus of many applications is many PATHs (`corpus/*`).
//
//   npm run check:manifests -- ~/src/microservices-demo/release/kubernetes-manifests.yaml
//   npm run check:manifests -- --name default --timeout 90s manifests/
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAsScript, withCluster } from './bench-cluster.js';

export interface ServiceCheck {
  name: string;
  type: string;
  readyEndpoints: number;
  /** Each frontend tried ("ClusterIP 127.96.0.20:80", "NodePort 127.10.0.2:30080") and its outcome: "ok" or what failed. */
  frontends: Array<{ frontend: string; outcome: string }>;
}

export interface FileCheck {
  file: string;
  namespace: string;
  applied: boolean;
  /** kubectl's own words when it refused something. */
  refused: string;
  pods: { total: number; ready: number; notReady: string[] };
  services: ServiceCheck[];
  serves: boolean;
}

interface KubeList<T> {
  items: T[];
}
interface PodView {
  metadata: { name: string; ownerReferences?: Array<{ kind: string }> };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ state?: { waiting?: { reason?: string } } }> };
}
interface ServiceView {
  metadata: { name: string };
  spec: { type?: string; clusterIP?: string; selector?: Record<string, string>; ports?: Array<{ port: number; nodePort?: number; protocol?: string }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}
interface SliceView {
  metadata: { labels?: Record<string, string> };
  endpoints?: Array<{ conditions?: { ready?: boolean } }>;
}
interface NodeView {
  status?: { addresses?: Array<{ type: string; address: string }> };
}

export type Kubectl = (args: string[], input?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

export function kubectlFor(kubeconfig: string): Kubectl {
  return (args, input) =>
    new Promise((resolve) => {
      const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (err) => resolve({ code: 127, stdout, stderr: err.message }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
}

function namespaceFor(file: string, index: number): string {
  const slug = path
    .basename(file)
    .replace(/\.(ya?ml|json)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `m${index + 1}-${slug || 'file'}`;
}

/** One HTTP GET from `localAddress` (a node's address, so a ClusterIP answers), judged by whether anything answered. */
function probe(host: string, port: number, localAddress: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', agent: false, localAddress, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode !== undefined && res.statusCode < 500 ? 'ok' : `HTTP ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function podReady(p: PodView): boolean {
  if (p.status?.phase === 'Succeeded') return true;
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function podState(p: PodView): string {
  const waiting = (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).find(Boolean);
  return `${p.metadata.name} (${waiting ?? p.status?.phase ?? 'Pending'})`;
}

async function getJson<T>(kubectl: Kubectl, args: string[]): Promise<T> {
  const r = await kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

/** Applies `file` unchanged into `namespace` and judges it once it settles or `timeoutMs` passes. */
export async function checkFile(kubectl: Kubectl, file: string, namespace: string, nodeIPs: string[], timeoutMs: number): Promise<FileCheck> {
  const created = await kubectl(['create', 'namespace', namespace]);
  if (created.code !== 0 && !created.stderr.includes('AlreadyExists')) throw new Error(created.stderr.trim());
  const source = statSync(file).isDirectory() ? ['-R', '-f', file] : ['-f', file];
  let applied = await kubectl(['apply', '-n', namespace, ...source]);
  // manifests that name their own namespaces are applied as they are (kubectl refuses -n over a different one)
  if (applied.code !== 0 && applied.stderr.includes('does not match the namespace')) applied = await kubectl(['apply', ...source]);
  const refused = applied.code === 0 ? '' : applied.stderr.trim();

  const deadline = Date.now() + timeoutMs;
  let pods: PodView[] = [];
  let services: ServiceView[] = [];
  let slices: SliceView[] = [];
  const readyBySelector = (svc: ServiceView): number =>
    slices
      .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name)
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false).length;
  for (;;) {
    pods = (await getJson<KubeList<PodView>>(kubectl, ['get', 'pods', '-n', namespace])).items;
    services = (await getJson<KubeList<ServiceView>>(kubectl, ['get', 'services', '-n', namespace])).items;
    slices = (await getJson<KubeList<SliceView>>(kubectl, ['get', 'endpointslices', '-n', namespace])).items;
    const settled =
      pods.every(podReady) &&
      services.every((s) => !s.spec.selector || readyBySelector(s) > 0) &&
      services.every((s) => s.spec.type !== 'LoadBalancer' || (s.status?.loadBalancer?.ingress ?? []).length > 0);
    if ((settled && pods.length > 0) || Date.now() > deadline) break;
    await sleep(500);
  }

  const serviceChecks: ServiceCheck[] = [];
  for (const svc of services) {
    const type = svc.spec.type ?? 'ClusterIP';
    const frontends: ServiceCheck['frontends'] = [];
    const readyEndpoints = readyBySelector(svc);
    // a Service without a selector (its endpoints managed elsewhere) or a headless one has no frontend of ours to try
    if (svc.spec.selector && svc.spec.clusterIP && svc.spec.clusterIP !== 'None') {
      for (const port of (svc.spec.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP')) {
        frontends.push({ frontend: `ClusterIP ${svc.spec.clusterIP}:${port.port}`, outcome: await probe(svc.spec.clusterIP, port.port, nodeIPs[0]!, 3000) });
        if (port.nodePort && (type === 'NodePort' || type === 'LoadBalancer')) {
          for (const ip of nodeIPs) frontends.push({ frontend: `NodePort ${ip}:${port.nodePort}`, outcome: await probe(ip, port.nodePort, ip, 3000) });
        }
        for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
          if (ingress.ip) frontends.push({ frontend: `LoadBalancer ${ingress.ip}:${port.port}`, outcome: await probe(ingress.ip, port.port, '127.0.0.1', 3000) });
        }
      }
    }
    serviceChecks.push({ name: svc.metadata.name, type, readyEndpoints, frontends });
  }
  const ready = pods.filter(podReady);
  const serves =
    refused === '' &&
    ready.length === pods.length &&
    serviceChecks.every((s) => s.frontends.every((f) => f.outcome === 'ok')) &&
    services.every((s) => !s.spec.selector || readyBySelector(s) > 0);
  return {
    file,
    namespace,
    applied: refused === '',
    refused,
    pods: { total: pods.length, ready: ready.length, notReady: pods.filter((p) => !podReady(p)).map(podState) },
    services: serviceChecks,
    serves,
  };
}

export async function nodeAddresses(kubectl: Kubectl): Promise<string[]> {
  const nodes = (await getJson<KubeList<NodeView>>(kubectl, ['get', 'nodes'])).items;
  return nodes.map((n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).filter((a): a is string => Boolean(a));
}

export function formatChecks(checks: FileCheck[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    const mark = c.serves ? '✓' : '✗';
    const svcs = c.services.map((s) => {
      const failed = s.frontends.filter((f) => f.outcome !== 'ok');
      return `${s.name} (${s.type}, ${s.readyEndpoints} ready${failed.length ? `; ${failed.map((f) => `${f.frontend}: ${f.outcome}`).join(', ')}` : s.frontends.length ? `, ${s.frontends.length} frontends answer` : ''})`;
    });
    lines.push(`${mark} ${c.file}  [namespace ${c.namespace}]`);
    if (c.refused) lines.push(`    refused: ${c.refused.split('\n').join('\n             ')}`);
    lines.push(`    pods: ${c.pods.ready}/${c.pods.total} ready${c.pods.notReady.length ? `; not ready: ${c.pods.notReady.join(', ')}` : ''}`);
    if (svcs.length) lines.push(`    services: ${svcs.join('; ')}`);
  }
  const good = checks.filter((c) => c.serves).length;
  lines.push('', `${good} of ${checks.length} applications apply unchanged and serve.`);
  return lines.join('\n');
}

function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s);
  if (!m) throw new Error(`invalid duration "${s}" (e.g. 60s, 2m)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' }, nodes: { type: 'string' } },
  });
  if (positionals.length === 0) {
    process.stderr.write('usage: npm run check:manifests -- [--name CLUSTER] [--timeout 60s] [--nodes 3] [--json] FILE|DIR... (a DIR is one application)\n');
    return 2;
  }
  const files = positionals;
  const timeoutMs = parseDuration(values.timeout ?? '60s');
  return withCluster(values.name, { name: 'check', prefix: 'loopkube-check-', upArgs: () => ['--nodes', values.nodes ?? '3', '--no-kubeconfig'] }, async (kubeconfig) => {
    const kubectl = kubectlFor(kubeconfig);
    const nodeIPs = await nodeAddresses(kubectl);
    const checks: FileCheck[] = [];
    for (const [i, file] of files.entries()) {
      const c = await checkFile(kubectl, file, namespaceFor(file, i), nodeIPs, timeoutMs);
      checks.push(c);
      if (!values.json) process.stdout.write(`${formatChecks([c]).split('\n\n')[0]}\n`);
    }
    if (values.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
    else process.stdout.write(`\n${checks.filter((c) => c.serves).length} of ${checks.length} applications apply unchanged and serve.\n`);
    return checks.every((c) => c.serves) ? 0 : 1;
  });
}

runAsScript(import.meta.url, 'check-manifests', main);
