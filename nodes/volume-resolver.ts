// What a pod's volume holds, as kubelet's volume plugins set it up: a configMap or secret volume
// projects the object's keys (or the items it names) as files, a downwardAPI volume the pod's own
// fields, a projected volume several of these together. A missing object or key fails the
// set-up with the plugin's words (`configmap "x" not found`, `configmap references non-existent
// config key: k`) unless it is optional. Other sources (emptyDir, hostPath, claims...) start empty.
import type { ConfigMapVolumeSource, DownwardAPIVolumeFile, KeyToPath, Volume } from '../src/api/config.js';
import type { Pod } from '../src/api/types.js';
import type { ConfigSources } from './config-sources.js';
import { podFieldValue } from './env-resolver.js';

/** A volume's files: path relative to the mount -> content. */
export type VolumeFiles = Map<string, Buffer>;

export type VolumeResult = { files: VolumeFiles } | { error: string };

interface Ctx {
  pod: Pod;
  podIP: string;
  nodeIP: string;
  sources: ConfigSources;
}

/** fieldpath.FormatMap: `key="value"` lines, keys sorted, values Go-quoted. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** Keys to files: every key, or just the items (a missing item key is an error unless optional). */
function project(all: Map<string, Buffer>, items: KeyToPath[] | undefined, optional: boolean, missingKey: (k: string) => string, into: VolumeFiles): string | undefined {
  if (!items?.length) {
    for (const [k, v] of all) into.set(k, v);
    return undefined;
  }
  for (const item of items) {
    const v = all.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      return missingKey(item.key);
    }
    into.set(item.path, v);
  }
  return undefined;
}

function configMapFiles(src: ConfigMapVolumeSource, ctx: Ctx, into: VolumeFiles): string | undefined {
  const name = src.name ?? '';
  const cm = ctx.sources.configMap(ctx.pod.metadata.namespace ?? 'default', name);
  const optional = src.optional === true;
  if (!cm) return optional ? undefined : `configmap "${name}" not found`;
  const all = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) all.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) all.set(k, Buffer.from(v, 'base64'));
  return project(all, src.items, optional, (k) => `configmap references non-existent config key: ${k}`, into);
}

function secretFiles(name: string, items: KeyToPath[] | undefined, optional: boolean, ctx: Ctx, into: VolumeFiles): string | undefined {
  const secret = ctx.sources.secret(ctx.pod.metadata.namespace ?? 'default', name);
  if (!secret) return optional ? undefined : `secret "${name}" not found`;
  const all = new Map<string, Buffer>(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  return project(all, items, optional, (k) => `references non-existent secret key: ${k}`, into);
}

function downwardFiles(items: DownwardAPIVolumeFile[] | undefined, ctx: Ctx, into: VolumeFiles): void {
  for (const item of items ?? []) {
    const path = item.fieldRef?.fieldPath;
    if (!path) continue;
    let text: string;
    if (path === 'metadata.labels') text = formatMap(ctx.pod.metadata.labels);
    else if (path === 'metadata.annotations') text = formatMap(ctx.pod.metadata.annotations);
    else text = podFieldValue(path, ctx);
    into.set(item.path, Buffer.from(text, 'utf8'));
  }
}

export function resolveVolume(volume: Volume, ctx: Ctx): VolumeResult {
  const files: VolumeFiles = new Map();
  const fail = (errors: string[]): VolumeResult => ({ error: errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]` });
  if (volume.configMap) {
    const err = configMapFiles(volume.configMap, ctx, files);
    return err ? fail([err]) : { files };
  }
  if (volume.secret) {
    const err = secretFiles(volume.secret.secretName ?? '', volume.secret.items, volume.secret.optional === true, ctx, files);
    return err ? fail([err]) : { files };
  }
  if (volume.downwardAPI) {
    downwardFiles(volume.downwardAPI.items, ctx, files);
    return { files };
  }
  if (volume.projected) {
    const errors: string[] = [];
    for (const s of volume.projected.sources ?? []) {
      let err: string | undefined;
      if (s.configMap) err = configMapFiles(s.configMap, ctx, files);
      else if (s.secret) err = secretFiles(s.secret.name ?? '', s.secret.items, s.secret.optional === true, ctx, files);
      else if (s.downwardAPI) downwardFiles(s.downwardAPI.items, ctx, files);
      if (err) errors.push(err);
    }
    return errors.length ? fail(errors) : { files };
  }
  return { files };
}

/** Whether a volume's content comes from the API (and may change after set-up). */
export function volumeReadsSources(volume: Volume): boolean {
  return Boolean(volume.configMap || volume.secret || volume.projected || volume.downwardAPI);
}
