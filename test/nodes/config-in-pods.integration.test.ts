// A real cluster (control plane, one node process, proxy) and the real kubectl: pods that name a
// ConfigMap or Secret wait as kubelet makes them wait and start once it exists; the built-in app
// shows the resolved env (/env) and its mounted files (/fs/...), which are also in the pod's
// folder; pods the way tutorials start them (`kubectl run nginx`, `kubectl create deployment
// --port=80`) answer through a ClusterIP and a NodePort.
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Pod, Service } from '../../src/api/types.js';
import { httpGet, type HttpAnswer } from '../support/http-get.js';
import { freePort, startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
let nodeIP: string;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 1 });
  nodeIP = cluster.config.nodes[0]!.ip;
});
afterAll(async () => {
  await cluster?.down();
});

const get = (host: string, port: number, urlPath = '/', localAddress?: string): Promise<HttpAnswer> => httpGet(host, port, urlPath, { localAddress, timeoutMs: 5_000 });

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input === undefined ? undefined : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const getPod = async (name: string): Promise<Pod> => JSON.parse(await kubectl(['get', 'pod', name, '-o', 'json'])) as Pod;

async function eventsOf(name: string): Promise<Event[]> {
  const out = await kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
  return (JSON.parse(out) as { items: Event[] }).items;
}

async function waitEvent(name: string, reason: string, message: string): Promise<Event> {
  return waitFor(`event ${reason} "${message}" on ${name}`, async () => (await eventsOf(name)).find((e) => e.reason === reason && e.message === message));
}

async function waitRunning(name: string): Promise<Pod> {
  return waitFor(`pod ${name} Running and Ready`, async () => {
    const p = await getPod(name);
    return p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  });
}

const podYaml = (name: string, spec: object): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec });

