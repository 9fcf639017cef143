// 03: a ReplicationController recreates a deleted pod. The replacement has a new name and a new
// IP (pod IPs are volatile), it exists before the old pod is gone, and the old IP stops
// answering. The old pod is gone only once it has finished what it was serving; with nothing in
// flight that takes milliseconds, the same time the controller takes to create the replacement,
// so which came first would be luck. An upload in progress keeps the old pod Terminating until
// the replacement is there, as a slow client (or the app's shutdown) does in Kubernetes.
import type { Pod, ReplicationController } from '../api/types.js';
import { attempt, isRefusal, startUpload } from './http.js';
import { isPodReady, podsPath, rcsPath, waitForReadyPods } from './kube.js';
import { applyFile } from './manifests.js';
import type { Scenario } from './types.js';
import { waitUntil } from './wait.js';

export interface PodView {
  name: string;
  ip: string;
  node: string;
}

export interface TimelineEntry {
  /** Order in which the watch reported it (0 first). */
  seq: number;
  /** Milliseconds after the delete request. */
  atMs: number;
  pod: string;
  what: 'terminating' | 'created' | 'ready' | 'upload finished' | 'deleted';
}

export interface RcFindings {
  before: PodView[];
  deleted: PodView;
  replacement: PodView;
  after: PodView[];
  /** What new connections to the old pod IP got after it was gone (e.g. ECONNREFUSED). */
  oldIPOutcome: string;
  /** Whether the replacement answered on its own IP. */
  replacementAnswered: boolean;
  timeline: TimelineEntry[];
  /** rc status.replicas / readyReplicas at the end. */
  rcReplicas: number;
  rcReadyReplicas: number;
}

const view = (p: Pod): PodView => ({ name: p.metadata.name ?? '', ip: p.status?.podIP ?? '', node: p.spec.nodeName ?? '' });

