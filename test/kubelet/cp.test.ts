// kubectl cp to and from a built-in-app pod with the real kubectl: kubectl runs `test -d`, `tar
// -xmf - -C DIR` and `tar cf - PATH` in the container, here the toolbox's tar over the container's
// writable layer (a folder in the pod's folder) with the generated /etc files and the mounts over
// it. Files, folders, GNU/PAX long names, binary content both ways, over WebSocket and SPDY, and
// the errors in tar's words.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { REMOTE_COMMAND_WIRES } from './wires.js';

let c: TestCluster;
let local: string;
let client: Pod;
const NS = 'cp';


beforeAll(async () => {
  local = fs.mkdtempSync(path.join(os.tmpdir(), 'loopkube-cp-'));
  c = await startTestCluster({ nodes: 1 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
  expect((await c.kubectl(['create', 'configmap', 'conf', '-n', NS, '--from-literal=app.properties=colour=teal'])).code).toBe(0);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace: NS },
    spec: {
      containers: [{ name: 'app', image: 'registry.example/web:1', ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 'conf', mountPath: '/config' }] }],
      volumes: [{ name: 'conf', configMap: { name: 'conf' } }],
    },
  };
  expect((await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) })).code).toBe(0);
  client = await waitFor(
    'client ready',
    async () => {
      const p = await c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/client`);
      return p.status?.containerStatuses?.[0]?.ready ? p : undefined;
    },
    60_000,
  );
}, 120_000);
afterAll(async () => {
  await c?.down();
  if (local) fs.rmSync(local, { recursive: true, force: true });
});

const kubectl = (args: string[], env: Record<string, string>) => c.kubectl(['-n', NS, ...args], { env, timeoutMs: 60_000 });
const inPod = (args: string[], env: Record<string, string>) => kubectl(['exec', 'client', '--', ...args], env);

/** A folder tree on the local side: name -> content. */
function writeTree(root: string, files: Record<string, Buffer | string>): void {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
}

const LONG = `${'a-rather-long-folder-name-'.repeat(3)}x/${'and-a-file-name-longer-than-ustar-allows-'.repeat(2)}.txt`;

for (const { wire, tag, env } of REMOTE_COMMAND_WIRES) {
  describe(`kubectl cp over ${wire}`, () => {

    it('a local file to a path in the pod, read back with cat', async () => {
      const src = path.join(local, `hello-${tag}.txt`);
      fs.writeFileSync(src, `hello over ${wire}\n`);
      const r = await kubectl(['cp', src, `client:/tmp/hello-${tag}.txt`], env);
      expect(r.code, r.stderr).toBe(0);
      const cat = await inPod(['cat', `/tmp/hello-${tag}.txt`], env);
      expect(cat.stdout).toBe(`hello over ${wire}\n`);
    });

    it('a local folder into an existing folder (test -d, then tar -x there), long names included', async () => {
      const src = path.join(local, `tree-${tag}`);
      writeTree(src, { 'a.txt': 'A\n', 'sub/b.txt': 'B\n', [LONG]: 'long\n' });
      const r = await kubectl(['cp', src, 'client:/tmp'], env);
      expect(r.code, r.stderr).toBe(0);
      expect((await inPod(['ls', `/tmp/tree-${tag}`], env)).stdout).toBe(`a-rather-long-folder-name-a-rather-long-folder-name-a-rather-long-folder-name-x\na.txt\nsub\n`);
      expect((await inPod(['cat', `/tmp/tree-${tag}/sub/b.txt`], env)).stdout).toBe('B\n');
      expect((await inPod(['cat', `/tmp/tree-${tag}/${LONG}`], env)).stdout).toBe('long\n');
    });

    it('binary content round-trips to the pod and back unchanged', async () => {
      const bytes = randomBytes(300_000);
      const src = path.join(local, `blob-${tag}.bin`);
      fs.writeFileSync(src, bytes);
      expect((await kubectl(['cp', src, `client:/tmp/blob-${tag}.bin`], env)).code).toBe(0);
      const back = path.join(local, `blob-${tag}.back`);
      const r = await kubectl(['cp', `client:/tmp/blob-${tag}.bin`, back], env);
      expect(r.code, r.stderr).toBe(0);
      expect(fs.readFileSync(back).equals(bytes)).toBe(true);
    });

    it('a folder from the pod, with its long names', async () => {
      const dest = path.join(local, `tree-${tag}-back`);
      const r = await kubectl(['cp', `client:/tmp/tree-${tag}`, dest], env);
      expect(r.code, r.stderr).toBe(0);
      // kubectl cp shows the container's stderr on its stdout
      expect(r.stdout).toContain("tar: removing leading '/' from member names");
      expect(fs.readFileSync(path.join(dest, 'sub/b.txt'), 'utf8')).toBe('B\n');
      expect(fs.readFileSync(path.join(dest, LONG), 'utf8')).toBe('long\n');
    });

    it('the generated /etc/hosts and a mounted ConfigMap file from the pod', async () => {
      const hosts = path.join(local, `hosts-${tag}`);
      expect((await kubectl(['cp', 'client:/etc/hosts', hosts], env)).code).toBe(0);
      expect(fs.readFileSync(hosts, 'utf8')).toContain(`${client.status!.podIP}\tclient\n`);
      const props = path.join(local, `props-${tag}`);
      expect((await kubectl(['cp', 'client:/config/app.properties', props], env)).code).toBe(0);
      expect(fs.readFileSync(props, 'utf8')).toBe('colour=teal');
    });

    const refusals: Array<{ name: string; args: () => string[]; stderr: RegExp }> = [
      { name: 'onto a mounted volume: read-only', args: () => [path.join(local, `hello-${tag}.txt`), 'client:/config/x.txt'], stderr: /tar: can't open 'x\.txt': Read-only file system/ },
      { name: 'onto a generated /etc file: read-only', args: () => [path.join(local, `hello-${tag}.txt`), 'client:/etc/hosts'], stderr: /tar: can't open 'hosts': Read-only file system/ },
      { name: 'into a folder that does not exist', args: () => [path.join(local, `hello-${tag}.txt`), 'client:/nosuch/dir/x.txt'], stderr: /tar: can't change directory to '\/nosuch\/dir': No such file or directory/ },
      { name: 'from a path that does not exist', args: () => ['client:/tmp/nosuch', path.join(local, 'nosuch')], stderr: /tar: \/tmp\/nosuch: No such file or directory/ },
    ];
    for (const t of refusals) {
      it(`refused: ${t.name}`, async () => {
        const r = await kubectl(['cp', ...t.args()], env);
        expect(`${r.stdout}${r.stderr}`).toMatch(t.stderr);
      });
    }
  });
}
