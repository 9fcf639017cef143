// The endpoints and EndpointSlice controllers: for every Service with a selector, an Endpoints
// object of the same name (endpoint-subsets.ts) and EndpointSlices `<svc>-<5 chars>`
// (endpoint-slices.ts), kept in step with the pods the selector picks. A pod event enqueues
// the services selecting it (old and new labels), so a pod turning ready or going away shows in
// the slices at once, or, with an endpoint updates batch period (propagation.ts), that long after
// the first change, together with every change that arrived meanwhile (upstream's
// queue.AddAfter(key, endpointUpdatesBatchPeriod) for pod events; Service events are not
// delayed). Objects are written only when their content changes. Services without a
// selector are left alone: their Endpoints and EndpointSlices belong to the user.
import { objectKey, resourcePath, splitObjectKey } from '../api/paths.js';
import type { EndpointSlice, Endpoints, Pod, Service } from '../api/types.js';
import { semanticEqual } from '../api/semantic-equal.js';
import { createWorkQueue } from '../client/workqueue.js';
import { endpointLabels, selectsPod, servesEndpoints } from './endpoint-pods.js';
import { desiredEndpoints, isManagedSliceOf, MANAGED_BY, MANAGED_BY_LABEL, planSlices, SERVICE_NAME_LABEL } from './endpoint-slices.js';
import { desiredSubsets } from './endpoint-subsets.js';
import { isPodReady, isConflict, isNotFound } from './pods.js';
import type { Controller, ControllerContext } from './types.js';
import { propagationOf } from '../cluster/propagation.js';
import { createWrittenObjects } from './written-objects.js';
import { ENDPOINTS } from '../kinds/endpoints/resource.js';
import { ENDPOINT_SLICES as SLICES } from '../kinds/endpointslice/resource.js';
import { PODS } from '../kinds/pod/resource.js';
import { SERVICES } from '../kinds/service/resource.js';


/** What of a pod its endpoints depend on: a pod update that changes none of it is ignored. */
function endpointFingerprint(pod: Pod): string {
  return JSON.stringify([
    pod.status?.podIP,
    pod.status?.podIPs,
    pod.status?.phase,
    isPodReady(pod),
    pod.metadata.deletionTimestamp ?? null,
    pod.spec.nodeName,
    pod.spec.hostname,
    pod.spec.subdomain,
    pod.spec.containers?.map((c) => c.ports),
    pod.metadata.uid,
  ]);
}