export const rcRecreatesPods: Scenario<RcFindings> = {
  name: 'rc-recreates-pods',
  number: '03',
  title: 'A ReplicationController recreates a deleted pod, with a new name and a new IP',
  claim:
    'when a pod fails, the system deletes it and creates a new one with a different IP (pod IPs are volatile); ' +
    "deleting a controller's pod makes it create a replacement, and the old pod goes away once the new one exists.",
  cluster: { nodes: 1 },
  async run(ctx) {
    const { out, client, namespace } = ctx;
    const nodeIP = new Map(ctx.config.nodes.map((n) => [n.name, n.ip]));

    out.step('Create the ReplicationController web with 3 replicas (rc.yaml)');
    await applyFile(ctx, 'rc.yaml');
    const before = (await waitForReadyPods(ctx, 'app=web', 3)).map(view);
    out.table(['POD', 'IP', 'NODE'], before.map((p) => [p.name, p.ip, p.node]));

    const victim = before[0]!;
    const victimFrom = nodeIP.get(victim.node);
    out.step(`Start an upload to ${victim.name} and leave it sending: the pod has a request in flight`);
    const upload = await startUpload(victim.ip, 8080, { ...(victimFrom ? { from: victimFrom } : {}) });
    out.step(`Delete the pod: kubectl delete pod ${victim.name}`);
    const list = await client.list<Pod>(podsPath(namespace));
    const timeline: TimelineEntry[] = [];
    const readySeen = new Set<string>();
    let t0 = 0;
    const note = (pod: string, what: TimelineEntry['what']): void => {
      if (t0 && !timeline.some((e) => e.pod === pod && e.what === what)) timeline.push({ seq: timeline.length, atMs: Date.now() - t0, pod, what });
    };
    const watch = client.watch<Pod>(
      podsPath(namespace),
      { resourceVersion: list.metadata.resourceVersion ?? '' },
      {
        onEvent(ev) {
          const p = ev.object;
          const name = p.metadata.name ?? '';
          if (ev.type === 'ADDED') note(name, 'created');
          if (ev.type === 'DELETED') note(name, 'deleted');
          else if (p.metadata.deletionTimestamp) note(name, 'terminating');
          else if (isPodReady(p) && !readySeen.has(name)) {
            readySeen.add(name);
            if (!before.some((b) => b.name === name)) note(name, 'ready');
          }
        },
        onClose() {
          // the run ends soon after; a closed watch only shortens the timeline
        },
      },
    );
    let after: PodView[];
    try {
      t0 = Date.now();
      await client.delete(podsPath(namespace, victim.name));
      // The controller does not count a terminating pod: it creates the replacement now, while
      // the old pod still drains the upload (if it waited for the old pod to be gone, this would
      // time out, and the check below says so).
      await waitUntil('the watch to report a replacement pod', () => timeline.some((e) => e.what === 'created'), { timeoutMs: 20_000 }).catch(() => undefined);
      out.step('Finish the upload: the old pod has nothing left to serve, and goes');
      note(victim.name, 'upload finished');
      await upload.finish();
      after = (await waitForReadyPods(ctx, 'app=web', 3)).map(view);
      await waitUntil(`pod ${victim.name} to be gone`, async () => {
        try {
          await client.get<Pod>(podsPath(namespace, victim.name));
          return false;
        } catch (err) {
          return (err as { code?: number }).code === 404;
        }
      });
      await waitUntil('the watch to report the deletion', () => timeline.some((e) => e.what === 'deleted'), { timeoutMs: 5000 }).catch(() => undefined);
    } finally {
      watch.stop();
      await upload.finish();
    }

    const replacement = after.find((p) => !before.some((b) => b.name === p.name));
    if (!replacement) throw new Error(`no replacement pod: the pods are ${after.map((p) => p.name).join(', ')}`);
    out.say('What the watch saw (kubectl get pods -w):');
    out.table(
      ['#', 'AFTER', 'POD', 'EVENT'],
      timeline.map((e) => [e.seq + 1, `${e.atMs} ms`, e.pod, e.what]),
    );
    out.say('The pods now:');
    out.table(
      ['POD', 'IP', 'NODE', ' '],
      after.map((p) => [p.name, p.ip, p.node, p.name === replacement.name ? `<- replaces ${victim.name} (was ${victim.ip})` : ' ']),
    );

    const created = timeline.find((e) => e.pod === replacement.name && e.what === 'created');
    const gone = timeline.find((e) => e.pod === victim.name && e.what === 'deleted');
    ctx.check(
      'the controller creates a replacement with a new name',
      replacement.name !== victim.name && after.length === 3,
      `${victim.name} -> ${replacement.name}`,
    );
    ctx.check(
      'the replacement has a different IP',
      replacement.ip !== victim.ip && !before.some((b) => b.ip === replacement.ip),
      `${victim.ip} -> ${replacement.ip}`,
    );
    ctx.check(
      'the old pod goes away once the new one exists',
      created !== undefined && gone !== undefined && created.seq < gone.seq,
      created && gone
        ? `the watch reported ${replacement.name} created (event ${created.seq + 1}, +${created.atMs} ms) before ${victim.name} was gone (event ${gone.seq + 1}, +${gone.atMs} ms)`
        : `seen: ${timeline.map((e) => `${e.pod} ${e.what}`).join(', ') || 'nothing'}`,
    );

    out.step(`Connect to the old IP and to the new one (from ${replacement.node}'s address)`);
    const from = nodeIP.get(replacement.node);
    const old = await attempt(victim.ip, 8080, { ...(from ? { from } : {}) });
    const fresh = await attempt(replacement.ip, 8080, { ...(from ? { from } : {}) });
    out.table(
      ['ADDRESS', 'RESULT'],
      [
        [`${victim.ip}:8080 (old pod)`, old.ok ? `answered by ${old.answer.pod}` : old.code],
        [`${replacement.ip}:8080 (replacement)`, fresh.ok ? `answered by ${fresh.answer.pod}` : fresh.code],
      ],
    );
    ctx.check('the old IP stops answering', isRefusal(old), old.ok ? `answered by ${old.answer.pod}` : old.code);
    ctx.check('the replacement answers on its new IP', fresh.ok && fresh.answer.pod === replacement.name, fresh.ok ? fresh.answer.pod : fresh.code);

    const rc = await waitUntil('the RC status to count 3 ready replicas', async () => {
      const r = await client.get<ReplicationController>(rcsPath(namespace, 'web'));
      return (r.status?.readyReplicas ?? 0) === 3 && r;
    }).catch(() => client.get<ReplicationController>(rcsPath(namespace, 'web')));
    out.say(`kubectl get rc web: DESIRED ${rc.spec.replicas ?? '?'}, CURRENT ${rc.status?.replicas ?? 0}, READY ${rc.status?.readyReplicas ?? 0}`);

    out.hint(`kubectl get pods -n ${namespace} -o wide -w     # and in other terminals:`);
    out.hint(`curl --interface ${from ?? '127.10.0.1'} -T - http://${replacement.ip}:8080/upload     # an upload in progress; Ctrl-D ends it`);
    out.hint(`kubectl delete pod -n ${namespace} ${replacement.name}`);
    out.hint(`kubectl get events -n ${namespace} --field-selector involvedObject.kind=ReplicationController`);
    return {
      before,
      deleted: victim,
      replacement,
      after,
      oldIPOutcome: old.ok ? `answered by ${old.answer.pod}` : old.code,
      replacementAnswered: fresh.ok && fresh.answer.pod === replacement.name,
      timeline,
      rcReplicas: rc.status?.replicas ?? 0,
      rcReadyReplicas: rc.status?.readyReplicas ?? 0,
    };
  },
};
