// pods/exec through the API server to the kubelet over WebSocket (v5.channel.k8s.io), with the
// real kubectl: the built-in app's toolbox (hostname, env, cat of the generated /etc files, curl
// and nslookup from the pod's IP through the cluster DNS and the Service proxy, sh -c and sh over
// piped stdin), exit codes carried in the error channel's Status, sh's 127 for unknown commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, Service } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { REMOTE_COMMAND_WIRES } from './wires.js';

let c: TestCluster;
const NS = 'exec';

const k = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const exec = (args: string[], input?: string, env?: Record<string, string>) =>
  c.kubectl(['exec', ...(input !== undefined ? ['-i'] : []), 'client', '-n', NS, '--', ...args], { ...(input !== undefined ? { input } : {}), ...(env ? { env } : {}), timeoutMs: 60_000 });
const ready = async (name: string): Promise<Pod | undefined> => {
  const p = await c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/${name}`);
  return p.status?.containerStatuses?.[0]?.ready ? p : undefined;
};
const podManifest = (name: string): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.example/web:1',
          ports: [{ containerPort: 8080 }],
          env: [
            { name: 'GREETING', value: 'hello there' },
            { name: 'MY_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'COLOUR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'colour' } } },
            { name: 'SENTENCE', value: '$(GREETING), in $(COLOUR)' },
          ],
          envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }],
        },
      ],
    },
  });

let client: Pod;
let web: Pod;
let svc: Service;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  await k(['create', 'namespace', NS]);
  await k(['create', 'configmap', 'settings', '--from-literal=colour=teal', '--from-literal=size=large']);
  await k(['apply', '-f', '-'], podManifest('client'));
  await k(['apply', '-f', '-'], podManifest('web'));
  await k(['expose', 'pod', 'web', '--port=80', '--target-port=8080']);
  client = await waitFor('client ready', () => ready('client'), 60_000);
  web = await waitFor('web ready', () => ready('web'), 60_000);
  svc = await c.client.get<Service>(`/api/v1/namespaces/${NS}/services/web`);
}, 120_000);
afterAll(async () => {
  await c?.down();
});


for (const { wire, env } of REMOTE_COMMAND_WIRES) describe(`kubectl exec into the built-in app over ${wire}`, () => {
  const table: Array<{ name: string; args: string[]; code: number; stdout?: RegExp | ((p: { client: Pod; web: Pod; svc: Service }) => string); stderr?: RegExp }> = [
    { name: 'hostname is the pod', args: ['hostname'], code: 0, stdout: () => 'client\n' },
    { name: 'env has the container env', args: ['env'], code: 0, stdout: /^GREETING=hello there$/m },
    { name: 'env resolves the downward API as the node does', args: ['env'], code: 0, stdout: (p) => `\nMY_POD_IP=${p.client.status!.podIP}\n` },
    { name: 'env resolves spec.nodeName', args: ['env'], code: 0, stdout: (p) => `\nMY_NODE=${p.client.spec.nodeName}\n` },
    { name: 'env resolves a configMapKeyRef', args: ['env'], code: 0, stdout: () => '\nCOLOUR=teal\n' },
    { name: 'env expands $(VAR) references', args: ['env'], code: 0, stdout: () => '\nSENTENCE=hello there, in teal\n' },
    { name: 'env has envFrom with its prefix', args: ['env'], code: 0, stdout: () => '\nCFG_size=large\n' },
    { name: 'env has the Service links of the kubernetes Service', args: ['env'], code: 0, stdout: /^KUBERNETES_SERVICE_HOST=\d+\.\d+\.\d+\.\d+$/m },
    { name: 'sh expands a resolved variable', args: ['sh', '-c', 'echo $COLOUR'], code: 0, stdout: () => 'teal\n' },
    { name: 'the generated resolv.conf searches the namespace', args: ['cat', '/etc/resolv.conf'], code: 0, stdout: /^search exec\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m },
    { name: 'the generated hosts names the pod', args: ['cat', '/etc/hosts'], code: 0, stdout: (p) => `${p.client.status!.podIP}\tclient\n` },
    { name: 'sh -c runs a line, $VAR and && included', args: ['sh', '-c', 'echo "$GREETING" && echo second || echo never'], code: 0, stdout: () => 'hello there\nsecond\n' },
    { name: 'an exit code is the command\'s', args: ['sh', '-c', 'exit 3'], code: 3, stderr: /command terminated with exit code 3/ },
    { name: 'an unknown command is sh\'s 127', args: ['nosuch'], code: 127, stderr: /sh: nosuch: not found/ },
    { name: 'cat of a missing file', args: ['cat', '/nope'], code: 1, stderr: /cat: can't open '\/nope': No such file or directory/ },
    { name: 'curl a Service by name through the cluster DNS and the proxy', args: ['curl', '-s', 'http://web'], code: 0, stdout: /"pod":"web"/ },
    { name: 'curl a pod IP: the request leaves from the pod\'s IP', args: ['curl', '-s', 'WEBIP'], code: 0, stdout: (p) => `"clientIP":"${p.client.status!.podIP}"` },
    { name: 'curl -I shows the status line', args: ['curl', '-sI', 'http://web.exec.svc.cluster.local'], code: 0, stdout: /^HTTP\/1\.1 200 OK\r$/m },
    { name: 'curl a closed port is curl\'s (7)', args: ['curl', '-sS', 'http://WEBIPONLY:9'], code: 7, stderr: /curl: \(7\) Failed to connect to .* port 9 after \d+ ms: Couldn't connect to server/ },
    { name: 'curl an unknown name is curl\'s (6)', args: ['curl', '-sS', 'http://nosuch-svc'], code: 6, stderr: /curl: \(6\) Could not resolve host: nosuch-svc/ },
    { name: 'wget -qO- a Service', args: ['wget', '-qO-', 'http://web'], code: 0, stdout: /"pod":"web"/ },
    { name: 'nslookup a Service is its ClusterIP', args: ['nslookup', 'web'], code: 0, stdout: (p) => `Name:\tweb.exec.svc.cluster.local\nAddress: ${p.svc.spec!.clusterIP}` },
    { name: 'dig +short a Service', args: ['dig', '+short', 'web.exec.svc.cluster.local'], code: 0, stdout: (p) => `${p.svc.spec!.clusterIP}\n` },
  ];
  for (const row of table) {
    it(row.name, async () => {
      const args = row.args.map((a) => a.replace('WEBIPONLY', web.status!.podIP!).replace('WEBIP', `http://${web.status!.podIP}:8080/`));
      const r = await exec(args, undefined, env);
      expect(r.code, r.stderr).toBe(row.code);
      if (typeof row.stdout === 'function') expect(r.stdout).toContain(row.stdout({ client, web, svc }));
      else if (row.stdout) expect(r.stdout).toMatch(row.stdout);
      if (row.stderr) expect(r.stderr).toMatch(row.stderr);
    });
  }

  it('sh reads commands from piped stdin (-i), to its end', async () => {
    const r = await exec(['sh'], 'echo one\nhostname\ncurl -s http://web -o /dev/null && echo reached\n', env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('one\nclient\nreached\n');
  });

  it('a pod of several containers needs -c naming one that exists', async () => {
    const r = await c.kubectl(['exec', 'client', '-c', 'nope', '-n', NS, '--', 'hostname'], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('container nope is not valid for pod client');
  });
});