export function startEndpointsController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'endpoints' });
  const pods = ctx.informers.forResource<Pod>(PODS);
  const services = ctx.informers.forResource<Service>(SERVICES);
  const endpoints = ctx.informers.forResource<Endpoints>(ENDPOINTS);
  const slices = ctx.informers.forResource<EndpointSlice>(SLICES);
  const writtenEndpoints = createWrittenObjects<Endpoints>();
  const writtenSlices = createWrittenObjects<EndpointSlice>();

  const podsOf = (service: Service): Pod[] => pods.list().filter((p) => selectsPod(service, p));

  async function syncEndpoints(service: Service, selected: Pod[]): Promise<void> {
    const key = objectKey(service.metadata);
    const current = writtenEndpoints.get(key, endpoints.get(key));
    const subsets = desiredSubsets(service, selected);
    const labels = endpointLabels(service);
    if (current && semanticEqual(current.subsets ?? [], subsets) && semanticEqual(current.metadata.labels ?? {}, labels)) return;
    const ns = service.metadata.namespace;
    const name = service.metadata.name!;
    if (!current) {
      try {
        const created = await client.create<Endpoints>(resourcePath(ENDPOINTS, ns), {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name, namespace: ns, labels },
          subsets,
        });
        writtenEndpoints.wrote(created);
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        // It exists after all (our cache lags): update it below.
      }
    }
    const base = current ?? (await client.get<Endpoints>(resourcePath(ENDPOINTS, ns, name)));
    const next: Endpoints = { ...base, metadata: { ...base.metadata, labels }, subsets };
    try {
      writtenEndpoints.wrote(await client.update<Endpoints>(resourcePath(ENDPOINTS, ns, name), next));
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
      // Changed or removed under us: read it live and try again.
      let live: Endpoints | undefined;
      try {
        live = await client.get<Endpoints>(resourcePath(ENDPOINTS, ns, name));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (live) writtenEndpoints.wrote(await client.update<Endpoints>(resourcePath(ENDPOINTS, ns, name), { ...live, metadata: { ...live.metadata, labels }, subsets }));
      else writtenEndpoints.wrote(await client.create<Endpoints>(resourcePath(ENDPOINTS, ns), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels }, subsets }));
    }
  }

  function managedSlices(ns: string | undefined, name: string): EndpointSlice[] {
    return writtenSlices.list(slices.list(), (s) => isManagedSliceOf(s, ns, name));
  }

  async function syncSlices(service: Service, selected: Pod[]): Promise<void> {
    const ns = service.metadata.namespace;
    const existing = managedSlices(ns, service.metadata.name!);
    const plan = planSlices(service, desiredEndpoints(service, selected), existing);
    // Deletes first, creates last: the service never has two copies of an endpoint for long.
    for (const s of plan.delete) {
      try {
        await client.delete(resourcePath(SLICES, ns, s.metadata.name));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      writtenSlices.deleted(s);
    }
    for (const s of plan.update) {
      try {
        writtenSlices.wrote(await client.update<EndpointSlice>(resourcePath(SLICES, ns, s.metadata.name), s));
      } catch (err) {
        if (isNotFound(err)) {
          writtenSlices.deleted(s);
          queue.add(objectKey(service.metadata));
          continue;
        }
        throw err;
      }
    }
    for (const s of plan.create) writtenSlices.wrote(await client.create<EndpointSlice>(resourcePath(SLICES, ns), s));
  }

  /** The service is gone: its Endpoints go (as upstream), its slices go (the garbage collector would too). */
  async function cleanUp(ns: string | undefined, name: string): Promise<void> {
    const key = objectKey({ namespace: ns, name });
    const ep = writtenEndpoints.get(key, endpoints.get(key));
    if (ep) {
      try {
        await client.delete(resourcePath(ENDPOINTS, ns, name), { preconditions: { uid: ep.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      writtenEndpoints.deleted(ep);
    }
    for (const s of managedSlices(ns, name)) {
      try {
        await client.delete(resourcePath(SLICES, ns, s.metadata.name));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      writtenSlices.deleted(s);
    }
  }

  /** Services deleted since we last looked (only their deletion makes us remove Endpoints). */
  const deletedServices = new Set<string>();

  const queue = createWorkQueue(
    'endpoints',
    async (key) => {
      await Promise.all([pods.synced(), services.synced(), endpoints.synced(), slices.synced()]);
      const service = services.get(key);
      if (!service) {
        if (deletedServices.delete(key)) {
          const { namespace, name } = splitObjectKey(key);
          await cleanUp(namespace, name);
        }
        return;
      }
      if (!servesEndpoints(service)) return;
      const selected = podsOf(service);
      await Promise.all([syncEndpoints(service, selected), syncSlices(service, selected)]);
    },
    { logger: log, concurrency: 4 },
  );

  const enqueueService = (s: Service): void => queue.add(objectKey(s.metadata));
  const batchMs = propagationOf(ctx.config).endpointUpdatesBatchPeriodMs;
  const batching = new Map<string, NodeJS.Timeout>();
  /** A pod change: the service is synced after the batch period (a key already waiting keeps its time, as client-go's AddAfter). */
  const enqueueAfterPodChange = (s: Service): void => {
    const key = objectKey(s.metadata);
    if (batchMs <= 0) {
      queue.add(key);
      return;
    }
    if (batching.has(key)) return;
    const t = setTimeout(() => {
      batching.delete(key);
      queue.add(key);
    }, batchMs);
    batching.set(key, t);
  };
  const servicesSelecting = (pod: Pod): Service[] =>
    services.list().filter((s) => s.metadata.namespace === pod.metadata.namespace && servesEndpoints(s) && selectsPod(s, pod));

  services.addHandlers({
    add: enqueueService,
    update: (_old, s) => enqueueService(s),
    delete: (s) => {
      const key = objectKey(s.metadata);
      deletedServices.add(key);
      queue.add(key);
    },
  });
  pods.addHandlers({
    add: (pod) => servicesSelecting(pod).forEach(enqueueAfterPodChange),
    update: (old, pod) => {
      const labelsChanged = !semanticEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {});
      if (!labelsChanged && endpointFingerprint(old) === endpointFingerprint(pod)) return;
      const affected = new Set([...servicesSelecting(pod), ...(labelsChanged ? servicesSelecting(old) : [])]);
      affected.forEach(enqueueAfterPodChange);
    },
    delete: (pod) => servicesSelecting(pod).forEach(enqueueAfterPodChange),
  });
  // Someone else changed or removed what we manage: put it back.
  endpoints.addHandlers({
    update: (_old, ep) => queue.add(objectKey(ep.metadata)),
    delete: (ep) => {
      writtenEndpoints.observedDeletion(ep);
      queue.add(objectKey(ep.metadata));
    },
  });
  const sliceOwner = (s: EndpointSlice): string | undefined => {
    const l = s.metadata.labels ?? {};
    return l[MANAGED_BY_LABEL] === MANAGED_BY && l[SERVICE_NAME_LABEL] ? objectKey({ namespace: s.metadata.namespace, name: l[SERVICE_NAME_LABEL] }) : undefined;
  };
  slices.addHandlers({
    update: (old, s) => {
      const key = sliceOwner(s) ?? sliceOwner(old);
      if (key) queue.add(key);
    },
    delete: (s) => {
      writtenSlices.observedDeletion(s);
      const key = sliceOwner(s);
      if (key) queue.add(key);
    },
  });

  return {
    name: 'endpoints',
    stop: () => {
      for (const t of batching.values()) clearTimeout(t);
      batching.clear();
      queue.stop();
    },
  };
}
