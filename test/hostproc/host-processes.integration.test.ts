// Your own servers as pods (`loopkube up --host-processes`), with the real kubectl and real
// processes: examples/14-host-processes/web.yaml (python3 -m http.server on each pod's IP) behind a
// LoadBalancer Service answers through its ClusterIP, its NodePort on every node and its
// load-balancer IP, and `loopkube load` shows the spread; a kill -9 of one server is a restart
// with exit code 137; exit codes, CrashLoopBackOff and a missing executable are in
// containerStatuses as kubelet reports them; the environment (HOST, PORT, the downward API, a
// ConfigMap volume's path) is what the issue promises, seen through `kubectl exec` of the real sh;
// `kubectl logs` shows the server's own output; the memory limit holds; and `loopkube down`
// leaves no process behind (checked in /proc).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerStatus, Event, Pod, Service } from '../../src/api/types.js';
import { markedProcesses } from '../../src/cluster/host-process-leftovers.js';
import type { LoadSummary } from '../../src/load/stats.js';
import { memoryMechanism } from '../../nodes/host-process/memory-limit.js';
import { startTestCluster, waitFor, REPO, type TestCluster } from '../support/cluster.js';
import { httpGet } from '../support/http-get.js';
import http, { type IncomingHttpHeaders } from 'node:http';
import { clusterMismatch } from '../../src/demo/cluster.js';
import { hostProcesses } from '../../src/demo/host-processes.js';
import { showScenario } from '../scenarios/support.js';

let c: TestCluster;
const WEB = path.join(REPO, 'examples/14-host-processes/web.yaml');

const k = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl(args, { ...(input ? { input } : {}), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const pod = (name: string): Promise<Pod> => c.client.get<Pod>(`/api/v1/namespaces/default/pods/${name}`);
const status = async (name: string): Promise<ContainerStatus | undefined> => (await pod(name)).status?.containerStatuses?.[0];
const webPods = async (): Promise<Pod[]> => (await c.client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' })).items;
const readyWebPods = async (n: number): Promise<Pod[] | undefined> => {
  const ready = (await webPods()).filter((p) => !p.metadata.deletionTimestamp && p.status?.containerStatuses?.[0]?.ready);
  return ready.length === n ? ready : undefined;
};
const nodeDirs = (): string => path.join(c.home, 'nodes') + path.sep;
/** The host processes of this cluster whose environment has `KEY=value`. */
const processesWith = (entry: string): number[] =>
  markedProcesses((m) => m.startsWith(nodeDirs())).filter((pid) => {
    try {
      return readEnviron(pid).includes(entry);
    } catch {
      return false;
    }
  });
/** GET / over a new connection: status, headers (python's Server header) and body. */
const getWithHeaders = (host: string, port: number, localAddress?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> =>
  new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: 5000, ...(localAddress ? { localAddress } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
const readEnviron = (pid: number): string[] => readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
const barePod = (name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'debian:12', ...container }], ...spec } });

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2, upArgs: ['--host-processes'] });
  await k(['apply', '-f', WEB]);
  await k(['scale', 'deploy/web', '--replicas=2']);
  await waitFor('2 web pods ready', () => readyWebPods(2), 90_000);
}, 150_000);
afterAll(async () => {
  await c?.down();
});

