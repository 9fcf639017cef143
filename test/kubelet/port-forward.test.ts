// kubectl port-forward through the API server to the kubelet, with the real kubectl, over both
// wires it speaks: WebSocket carrying SPDY (`SPDY/3.1+portforward.k8s.io`, kubectl's default
// since 1.31) and plain SPDY/3.1 (KUBECTL_PORT_FORWARD_WEBSOCKETS=false). pod/, svc/ and deploy/
// targets, LOCAL:REMOTE and :REMOTE, --address, many connections at once, and a closed pod port
// told in the kubelet's words.
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { freePort, startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'pf';
let web: Pod;

const k = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

interface Forward {
  proc: ChildProcess;
  /** Local address -> pod port, as kubectl printed them. */
  forwards: Array<{ host: string; local: number; remote: number }>;
  stderr(): string;
  stop(): Promise<void>;
}

const running = new Set<Forward>();

/** Starts `kubectl port-forward ARGS` and waits for its `Forwarding from` lines. */
async function portForward(args: string[], env: Record<string, string>, lines = 1): Promise<Forward> {
  const proc = c.kubectlProcess(['port-forward', '-n', NS, ...args], env);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const f: Forward = {
    proc,
    forwards: [],
    stderr: () => err,
    stop: async () => {
      running.delete(f);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
  running.add(f);
  await waitFor(
    `kubectl port-forward ${args.join(' ')} to listen`,
    () => {
      if (proc.exitCode !== null) throw new Error(`kubectl port-forward exited ${proc.exitCode}: ${err}`);
      const found = [...out.matchAll(/^Forwarding from (\S+):(\d+) -> (\d+)$/gm)];
      return found.length >= lines ? found : undefined;
    },
    30_000,
  ).then((found) => {
    f.forwards = found.map((m) => ({ host: m[1]!.replace(/^\[|\]$/g, ''), local: Number(m[2]), remote: Number(m[3]) }));
  });
  return f;
}

/** One GET on a fresh connection; the answer's status and body. */
function get(host: string, port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, agent: false, headers: { Connection: 'close' }, timeout: 20_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** What a connection to a forwarded closed port gets: the peer closing without an answer. */
function hangsUp(host: string, port: number): Promise<string> {
  return get(host, port).then(
    (r) => `answered ${r.status}`,
    (err: NodeJS.ErrnoException) => err.code ?? err.message,
  );
}

const ready = async (name: string): Promise<Pod | undefined> => {
  const p = await c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/${name}`);
  return p.status?.containerStatuses?.[0]?.ready ? p : undefined;
};

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  await k(['create', 'namespace', NS]);
  await k(['run', 'web', '--image=registry.example/web:1', '--port=8080', '--labels=app=web']);
  await k(['expose', 'pod', 'web', '--port=80', '--target-port=8080']);
  await k(['create', 'deployment', 'api', '--image=registry.example/api:1', '--port=9090']);
  await k(['run', 'big', '--image=registry.example/web:1', '--port=8080', '--env=RESPONSE_BYTES=4000000']);
  web = await waitFor('web ready', () => ready('web'), 60_000);
  await waitFor('big ready', () => ready('big'), 60_000);
  await waitFor('the api deployment available', async () => (await k(['get', 'deploy', 'api', '-o', 'jsonpath={.status.availableReplicas}'])) === '1', 60_000);
}, 120_000);
afterAll(async () => {
  await Promise.all([...running].map((f) => f.stop()));
  await c?.down();
});

const WIRES: Array<{ wire: string; env: Record<string, string> }> = [
  { wire: 'WebSocket (SPDY tunnelled)', env: { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'true' } },
  { wire: 'SPDY/3.1', env: { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' } },
];

for (const { wire, env } of WIRES) {
  describe(`kubectl port-forward over ${wire}`, () => {
    const targets: Array<{ name: string; args: () => Promise<string[]>; remote: number; pod: RegExp }> = [
      { name: 'pod/web :8080 picks a local port', args: async () => ['pod/web', ':8080'], remote: 8080, pod: /"pod":"web"/ },
      { name: 'svc/web 80 forwards to the target port 8080', args: async () => ['svc/web', ':80'], remote: 8080, pod: /"pod":"web"/ },
      { name: 'deploy/api :9090 picks one of its pods', args: async () => ['deploy/api', ':9090'], remote: 9090, pod: /"pod":"api-[a-z0-9]+-[a-z0-9]+"/ },
      { name: 'LOCAL:REMOTE with --address', args: async () => ['pod/web', `${await freePort('127.0.0.1')}:8080`, '--address', '127.0.0.1'], remote: 8080, pod: /"pod":"web"/ },
    ];
    for (const t of targets) {
      it(t.name, async () => {
        const args = await t.args();
        const f = await portForward(args, env);
        try {
          expect(f.forwards[0]!.remote).toBe(t.remote);
          if (args.includes('--address')) expect(f.forwards[0]).toEqual({ host: '127.0.0.1', local: Number(args[1]!.split(':')[0]), remote: 8080 });
          const r = await get(f.forwards[0]!.host, f.forwards[0]!.local);
          expect(r.status).toBe(200);
          expect(r.body).toMatch(t.pod);
        } finally {
          await f.stop();
        }
      });
    }

    it('the app sees the connection come from inside the pod (its own IP, as its localhost)', async () => {
      const f = await portForward(['pod/web', ':8080'], env);
      try {
        const r = await get(f.forwards[0]!.host, f.forwards[0]!.local);
        expect(r.body).toContain(`"clientIP":"${web.status!.podIP}"`);
      } finally {
        await f.stop();
      }
    });

    it('carries many connections at once, each its own stream pair', async () => {
      const f = await portForward(['pod/web', ':8080'], env);
      try {
        const answers = await Promise.all(Array.from({ length: 40 }, () => get(f.forwards[0]!.host, f.forwards[0]!.local)));
        expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
        for (const a of answers) expect(a.body).toMatch(/^\{"pod":"web".*\}\n?$/s);
        expect(f.proc.exitCode).toBe(null);
      } finally {
        await f.stop();
      }
    });

    it('carries a large answer whole (many DATA frames)', async () => {
      const f = await portForward(['pod/big', ':8080'], env);
      try {
        const r = await get(f.forwards[0]!.host, f.forwards[0]!.local);
        expect(r.status).toBe(200);
        expect(r.body.length).toBeGreaterThanOrEqual(4_000_000);
        expect(r.body).toMatch(/^\{"pod":"big".*\}\n?$/s);
      } finally {
        await f.stop();
      }
    });

    it('a closed pod port: the connection is closed and kubectl prints the kubelet\'s error', async () => {
      const f = await portForward(['pod/web', ':9'], env);
      try {
        expect(await hangsUp(f.forwards[0]!.host, f.forwards[0]!.local)).not.toMatch(/^answered/);
        const ip = web.status!.podIP!;
        await waitFor('the error on kubectl\'s stderr', () => f.stderr().includes('an error occurred forwarding'), 20_000).catch(() => undefined);
        // klog quotes the message: its own quotes come escaped
        expect(f.stderr()).toContain(
          `"Unhandled Error" err="an error occurred forwarding ${f.forwards[0]!.local} -> 9: error forwarding port 9 to pod web_${NS}, uid ${web.metadata.uid}: failed to connect to ${ip}:9 inside namespace \\"web_${NS}\\", IPv4: dial tcp4 ${ip}:9: connect: connection refused`,
        );
      } finally {
        await f.stop();
      }
    });
  });
}

describe('kubectl port-forward refusals', () => {
  it('a pod that does not exist is NotFound', async () => {
    const r = await c.kubectl(['port-forward', '-n', NS, 'pod/nosuch', ':80'], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pods "nosuch" not found');
  });
});
