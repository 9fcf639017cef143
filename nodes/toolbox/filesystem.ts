// The files a toolbox command sees in its container, in layers as a container's mounts hide what
// is below them: the generated /etc files (hosts, resolv.conf, hostname) and the volume mounts,
// both read-only, over the container's writable layer, a folder in the pod's folder on the node
// (`<pod dir>/rootfs/<container>`, gone with the pod), over a bare image skeleton (/bin, /tmp...).
// Paths are the container's: absolute, `..` never above `/`; nothing reaches outside the folder.
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerView } from '../container-view.js';

export type Entry = { type: 'file'; size: number; mode: number; mtime: Date } | { type: 'dir'; mode: number; mtime: Date };

export class FsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'EROFS' | 'ENOTDIR' | 'EISDIR',
    message: string,
  ) {
    super(message);
  }
}

export interface ToolboxFs {
  stat(p: string): Entry | undefined;
  read(p: string): Buffer | undefined;
  /** A folder's entries, sorted; undefined when it is not a folder. */
  list(p: string): string[] | undefined;
  mkdir(p: string, mode?: number): void;
  writeFile(p: string, data: Buffer, mode?: number): void;
  /** Creates (or truncates) a file for writing; the caller closes the descriptor. */
  openFile(p: string, mode?: number): number;
}

/** The image's folders, there before anything is written. */
const SKELETON = ['/', '/bin', '/dev', '/etc', '/home', '/proc', '/root', '/sys', '/tmp', '/usr', '/var'];

export function normalise(p: string, cwd = '/'): string {
  const abs = p.startsWith('/') ? p : `${cwd}/${p}`;
  const parts: string[] = [];
  for (const seg of abs.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

const parentOf = (p: string): string => (p === '/' ? '/' : normalise(`${p}/..`));
const EPOCH = new Date(0);

export function toolboxFs(generated: Record<string, string>, view: ContainerView | undefined, rootfs: string | undefined): ToolboxFs {
  const onDisk = (p: string): string | undefined => (rootfs ? path.join(rootfs, p) : undefined);
  const diskStat = (p: string): fs.Stats | undefined => {
    const d = onDisk(p);
    try {
      return d ? fs.lstatSync(d) : undefined;
    } catch {
      return undefined;
    }
  };
  /** A read-only layer's answer for p (generated files, then mounts). */
  const readOnly = (p: string): { content: Buffer } | { entries: string[] } | undefined => {
    const g = generated[p];
    if (g !== undefined) return { content: Buffer.from(g) };
    return view?.lookup(p);
  };
  const list = (p: string): string[] | undefined => {
    const ro = readOnly(p);
    if (ro && 'content' in ro) return undefined;
    const names = new Set<string>(ro?.entries ?? []);
    let isDir = !!ro || SKELETON.includes(p);
    for (const s of SKELETON) if (s !== '/' && parentOf(s) === p) names.add(s.slice(p === '/' ? 1 : p.length + 1));
    if (p === '/etc') for (const f of Object.keys(generated)) if (parentOf(f) === '/etc') names.add(f.slice(5));
    const st = diskStat(p);
    if (st?.isDirectory()) {
      isDir = true;
      for (const n of fs.readdirSync(onDisk(p)!)) names.add(n);
    } else if (st) return undefined;
    return isDir ? [...names].sort() : undefined;
  };
  const stat = (p: string): Entry | undefined => {
    const ro = readOnly(p);
    if (ro) return 'content' in ro ? { type: 'file', size: ro.content.length, mode: 0o644, mtime: EPOCH } : { type: 'dir', mode: 0o755, mtime: EPOCH };
    const st = diskStat(p);
    if (st?.isDirectory()) return { type: 'dir', mode: st.mode & 0o7777, mtime: st.mtime };
    if (st?.isFile()) return { type: 'file', size: st.size, mode: st.mode & 0o7777, mtime: st.mtime };
    if (SKELETON.includes(p) || (p === '/etc' && Object.keys(generated).length)) return { type: 'dir', mode: 0o755, mtime: EPOCH };
    return undefined;
  };
  /** Where a write of p lands on disk; a read-only layer or no writable layer is EROFS. */
  const writable = (p: string): string => {
    const d = onDisk(p);
    if (!d || readOnly(p) || view?.lookup(parentOf(p)) || p === '/') throw new FsError('EROFS', 'Read-only file system');
    const parent = stat(parentOf(p));
    if (!parent) throw new FsError('ENOENT', 'No such file or directory');
    if (parent.type !== 'dir') throw new FsError('ENOTDIR', 'Not a directory');
    // the skeleton's folders exist on disk only once something is written in them
    fs.mkdirSync(path.dirname(d), { recursive: true });
    return d;
  };
  return {
    stat,
    list,
    read(p) {
      const ro = readOnly(p);
      if (ro) return 'content' in ro ? ro.content : undefined;
      const st = diskStat(p);
      return st?.isFile() ? fs.readFileSync(onDisk(p)!) : undefined;
    },
    mkdir(p, mode = 0o755) {
      const existing = stat(p);
      if (existing?.type === 'dir') return;
      if (existing) throw new FsError('ENOTDIR', 'Not a directory');
      fs.mkdirSync(writable(p), { mode });
    },
    writeFile(p, data, mode = 0o644) {
      if (stat(p)?.type === 'dir') throw new FsError('EISDIR', 'Is a directory');
      fs.writeFileSync(writable(p), data, { mode });
    },
    openFile(p, mode = 0o644) {
      if (stat(p)?.type === 'dir') throw new FsError('EISDIR', 'Is a directory');
      return fs.openSync(writable(p), 'w', mode);
    },
  };
}
