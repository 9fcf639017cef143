// 02: labels classify pods and selectors pick them: equality and set-based selectors as
// `kubectl get pods -l` uses them, and a Service that sends traffic only to the pods its
// selector matches (a pod relabelled into the selection starts taking its share).
import type { Pod, Service } from '../api/types.js';
import { spread, type Spread } from './http.js';
import { listPods, podsPath, waitForEndpoints, waitForReadyPods } from './kube.js';
import { applyFile } from './manifests.js';
import { evenlyOver, formatCounts, printSpreads, waitUntilServedBy } from './traffic.js';
import type { Scenario } from './types.js';

export interface Selection {
  selector: string;
  expected: string[];
  matched: string[];
}

export interface LabelsFindings {
  selections: Selection[];
  /** The Service's endpoints and 20 connections through its ClusterIP, before the relabel. */
  before: { endpoints: string[]; spread: Spread };
  /** After `kubectl label pod web-canary env=prod --overwrite`: 30 connections. */
  after: { endpoints: string[]; spread: Spread };
}

/** The selectors shown, and the pods of pods.yaml each must pick. */
export const SELECTIONS: ReadonlyArray<{ selector: string; expected: string[]; says: string }> = [
  { selector: 'app=web', expected: ['web-1', 'web-2', 'web-canary'], says: 'equality' },
  { selector: 'app=web,env=prod', expected: ['web-1', 'web-2'], says: 'both must hold' },
  { selector: 'env!=prod', expected: ['web-canary'], says: 'inequality' },
  { selector: 'env in (canary,staging)', expected: ['web-canary'], says: 'set-based: in' },
  { selector: 'app notin (web),tier', expected: ['api-1'], says: 'set-based: notin, and the key exists' },
  { selector: '!tier', expected: [], says: 'the key is absent' },
];

export const labelsAndSelectors: Scenario<LabelsFindings> = {
  name: 'labels-and-selectors',
  number: '02',
  title: 'Labels classify pods; selectors pick them',
  claim: 'any object can carry labels (key: value, many per object); labels classify objects and let other objects select them.',
  cluster: { nodes: 1 },
  async run(ctx) {
    const { out } = ctx;
    const from = ctx.config.nodes[0]!.ip;

    out.step('Create four labelled pods (pods.yaml)');
    await applyFile(ctx, 'pods.yaml');
    const pods = await waitForReadyPods(ctx, '', 4);
    out.table(
      ['POD', 'LABELS', 'IP'],
      pods.map((p) => [
        p.metadata.name,
        Object.entries(p.metadata.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        p.status?.podIP,
      ]),
    );

    out.step('Select them by label, as kubectl get pods -l SELECTOR does (the API server evaluates the selector)');
    const selections: Selection[] = [];
    for (const s of SELECTIONS) {
      const matched = (await listPods(ctx, s.selector)).map((p) => p.metadata.name ?? '');
      selections.push({ selector: s.selector, expected: s.expected, matched });
    }
    out.table(
      ['SELECTOR', 'MATCHES', 'KIND OF RULE'],
      selections.map((s, i) => [`-l '${s.selector}'`, s.matched.join(' ') || '(none)', SELECTIONS[i]!.says]),
    );
    const wrong = selections.filter((s) => s.matched.join(',') !== s.expected.join(','));
    ctx.check(
      'equality and set-based selectors pick exactly the labelled pods',
      wrong.length === 0,
      wrong.length ? wrong.map((s) => `${s.selector} matched [${s.matched.join(' ')}], expected [${s.expected.join(' ')}]`).join('; ') : `${selections.length} selectors`,
    );

    out.step('Create the Service web-prod (service.yaml), selector app=web,env=prod');
    const [svc] = (await applyFile(ctx, 'service.yaml')) as Service[];
    const ip = svc!.spec.clusterIP!;
    const port = svc!.spec.ports![0]!.port;
    const endpointsBefore = await waitForEndpoints(ctx, 'web-prod', ['web-1', 'web-2']);
    out.say(`Its endpoints are the pods the selector matches: ${endpointsBefore.join(', ')}`);
    await waitUntilServedBy(ip, port, endpointsBefore, { from });
    const before = await spread(20, ip, port, { from });
    out.say(`20 new connections to ${ip}:${port} (from ${from}):`);
    printSpreads(out, [{ label: 'ANSWERS', spread: before }], pods.map((p) => ({ name: p.metadata.name ?? '' })));
    ctx.check(
      'the Service sends traffic only to the pods its labels select',
      evenlyOver(before.pods, ['web-1', 'web-2'], 10),
      formatCounts(before.pods),
    );

    out.step('Relabel web-canary into production: kubectl label pod web-canary env=prod --overwrite');
    await ctx.client.patch<Pod>(podsPath(ctx.namespace, 'web-canary'), { metadata: { labels: { env: 'prod' } } }, 'merge');
    const endpointsAfter = await waitForEndpoints(ctx, 'web-prod', ['web-1', 'web-2', 'web-canary']);
    out.say(`The selector now matches it, and it joins the endpoints: ${endpointsAfter.join(', ')}`);
    await waitUntilServedBy(ip, port, endpointsAfter, { from });
    const after = await spread(30, ip, port, { from });
    out.say(`30 new connections to ${ip}:${port}:`);
    printSpreads(out, [{ label: 'ANSWERS', spread: after }], pods.map((p) => ({ name: p.metadata.name ?? '' })));
    ctx.check(
      'a pod relabelled into the selection takes its share of the traffic',
      evenlyOver(after.pods, ['web-1', 'web-2', 'web-canary'], 10),
      formatCounts(after.pods),
    );

    out.hint(`kubectl get pods -n ${ctx.namespace} --show-labels`);
    out.hint(`kubectl get pods -n ${ctx.namespace} -l 'env in (canary,staging)'`);
    out.hint(`kubectl describe svc -n ${ctx.namespace} web-prod`);
    out.hint(`curl --interface ${from} http://${ip}:${port}/`);
    return { selections, before: { endpoints: endpointsBefore, spread: before }, after: { endpoints: endpointsAfter, spread: after } };
  },
};