describe('a Deployment of python3 -m http.server behind a Service', () => {
  it('answers from python itself through the ClusterIP (from a node), the NodePort on every node and the load-balancer IP', async () => {
    const pods = (await readyWebPods(2))!;
    const names = pods.map((p) => p.metadata.name).sort();
    const svc = await waitFor('a load-balancer IP', async () => {
      const s = await c.client.get<Service>('/api/v1/namespaces/default/services/web');
      return s.status?.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
    });
    const port = svc.spec.ports![0]!;
    const [node1, node2] = c.config.nodes;
    const targets: Array<{ via: string; host: string; port: number; from?: string }> = [
      { via: 'ClusterIP from node-1', host: svc.spec.clusterIP!, port: port.port, from: node1!.ip },
      { via: 'NodePort on node-1', host: node1!.ip, port: port.nodePort! },
      { via: 'NodePort on node-2', host: node2!.ip, port: port.nodePort! },
      { via: 'load-balancer IP', host: svc.status!.loadBalancer!.ingress![0]!.ip!, port: port.port },
    ];
    for (const t of targets) {
      const r = await waitFor(`an answer through the ${t.via}`, () => getWithHeaders(t.host, t.port, t.from).then((a) => (a.status === 200 ? a : undefined)));
      expect(r.headers['server'], t.via).toMatch(/^SimpleHTTP\/[\d.]+ Python\/3/);
      const body = JSON.parse(r.body) as { pod: string; node: string; podIP: string; server: string };
      expect(names, t.via).toContain(body.pod);
      expect(body.server).toBe('python3 http.server');
      expect(pods.find((p) => p.metadata.name === body.pod)?.status?.podIP, 'it bound $HOST, the pod IP').toBe(body.podIP);
    }
  });

  it('loopkube load spreads new connections over both python pods', async () => {
    const r = await c.loopkube(['load', 'svc/web', '--name', c.name, '--requests', '200', '-c', '2', '--new-connection', '--json'], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as LoadSummary;
    expect(s.requests).toBe(200);
    expect(s.errors).toEqual({});
    const names = (await readyWebPods(2))!.map((p) => p.metadata.name).sort();
    expect(s.pods.map((p) => p.pod).sort()).toEqual(names);
    for (const p of s.pods) expect(p.requests, p.pod).toBeGreaterThan(40);
  });

  it('kubectl logs shows the server\'s own access log (its stderr)', async () => {
    const name = (await readyWebPods(2))![0]!.metadata.name!;
    await httpGet((await pod(name)).status!.podIP!, 8080, '/hello-from-test');
    const logs = await waitFor('the access-log line', async () => {
      const out = await k(['logs', name]);
      return /"GET \/hello-from-test HTTP\/1\.1" 404/.test(out) ? out : undefined;
    });
    expect(logs).toMatch(/Serving HTTP on 127\.\d+\.\d+\.\d+ port 8080/);
  });

  it('a kill -9 of one server is a container restart with exit code 137, on the same pod IP', async () => {
    const target = (await readyWebPods(2))![0]!;
    const name = target.metadata.name!;
    const [pid] = processesWith(`POD_NAME=${name}`);
    expect(pid, 'the python process of the pod').toBeDefined();
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    expect(path.basename(argv[0]!)).toMatch(/^python3/);
    expect(argv.slice(1, 3)).toEqual(['-m', 'http.server']);
    process.kill(pid!, 'SIGKILL');
    const s = await waitFor('the restart', async () => {
      const st = await status(name);
      return st && st.restartCount === 1 && st.ready ? st : undefined;
    }, 60_000);
    expect(s.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(s.state?.running).toBeDefined();
    expect((await pod(name)).status?.podIP).toBe(target.status?.podIP);
    const [again] = processesWith(`POD_NAME=${name}`);
    expect(again).toBeDefined();
    expect(again).not.toBe(pid);
  });
});

describe('a host process sees what the issue promises', () => {
  beforeAll(async () => {
    await k(['create', 'configmap', 'app-config', '--from-literal=greeting=hello from a configmap']);
    await k(
      ['apply', '-f', '-'],
      barePod(
        'envcheck',
        {
          command: ['sleep', '3600'],
          ports: [{ containerPort: 9090 }],
          env: [
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
          ],
          resources: { limits: { memory: '512Mi' } },
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }],
        },
        { volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }] },
      ),
    );
    await waitFor('envcheck running', async () => (await status('envcheck'))?.state?.running, 60_000);
  });

  const table: Array<{ name: string; script: string; want: (p: Pod) => string | RegExp }> = [
    { name: 'HOST is the pod IP, PORT its first containerPort', script: 'echo "$HOST:$PORT"', want: (p) => `${p.status!.podIP}:9090\n` },
    { name: 'the downward API and resource limits', script: 'echo "$POD_NAMESPACE $MEM_LIMIT $HOSTNAME"', want: () => `default ${512 * 1024 * 1024} envcheck\n` },
    { name: 'a ConfigMap key in env', script: 'echo "$GREETING"', want: () => 'hello from a configmap\n' },
    { name: 'the working directory is the pod\'s folder', script: 'pwd', want: (p) => `${path.join(c.home, 'nodes', p.spec.nodeName!, 'pods', p.metadata.uid!)}\n` },
    { name: 'a ConfigMap volume as files, at the path its env var names', script: 'cat "$LOOPKUBE_MOUNT_ETC_APP/greeting"', want: () => 'hello from a configmap' },
    { name: 'exec is the real sh, with its own exit codes', script: 'ls /proc/self >/dev/null && exit 7', want: () => '' },
  ];
  it.each(table)('$name', async ({ script, want }) => {
    const p = await pod('envcheck');
    const r = await c.kubectl(['exec', 'envcheck', '--', 'sh', '-c', script], { timeoutMs: 30_000 });
    const expected = want(p);
    if (script.includes('exit 7')) {
      expect(r.code).toBe(7);
      expect(r.stderr).toMatch(/command terminated with exit code 7/);
      return;
    }
    expect(r.code, r.stderr).toBe(0);
    if (typeof expected === 'string') expect(r.stdout).toBe(expected);
    else expect(r.stdout).toMatch(expected);
  });

  it('kubectl cp copies into and out of the container\'s folder, through the real tar', async () => {
    const local = path.join(c.loopkubeHome, 'to-pod.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(local, 'copied by kubectl cp\n');
    const p = await pod('envcheck');
    const folder = path.join(c.home, 'nodes', p.spec.nodeName!, 'pods', p.metadata.uid!);
    const up = await c.kubectl(['cp', local, `envcheck:${folder}/from-host.txt`], { timeoutMs: 30_000 });
    expect(up.code, up.stderr).toBe(0);
    expect((await c.kubectl(['exec', 'envcheck', '--', 'cat', 'from-host.txt'])).stdout).toBe('copied by kubectl cp\n');
    const back = path.join(c.loopkubeHome, 'from-pod.txt');
    const down = await c.kubectl(['cp', `envcheck:${folder}/from-host.txt`, back], { timeoutMs: 30_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(readFileSync(back, 'utf8')).toBe('copied by kubectl cp\n');
  });

  it('an exec liveness probe runs in the container: once it fails, the container is restarted', async () => {
    await k(
      ['apply', '-f', '-'],
      barePod('live', { command: ['sleep', '3600'], livenessProbe: { exec: { command: ['sh', '-c', 'test ! -e unhealthy'] }, periodSeconds: 1, failureThreshold: 1 } }),
    );
    await waitFor('live running', async () => (await status('live'))?.state?.running, 60_000);
    const r = await c.kubectl(['exec', 'live', '--', 'touch', 'unhealthy']);
    expect(r.code, r.stderr).toBe(0);
    const s = await waitFor('the restart after the failed probe', async () => {
      const st = await status('live');
      return st && st.restartCount >= 1 ? st : undefined;
    }, 60_000);
    expect(s.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  });

  it('an event says where the volume is, since it is not at its mountPath', async () => {
    const events = await waitFor('the HostProcessMounts event', async () => {
      const list = await c.client.list<Event>('/api/v1/namespaces/default/events', { fieldSelector: 'involvedObject.name=envcheck' });
      return list.items.find((e) => e.reason === 'HostProcessMounts');
    });
    expect(events.message).toMatch(/^Volume mounted at \/etc\/app is not there for container app: a host process has no mount namespace; its files are in \/.+\/volumes\/kubernetes\.io~configmap\/cfg \(\$LOOPKUBE_MOUNT_ETC_APP\)$/);
  });
});

describe('exits as kubelet reports them', () => {
  const mib = 1024 * 1024;
  // bytes filled with x: every page touched, so the resident set (what a cgroup counts) grows too
  const allocate = `python3 -c "b = b'x' * ${400 * mib}; print(len(b))"`;
  // cgroup v2 (where the node may write it): the kernel's OOM killer, OOMKilled 137; else RLIMIT_AS: the allocation fails in python (MemoryError, exit 1)
  const oom = memoryMechanism() === 'cgroup-v2' ? { exitCode: 137, reason: 'OOMKilled' } : { exitCode: 1, reason: 'Error' };
  const table: Array<{ name: string; container: Record<string, unknown>; restartPolicy: string; want: Record<string, unknown>; waiting?: string }> = [
    { name: 'exit 0 is Completed', container: { command: ['sh', '-c', 'exit 0'] }, restartPolicy: 'Never', want: { terminated: { exitCode: 0, reason: 'Completed' } } },
    { name: 'exit 3 is Error 3', container: { command: ['sh', '-c', 'echo failing >&2; exit 3'] }, restartPolicy: 'Never', want: { terminated: { exitCode: 3, reason: 'Error' } } },
    // `$$$$`: kubelet reduces `$$` to `$` in command and args, as it expands `$(VAR)`
    { name: 'SIGTERM to itself is 143', container: { command: ['sh', '-c', 'kill -TERM $$$$'] }, restartPolicy: 'Never', want: { terminated: { exitCode: 143, reason: 'Error' } } },
    {
      name: `past its memory limit: ${oom.reason} ${oom.exitCode} (${memoryMechanism()})`,
      container: { command: ['sh', '-c', allocate], resources: { limits: { memory: '128Mi' } } },
      restartPolicy: 'Never',
      want: { terminated: oom },
    },
    {
      name: 'a missing executable is StartError 128, in runc\'s words',
      container: { command: ['no-such-server', '--port', '1'] },
      restartPolicy: 'Never',
      want: { terminated: { exitCode: 128, reason: 'StartError', message: expect.stringMatching(/exec: "no-such-server": executable file not found in \$PATH/) } },
    },
  ];
  it.each(table)('$name', async ({ name, container, restartPolicy, want }) => {
    const podName = `exit-${table.findIndex((t) => t.name === name)}`;
    await k(['apply', '-f', '-'], barePod(podName, container, { restartPolicy }));
    const s = await waitFor(`${podName} terminated`, async () => (await status(podName))?.state?.terminated ? status(podName) : undefined, 60_000);
    expect(s!.state).toMatchObject(want);
  });

  it('a server that keeps crashing: restarted once at once, then CrashLoopBackOff with its last exit in lastState', async () => {
    await k(['apply', '-f', '-'], barePod('crashy', { command: ['sh', '-c', 'echo started; exit 2'] }));
    const s = await waitFor('CrashLoopBackOff', async () => {
      const st = await status('crashy');
      return st?.state?.waiting?.reason === 'CrashLoopBackOff' ? st : undefined;
    }, 60_000);
    expect(s.restartCount).toBeGreaterThanOrEqual(1);
    expect(s.lastState?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    // kubelet's back-off: 10 s after the second crash
    expect(s.state?.waiting?.message).toMatch(/^back-off 10s restarting failed container=app pod=crashy_default\(/);
    const logs = await k(['logs', 'crashy', '--previous']);
    expect(logs).toBe('started\n');
  });
});

describe('graceful termination', () => {
  it('preStop runs in the container first, then SIGTERM reaches the process group; the pod is gone once it exits', async () => {
    const trace = path.join(c.loopkubeHome, 'graceful.trace');
    const script = `trap 'echo "TERM in $PWD" >> ${trace}; exit 0' TERM; while :; do sleep 0.1; done`;
    await k(
      ['apply', '-f', '-'],
      barePod('graceful', { command: ['sh', '-c', script], lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo "preStop as $HOSTNAME" >> ${trace}`] } } } }, { terminationGracePeriodSeconds: 30 }),
    );
    await waitFor('graceful running', async () => (await status('graceful'))?.state?.running, 60_000);
    expect(processesWith('HOSTNAME=graceful').length).toBeGreaterThan(0);
    const p = await pod('graceful');
    const started = Date.now();
    await k(['delete', 'pod', 'graceful', '--wait=true']);
    // well within the 30 s grace period: it exited on SIGTERM, it was not killed at the end of it
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(readFileSync(trace, 'utf8')).toBe(`preStop as graceful\nTERM in ${path.join(c.home, 'nodes', p.spec.nodeName!, 'pods', p.metadata.uid!)}\n`);
    // the sleep it had running went with the group
    expect(processesWith('HOSTNAME=graceful')).toEqual([]);
  });
});

describe('loopkube demo host-processes (examples/14-host-processes)', () => {
  it('runs on this cluster and shows every claim: three frontends, round-robin over python, a kill -9 restarted with 137', async () => {
    expect(clusterMismatch(hostProcesses, c.config)).toBeUndefined();
    const { findings: f } = await showScenario(c, hostProcesses);
    expect(f.runs).toHaveLength(2 + c.config.nodes.length);
    expect(f.killed).toMatchObject({ exitCode: 137, reason: 'Error', restartCount: 1 });
  });
});

describe("a node's death", () => {
  it('takes its containers\' processes along, and the next node process reaps what escaped (a child of the main process)', async () => {
    const node = c.config.nodes[0]!;
    // the main process (sh) dies with the node by pdeathsig; its sleep child is only in its group
    await k(['apply', '-f', '-'], barePod('orphans', { command: ['sh', '-c', 'sleep 3600 & wait'] }, { nodeName: node.name }));
    await waitFor('orphans running', async () => (await status('orphans'))?.state?.running, 60_000);
    const before = await waitFor('sh and its sleep', () => {
      const pids = processesWith('HOSTNAME=orphans');
      return pids.length === 2 ? pids : undefined;
    });
    const stop = await c.loopkube(['node', 'stop', node.name, '--name', c.name]);
    expect(stop.code, stop.stderr).toBe(0);
    await waitFor('the main process gone with the node', () => processesWith('HOSTNAME=orphans').length === 1);
    const start = await c.loopkube(['node', 'start', node.name, '--name', c.name]);
    expect(start.code, start.stderr).toBe(0);
    // started again, and nothing of the first run is left
    const s = await waitFor('orphans restarted', async () => {
      const st = await status('orphans');
      return st?.state?.running && st.restartCount >= 1 ? st : undefined;
    }, 60_000);
    expect(s.lastState?.terminated?.reason).toBe('Unknown');
    await waitFor('the escaped sleep reaped', () => processesWith('HOSTNAME=orphans').every((pid) => !before.includes(pid)));
    await waitFor('2 web pods ready again', () => readyWebPods(2), 60_000);
  });
});

describe('loopkube down', () => {
  it('leaves no process of any host container behind', async () => {
    expect(processesWith('PYTHONUNBUFFERED=1').length, 'the python servers run before').toBeGreaterThan(0);
    const r = await c.loopkube(['down', '--name', c.name], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(markedProcesses((m) => m.startsWith(nodeDirs()))).toEqual([]);
  });
});
