// `kubectl run -it --rm --image=busybox -- sh` on a real terminal (tmux): kubectl attaches to the
// container's shell (the toolbox's sh, stdin and tty as kubectl run asks), commands run as the
// pod, `exit` ends the session and --rm deletes the pod. And `kubectl exec -it POD -- sh`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { startInTmux, type Terminal } from '../observe/tmux.js';
import { REMOTE_COMMAND_WIRES } from './wires.js';

let c: TestCluster;
const NS = 'runit';
const terminals: Terminal[] = [];

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
}, 120_000);
afterAll(async () => {
  for (const t of terminals) await t.close().catch(() => undefined);
  await c?.down();
});

async function terminal(args: string[], env?: Record<string, string>): Promise<Terminal> {
  const t = await startInTmux(['/usr/bin/kubectl', '--kubeconfig', c.kubeconfig, '-n', NS, ...args], { cols: 120, rows: 30, ...(env ? { env } : {}) });
  terminals.push(t);
  return t;
}
const screenShows = (t: Terminal, re: RegExp) => waitFor(`the screen to show ${re}`, async () => re.test(await t.screen()), 60_000);

describe('an interactive shell in a pod', () => {
  it('kubectl run -it --rm --image=busybox -- sh: a prompt, commands as the pod, exit deletes the pod', async () => {
    const t = await terminal(['run', 'shell', '-it', '--rm', '--image=busybox', '--', 'sh']);
    await waitFor('the pod', () => c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/shell`), 60_000);
    await t.keys('Enter');
    await screenShows(t, /^\/ #$/m);
    await t.type('hostname');
    await t.keys('Enter');
    await screenShows(t, /^shell$/m);
    await t.type('cat /etc/resolv.conf');
    await t.keys('Enter');
    await screenShows(t, /^search runit\.svc\.cluster\.local/m);
    await t.type('exit');
    await t.keys('Enter');
    await waitFor('kubectl to end', async () => (await t.exited()).dead, 60_000);
    expect(await t.screen()).toMatch(/pod "shell" deleted/);
    await waitFor('the pod gone', async () => !(await c.kubectl(['get', 'pod', 'shell', '-n', NS])).stdout.includes('shell'), 60_000);
  });

  // kubectl 1.32 speaks WebSocket by default, SPDY/3.1 (stdin, stdout, resize and error streams) when told
  for (const { wire, tag, env } of REMOTE_COMMAND_WIRES) it(`kubectl exec -it POD -- sh over ${wire}: a prompt with echo, Ctrl-C cancels a command, exit ends it`, async () => {
    const pod = `web-${tag}`;
    const r = await c.kubectl(['run', pod, '--image=registry.example/web:1', '--port=8080', '-n', NS]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(`${pod} ready`, async () => (await c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/${pod}`)).status?.containerStatuses?.[0]?.ready, 60_000);
    const t = await terminal(['exec', '-it', pod, '--', 'sh'], env);
    await screenShows(t, /^\/ #$/m);
    await t.type('sleep 100');
    await t.keys('Enter');
    await t.keys('C-c');
    await screenShows(t, /\^C\n\/ #$/m);
    await t.type('echo typed-$HOSTNAME');
    await t.keys('Enter');
    await screenShows(t, new RegExp(`^typed-${pod}$`, 'm'));
    await t.type('exit 4');
    await t.keys('Enter');
    await waitFor('kubectl to end', async () => (await t.exited()).dead, 60_000);
    expect((await t.exited()).status).toBe(4);
  });
});