describe('ConfigMaps and Secrets in pods', () => {
  it('env from a missing ConfigMap: CreateContainerConfigError in kubelet words until the ConfigMap and its key exist', async () => {
    await kubectl(['apply', '-f', '-'], podYaml('env-app', {
      containers: [{
        name: 'app',
        image: 'example.com/app',
        ports: [{ containerPort: 8080 }],
        env: [
          { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: true } } },
          { name: 'GREETING', value: 'hello $(COLOR)' },
        ],
        envFrom: [{ prefix: 'DB_', secretRef: { name: 'db', optional: true } }],
      }],
    }));
    await waitFor('CreateContainerConfigError: configmap not found', async () => {
      const w = (await getPod('env-app')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerConfigError' && w.message === 'configmap "settings" not found';
    });
    expect((await getPod('env-app')).status?.phase).toBe('Pending');
    await waitEvent('env-app', 'Failed', 'Error: configmap "settings" not found');
    const get1 = await kubectl(['get', 'pod', 'env-app']);
    expect(get1).toMatch(/env-app\s+0\/1\s+CreateContainerConfigError/);

    await kubectl(['create', 'configmap', 'settings', '--from-literal=size=xl']);
    await waitFor('CreateContainerConfigError: key not found', async () => {
      const w = (await getPod('env-app')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.message === "couldn't find key color in ConfigMap default/settings";
    });
    await waitEvent('env-app', 'Failed', "Error: couldn't find key color in ConfigMap default/settings");

    await kubectl(['create', 'secret', 'generic', 'db', '--from-literal=password=s3cret']);
    await kubectl(['patch', 'configmap', 'settings', '--type=merge', '-p', '{"data":{"color":"blue"}}']);
    const pod = await waitRunning('env-app');
    const env = JSON.parse((await get(pod.status!.podIP!, 8080, '/env')).body) as Record<string, string>;
    expect(env).toMatchObject({ COLOR: 'blue', GREETING: 'hello blue', PASSWORD: 's3cret', DB_password: 's3cret', KUBERNETES_SERVICE_PORT: '443' });
  });

  it('a volume from a missing ConfigMap: ContainerCreating with FailedMount until it exists; then its files in the app and in the pod folder', async () => {
    await kubectl(['apply', '-f', '-'], podYaml('vol-app', {
      containers: [{
        name: 'app',
        image: 'example.com/app',
        ports: [{ containerPort: 8080 }],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }, { name: 'creds', mountPath: '/var/run/creds', readOnly: true }],
      }],
      volumes: [
        { name: 'cfg', configMap: { name: 'site', items: [{ key: 'index.html', path: 'html/index.html' }] } },
        { name: 'creds', secret: { secretName: 'site-creds', optional: true } },
      ],
    }));
    await waitEvent('vol-app', 'FailedMount', 'MountVolume.SetUp failed for volume "cfg" : configmap "site" not found');
    const waiting = await getPod('vol-app');
    expect(waiting.status?.phase).toBe('Pending');
    expect(waiting.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
    expect(await kubectl(['get', 'pod', 'vol-app'])).toMatch(/vol-app\s+0\/1\s+ContainerCreating/);

    await kubectl(['create', 'configmap', 'site', '--from-literal=index.html=<h1>hi</h1>']);
    const pod = await waitRunning('vol-app');
    const ip = pod.status!.podIP!;
    expect(await get(ip, 8080, '/fs/etc/app/html/index.html')).toEqual({ status: 200, body: '<h1>hi</h1>' });
    expect(JSON.parse((await get(ip, 8080, '/fs/etc/app')).body)).toEqual({ path: '/etc/app', entries: ['html'] });
    expect((await get(ip, 8080, '/fs/etc/app/nope')).status).toBe(404);
    const onDisk = path.join(cluster.home, 'nodes', cluster.config.nodes[0]!.name, 'pods', pod.metadata.uid!, 'volumes', 'kubernetes.io~configmap', 'cfg', 'html', 'index.html');
    expect(readFileSync(onDisk, 'utf8')).toBe('<h1>hi</h1>');

    // a change of the ConfigMap reaches the mounted files, as kubelet's refresh does
    await kubectl(['patch', 'configmap', 'site', '--type=merge', '-p', '{"data":{"index.html":"<h1>v2</h1>"}}']);
    await waitFor('the new content mounted', async () => (await get(ip, 8080, '/fs/etc/app/html/index.html')).body === '<h1>v2</h1>');
    await waitFor('the new content on disk', () => readFileSync(onDisk, 'utf8') === '<h1>v2</h1>');

    await kubectl(['delete', 'pod', 'vol-app', '--wait=true']);
    await waitFor('the pod folder removed', () => !existsSync(path.join(cluster.home, 'nodes', cluster.config.nodes[0]!.name, 'pods', pod.metadata.uid!)));
  });
});

