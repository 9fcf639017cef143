// 09: two Services behind one Ingress, by host and by path, through the built-in ingress
// controller: shop.example/ -> web (round-robin per request over its 2 pods), shop.example/api/...
// -> api (a longer prefix, whole path elements: /apiary stays with web), any *.api.example -> api,
// an unknown host -> the default backend's 404; the controller's address is in the status.
import type { Ingress } from '../api/networking.js';
import { resourcePath } from '../api/paths.js';
import { expectedIngressPorts, ingressAddress } from '../ingress/address.js';
import { INGRESSES } from '../kinds/ingress/resource.js';
import { attempt, spread, type Spread } from './http.js';
import { waitForEndpoints, waitForReadyPods } from './kube.js';
import { applyFile } from './manifests.js';
import { formatCounts, waitUntilServedBy } from './traffic.js';
import type { Scenario } from './types.js';
import { waitUntil } from './wait.js';

export interface IngressFindings {
  address: string;
  port: number;
  statusAddress: string;
  ingressClassName: string;
  /** Requests per pod, by `host path`. */
  spreads: Record<string, Spread>;
  unknownHost: string;
}

export const REQUESTS = 20;

export const ingressHostsAndPaths: Scenario<IngressFindings> = {
  name: 'ingress-hosts-and-paths',
  number: '12',
  title: 'Ingress: two Services behind one address, by host name and by path',
  claim: 'An Ingress routes HTTP by host and path to Services: the longest matching path wins, a wildcard host matches one label, and each request goes to a ready pod of the Service.',
  cluster: { nodes: 1 },
  async run(ctx) {
    const { out } = ctx;
    const address = ingressAddress(ctx.config.loadBalancerPool) ?? '';
    const port = expectedIngressPorts().http;
    out.step('Create the Deployments web (2 pods) and api (1 pod), their Services and the Ingress site (site.yaml)');
    await applyFile(ctx, 'site.yaml');
    const web = (await waitForReadyPods(ctx, 'app=web', 2)).map((p) => p.metadata.name ?? '');
    const api = (await waitForReadyPods(ctx, 'app=api', 1)).map((p) => p.metadata.name ?? '');
    await waitForEndpoints(ctx, 'web', web);
    await waitForEndpoints(ctx, 'api', api);
    const ing = await waitUntil('the ingress address in the status', async () => {
      const i = await ctx.client.get<Ingress>(resourcePath(INGRESSES, ctx.namespace, 'site'));
      return i.status?.loadBalancer?.ingress?.[0]?.ip ? i : undefined;
    });
    const statusAddress = ing.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
    out.say(`ingress/site: class ${ing.spec.ingressClassName ?? '<none>'}, address ${statusAddress}, served on ${address}:${port}`);
    ctx.check('the Ingress gets the default class and the controller address', ing.spec.ingressClassName === 'loopkube' && statusAddress === address, `class ${ing.spec.ingressClassName}, address ${statusAddress}`);

    await waitUntilServedBy(address, port, web, { hostHeader: 'shop.example' });
    const spreads: Record<string, Spread> = {};
    for (const [host, path] of [['shop.example', '/'], ['shop.example', '/api/orders'], ['shop.example', '/apiary'], ['v2.api.example', '/']] as const) {
      out.step(`${REQUESTS} requests to http://${host}${path} (Host: ${host}, sent to ${address}:${port})`);
      spreads[`${host} ${path}`] = await spread(REQUESTS, address, port, { hostHeader: host, path });
      out.say(formatCounts(spreads[`${host} ${path}`]!.pods));
    }
    const only = (s: Spread | undefined, pods: string[]): boolean => !!s && s.answers.length === REQUESTS && Object.keys(s.pods).every((p) => pods.includes(p));
    ctx.check('shop.example/ goes to web, round-robin per request over its pods', only(spreads['shop.example /'], web) && Object.values(spreads['shop.example /']!.pods).every((n) => n === REQUESTS / web.length), formatCounts(spreads['shop.example /']?.pods ?? {}));
    ctx.check('the longer prefix /api takes /api/orders to api', only(spreads['shop.example /api/orders'], api), formatCounts(spreads['shop.example /api/orders']?.pods ?? {}));
    ctx.check('a prefix matches whole path elements: /apiary stays with web', only(spreads['shop.example /apiary'], web), formatCounts(spreads['shop.example /apiary']?.pods ?? {}));
    ctx.check('*.api.example matches v2.api.example', only(spreads['v2.api.example /'], api), formatCounts(spreads['v2.api.example /']?.pods ?? {}));
    const unknown = await attempt(address, port, { hostHeader: 'nowhere.example' });
    const unknownHost = unknown.ok ? `answered by ${unknown.answer.pod}` : unknown.code;
    ctx.check('an unknown host gets the default backend 404', unknownHost === 'HTTP 404', unknownHost);

    out.hint(`curl -H 'Host: shop.example' http://${address}:${port}/api/orders`);
    out.hint(`kubectl get ingress -n ${ctx.namespace}`);
    return { address, port, statusAddress, ingressClassName: ing.spec.ingressClassName ?? '', spreads, unknownHost };
  },
};
