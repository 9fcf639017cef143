// The cluster's kubeconfig: one cluster (the CA inline, the API server's URL), one user (the
// bearer token) and one context, all named `loopkube-NAME`, as kind names its `kind-NAME`.
//
// Two places hold it: the cluster's own file (`<home>/kubeconfig`, always written, printed by
// `loopkube kubeconfig`), and the user's kubeconfig, where `up` merges the three entries and
// switches current-context to them as kind, k3d and minikube do, so `kubectl get nodes` works
// right after `up`. Merging follows kubectl's rules for which file to write (clientcmd's
// GetDefaultFilename), takes the lock file client-go takes (`<file>.lock`), keeps a backup of
// the file as it was, and touches nothing but the `loopkube-NAME` entries and current-context;
// the rest of the file (other clusters, comments, preferences) stays as it was.
import { chownSync, closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMap, isSeq, parseDocument, stringify, type Document, type YAMLMap } from 'yaml';
import { pidAlive } from '../supervisor/pid-files.js';

export interface KubeconfigInput {
  clusterName: string;
  /** https://127.0.0.1:6443 */
  server: string;
  caCertPem: string;
  token: string;
}

export function contextName(clusterName: string): string {
  return `loopkube-${clusterName}`;
}

/** The three named entries of a cluster's kubeconfig. */
function entries(input: KubeconfigInput): { cluster: object; user: object; context: object } {
  const name = contextName(input.clusterName);
  return {
    cluster: {
      name,
      cluster: {
        'certificate-authority-data': Buffer.from(input.caCertPem, 'utf8').toString('base64'),
        server: input.server,
      },
    },
    user: { name, user: { token: input.token } },
    context: { name, context: { cluster: name, user: name } },
  };
}

export function renderKubeconfig(input: KubeconfigInput): string {
  const e = entries(input);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [e.cluster],
    users: [e.user],
    contexts: [e.context],
    'current-context': contextName(input.clusterName),
    preferences: {},
  });
}

/** Written 0600: it carries the token. */
export function writeKubeconfig(file: string, input: KubeconfigInput): void {
  writeFileSync(file, renderKubeconfig(input), { mode: 0o600 });
}

/** A kubeconfig that cannot be merged into (unreadable, not YAML, not a mapping, locked). */
export class KubeconfigError extends Error {}

/**
 * The file kubectl writes new entries to, as clientcmd decides it: with $KUBECONFIG set, its
 * only file, else the first of its files that exists, else the last; without it ~/.kube/config.
 */
export function kubeconfigMergePath(env: NodeJS.ProcessEnv = process.env): string {
  const files = [...new Set((env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f !== ''))];
  if (files.length === 1) return path.resolve(files[0]!);
  if (files.length > 1) return path.resolve(files.find((f) => existsSync(f)) ?? files[files.length - 1]!);
  return path.join(env.HOME || os.homedir(), '.kube', 'config');
}

export interface MergeResult {
  file: string;
  /** The file as it was before, when there was one. */
  backup?: string;
  /** current-context before the switch ('' when there was none). */
  previousContext: string;
}

export interface RemoveResult {
  /** Some loopkube-NAME entry was there and is gone. */
  removed: boolean;
  /** current-context now, when it had to change (it named the removed context). */
  currentContext?: string;
}

/** How long a merge waits for another writer's lock before giving up. */
const LOCK_WAIT_MS = 10_000;

/** Merges the cluster's entries into `file` (created when missing) and makes its context current. */
export async function mergeIntoKubeconfig(file: string, input: KubeconfigInput): Promise<MergeResult> {
  return withKubeconfig(file, (doc) => {
    const e = entries(input);
    const name = contextName(input.clusterName);
    upsertNamed(doc, 'clusters', name, e.cluster);
    upsertNamed(doc, 'users', name, e.user);
    upsertNamed(doc, 'contexts', name, e.context);
    const previousContext = String(doc.get('current-context') ?? '');
    doc.set('current-context', name);
    return { changed: true, result: { previousContext } };
  }).then(({ result, backup, file: written }) => ({ file: written, previousContext: result.previousContext, ...(backup ? { backup } : {}) }));
}

/**
 * Removes the cluster's entries from `file`; when current-context named them it becomes
 * `restoreContext` if that context is still there, else it is unset (as `kind delete cluster`).
 */
export async function removeFromKubeconfig(file: string, clusterName: string, restoreContext?: string): Promise<RemoveResult> {
  if (!existsSync(file)) return { removed: false };
  const { result } = await withKubeconfig(file, (doc) => {
    const name = contextName(clusterName);
    const removed = [removeNamed(doc, 'clusters', name), removeNamed(doc, 'users', name), removeNamed(doc, 'contexts', name)].some(Boolean);
    let currentContext: string | undefined;
    if (doc.get('current-context') === name) {
      currentContext = restoreContext && restoreContext !== name && namedIndex(doc, 'contexts', restoreContext) >= 0 ? restoreContext : '';
      if (currentContext) doc.set('current-context', currentContext);
      else doc.delete('current-context');
    }
    const out: RemoveResult = { removed, ...(currentContext !== undefined ? { currentContext } : {}) };
    return { changed: removed || currentContext !== undefined, result: out };
  });
  return result;
}

