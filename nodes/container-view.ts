// What a container sees of its pod's configuration, which the built-in app shows its users (a
// real container would read it from its environment and its mounts): the resolved environment,
// and the files of its volume mounts (`GET /fs/<mountPath>/<file>`). Volume contents follow
// their ConfigMap or Secret as kubelet's refresh does, except under a subPath, which keeps what it
// had when the container started.
import type { VolumeMount } from '../src/api/config.js';
import type { VolumeFiles } from './volume-resolver.js';

export type FileLookup = { content: Buffer } | { entries: string[] } | undefined;

export interface ContainerView {
  /** The resolved environment, sorted by name. */
  env(): ReadonlyArray<readonly [string, string]>;
  /** A file (its bytes) or a directory (its entries) at an absolute path in the container. */
  lookup(path: string): FileLookup;
}

interface Mount {
  mountPath: string;
  files: () => VolumeFiles | undefined;
}

/** An absolute, normalised path (`.` and `..` resolved, never above `/`). */
function clean(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

function within(files: VolumeFiles, rel: string): FileLookup {
  if (rel !== '') {
    const f = files.get(rel);
    if (f) return { content: f };
  }
  const prefix = rel === '' ? '' : `${rel}/`;
  const entries = new Set<string>();
  for (const k of files.keys()) if (k.startsWith(prefix)) entries.add(k.slice(prefix.length).split('/')[0]!);
  if (entries.size === 0 && rel !== '') return undefined;
  return { entries: [...entries].sort() };
}

/** A subPath mount: that file (or folder) of the volume, as it was at the container's start. */
function subPathFiles(files: VolumeFiles | undefined, subPath: string): VolumeFiles {
  const out: VolumeFiles = new Map();
  const sub = clean(subPath).slice(1);
  for (const [k, v] of files ?? []) {
    if (k === sub) out.set('', v);
    else if (k.startsWith(`${sub}/`)) out.set(k.slice(sub.length + 1), v);
  }
  return out;
}

export function createContainerView(
  env: ReadonlyArray<readonly [string, string]>,
  mounts: readonly VolumeMount[] | undefined,
  volume: (name: string) => VolumeFiles | undefined,
): ContainerView {
  const list: Mount[] = (mounts ?? []).map((m) => {
    if (!m.subPath) return { mountPath: clean(m.mountPath), files: () => volume(m.name) };
    const frozen = subPathFiles(volume(m.name), m.subPath);
    return { mountPath: clean(m.mountPath), files: () => frozen };
  });
  // the deepest mount wins, as a mount over a mount hides what is below it
  list.sort((a, b) => b.mountPath.length - a.mountPath.length);
  return {
    env: () => env,
    lookup(path) {
      const p = clean(path);
      for (const m of list) {
        if (p !== m.mountPath && !p.startsWith(m.mountPath === '/' ? '/' : `${m.mountPath}/`)) continue;
        const files = m.files() ?? new Map();
        // a subPath mount of one file: the mount path is that file
        if (files.size === 1 && files.has('')) return p === m.mountPath ? { content: files.get('')! } : undefined;
        return within(files, p === m.mountPath ? '' : p.slice(m.mountPath === '/' ? 1 : m.mountPath.length + 1));
      }
      // the folders leading to the mounts
      const entries = new Set<string>();
      const prefix = p === '/' ? '/' : `${p}/`;
      for (const m of list) if (m.mountPath.startsWith(prefix)) entries.add(m.mountPath.slice(prefix.length).split('/')[0]!);
      return entries.size ? { entries: [...entries].sort() } : undefined;
    },
  };
}
