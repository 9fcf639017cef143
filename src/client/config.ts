// Where a client finds the API server: the cluster's home folder (processes of the cluster)
// or a kubeconfig (anything else).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { clusterPaths, readClusterConfig } from '../cluster/config.js';

export interface ClientConfig {
  /** https://127.0.0.1:6443 */
  server: string;
  token: string;
  /** PEM of the cluster CA. */
  ca: string;
}

export function clientConfigFromHome(home: string): ClientConfig {
  const paths = clusterPaths(home);
  const config = readClusterConfig(home);
  return {
    server: `https://${config.apiServer.host}:${config.apiServer.port}`,
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