/** The context names in `file` ([] when it is missing or unreadable). */
export function kubeconfigContexts(file: string): string[] {
  try {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    const seq = doc.get('contexts');
    return isSeq(seq) ? seq.items.map((i) => (isMap(i) ? String(i.get('name') ?? '') : '')).filter(Boolean) : [];
  } catch {
    return [];
  }
}

function namedIndex(doc: Document, key: string, name: string): number {
  const seq = doc.get(key);
  if (!isSeq(seq)) return -1;
  return seq.items.findIndex((i) => isMap(i) && (i as YAMLMap).get('name') === name);
}

function upsertNamed(doc: Document, key: string, name: string, value: object): void {
  let seq = doc.get(key);
  if (!isSeq(seq)) {
    doc.set(key, doc.createNode([]));
    seq = doc.get(key);
  }
  if (!isSeq(seq)) throw new KubeconfigError(`cannot write ${key}`);
  const node = doc.createNode(value);
  const i = namedIndex(doc, key, name);
  if (i >= 0) seq.items[i] = node;
  else seq.items.push(node);
}

function removeNamed(doc: Document, key: string, name: string): boolean {
  const seq = doc.get(key);
  const i = namedIndex(doc, key, name);
  if (!isSeq(seq) || i < 0) return false;
  seq.items.splice(i, 1);
  return true;
}

/**
 * Reads `file` under its lock, lets `change` edit it, and writes it back atomically (a new file
 * renamed over the old, with the old one's mode and owner) after copying the old one to
 * `<file>.loopkube.bak`. A file that is not a kubeconfig is left untouched.
 */
async function withKubeconfig<T>(
  file: string,
  change: (doc: Document) => { changed: boolean; result: T },
): Promise<{ result: T; backup?: string; file: string }> {
  const target = resolveTarget(file);
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  const release = await lock(target);
  try {
    let text = '';
    let before: { mode: number; uid: number; gid: number } | undefined;
    if (existsSync(target)) {
      try {
        text = readFileSync(target, 'utf8');
        const st = statSync(target);
        before = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
      } catch (err) {
        throw new KubeconfigError(`cannot read ${target}: ${(err as Error).message}`);
      }
    }
    const doc = parseDocument(text.trim() === '' ? 'apiVersion: v1\nkind: Config\n' : text);
    if (doc.errors.length) {
      throw new KubeconfigError(`${target} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); it was left as it is`);
    }
    if (!isMap(doc.contents)) throw new KubeconfigError(`${target} is not a kubeconfig (a YAML mapping with kind: Config); it was left as it is`);
    for (const key of ['clusters', 'users', 'contexts']) {
      const v = doc.get(key);
      if (v !== undefined && v !== null && !isSeq(v)) throw new KubeconfigError(`${target}: ${key} is not a list; the file was left as it is`);
    }
    const { changed, result } = change(doc);
    if (!changed) return { result, file: target };
    let backup: string | undefined;
    if (before) {
      backup = `${target}.loopkube.bak`;
      copyFileSync(target, backup);
    }
    const tmp = `${target}.loopkube-${process.pid}.tmp`;
    try {
      writeFileSync(tmp, doc.toString({ indentSeq: false }), { mode: before?.mode ?? 0o600 });
      ownLike(tmp, before, path.dirname(target));
      if (backup) ownLike(backup, before, path.dirname(target));
      renameSync(tmp, target);
    } finally {
      rmSync(tmp, { force: true });
    }
    return { result, file: target, ...(backup ? { backup } : {}) };
  } finally {
    release();
  }
}

/** The real file behind a symlinked kubeconfig (written in place of the link's target, as kubectl does). */
function resolveTarget(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Run as root for another user's kubeconfig (sudo), a file keeps its owner; a new one gets its folder's. */
function ownLike(file: string, before: { uid: number; gid: number } | undefined, dir: string): void {
  if (process.getuid?.() !== 0) return;
  try {
    const owner = before ?? statSync(dir);
    if (owner.uid !== 0 || owner.gid !== 0) chownSync(file, owner.uid, owner.gid);
  } catch {
    // leave it as created
  }
}

/**
 * client-go's lock: `<file>.lock` created exclusively (kubectl config ... takes the same one).
 * Ours holds our pid, so a lock left by a loopkube that died is taken over; an empty one (kubectl's)
 * is waited for.
 */
async function lock(file: string): Promise<() => void> {
  const lockFile = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new KubeconfigError(`cannot lock ${file}: ${(err as Error).message}`);
    }
    takeOverIfStale(lockFile);
    if (Date.now() > deadline) {
      throw new KubeconfigError(
        `${file} is locked by ${lockFile} (another kubectl or loopkube is changing it); ` +
          `if none is running, remove ${lockFile} and try again`,
      );
    }
    await sleep(delay);
  }
}

/** Moves a lock aside when it names a process that is gone; puts back one that turned out live. */
function takeOverIfStale(lockFile: string): void {
  let owner: number;
  try {
    owner = Number(readFileSync(lockFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(owner) || owner <= 0 || pidAlive(owner)) return;
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    renameSync(lockFile, aside);
  } catch {
    return; // someone else moved it
  }
  try {
    // Between the read and the rename another process may have taken the lock: give it back.
    if (Number(readFileSync(aside, 'utf8').trim()) !== owner) linkSync(aside, lockFile);
  } catch {
    // a third process holds the lock now; it wins
  } finally {
    rmSync(aside, { force: true });
  }
}
