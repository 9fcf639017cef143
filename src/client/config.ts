// Where a client finds the API server: the cluster's home folder (processes of the cluster)
// or a kubeconfig (anything else).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { apiServerEndpoints, clusterPaths, readClusterConfig } from '../cluster/config.js';
import { PROCESS_NAME_ENV } from '../cluster/parent-watch.js';

export interface ClientConfig {
  /** https://127.0.0.1:6443 */
  server: string;
  /**
   * Every API server, when the cluster has several: the client talks to one and moves to the
   * next when it cannot reach it (processes of the cluster use this instead of the front end,
   * so they do not depend on one more process).
   */
  servers?: string[];
  token: string;
  /** PEM of the cluster CA. */
  ca: string;
}

export function clientConfigFromHome(home: string): ClientConfig {
  const paths = clusterPaths(home);
  const config = readClusterConfig(home);
  const endpoints = apiServerEndpoints(config);
  // Each process starts at a different API server (by its name), so they spread over them.
  const start = spread(process.env[PROCESS_NAME_ENV] ?? String(process.pid), endpoints.length);
  const servers = endpoints.map((_, i) => endpoints[(start + i) % endpoints.length]).map((e) => `https://${e.host}:${e.port}`);
  return {
    server: `https://${config.apiServer.host}:${config.apiServer.port}`,
    ...(endpoints.length > 1 ? { servers } : {}),
    token: readFileSync(paths.token, 'utf8').trim(),
    ca: readFileSync(paths.caCert, 'utf8'),
  };
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  clusters?: Array<{ name: string; cluster: { server: string; 'certificate-authority-data'?: string } }>;
  users?: Array<{ name: string; user: { token?: string } }>;
}

export function clientConfigFromKubeconfig(file: string): ClientConfig {
  const kc = parseYaml(readFileSync(file, 'utf8')) as KubeconfigFile;
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context']) ?? kc.contexts?.[0];
  const cluster = kc.clusters?.find((c) => c.name === ctx?.context.cluster) ?? kc.clusters?.[0];
  const user = kc.users?.find((u) => u.name === ctx?.context.user) ?? kc.users?.[0];
  if (!cluster) throw new Error(`kubeconfig ${file} has no cluster`);
  return {
    server: cluster.cluster.server,
    token: user?.user.token ?? '',
    ca: Buffer.from(cluster.cluster['certificate-authority-data'] ?? '', 'base64').toString('utf8'),
  };
}

function spread(name: string, n: number): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return n > 0 ? h % n : 0;
}
