// The workload kinds as a user looks at them with the real kubectl on a 1-node cluster:
// `kubectl get all` lists what upstream's `all` category holds (pods, services, deployments,
// replicasets, statefulsets, daemonsets, jobs, cronjobs, horizontalpodautoscalers; not ConfigMaps
// or Secrets), `kubectl describe` of one object of every kind shows the lines kubectl's describer
// prints for it, and `kubectl logs job/NAME` reads the Job's pod.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

const NS = 'looks';
let c: TestCluster;

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: app, image: nginx, ports: [{ containerPort: 80 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80, targetPort: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: db }
spec: { clusterIP: None, selector: { app: db }, ports: [{ port: 5432 }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: postgres, ports: [{ containerPort: 5432 }] }] }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [{ name: agent, image: fluentd }] }
---
apiVersion: batch/v1
kind: Job
metadata: { name: once }
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: task, image: busybox, env: [{ name: RUN_SECONDS, value: "0.3" }] }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec: { restartPolicy: OnFailure, containers: [{ name: task, image: busybox }] }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec: { minAvailable: 1, selector: { matchLabels: { app: web } } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { mode: fast }
---
apiVersion: v1
kind: Secret
metadata: { name: creds }
stringData: { password: hunter2 }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: robot }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web }
spec:
  rules:
  - host: web.example
    http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 2
  maxReplicas: 4
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 80 } } }]
`;

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
  await kubectl(['apply', '-f', '-'], MANIFEST);
  await kubectl(['rollout', 'status', 'deploy/web', '--timeout=90s']);
  await kubectl(['rollout', 'status', 'statefulset/db', '--timeout=90s']);
  await kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
  await kubectl(['wait', '--for=condition=complete', 'job/once', '--timeout=90s']);
});
afterAll(async () => {
  await c?.down();
});

describe('kubectl get all', () => {
  it('lists the kinds of the all category, by kubectl\'s qualified names, and nothing else', async () => {
    const out = await kubectl(['get', 'all']);
    const names = out
      .split('\n')
      .map((l) => l.split(/\s+/)[0]!)
      .filter((n) => n.includes('/'));
    for (const want of ['service/web', 'service/db', 'deployment.apps/web', 'statefulset.apps/db', 'daemonset.apps/agent', 'job.batch/once', 'cronjob.batch/nightly', 'horizontalpodautoscaler.autoscaling/web']) {
      expect(names).toContain(want);
    }
    expect(names.filter((n) => n.startsWith('pod/web-'))).toHaveLength(2);
    expect(names).toContain('pod/db-0');
    expect(names.some((n) => /^pod\/once-[a-z0-9]{5}$/.test(n))).toBe(true);
    expect(names.some((n) => /^replicaset\.apps\/web-[a-z0-9]+$/.test(n))).toBe(true);
    // Not in the all category upstream.
    for (const n of names) expect(n).not.toMatch(/^(configmap|secret|serviceaccount|poddisruptionbudget|ingress|persistentvolumeclaim)/);
  });
});

describe('kubectl describe', () => {
  const CASES: Array<{ what: string; lines: RegExp[] }> = [
    { what: 'deployment/web', lines: [/^Name:\s+web$/m, /^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$/m, /^StrategyType:\s+RollingUpdate$/m, /^NewReplicaSet:\s+web-[a-z0-9]+ \(2\/2 replicas created\)$/m, /ScalingReplicaSet/] },
    { what: 'replicaset', lines: [/^Controlled By:\s+Deployment\/web$/m, /^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m, /SuccessfulCreate/] },
    { what: 'statefulset/db', lines: [/^Name:\s+db$/m, /^Replicas:\s+1 desired \| 1 total$/m, /^Pods Status:\s+1 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m] },
    { what: 'daemonset/agent', lines: [/^Desired Number of Nodes Scheduled: 1$/m, /^Number of Nodes Scheduled with Up-to-date Pods: 1$/m] },
    { what: 'job/once', lines: [/^Completions:\s+1$/m, /^Completion Mode:\s+NonIndexed$/m, /^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m, /Completed/] },
    { what: 'cronjob/nightly', lines: [/^Schedule:\s+0 3 \* \* \*$/m, /^Concurrency Policy:\s+Allow$/m, /^Suspend:\s+False$/m] },
    { what: 'poddisruptionbudget/web', lines: [/^Min available:\s+1$/m, /^\s+Allowed disruptions:\s+1$/m, /^\s+Current:\s+2$/m] },
    { what: 'configmap/settings', lines: [/^mode:$/m, /^fast$/m] },
    { what: 'secret/creds', lines: [/^Type:\s+Opaque$/m, /^password:\s+7 bytes$/m] },
    { what: 'serviceaccount/robot', lines: [/^Name:\s+robot$/m, /^Mountable secrets:\s+<none>$/m] },
    { what: 'ingress/web', lines: [/^Rules:$/m, /web\.example\s+\n?\s*\/\s+web:80 \(/] },
    { what: 'persistentvolumeclaim/data', lines: [/^StorageClass:\s+standard$/m, /^Status:\s+Pending$/m, /WaitForFirstConsumer/] },
    { what: 'horizontalpodautoscaler/web', lines: [/^Reference:\s+Deployment\/web$/m, /^Min replicas:\s+2$/m, /^Max replicas:\s+4$/m] },
    { what: 'service/db', lines: [/^IP:\s+None$/m, /^Endpoints:\s+127\.\d+\.\d+\.\d+:5432$/m] },
  ];
  it.each(CASES)('$what', async ({ what, lines }) => {
    const out = await waitFor(`describe ${what} to show every line`, async () => {
      const text = await kubectl(['describe', what]);
      return lines.every((re) => re.test(text)) ? text : undefined;
    }, 30_000).catch(async () => kubectl(['describe', what]));
    for (const re of lines) expect(out).toMatch(re);
  });
});

describe('kubectl logs job/NAME', () => {
  it("reads the Job's pod's log", async () => {
    const out = await kubectl(['logs', 'job/once']);
    expect(out.length).toBeGreaterThan(0);
  });
});
