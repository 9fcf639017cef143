// The cluster's kubeconfig: one cluster (the CA inline, the API server's URL), one user (the
// bearer token) and one context, all named `loopkube-NAME`, as kind names its `kind-NAME`.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  clusterName: string;
  /** https://127.0.0.1:6443 */
  server: string;
  caCertPem: string;
  token: string;
}

export function contextName(clusterName: string): string {
  return `loopkube-${clusterName}`;
}

export function renderKubeconfig(input: KubeconfigInput): string {
  const name = contextName(input.clusterName);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          'certificate-authority-data': Buffer.from(input.caCertPem, 'utf8').toString('base64'),
          server: input.server,
        },
      },
    ],
    users: [{ name, user: { token: input.token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}

/** Written 0600: it carries the token. */
export function writeKubeconfig(file: string, input: KubeconfigInput): void {
  writeFileSync(file, renderKubeconfig(input), { mode: 0o600 });
}
