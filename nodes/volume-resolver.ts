// What a pod's volume holds, as kubelet's volume plugins set it up: a configMap or secret volume
// projects the object's keys (or the items it names) as files, a downwardAPI volume the pod's own
// fields, a projected volume several of these together. A missing object or key fails the
// set-up with the plugin's words (`configmap "x" not found`, `configmap references non-existent
// config key: k`) unless it is optional. A claim's volume is its bound PersistentVolume's folder
// (`PVC ns/x is not bound` until it is). Other sources (emptyDir, hostPath...) start empty.
import { mkdirSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { ConfigMapVolumeSource, DownwardAPIVolumeFile, KeyToPath, Volume } from '../src/api/config.js';
import type { Pod } from '../src/api/types.js';
import type { ConfigSources } from './config-sources.js';
import { podFieldValue } from './env-resolver.js';

/** A volume's files: path relative to the mount -> content. */
export type VolumeFiles = Map<string, Buffer>;

/** A claim's volume is a folder (its PersistentVolume's hostPath or local path), read live. */
export type VolumeResult = { files: VolumeFiles; folder?: string } | { error: string };

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

/** A folder's files, relative paths to content (symlinks and special files left out). */
export function readFolder(root: string): VolumeFiles {
  const files: VolumeFiles = new Map();
  const walk = (dir: string, rel: string, depth: number): void => {
    if (depth > 16) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r, depth + 1);
      else if (e.isFile()) {
        try {
          files.set(r, readFileSync(path.join(dir, e.name)));
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  walk(root, '', 0);
  return files;
}

/** The folder of a claim's volume, or kubelet's words for why it cannot be mounted yet. */
function claimFolder(claimName: string, ctx: Ctx): { folder: string } | { error: string } {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const pvc = ctx.sources.claim(ns, claimName);
  if (!pvc) return { error: `persistentvolumeclaim "${claimName}" not found` };
  if (pvc.status?.phase !== 'Bound' || !pvc.spec.volumeName) return { error: `PVC ${ns}/${claimName} is not bound` };
  const pv = ctx.sources.volume(pvc.spec.volumeName);
  if (!pv) return { error: `persistentvolume "${pvc.spec.volumeName}" not found` };
  const folder = pv.spec.hostPath?.path ?? pv.spec.local?.path;
  if (!folder) return { error: `volume "${pv.metadata.name}" has no local folder loopkube can mount` };
  if (pv.spec.hostPath?.type === 'DirectoryOrCreate') mkdirSync(folder, { recursive: true });
  return { folder };
}

export function resolveVolume(volume: Volume, ctx: Ctx): VolumeResult {
  const files: VolumeFiles = new Map();
  const claimName = (volume as { persistentVolumeClaim?: { claimName?: string } }).persistentVolumeClaim?.claimName;
  if (claimName) {
    const r = claimFolder(claimName, ctx);
    return 'error' in r ? r : { files: readFolder(r.folder), folder: r.folder };
  }
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
  return Boolean(volume.configMap || volume.secret || volume.projected || volume.downwardAPI || 'persistentVolumeClaim' in volume);
}
