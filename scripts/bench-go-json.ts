// What writing responses as Go's encoding/json costs (src/wire/go-json.ts, run on every response
// body): a pod, a node and a list of 500 pods, against JSON.stringify of the same objects (what
// loopkube wrote before, and the floor for any JSON writer in Node). Encoders are compiled once
// per type; the first call's compile time is reported on its own.
//
//   npm run bench:go-json [-- --seconds 2]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createGoJsonEncoder } from '../src/wire/go-json.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write('Usage: npm run bench:go-json [-- --seconds S]\n');
  process.exit(0);
}
const SECONDS = Number(values.seconds);
if (!(SECONDS > 0)) throw new Error(`--seconds must be positive, got ${values.seconds}`);

/** A pod as loopkube stores it after admission and a node's status update. */
function pod(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${i}`,
      namespace: 'default',
      uid: `0b0c1a7e-${String(i).padStart(4, '0')}-4a8e-9d0e-5e2f3a4b5c6d`,
      resourceVersion: String(1000 + i),
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'c0ffee00-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'nginx:1.27',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'DELAY_MS', value: '5' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
          readinessProbe: { httpGet: { path: '/', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: `node-${(i % 3) + 1}`,
      schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:01Z' },
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:02Z' },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:00Z' },
      ],
      hostIP: '127.10.0.1',
      podIP: `127.244.1.${i % 250}`,
      podIPs: [{ ip: `127.244.1.${i % 250}` }],
      startTime: '2024-05-01T10:00:00Z',
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: 'loopkube://nginx', started: true, state: { running: { startedAt: '2024-05-01T10:00:01Z' } } }],
      qosClass: 'Burstable',
    },
  };
}

const node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-1', uid: 'n1', resourceVersion: '5', creationTimestamp: '2024-05-01T10:00:00Z', labels: { 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux' } },
  spec: { podCIDR: '127.244.1.0/24', podCIDRs: ['127.244.1.0/24'] },
  status: {
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-05-01T10:00:05Z', lastTransitionTime: '2024-05-01T10:00:00Z', reason: 'KubeletReady', message: 'ready' }],
    addresses: [{ type: 'InternalIP', address: '127.10.0.1' }, { type: 'Hostname', address: 'node-1' }],
    nodeInfo: { kubeletVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64' },
  },
};

const list = { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '2000' }, items: Array.from({ length: 500 }, (_, i) => pod(i)) };

function rate(fn: () => string): { perSecond: number; bytes: number } {
  let n = 0;
  let bytes = 0;
  const until = process.hrtime.bigint() + BigInt(Math.round(SECONDS * 1e9));
  while (process.hrtime.bigint() < until) {
    for (let i = 0; i < 10; i++) bytes = fn().length;
    n += 10;
  }
  return { perSecond: n / SECONDS, bytes };
}

const encoder = createGoJsonEncoder();
const t0 = process.hrtime.bigint();
encoder.encodeObject(pod(0));
const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;

const rows: string[][] = [];
const objects = [['Pod', pod(1)], ['Node', node], ['PodList (500 pods)', list]] as const;
// warm up: let the JIT see every encoder before anything is timed
for (let i = 0; i < 20; i++) for (const [, obj] of objects) encoder.encodeObject(obj);
for (const [name, obj] of objects) {
  const go = rate(() => encoder.encodeObject(obj));
  const js = rate(() => JSON.stringify(obj));
  rows.push([name, go.perSecond.toFixed(0), js.perSecond.toFixed(0), (js.perSecond / go.perSecond).toFixed(2), String(go.bytes), String(js.bytes)]);
}
const head = ['object', 'Go JSON /s', 'JSON.stringify /s', 'stringify ÷ Go', 'Go bytes', 'stringify bytes'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (r: string[]): string => r.map((c, i) => c.padStart(widths[i] as number)).join('  ');
process.stdout.write(`${line(head)}\n${rows.map(line).join('\n')}\n`);
process.stdout.write(`first encode of a Pod (compiles the Pod encoders): ${compileMs.toFixed(1)} ms\n`);
process.stdout.write(`load average: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
