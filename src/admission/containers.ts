// Containers: upstream's SetDefaults_Container and validateContainers / validateInitContainers,
// plus loopkube's rule that no port is used twice within a pod.
import type { Container, ContainerPort } from '../api/types.js';
import type { FieldError } from './field-errors.js';
import { duplicate, forbidden, invalid, notSupported, required } from './field-errors.js';
import { child, index } from './field-path.js';
import { isDNS1123Label } from './names.js';
import { isValidPortName, isValidPortNum, validateProtocol } from './ports.js';
import type { ProbeKind } from './probes.js';
import { defaultProbe, validateProbe } from './probes.js';
import { canonicalResourceList } from './resource-lists.js';
import { validateContainerResources } from './resources.js';
import { defaultEnv, validateEnv, validateEnvFrom } from './env.js';
import { validateVolumeMounts } from './volumes.js';
import { defaultLifecycle, validateLifecycle } from './lifecycle.js';

type ContainerShape = Container & { restartPolicy?: string; lifecycle?: unknown };

const PROBES: ProbeKind[] = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** The image's tag, `latest` when it has neither tag nor digest (upstream's ParseImageName). */
function imageTag(image: string): string {
  let name = image;
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
  }
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return name.slice(colon + 1);
  return digest ? '' : 'latest';
}

export function defaultContainer(c: Container, kind: string): void {
  if (!c || typeof c !== 'object') return;
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  defaultLifecycle(c.lifecycle);
  for (const p of c.ports ?? []) if (p && !p.protocol) p.protocol = 'TCP';
  for (const probe of PROBES) defaultProbe(c[probe]);
  defaultEnv(c.env);
  if (c.resources) {
    const limits = canonicalResourceList(c.resources.limits, kind);
    const requests = canonicalResourceList(c.resources.requests, kind);
    if (limits !== undefined) c.resources.limits = limits;
    if (requests !== undefined) c.resources.requests = requests;
  }
}

/** Pods (not templates): requests default to the limits (upstream's SetDefaults_Pod). */
export function defaultRequestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits) return;
  const requests = (c.resources!.requests ??= {});
  for (const [name, value] of Object.entries(limits)) if (!(name in requests)) requests[name] = value;
}

function validateContainerPorts(ports: ContainerPort[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const path = index(field, i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(child(path, 'name'), port.name, m)));
      else if (names.has(port.name)) errs.push(duplicate(child(path, 'name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(child(path, 'containerPort'), ''));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => invalid(child(path, 'containerPort'), port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(child(path, 'hostPort'), port.hostPort, m)));
    errs.push(...validateProtocol(port.protocol, child(path, 'protocol')));
  });
  return errs;
}

function validateContainerCommon(c: ContainerShape, path: string, volumes: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(child(path, 'name'), ''));
  else errs.push(...isDNS1123Label(c.name).map((m) => invalid(child(path, 'name'), c.name, m)));
  if (!c.image) errs.push(required(child(path, 'image'), ''));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(child(path, 'terminationMessagePolicy'), ''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(child(path, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateContainerPorts(c.ports, child(path, 'ports')));
  errs.push(...validateEnv(c.env, child(path, 'env')), ...validateEnvFrom(c.envFrom, child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, child(path, 'volumeMounts')));
  const pull = c.imagePullPolicy;
  if (!pull) errs.push(required(child(path, 'imagePullPolicy'), ''));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) {
    errs.push(notSupported(child(path, 'imagePullPolicy'), pull, ['Always', 'IfNotPresent', 'Never']));
  }
  errs.push(...validateContainerResources(c.resources, child(path, 'resources')));
  return errs;
}

/** Host ports may not collide (upstream's checkHostPortConflicts). */
function checkHostPortConflicts(containers: Container[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((p, pi) => {
      if (!p.hostPort) return;
      const k = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(k)) errs.push(duplicate(child(index(child(index(field, ci), 'ports'), pi), 'hostPort'), k));
      else seen.add(k);
    });
  });
  return errs;
}

/**
 * loopkube runs every container of a pod on the pod's one IP, so a containerPort/protocol may
 * appear only once in the pod. Upstream only warns ("duplicate port definition with ..."); here
 * it is an error, worded with upstream's warning.
 */
function checkContainerPortConflicts(containers: Container[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((p, pi) => {
      if (!p.containerPort) return;
      const k = `${p.containerPort}/${p.protocol ?? 'TCP'}`;
      const path = index(child(index(field, ci), 'ports'), pi);
      const first = seen.get(k);
      if (first) errs.push({ ...duplicate(path, k), detail: `duplicate port definition with ${first}` });
      else seen.set(k, path);
    });
  });
  return errs;
}

export function validateContainers(containers: Container[] | undefined, field: string, volumes: ReadonlySet<string> = new Set(), gracePeriod?: number): FieldError[] {
  if (!Array.isArray(containers) || containers.length === 0) return [required(field, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c0, i) => {
    const c = c0 as ContainerShape;
    const path = index(field, i);
    errs.push(...validateContainerCommon(c, path, volumes));
    if (names.has(c.name)) errs.push(duplicate(child(path, 'name'), c.name));
    else names.add(c.name);
    for (const probe of PROBES) errs.push(...validateProbe(c[probe], probe, child(path, probe)));
    errs.push(...validateLifecycle(c.lifecycle, gracePeriod, child(path, 'lifecycle')));
    if (c.restartPolicy !== undefined) errs.push(forbidden(child(path, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, field));
  errs.push(...checkContainerPortConflicts(containers, field));
  return errs;
}

export function validateInitContainers(init: Container[] | undefined, regular: Container[] | undefined, field: string, volumes: ReadonlySet<string> = new Set()): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => c.name));
  (init ?? []).forEach((c0, i) => {
    const c = c0 as ContainerShape;
    const path = index(field, i);
    errs.push(...validateContainerCommon(c, path, volumes));
    let restartAlways = false;
    if (c.restartPolicy !== undefined) {
      if (c.restartPolicy === 'Always') restartAlways = true;
      else errs.push(notSupported(child(path, 'restartPolicy'), c.restartPolicy, ['Always']));
    }
    if (names.has(c.name)) errs.push(duplicate(child(path, 'name'), c.name));
    else if (c.name) names.add(c.name);
    errs.push(...checkHostPortConflicts([c], field));
    if (restartAlways) {
      for (const probe of PROBES) errs.push(...validateProbe(c[probe], probe, child(path, probe)));
    } else {
      if (c.lifecycle !== undefined) errs.push(forbidden(child(path, 'lifecycle'), 'may not be set for init containers without restartPolicy=Always'));
      for (const probe of PROBES) {
        if (c[probe] !== undefined) errs.push(forbidden(child(path, probe), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

/** Pods only (not templates): images may not carry surrounding whitespace. */
export function validateImagesForPod(containers: Container[] | undefined, field: string): FieldError[] {
  return (containers ?? []).flatMap((c, i) =>
    c.image && c.image.trim() !== c.image ? [invalid(child(index(field, i), 'image'), c.image, 'must not have leading or trailing whitespace')] : [],
  );
}
