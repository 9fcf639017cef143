// Merging a cluster's context into the user's kubeconfig as kind does, on real files read back
// by the real kubectl: other clusters, users, contexts, comments and preferences stay as they
// were; the backup holds the file as it was; the lock keeps concurrent writers (other processes)
// from losing each other's entries; removing puts the previous context back.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  KubeconfigError,
  kubeconfigContexts,
  kubeconfigMergePath,
  mergeIntoKubeconfig,
  removeFromKubeconfig,
  type KubeconfigInput,
} from '../../src/pki/kubeconfig.js';
import { REPO, ensureBuilt, removeDir, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) removeDir(dirs.pop()!);
});
beforeAll(() => ensureBuilt());

function scratch(): string {
  const d = tempDir('loopkube-kubeconfig-');
  dirs.push(d);
  return d;
}

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const input = (clusterName: string, port = 6443): KubeconfigInput => ({ clusterName, server: `https://127.0.0.1:${port}`, caCertPem: CA, token: `token-${clusterName}` });

/** A kubeconfig as people have them: another tool's cluster, comments, preferences, an extension. */
const OTHERS = `# my clusters; keep this comment
apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- cluster:
    server: https://127.0.0.1:39999   # kind's
    insecure-skip-tls-verify: true
  name: kind-kind
- cluster:
    server: https://prod.example:6443
  name: prod
users:
- name: kind-kind
  user:
    token: kind-token
- name: prod-admin
  user:
    token: "on"
contexts:
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
- context:
    cluster: prod
    namespace: payments
    user: prod-admin
  name: prod
current-context: prod
extensions:
- name: some-tool
  extension: { setting: 1 }
`;

type Doc = {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context'?: string;
  preferences?: unknown;
  extensions?: unknown;
};
const read = (file: string): Doc => parse(readFileSync(file, 'utf8')) as Doc;
const kubectl = (file: string, ...args: string[]): string => execFileSync('kubectl', ['--kubeconfig', file, ...args], { encoding: 'utf8' }).trim();

describe('kubeconfig: which file kubectl writes (clientcmd GetDefaultFilename)', () => {
  const cases: Array<{ rule: string; env: (d: string) => NodeJS.ProcessEnv; existing: string[]; want: (d: string) => string }> = [
    { rule: 'no KUBECONFIG: ~/.kube/config', env: (d) => ({ HOME: d }), existing: [], want: (d) => path.join(d, '.kube/config') },
    { rule: 'one file: that file, even when missing', env: (d) => ({ HOME: d, KUBECONFIG: `${d}/a` }), existing: [], want: (d) => `${d}/a` },
    { rule: 'several: the first that exists', env: (d) => ({ HOME: d, KUBECONFIG: `${d}/a:${d}/b:${d}/c` }), existing: ['b', 'c'], want: (d) => `${d}/b` },
    { rule: 'several, none exists: the last', env: (d) => ({ HOME: d, KUBECONFIG: `${d}/a:${d}/b` }), existing: [], want: (d) => `${d}/b` },
    { rule: 'empty entries and repeats are ignored', env: (d) => ({ HOME: d, KUBECONFIG: `:${d}/a::${d}/a:` }), existing: [], want: (d) => `${d}/a` },
    { rule: 'KUBECONFIG set but empty: ~/.kube/config', env: (d) => ({ HOME: d, KUBECONFIG: '' }), existing: [], want: (d) => path.join(d, '.kube/config') },
  ];
  it.each(cases)('$rule', ({ env, existing, want }) => {
    const d = scratch();
    for (const f of existing) writeFileSync(path.join(d, f), '');
    expect(kubeconfigMergePath(env(d))).toBe(want(d));
  });
});

