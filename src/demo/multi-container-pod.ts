// 01: a pod with two containers that expose distinct ports on the pod's one IP (one container
// with two ports), and a pod whose containers expose the same port, rejected with Kubernetes'
// wording.
import { ApiError } from '../api/errors.js';
import type { Pod } from '../api/types.js';
import { attempt } from './http.js';
import { podsPath, waitForReadyPod } from './kube.js';
import { createObject, manifest } from './manifests.js';
import type { Scenario } from './types.js';

export interface PortAnswer {
  port: number;
  /** The container the manifest puts on this port. */
  expectedContainer: string;
  /** Who answered ('' when nothing did). */
  container: string;
  podIP: string;
  error?: string;
}

export interface MultiContainerFindings {
  pod: string;
  podIP: string;
  node: string;
  answers: PortAnswer[];
  /** The API server's answer to the clashing pod (null if it was accepted). */
  rejection: { code: number; reason: string; message: string } | null;
  /** The clashing pod exists after all. */
  clashCreated: boolean;
}

export const multiContainerPod: Scenario<MultiContainerFindings> = {
  name: 'multi-container-pod',
  number: '01',
  title: 'A pod with two containers, each on its own ports',
  claim:
    'a pod holds one container, or several that must work together; a container may expose several ports, ' +
    'but two containers of one pod must not expose the same port.',
  cluster: { nodes: 1 },
  async run(ctx) {
    const { out } = ctx;
    const [podManifest] = manifest(ctx, 'pod.yaml') as Pod[];
    const from = ctx.config.nodes[0]!.ip;

    out.step('Create the pod two-containers (pod.yaml): container web on 8080 and 8081, container sidecar on 9090');
    await createObject(ctx, podManifest!);
    const pod = await waitForReadyPod(ctx, podManifest!.metadata.name!);
    const podIP = pod.status!.podIP!;
    const node = pod.spec.nodeName ?? '';
    out.say(`It runs on ${node} with one IP for both containers: ${podIP}`);

    out.step(`Ask each port of ${podIP}, from ${ctx.config.nodes[0]!.name}'s address ${from} (inside the cluster)`);
    const answers: PortAnswer[] = [];
    for (const c of pod.spec.containers) {
      for (const p of c.ports ?? []) {
        const a = await attempt(podIP, p.containerPort, { from });
        answers.push(
          a.ok
            ? { port: p.containerPort, expectedContainer: c.name, container: a.answer.container, podIP: a.answer.podIP }
            : { port: p.containerPort, expectedContainer: c.name, container: '', podIP: '', error: a.code },
        );
      }
    }
    out.table(
      ['ADDRESS', 'ANSWERED BY CONTAINER', 'POD IP IT REPORTS'],
      answers.map((a) => [`${podIP}:${a.port}`, a.container || `(${a.error})`, a.podIP]),
    );
    const containers = new Set(answers.map((a) => a.container).filter(Boolean));
    ctx.check(
      'each container answers on its own ports of the same pod IP',
      answers.every((a) => a.container === a.expectedContainer && a.podIP === podIP),
      answers.map((a) => `${a.port} -> ${a.container || a.error} (expected ${a.expectedContainer})`).join(', '),
    );
    ctx.check(
      'one container exposes several ports',
      answers.filter((a) => a.container === 'web').length >= 2,
      `web answered on ${answers.filter((a) => a.container === 'web').map((a) => a.port).join(' and ') || 'no port'}`,
    );
    ctx.check('two containers work side by side in one pod', containers.size === 2, `answers came from ${[...containers].join(' and ') || 'nobody'}`);

    out.step('Create the pod clash (clash.yaml): containers web and sidecar both on 8080');
    const [clash] = manifest(ctx, 'clash.yaml') as Pod[];
    let rejection: MultiContainerFindings['rejection'] = null;
    try {
      await createObject(ctx, clash!);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      rejection = { code: err.code, reason: err.reason, message: err.message };
      out.say(`The API server refuses it (${err.code} ${err.reason}):`);
      out.say(`  ${err.message}`);
    }
    let clashCreated = false;
    try {
      await ctx.client.get<Pod>(podsPath(ctx.namespace, clash!.metadata.name));
      clashCreated = true;
    } catch (err) {
      if ((err as ApiError).code !== 404) throw err;
    }
    ctx.check(
      'a pod whose two containers expose the same port is rejected',
      rejection !== null && rejection.code === 422 && /duplicate port definition/.test(rejection.message) && !clashCreated,
      rejection ? `${rejection.code} ${rejection.reason}${clashCreated ? ', yet the pod exists' : ', nothing created'}` : 'the pod was accepted',
    );

    out.hint(`curl --interface ${from} http://${podIP}:8080/   # container web`);
    out.hint(`curl --interface ${from} http://${podIP}:9090/   # container sidecar`);
    out.hint(`kubectl apply -n ${ctx.namespace} -f examples/01-multi-container-pod/clash.yaml   # rejected`);
    return { pod: pod.metadata.name!, podIP, node, answers, rejection, clashCreated };
  },
};
