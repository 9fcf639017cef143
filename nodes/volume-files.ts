// A volume's files on disk, in the pod's folder, as kubelet lays them out
// (`pods/<uid>/volumes/kubernetes.io~<plugin>/<volume>/`) and writes them (its AtomicWriter): the
// content goes into a fresh `..<timestamp>` folder, the `..data` symlink is swapped to it in one
// rename, and each top-level name is a symlink through `..data`, so a reader sees the old set or
// the new one, never half of each. Issue 11's host processes read these; the built-in app reads
// the same content from memory (container-view.ts).
import { mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Volume } from '../src/api/config.js';
import type { VolumeFiles } from './volume-resolver.js';

/** kubelet's plugin folder names (`kubernetes.io~configmap`, ...). */
export function volumePluginDir(volume: Volume): string {
  if (volume.configMap) return 'kubernetes.io~configmap';
  if (volume.secret) return 'kubernetes.io~secret';
  if (volume.downwardAPI) return 'kubernetes.io~downward-api';
  if (volume.projected) return 'kubernetes.io~projected';
  return 'kubernetes.io~empty-dir';
}

/** Where a volume of a pod lives under the node's pods folder. */
export function volumeDir(podsDir: string, podUID: string, volume: Volume): string {
  return path.join(podsDir, podUID, 'volumes', volumePluginDir(volume), volume.name);
}

/** The file modes a volume's spec asks for: per item, else the source's defaultMode, else 0644. */
export function volumeFileModes(volume: Volume): { defaultMode: number; byPath: Map<string, number> } {
  const byPath = new Map<string, number>();
  const items = (list: Array<{ path: string; mode?: number }> | undefined): void => {
    for (const i of list ?? []) if (i.mode !== undefined) byPath.set(i.path, i.mode);
  };
  let defaultMode: number | undefined;
  if (volume.configMap) {
    defaultMode = volume.configMap.defaultMode;
    items(volume.configMap.items);
  } else if (volume.secret) {
    defaultMode = volume.secret.defaultMode;
    items(volume.secret.items);
  } else if (volume.downwardAPI) {
    defaultMode = volume.downwardAPI.defaultMode;
    items(volume.downwardAPI.items);
  } else if (volume.projected) {
    defaultMode = volume.projected.defaultMode;
    for (const s of volume.projected.sources ?? []) items(s.configMap?.items ?? s.secret?.items ?? s.downwardAPI?.items);
  }
  return { defaultMode: defaultMode ?? 0o644, byPath };
}

function timestampDir(): string {
  const d = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.${process.pid}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Writes a volume's files into `dir` atomically (AtomicWriter's ..data swap). Paths come from
 * validated specs (no `..`, relative); they are checked again here so nothing lands outside `dir`.
 */
export function writeVolumeFiles(dir: string, files: VolumeFiles, modes: { defaultMode: number; byPath: Map<string, number> }): void {
  mkdirSync(dir, { recursive: true });
  const version = timestampDir();
  const versionDir = path.join(dir, version);
  mkdirSync(versionDir);
  const top = new Set<string>();
  for (const [rel, content] of files) {
    const target = path.resolve(versionDir, rel);
    if (!target.startsWith(`${versionDir}${path.sep}`)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content, { mode: modes.byPath.get(rel) ?? modes.defaultMode });
    top.add(rel.split('/')[0]!);
  }
  let previous: string | undefined;
  try {
    previous = readlinkSync(path.join(dir, '..data'));
  } catch {
    // first write
  }
  const tmpLink = path.join(dir, '..data_tmp');
  rmSync(tmpLink, { force: true });
  symlinkSync(version, tmpLink);
  renameSync(tmpLink, path.join(dir, '..data'));
  // the visible names: a symlink each through ..data; names no longer there go
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('..')) continue;
    if (!top.has(entry)) rmSync(path.join(dir, entry), { force: true, recursive: true });
  }
  for (const name of top) {
    const link = path.join(dir, name);
    try {
      readlinkSync(link);
    } catch {
      rmSync(link, { force: true, recursive: true });
      symlinkSync(path.join('..data', name), link);
    }
  }
  if (previous && previous !== version) rmSync(path.join(dir, previous), { recursive: true, force: true });
}

/** Whether two volumes' contents are the same (nothing to write). */
export function sameFiles(a: VolumeFiles | undefined, b: VolumeFiles): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [k, v] of b) if (!a.get(k)?.equals(v)) return false;
  return true;
}

/** Removes `<podsDir>/<uid>` of every uid not in `keep` (pods gone while the node was down); returns those uids. */
export function removeOrphanPodDirs(podsDir: string, keep: ReadonlySet<string>): string[] {
  let uids: string[];
  try {
    uids = readdirSync(podsDir);
  } catch {
    return []; // no pod folder yet
  }
  const removed = uids.filter((uid) => !keep.has(uid));
  for (const uid of removed) rmSync(path.join(podsDir, uid), { recursive: true, force: true });
  return removed;
}