describe('kubeconfig: merge and remove', () => {
  it('into a missing file: creates it 0600 (with its folder), the context current, and kubectl uses it', async () => {
    const file = path.join(scratch(), '.kube', 'config');
    const r = await mergeIntoKubeconfig(file, input('demo'));
    expect(r).toEqual({ file, previousContext: '' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}.loopkube.bak`)).toBe(false);
    expect(kubectl(file, 'config', 'current-context')).toBe('loopkube-demo');
    expect(kubectl(file, 'config', 'view', '--raw', '-o', 'jsonpath={.users[0].user.token}')).toBe('token-demo');
  });

  it('into a file holding other clusters: adds ours, switches to it, leaves every other entry, comment and setting, backs the old file up', async () => {
    const file = path.join(scratch(), 'config');
    writeFileSync(file, OTHERS, { mode: 0o640 });
    const r = await mergeIntoKubeconfig(file, input('demo'));
    expect(r.previousContext).toBe('prod');
    expect(readFileSync(`${file}.loopkube.bak`, 'utf8')).toBe(OTHERS);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('# my clusters; keep this comment');
    expect(after).toContain("# kind's");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const before = parse(OTHERS) as Doc;
    const doc = read(file);
    expect(doc['current-context']).toBe('loopkube-demo');
    expect(doc.preferences).toEqual(before.preferences);
    expect(doc.extensions).toEqual(before.extensions);
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      expect(doc[key].filter((e) => e.name !== 'loopkube-demo')).toEqual(before[key]);
      expect(doc[key].filter((e) => e.name === 'loopkube-demo')).toHaveLength(1);
    }
    // a quoted "on" stays a string for kubectl's YAML 1.1 reader
    expect(kubectl(file, 'config', 'view', '--raw', '-o', 'jsonpath={.users[?(@.name=="prod-admin")].user.token}')).toBe('on');
    expect(kubectl(file, 'config', 'get-contexts', '-o', 'name').split('\n').sort()).toEqual(['kind-kind', 'loopkube-demo', 'prod']);
  });

  it('again (a second up, a new port): replaces our entries instead of adding more', async () => {
    const file = path.join(scratch(), 'config');
    writeFileSync(file, OTHERS);
    await mergeIntoKubeconfig(file, input('demo', 6443));
    await mergeIntoKubeconfig(file, input('demo', 7443));
    const doc = read(file);
    expect(doc.clusters.filter((c) => c.name === 'loopkube-demo')).toEqual([
      { name: 'loopkube-demo', cluster: { 'certificate-authority-data': Buffer.from(CA).toString('base64'), server: 'https://127.0.0.1:7443' } },
    ]);
    expect(kubeconfigContexts(file).sort()).toEqual(['kind-kind', 'loopkube-demo', 'prod']);
  });

  const removals: Array<{ rule: string; current: string; restore?: string; wantCurrent: string | undefined }> = [
    { rule: 'ours current: the context current before comes back', current: 'loopkube-demo', restore: 'prod', wantCurrent: 'prod' },
    { rule: 'ours current, the one before is gone: none is current (as kind delete cluster)', current: 'loopkube-demo', restore: 'deleted-since', wantCurrent: undefined },
    { rule: 'another current: it stays current', current: 'kind-kind', restore: 'prod', wantCurrent: 'kind-kind' },
  ];
  it.each(removals)('remove, $rule', async ({ current, restore, wantCurrent }) => {
    const file = path.join(scratch(), 'config');
    writeFileSync(file, OTHERS);
    await mergeIntoKubeconfig(file, input('demo'));
    await mergeIntoKubeconfig(file, input('other'));
    execFileSync('kubectl', ['--kubeconfig', file, 'config', 'use-context', current]);
    const r = await removeFromKubeconfig(file, 'demo', restore);
    expect(r.removed).toBe(true);
    const doc = read(file);
    expect(doc['current-context']).toBe(wantCurrent);
    expect(kubeconfigContexts(file).sort()).toEqual(['kind-kind', 'loopkube-other', 'prod']);
    expect(doc.users.map((u) => u.name).sort()).toEqual(['kind-kind', 'loopkube-other', 'prod-admin']);
    expect(doc.clusters.map((u) => u.name).sort()).toEqual(['kind-kind', 'loopkube-other', 'prod']);
  });

  const broken: Array<{ rule: string; text: string; error: RegExp }> = [
    { rule: 'not YAML', text: 'clusters: [\n  - name: x\n', error: /is not valid YAML .*left as it is/ },
    { rule: 'not a mapping', text: '- a\n- b\n', error: /is not a kubeconfig/ },
    { rule: 'clusters not a list', text: 'apiVersion: v1\nclusters: { a: 1 }\n', error: /clusters is not a list/ },
  ];
  it.each(broken)('a file that is $rule is left untouched, with an error', async ({ text, error }) => {
    const file = path.join(scratch(), 'config');
    writeFileSync(file, text);
    await expect(mergeIntoKubeconfig(file, input('demo'))).rejects.toThrow(KubeconfigError);
    await expect(mergeIntoKubeconfig(file, input('demo'))).rejects.toThrow(error);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a symlinked kubeconfig: its target is written, the link stays', async () => {
    const d = scratch();
    mkdirSync(path.join(d, 'dotfiles'));
    writeFileSync(path.join(d, 'dotfiles', 'kube'), OTHERS);
    execFileSync('ln', ['-s', path.join(d, 'dotfiles', 'kube'), path.join(d, 'config')]);
    await mergeIntoKubeconfig(path.join(d, 'config'), input('demo'));
    expect(execFileSync('readlink', [path.join(d, 'config')], { encoding: 'utf8' }).trim()).toBe(path.join(d, 'dotfiles', 'kube'));
    expect(kubeconfigContexts(path.join(d, 'dotfiles', 'kube'))).toContain('loopkube-demo');
  });
});

describe('kubeconfig: the lock', () => {
  /** Merges from another process (the built module), as a concurrent `loopkube up` would. */
  function mergeInChild(file: string, name: string): Promise<void> {
    const script = `const k = await import(${JSON.stringify(path.join(REPO, 'dist/src/pki/kubeconfig.js'))});
await k.mergeIntoKubeconfig(process.argv[1], { clusterName: process.argv[2], server: 'https://127.0.0.1:6443', caCertPem: 'x', token: 't' });`;
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script, file, name], (err, _out, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve()));
    });
  }

  it('eight processes merging at once: every one of their contexts is there, and the others', async () => {
    const file = path.join(scratch(), 'config');
    writeFileSync(file, OTHERS);
    const names = Array.from({ length: 8 }, (_, i) => `c${i}`);
    await Promise.all(names.map((n) => mergeInChild(file, n)));
    expect(kubeconfigContexts(file).sort()).toEqual(['kind-kind', ...names.map((n) => `loopkube-${n}`), 'prod'].sort());
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(kubectl(file, 'config', 'get-clusters').split('\n')).toHaveLength(1 + 2 + names.length);
  });

  it("waits for kubectl's lock (an empty <file>.lock) and merges once it is gone", async () => {
    const file = path.join(scratch(), 'config');
    writeFileSync(file, OTHERS);
    writeFileSync(`${file}.lock`, '');
    let settled = false;
    const merging = mergeIntoKubeconfig(file, input('demo')).finally(() => (settled = true));
    await sleep(300);
    expect(settled).toBe(false);
    expect(kubeconfigContexts(file)).not.toContain('loopkube-demo');
    execFileSync('rm', [`${file}.lock`]);
    await merging;
    expect(kubeconfigContexts(file)).toContain('loopkube-demo');
  });

  it('takes over a lock left by a process that is gone', async () => {
    const file = path.join(scratch(), 'config');
    writeFileSync(file, OTHERS);
    // a pid that ran and exited: a loopkube that died holding the lock
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    writeFileSync(`${file}.lock`, String(dead));
    await mergeIntoKubeconfig(file, input('demo'));
    expect(kubeconfigContexts(file)).toContain('loopkube-demo');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
