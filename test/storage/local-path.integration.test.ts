// The built-in local-path provisioner on a real two-node cluster, as a kind user meets it: the
// default class `standard`, a claim that waits for its first consumer, a pod that mounts it and
// is placed with it, the volume's folder on that node seen through the pod's /fs, data that
// outlives the pod, Delete reclaim removing the folder and Retain keeping it (Released), and the
// pvc-protection finalizer holding a claim while a pod uses it.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Pod } from '../../src/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/kinds/persistentvolume/types.js';
import { httpGet } from '../support/http-get.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2 });
}, 120_000);

afterAll(async () => {
  await cluster?.down();
});

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input === undefined ? undefined : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const getJson = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
const exists = async (args: string[]): Promise<boolean> => (await cluster.kubectl(['get', ...args])).code === 0;

async function waitEvent(name: string, reason: string, message: string): Promise<Event> {
  return waitFor(`event ${reason} "${message}" on ${name}`, async () => {
    const list = await getJson<{ items: Event[] }>(['get', 'events', '--field-selector', `involvedObject.name=${name}`]);
    return list.items.find((e) => e.reason === reason && e.message === message);
  });
}

const claimYaml = (name: string, storageClassName?: string): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(storageClassName ? { storageClassName } : {}) } });

const podYaml = (name: string, claim: string): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }],
    },
  });

async function waitRunning(name: string): Promise<Pod> {
  return waitFor(`pod ${name} Running`, async () => {
    const p = await getJson<Pod>(['get', 'pod', name]);
    return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
  }, 60_000);
}

describe('local-path storage', () => {
  it('has the default class standard, as kind ships it', async () => {
    const out = await kubectl(['get', 'storageclass']);
    expect(out.split('\n')[0]).toMatch(/^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/);
    expect(out).toMatch(/standard \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\S+/);
  });

  it('binds a claim when its first consumer is placed, and keeps the data across pods', async () => {
    await kubectl(['apply', '-f', '-'], claimYaml('data'));
    const pending = await getJson<PersistentVolumeClaim>(['get', 'pvc', 'data']);
    expect(pending.spec.storageClassName).toBe('standard');
    await waitEvent('data', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    expect(await kubectl(['get', 'pvc', 'data'])).toMatch(/^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\ndata\s+Pending\s+standard\s+<unset>\s+\S+\n$/);

    await kubectl(['apply', '-f', '-'], podYaml('writer', 'data'));
    const pod = await waitRunning('writer');
    const claim = await getJson<PersistentVolumeClaim>(['get', 'pvc', 'data']);
    expect(claim.status?.phase).toBe('Bound');
    expect(claim.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe(pod.spec.nodeName);
    const pv = await getJson<PersistentVolume>(['get', 'pv', claim.spec.volumeName!]);
    expect(pv.metadata.name).toBe(`pvc-${claim.metadata.uid}`);
    expect(pv.spec.claimRef).toMatchObject({ namespace: 'default', name: 'data', uid: claim.metadata.uid });
    expect(pv.spec.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions).toEqual([{ key: 'kubernetes.io/hostname', operator: 'In', values: [pod.spec.nodeName] }]);
    const folder = pv.spec.hostPath!.path!;
    expect(folder).toBe(path.join(cluster.home, 'nodes', pod.spec.nodeName!, 'local-path-provisioner', `pvc-${claim.metadata.uid}_default_data`));
    expect(await kubectl(['get', 'pvc', 'data'])).toMatch(new RegExp(`data\\s+Bound\\s+${pv.metadata.name}\\s+1Gi\\s+RWO\\s+standard\\s+<unset>`));
    expect(await kubectl(['get', 'pv'])).toMatch(new RegExp(`${pv.metadata.name}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+standard\\s+<unset>\\s+\\S+`));

    // what a process in the pod writes lands in the volume's folder
    writeFileSync(path.join(folder, 'note.txt'), 'kept');
    expect(await httpGet(pod.status!.podIP!, 8080, '/fs/data/note.txt', { timeoutMs: 5_000 })).toEqual({ status: 200, body: 'kept' });

    // the claim is protected while the pod uses it
    await kubectl(['delete', 'pvc', 'data', '--wait=false']);
    expect(await kubectl(['get', 'pvc', 'data'])).toMatch(/data\s+Terminating/);

    await kubectl(['delete', 'pod', 'writer', '--wait=true']);
    // the claim goes with its last pod; its volume is released and deleted with its folder (Delete)
    await waitFor('the claim gone', async () => !(await exists(['pvc', 'data'])));
    await waitFor('the volume gone', async () => !(await exists(['pv', pv.metadata.name!])));
    await waitFor('the folder removed', async () => !existsSync(folder));
  });

  it('a pod comes back to its volume, and Retain keeps a released volume and its folder', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'keep' }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' }));
    await kubectl(['apply', '-f', '-'], claimYaml('kept', 'keep'));
    await kubectl(['apply', '-f', '-'], podYaml('first', 'kept'));
    const first = await waitRunning('first');
    const claim = await getJson<PersistentVolumeClaim>(['get', 'pvc', 'kept']);
    const pv = await getJson<PersistentVolume>(['get', 'pv', claim.spec.volumeName!]);
    writeFileSync(path.join(pv.spec.hostPath!.path!, 'state'), 'v1');
    await kubectl(['delete', 'pod', 'first', '--wait=true']);

    await kubectl(['apply', '-f', '-'], podYaml('second', 'kept'));
    const second = await waitRunning('second');
    expect(second.spec.nodeName).toBe(first.spec.nodeName);
    expect(await httpGet(second.status!.podIP!, 8080, '/fs/data/state', { timeoutMs: 5_000 })).toEqual({ status: 200, body: 'v1' });

    await kubectl(['delete', 'pod', 'second', '--wait=true']);
    await kubectl(['delete', 'pvc', 'kept', '--wait=true']);
    await waitFor('the volume Released', async () => (await getJson<PersistentVolume>(['get', 'pv', pv.metadata.name!])).status?.phase === 'Released');
    expect(existsSync(path.join(pv.spec.hostPath!.path!, 'state'))).toBe(true);
    expect(await kubectl(['get', 'pv', pv.metadata.name!])).toMatch(/Retain\s+Released\s+default\/kept\s+keep/);
  });

  it('a pod naming a missing claim is not scheduled, in the scheduler\'s words', async () => {
    await kubectl(['apply', '-f', '-'], podYaml('orphan', 'nope'));
    await waitEvent('orphan', 'FailedScheduling', '0/2 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    await kubectl(['delete', 'pod', 'orphan', '--wait=false']);
  });
});
