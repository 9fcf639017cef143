// Without `--host-processes`, no command from a manifest runs on the user's machine: the same
// manifest as examples/14-host-processes (python3 -m http.server) serves the built-in app, and an
// event on each pod says the command was not run and how to allow it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Pod } from '../../src/api/types.js';
import { markedProcesses } from '../../src/cluster/host-process-leftovers.js';
import { startTestCluster, waitFor, REPO, type TestCluster } from '../support/cluster.js';
import { httpGet } from '../support/http-get.js';

let c: TestCluster;

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  const r = await c.kubectl(['apply', '-f', path.join(REPO, 'examples/14-host-processes/web.yaml')]);
  if (r.code !== 0) throw new Error(r.stderr);
  await c.kubectl(['scale', 'deploy/web', '--replicas=1']);
}, 120_000);
afterAll(async () => {
  await c?.down();
});

describe('a manifest with a command, on a cluster without host processes', () => {
  it('serves the built-in app on the pod IP and runs nothing on the machine', async () => {
    const pod = await waitFor('a ready web pod', async () => {
      const list = await c.client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' });
      return list.items.find((p) => p.status?.containerStatuses?.[0]?.ready);
    }, 60_000);
    const r = await httpGet(pod.status!.podIP!, 8080);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ pod: pod.metadata.name, container: 'http', podIP: pod.status!.podIP, node: 'node-1' });
    expect(markedProcesses((m) => m.startsWith(path.join(c.home, 'nodes') + path.sep))).toEqual([]);

    const event = await waitFor('the CommandNotRun event', async () => {
      const list = await c.client.list<Event>('/api/v1/namespaces/default/events', { fieldSelector: `involvedObject.name=${pod.metadata.name}` });
      return list.items.find((e) => e.reason === 'CommandNotRun');
    });
    expect(event.type).toBe('Normal');
    expect(event.message).toMatch(/^Container http: command \[\/bin\/sh -c printf .+exec python3 -m http\.server "\$PORT" --bind "\$HOST"\n?\] was not run, the built-in app serves instead: this cluster does not run commands from manifests\. To run it as a real process on the pod's IP, start the cluster with loopkube up --host-processes \(or hostProcesses: true in the cluster file\)$/s);
    const describe = await c.kubectl(['describe', 'pod', pod.metadata.name!]);
    expect(describe.stdout).toMatch(/Normal\s+CommandNotRun\s+\S+\s+kubelet\s+Container http: command/);
  });
});