describe('ServiceAccounts', () => {
  it('a new namespace gets its default ServiceAccount; a pod naming a missing one is refused in upstream words', async () => {
    await kubectl(['create', 'namespace', 'team']);
    await waitFor('default ServiceAccount in team', async () => (await cluster.kubectl(['get', 'serviceaccount', 'default', '-n', 'team'])).code === 0);
    expect(await kubectl(['get', 'sa', '-n', 'team'])).toMatch(/^NAME\s+SECRETS\s+AGE\ndefault\s+0\s+/);
    const refused = await cluster.kubectl(['run', 'robot', '-n', 'team', '--image=nginx', '--overrides={"spec":{"serviceAccountName":"builder"}}']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('pods "robot" is forbidden: error looking up service account team/builder: serviceaccount "builder" not found');
    await kubectl(['create', 'serviceaccount', 'builder', '-n', 'team']);
    await kubectl(['run', 'robot', '-n', 'team', '--image=nginx', '--overrides={"spec":{"serviceAccountName":"builder"}}']);
    const pod = JSON.parse(await kubectl(['get', 'pod', 'robot', '-n', 'team', '-o', 'json'])) as Pod;
    expect(pod.spec.serviceAccountName).toBe('builder');
  });
});

describe('pods the way tutorials start them', () => {
  it('a hostPort opens on the node address', async () => {
    const hostPort = await freePort(nodeIP);
    await kubectl(['apply', '-f', '-'], podYaml('host-port', { containers: [{ name: 'app', image: 'example.com/app', ports: [{ containerPort: 8080, hostPort }] }] }));
    await waitRunning('host-port');
    const r = await get(nodeIP, hostPort, '/');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ pod: 'host-port', port: 8080 });
  });

  it('kubectl run nginx && kubectl expose pod nginx --port 80: answers through the ClusterIP from a node address', async () => {
    await kubectl(['run', 'nginx', '--image=nginx']);
    const pod = await waitRunning('nginx');
    await waitEvent('nginx', 'ContainerPorts', 'Container nginx declares no ports: the built-in app listens on 80, the port image "nginx" listens on');
    expect((await get(pod.status!.podIP!, 80, '/')).status).toBe(200);
    await kubectl(['expose', 'pod', 'nginx', '--port', '80']);
    const svc = JSON.parse(await kubectl(['get', 'service', 'nginx', '-o', 'json'])) as Service;
    const clusterIP = svc.spec.clusterIP!;
    const answer = await waitFor('nginx through its ClusterIP', async () => {
      try {
        const r = await get(clusterIP, 80, '/', nodeIP);
        return r.status === 200 ? r : undefined;
      } catch {
        return undefined;
      }
    });
    expect(answer.body).toContain('nginx');
  });

  it('kubectl create deployment web --image=nginx --replicas=3 --port=80 && kubectl expose deployment web --type=NodePort --port=80: answers on the NodePort', async () => {
    await kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=80']);
    await kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    await kubectl(['expose', 'deployment', 'web', '--type=NodePort', '--port=80']);
    const svc = JSON.parse(await kubectl(['get', 'service', 'web', '-o', 'json'])) as Service;
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const pods = new Set<string>();
    await waitFor('all three pods answer through the NodePort', async () => {
      try {
        const r = await get(nodeIP, nodePort, '/');
        if (r.status === 200) pods.add(r.body.match(/web-[a-z0-9]+-[a-z0-9]+/)?.[0] ?? r.body);
      } catch {
        // the rules are not in place yet
      }
      return pods.size === 3;
    });
  });

  it('a port the container did not declare that cannot be opened is an event, and the container runs', async () => {
    // a host-network pod listens on the node's address: hold its image's port there first
    const holder = net.createServer();
    await new Promise<void>((resolve, reject) => holder.once('error', reject).listen(6379, nodeIP, resolve));
    try {
      await kubectl(['apply', '-f', '-'], podYaml('cache', { hostNetwork: true, containers: [{ name: 'redis', image: 'redis:7' }] }));
      await waitRunning('cache');
      const failed = await waitFor('the Failed event', async () => (await eventsOf('cache')).find((e) => e.reason === 'Failed'));
      expect(failed.type).toBe('Warning');
      expect(failed.message).toContain(`Error: failed to listen on ${nodeIP}:6379: EADDRINUSE`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('a container of an unknown image with no ports listens where the Service selecting it sends', async () => {
    await kubectl(['run', 'shop', '--image=example.com/shop:v1', '--labels=app=shop']);
    const pod = await waitRunning('shop');
    await waitEvent('shop', 'ContainerPorts', 'Container shop declares no ports: the built-in app listens on 8080, image "example.com/shop" is not one whose port is known and no Service selects the pod');
    await kubectl(['create', 'service', 'clusterip', 'shop', '--tcp=80:9000']);
    await waitFor('the app opened the Service\'s targetPort', async () => {
      try {
        return (await get(pod.status!.podIP!, 9000, '/')).status === 200;
      } catch {
        return false;
      }
    });
  });
});
